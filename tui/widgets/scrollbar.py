"""The panels' vertical scrollbars: drawn once per look, and steady where asked.

Textual draws a scrollbar afresh, line by line, whenever the view it belongs to scrolls or
its lines change in number, even when it looks as it did before; stepping scrolls the tape
and the parameters and changes the chain rule's length at nearly every key. These bars keep
what they drew for each look (size, thumb and colours) and hand it back when it recurs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult
from textual.geometry import Region
from textual.renderables.blank import Blank
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

KEPT_LOOKS = 64  # per bar: a tape scrolls through a few dozen thumb positions


class KeptScrollBar(ScrollBar):
    """A scrollbar that remembers the lines it drew for each look it has had.

    A `steady` bar is never hidden (its view has overflow-y: scroll) and is drawn as the blank
    gutter it stands in for while every line fits: a scrollbar that comes and goes lays the
    whole screen out again, each time.
    """

    def __init__(self, *, thickness: int, steady: bool) -> None:
        super().__init__(vertical=True, name="vertical", thickness=thickness)
        self.steady = steady
        self._drawn: OrderedDict[Hashable, list[Strip]] = OrderedDict()

    def render(self) -> RenderResult:  # type: ignore[override]  # Textual draws any RenderResult
        if self.steady and self.window_size >= self.window_virtual_size and isinstance(self.parent, Widget):
            return Blank(self.parent.background_colors[1])
        return super().render()

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        look = (self.size, type(bar), tuple(sorted(vars(bar).items())))  # everything it is drawn from
        lines = self._drawn.get(look)
        if lines is None:
            lines = self._drawn[look] = (
                self._draw(bar) if isinstance(bar, ScrollBarRender) else super().render_lines(self.size.region)
            )
            if len(self._drawn) > KEPT_LOOKS:
                self._drawn.popitem(last=False)
        else:
            self._drawn.move_to_end(look)
        if crop == self.size.region:
            return lines
        return [line.crop(crop.x, crop.right) for line in lines[crop.y : crop.bottom]]

    def _draw(self, bar: ScrollBarRender) -> list[Strip]:
        """The bar's lines, one segment each, in the bar's own style over the widget's: what Textual
        makes of the same segments through its general path for any renderable, at a tenth of the
        cost (a test holds the two equal)."""
        width, height = self.size
        style = Style.parse(bar.style) if isinstance(bar.style, str) else bar.style
        segments = bar.render_bar(
            size=height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        )
        base = self.rich_style
        return [Strip([Segment(segment.text, base + segment.style)], width) for segment in segments.segments]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn.clear()


def keep_scrollbar(view: Widget, steady: bool) -> None:
    """Give `view` a vertical scrollbar that keeps its looks, in the slot where Textual would
    otherwise make and start its own."""
    bar = view._vertical_scrollbar = KeptScrollBar(thickness=view.scrollbar_size_vertical, steady=steady)
    bar.display = False
    view.app._start_widget(view, bar)
