"""What the plot panels share: a plotext canvas built only when what it shows changed, a fault in place.

Textual repaints the panels around a step, and a plot with them; plotext takes
milliseconds to build a plot, which every step key would otherwise pay. So a plot panel
keeps the plot it built with the key it was built for (what it shows, its size, the
theme, a failure) and builds again only when that key changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.panel import SnapshotView
from bpdbg.tui.widgets.plotext_text import built


class CachedPlot(SnapshotView, PlotextPlot):
    """A snapshot-bound plotext plot; subclasses say what it shows (`shown_key`) and build it (`_build`)."""

    can_focus = False

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._built: tuple[object, RenderResult] | None = None  # (what it was built from, the plot)
        self.failure: str | None = None  # set when the last snapshot could not be shown

    def shown_key(self) -> Hashable:
        """What the plot shows: it is built again only when this changes (or its size, theme or failure)."""
        raise NotImplementedError

    def _build(self) -> RenderResult:
        raise NotImplementedError

    def fail(self, error: Exception) -> None:
        """Show why the last snapshot could not be shown, in place of the plot."""
        self.failure = drawing_failed(error)
        self._built = None
        self.refresh()

    def render(self) -> RenderResult:
        """Build the plot only when what it shows, its size or the theme changed, at the size it is drawn."""
        key = (self.shown_key(), self.size, self.app.theme, self.failure)
        if self._built is None or self._built[0] != key:
            self._built = (key, self._build())
        return self._built[1]

    def _plotted(self) -> RenderResult:
        """The plot plotext draws of what `_build` put on its canvas: `PlotextPlot.render`'s, read
        off plotext's cells rather than decoded from its ANSI text (plotext_text.py)."""
        width, height = self.size
        self.plt.plotsize(width, height)  # set twice, as PlotextPlot.render sets it (textual-plotext#5)
        self.plt._set_size(width, height)
        self.plt.theme(self._get_plotext_theme_name(self.app.theme))
        return built(self.plt, self._mend)

    def _mend(self, grid: Any) -> None:
        """Change plotext's cells before they are read (the figure's regions do); by default, nothing."""

    def _line(self, message: str) -> Text:
        """One line in place of the plot, cut to the panel's width."""
        text = Text(message, no_wrap=True)
        text.truncate(max(self.content_region.width, 1), overflow="ellipsis")
        return text
