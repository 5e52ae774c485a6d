"""A scroll view of styled lines that repaints only the lines a step changed.

The panels are Line-API views rather than Static text or a DataTable: a step changes a
few lines of a panel, and those widgets redraw every line they hold on any change. Here
each line's strip is kept until its content changes, and only changed lines are refreshed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

from bpdbg.engine.messages import flat_message
from bpdbg.tui.widgets.framed import FramedLines
from bpdbg.tui.widgets.panel import SnapshotView
from bpdbg.tui.widgets.scrollbar import keep_scrollbar

Line = tuple[Text | str, str]
"""A line's content, and the component class it is drawn in ("" for the panel's own style)."""


class LinesView(SnapshotView, ScrollView, can_focus=False):
    """Holds whole lines; a subclass says what they are at a width, this decides what to repaint.

    Lines are made for the width the panel has when it is drawn, so the first frame, drawn
    before any resize event, already shows them laid out for its size. `fixed` lines at the
    top (a table's header) stay put while the rest scrolls under them.
    """

    DEFAULT_CSS = """
    LinesView { overflow-x: hidden; }
    """
    steady_scrollbar: ClassVar[bool] = False
    """Whether the scrollbar stays (with overflow-y: scroll), blank while every line fits."""

    def __init__(self, fixed: int = 0, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._styles_cache = FramedLines()
        self.fixed = fixed
        self._lines: list[Line] = []
        self._strips: list[Strip | None] = []
        self._width = -1  # the width the lines were made for
        self._styles: dict[str, Style] = {}
        self._scrollbars_for: Size | None = None  # the size of lines the scrollbar was last set for
        self.failure: str | None = None  # set when the last snapshot could not be shown
        self._rendering: tuple[int, int] | None = None  # width and scroll, while lines are rendered

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:
            keep_scrollbar(self, self.steady_scrollbar)
        return super().vertical_scrollbar

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """A scrollbar shown again starts where the lines are scrolled to.

        Textual moves the scrollbar with the scroll only while it is shown; a scroll made
        while it was hidden (a taller terminal brings the lines back to the top) would
        otherwise leave its thumb where it was before.
        """
        if shown:
            self.vertical_scrollbar.position = self.scroll_y

    def lines_for(self, width: int) -> Sequence[Line]:
        """What the panel shows at this width; subclasses make it from the snapshot they were shown."""
        return ()

    def safe_lines(self, width: int) -> list[Line]:
        """The panel's lines, or one line saying why they cannot be drawn: a panel's fault never ends the app."""
        if self.failure is not None:
            return [(Text(self.failure, no_wrap=True, overflow="ellipsis"), "")]
        try:
            return list(self.lines_for(width))
        except Exception as error:  # any fault in drawing is shown, not raised
            return [(Text(drawing_failed(error), no_wrap=True, overflow="ellipsis"), "")]

    def fail(self, error: Exception) -> None:
        """Show why the last snapshot could not be shown, in place of the lines."""
        self.failure = drawing_failed(error)
        self.show_lines()

    def show_lines(self) -> None:
        """Make the lines again, and repaint only those that differ from what is shown."""
        width = self.scrollable_content_region.width
        if width < 1:
            # Not laid out yet. Lines made at the terminal's width give most panels their
            # height, so the first layout already has their scrollbars; the first frame
            # makes the lines again at its own width.
            self._replace(self.safe_lines(self.app.size.width), -1)
            return
        old, new = self._lines, self.safe_lines(width)
        strips: list[Strip | None] = [None] * len(new)
        changed: list[int] = []
        for y, line in enumerate(new):
            if y < len(old) and old[y] == line and width == self._width:
                strips[y] = self._strips[y]
            else:
                changed.append(y)
        changed.extend(range(len(new), len(old)))
        self._lines, self._strips, self._width = new, strips, width
        self._fit_height()
        for start, count in _runs(changed):
            self._refresh_rows(start, count)

    def _replace(self, lines: Sequence[Line], width: int) -> None:
        """New lines, all drawn afresh (the caller repaints the panel)."""
        self._lines, self._width = list(lines), width
        self._strips = [None] * len(self._lines)
        self._fit_height()

    def _fit_height(self) -> None:
        """Scroll over exactly the lines (a change of height lays the screen out again).

        The width is left at 0, as the lines never scroll sideways. A width equal to the
        scrollable region's would let Textual skip its scrollbar check after the layout,
        and a scrollbar once shown would stay when the lines shrink back to one page.
        """
        size = Size(0, len(self._lines))
        if self.virtual_size == size:
            return
        if self.styles.is_auto_height or not self.container_size:  # its height follows its lines
            self.virtual_size = size
            return
        # The layout decides the panel's height, and its lines only its scrollbar: set both now.
        # The screen is then laid out only if the scrollbar comes or goes, and once, not twice.
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)  # the lines that changed are repainted by the caller

    def _scroll_update(self, virtual_size: Size) -> None:
        super()._scroll_update(virtual_size)
        self._scrollbars_for = virtual_size

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual hands a scroll view its viewport here as its virtual size, which is never the
        lines' size, so every layout of the screen would repaint each panel's scrollbar in a frame
        of its own. The scrollbar needs it only for a size of lines it was not set for."""
        if self._scrollbars_for == self.virtual_size:
            virtual_size = self.virtual_size
        else:
            virtual_size = Size(-1, -1)  # never the lines' size: the scrollbar is set again
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _refresh_rows(self, start: int, count: int) -> None:
        """Repaint the changed lines that are in view: a line scrolled out of view is drawn when
        it comes into view, and a repaint below the panel would repaint whatever is there."""
        scroll = int(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        fixed = min(max(self.fixed - start, 0), count)
        if fixed:  # drawn at their own rows, however far the rest is scrolled
            self.refresh_lines(start + scroll, fixed)
        first, end = max(start + fixed, scroll + self.fixed), min(start + count, scroll + height)
        if end > first:
            self.refresh_lines(first, end - first)

    def style_of(self, kind: str) -> Style:
        """The panel's style, with a component class's on top; looked up once per theme."""
        style = self._styles.get(kind)
        if style is None:
            style = self.rich_style
            if kind:
                style += self.get_component_rich_style(kind)
            self._styles[kind] = style
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """The panel's width and scroll, looked up once for all the lines of one render: each
        lookup asks the screen where the panel is, a good share of a changed line's cost."""
        self._rendering = self._width_and_scroll()
        try:
            return super().render_lines(crop)
        finally:
            self._rendering = None

    def _width_and_scroll(self) -> tuple[int, int]:
        return self.scrollable_content_region.width, int(self.scroll_offset.y)

    def render_line(self, y: int) -> Strip:
        width, scroll = self._rendering or self._width_and_scroll()
        if width != self._width:  # a first frame, or a new size: make the lines for it
            drawn_before = self._width > 0
            self._replace(self.safe_lines(width), width)
            if drawn_before:  # draw them all: a scrollbar that came narrows the lines, not the
                self.refresh()  # panel, and the rest of this frame asks for none of them
        row = y if y < self.fixed else y + scroll
        if row >= len(self._lines):
            return Strip.blank(width, self.style_of(""))
        strip = self._strips[row]
        if strip is None:
            content, kind = self._lines[row]
            style = self.style_of(kind)
            if isinstance(content, str):
                segments = [Segment(content, style)]
            else:
                try:
                    segments = list(Segment.apply_style(content.render(self.app.console), style))
                except Exception as error:  # as in safe_lines
                    segments = [Segment(drawing_failed(error), style)]
            strip = Strip(segments)
            if strip.cell_length > width > 0 and _goes_on(strip, width):
                strip = Strip([*strip.crop(0, width - 1), Segment("…", style)])
            strip = strip.crop_extend(0, width, style)
            self._strips[row] = strip
        return strip

    def notify_style_update(self) -> None:
        """A new theme or stylesheet: every style and strip is looked up again."""
        super().notify_style_update()
        self._styles.clear()
        self._strips = [None] * len(self._lines)


def _goes_on(strip: Strip, width: int) -> bool:
    """Whether a line has more than blanks beyond the width: then it ends in "…", never cut silently."""
    return any(segment.text.strip() for segment in strip.crop(width, strip.cell_length))


def drawing_failed(error: Exception) -> str:
    """The one line a panel shows in place of what it could not draw."""
    return f"cannot draw this panel: {flat_message(error)}"


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending rows as (first, count) runs, so a block of changed lines is one refresh."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][0] + runs[-1][1] == row:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs
