"""Parameters: value, gradient and last change, matrices as matrices, what this step touched marked."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.message import Message

from bpdbg.engine.cursor import ParamView, Snapshot
from bpdbg.tui.format import clip, columns_that_fit, matrix_height, matrix_lines, shape
from bpdbg.tui.widgets.lines import Line, LinesView

COLUMNS = (("value", "value"), ("grad", "gradient"), ("change", "last change"))
MARK = "▶"
PAD = 1  # blank cells either side of each column


class ParamsPanel(LinesView):
    """A table under a fixed header: one block of lines per parameter, as tall as its matrix.

    Column widths come from the panel's width and the shapes, never from the numbers,
    so no column resizes as values change and a step looks the same however it was reached.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"params--header", "params--touched"}
    DEFAULT_CSS = """
    ParamsPanel > .params--header { text-style: bold; background: $panel; color: $foreground; }
    ParamsPanel > .params--touched {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    """

    class Chosen(Message):
        """A parameter was clicked: the screen shows its whole chain rule."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs: object) -> None:
        super().__init__(fixed=1, **kwargs)
        self.border_title = "Parameters"
        self._built_for: tuple[tuple[str, ...], int] | None = None
        self._widths: tuple[int, ...] = ()  # the name column's, then each of COLUMNS'
        self._titles: list[str] = []
        self._heights: list[int] = []  # per parameter: its lines
        self._cols: dict[str, int] = {}  # per parameter: matrix columns shown before "…"
        self._snapshot: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        """Scroll to the touched parameter; only lines whose text or mark changed are repainted."""
        self._snapshot = snapshot
        self.show_lines()
        top = 0
        lines = 0  # below the header
        for param, height in zip(snapshot.params, self._heights, strict=True):
            if param.touched:
                view = self.scrollable_content_region.height - 1  # less the header
                top = max(0, lines - max(view - height, 0) // 2)
                break
            lines += height
        if self.scroll_offset.y != top:
            self.scroll_to(y=top, animate=False, immediate=True)

    def lines_for(self, width: int) -> list[Line]:
        snapshot = self._snapshot
        if snapshot is None:
            return []
        params = snapshot.params
        if self._built_for != (tuple(p.name for p in params), width):
            self._layout(params, width)
        lines: list[Line] = [(self._row(self._titles), "params--header")]
        for param, height in zip(params, self._heights, strict=True):
            cells = [
                self._name_cell(param),
                *(matrix_lines(getattr(param, key), cols=self._cols[param.name]) for key, _ in COLUMNS),
            ]
            kind = "params--touched" if param.touched else ""
            lines.extend((self._row([c[i] if i < len(c) else "" for c in cells]), kind) for i in range(height))
        return lines

    def _row(self, cells: list[str]) -> str:
        return "".join(
            " " * PAD + clip(cell, width).ljust(width) + " " * PAD
            for cell, width in zip(cells, self._widths, strict=True)
        )

    def _layout(self, params: tuple[ParamView, ...], width: int) -> None:
        self._built_for = (tuple(p.name for p in params), width)
        name_width = 2 + max(4, *(max(len(p.name), len(shape(p.value.shape))) for p in params))
        self._heights = [max(matrix_height(p.value.shape), 2 if p.value.shape else 1) for p in params]
        # Three equal columns in what the names and the cells' padding leave.
        width = max((width - name_width - 4 * 2 * PAD) // 3, len("change"))
        self._cols = {p.name: columns_that_fit(p.value.shape, width) for p in params}
        self._widths = (name_width, width, width, width)
        self._titles = ["name", *(title if len(title) <= width else key for key, title in COLUMNS)]

    @staticmethod
    def _name_cell(param: ParamView) -> list[str]:
        """The name, marked when this step touched it, with the shape below it for a matrix."""
        name = f"{MARK if param.touched else ' '} {param.name}"
        return [name] if not param.value.shape else [name, f"  {shape(param.value.shape)}"]

    def on_resize(self, event: events.Resize) -> None:
        """The scroll follows the panel's height (the widths follow it when the lines are drawn)."""
        if self._snapshot is not None:
            self.show(self._snapshot)

    def on_click(self, event: events.Click) -> None:
        """The parameter whose block of lines was clicked (the header is not one)."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self.fixed or self._snapshot is None:
            return
        line = offset.y - self.fixed + int(self.scroll_offset.y)
        for param, height in zip(self._snapshot.params, self._heights, strict=False):
            if line < height:
                self.post_message(self.Chosen(param.name))
                return
            line -= height
