"""A plotext plot as rich Text, read off plotext's own grid of cells rather than its ANSI text.

textual-plotext has plotext write its grid out as one string of ANSI escapes and has rich
decode that string again (about half of what a plot costs to draw once it is built). The
Text made here is the one that round trip makes, span for span: each run of cells with
the same colours is one piece of text, styled by decoding that run's own escape codes
with rich's decoder, as the round trip decodes them (`tests/tui/test_plotext_text.py`
holds the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import plotext._utility as plotext_utility  # type: ignore[import-untyped]
from rich.ansi import AnsiDecoder
from rich.style import Style
from rich.text import Text
from textual_plotext.plot import Plot


@lru_cache(maxsize=4096)  # a plot uses a handful of colours (moons: 8, its regions with the loss curve)
def _style(code: str) -> str | Style | None:
    """The style rich gives text after `code`, the escapes plotext writes before a run of cells
    (each run ends in a reset, so the next starts from no style)."""
    decoded = AnsiDecoder().decode_line(code + "x")
    return decoded.spans[0].style if decoded.spans else None


def built(plot: Plot, mend: Callable[[Any], None] | None = None) -> Text:
    """Build `plot` (as `plot.build()` does, sized and themed already) and return its cells as
    `Text.from_ansi(plot.build())` would; `mend`, if given, may change plotext's grid of cells
    first."""
    figure: Any = plot  # plotext's figure: its building steps and its grid are untyped
    figure._set_sizes()
    figure._build_matrix()
    grid = figure.monitor.matrix
    if mend is not None:
        mend(grid)
    lines = []
    for row in reversed(grid.Rows):  # plotext's row 0 is the bottom one
        markers, fore, style, back = grid.marker[row], grid.fullground[row], grid.style[row], grid.background[row]
        line = Text()
        start, width = 0, grid.cols
        while start < width:
            colours = (fore[start], style[start], back[start])
            end = start + 1
            while end < width and (fore[end], style[end], back[end]) == colours:
                end += 1
            line.append("".join(markers[start:end]), _style(plotext_utility.colors_to_ansi(*colours)))
            start = end
        lines.append(line)
    lines.append(Text())  # after the grid's last newline, rich decodes one more (empty) line
    return Text("\n", tab_size=8).join(lines)
