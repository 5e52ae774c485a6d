"""Textual's styling of a panel's lines, with each line's frame made once rather than per line.

Textual styles every line it draws afresh: it works out the panel's border and padding
(colours added, styles made, box characters looked up) for each line, which costs a step
more than drawing the line's own text. A panel's content lines all share one frame, so it is
made once per look here and put round each line; borders, padding rows, and any effect a
panel seldom has (opacity, tint, hatch, an outline) are left to Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._border import get_box
from textual._segment_tools import make_blank
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.style import Style

if TYPE_CHECKING:
    from textual.css.styles import StylesBase
    from textual.widget import Widget


@dataclass(frozen=True)
class Frame:
    """What goes either side of every content line, and the rows above and below that are not content."""

    before: tuple[Segment, ...]
    after: tuple[Segment, ...]
    inner: RichStyle
    top: int
    bottom: int


class FramedLines(StylesCache):
    """A widget's styles cache that frames content lines itself, exactly as Textual would."""

    def __init__(self) -> None:
        super().__init__()
        self._frame: Frame | None = None  # the frame of the widget being rendered, if plain
        self._frames: dict[tuple[object, ...], Frame] = {}  # by colours, border and padding

    def render_widget(self, widget: Widget, crop: Region) -> list[Strip]:
        self._frame = self._plain_frame(widget)
        try:
            return super().render_widget(widget, crop)
        finally:
            self._frame = None

    def render_line(
        self,
        styles: StylesBase,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        *rest: Any,
    ) -> Strip:
        frame = self._frame
        if frame is None or y < frame.top or y >= size.height - frame.bottom:
            return super().render_line(
                styles, y, size, content_size, padding, base_background, background, render_content_line, *rest
            )
        content_y = y - frame.top
        if content_y < content_size.height:
            line = render_content_line(content_y).adjust_cell_length(content_size.width, frame.inner)
        else:
            line = Strip.blank(content_size.width, frame.inner)
        return Strip([*frame.before, *line, *frame.after], size.width)

    def _plain_frame(self, widget: Widget) -> Frame | None:
        """The frame of `widget`'s content lines, or None if it has an effect Textual must apply."""
        styles = widget.styles
        if (
            widget.opacity != 1.0
            or styles.text_opacity != 1.0
            or styles.tint.a
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or any(edge for edge, _ in styles.outline)
        ):
            return None
        base_background, background = widget.background_colors
        key = (base_background, background, styles.border, styles.padding)
        frame = self._frames.get(key)
        if frame is None:
            frame = self._frames[key] = self._made_frame(base_background, background, styles)
        return frame

    def _made_frame(self, base_background: Color, background: Color, styles: StylesBase) -> Frame:
        """The border and padding either side of a content line, as Textual's render_line adds them."""
        inner, outer = self.get_inner_outer(base_background, background)
        (_, _), (right_type, right_color), (_, _), (left_type, left_color) = styles.border
        padding, gutter = styles.padding, styles.gutter
        before: list[Segment] = []
        after: list[Segment] = []
        if left_type:
            before.append(get_box(left_type, inner, outer, Style(foreground=base_background + left_color))[1][0])
        if padding.left:
            before.append(make_blank(padding.left, inner.rich_style))
        if padding.right:
            after.append(make_blank(padding.right, inner.rich_style))
        if right_type:
            after.append(get_box(right_type, inner, outer, Style(foreground=base_background + right_color))[1][2])
        return Frame(tuple(before), tuple(after), inner.rich_style, gutter.top, gutter.bottom)
