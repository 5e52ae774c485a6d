"""Every number of an array at full precision, in a grid that scrolls both ways.

Rows are drawn as they come into view, so a 1,797×64 array opens as fast as a 2×4 one;
the row and column indices stay put while the numbers scroll under them.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bpdbg.tui.format import number, tidy
from bpdbg.tui.matrix import as_grid, shade

GAP = 2  # blanks between columns
MEASURED = 100_000  # up to this many numbers, each column is as wide as its widest number
WIDEST = 24  # the longest a float64 prints at full precision: −1.2345678901234567e−308


def full(x: float) -> str:
    """The shortest text that reads back as exactly this float64 (Python's repr); a zero is 0."""
    if x == 0:
        return "0"
    return tidy(repr(x)) if np.isfinite(x) else number(x)


class NumberGrid(ScrollView, can_focus=True):
    """An array's numbers, every row and column, under fixed row and column indices."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"grid--index", "grid--pos", "grid--neg"}
    DEFAULT_CSS = """
    NumberGrid > .grid--index { color: $text-muted; text-style: bold; }
    NumberGrid > .grid--pos { color: $text-primary; }
    NumberGrid > .grid--neg { color: $text-error; }
    """

    def __init__(self, value: np.ndarray, scale: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._grid = as_grid(value)
        self._scale = scale  # the largest magnitude, from the engine's summary: colours by size
        rows, columns = self._grid.shape
        self._gutter = len(str(rows - 1)) + GAP
        if self._grid.size <= MEASURED:
            self._col_widths = [
                max(len(str(c)), *(len(full(v)) for v in self._grid[:, c].tolist())) for c in range(columns)
            ]
        else:
            self._col_widths = [WIDEST] * columns
        self._starts = np.concatenate([[0], np.cumsum([w + GAP for w in self._col_widths])]).tolist()
        self._rows: dict[int, Strip] = {}
        self.virtual_size = Size(self._gutter + int(self._starts[-1]), rows + 1)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _row_strip(self, row: int) -> Strip:
        """One row's numbers, right-aligned in their columns (made once, when first in view)."""
        strip = self._rows.get(row)
        if strip is None:
            styles = {1: self._style("grid--pos"), -1: self._style("grid--neg"), 0: Style()}
            segments = []
            for value, width in zip(self._grid[row].tolist(), self._col_widths, strict=True):
                sign, _ = shade(value, self._scale)
                segments.append(Segment(" " * GAP))
                segments.append(Segment(full(value).rjust(width), styles[sign]))
            strip = self._rows[row] = Strip(segments)
        return strip

    def _header(self) -> Strip:
        style = self._style("grid--index")
        return Strip([Segment(f"{' ' * GAP}{str(c).rjust(w)}", style) for c, w in enumerate(self._col_widths)])

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        x = int(self.scroll_offset.x)
        row = y - 1 + int(self.scroll_offset.y)
        if y == 0:
            index, numbers = " " * self._gutter, self._header()
        elif row < self._grid.shape[0]:
            index, numbers = str(row).rjust(self._gutter - GAP) + " " * GAP, self._row_strip(row)
        else:
            return Strip.blank(width, self.rich_style)
        room = max(width - self._gutter, 0)
        body = numbers.crop(x, x + room)
        strip = Strip([Segment(index, self._style("grid--index")), *body])
        return strip.crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows.clear()
