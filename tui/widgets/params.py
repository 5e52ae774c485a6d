"""Parameters: value, gradient and last change, matrices as matrices, what this step touched marked."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from bpdbg.engine.cursor import ParamView, Snapshot
from bpdbg.tui.format import columns_that_fit, matrix_height, matrix_lines, shape

COLUMNS = (("value", "value"), ("grad", "gradient"), ("change", "last change"))
MARK = "▶"


class ParamsPanel(DataTable[Text | str]):
    """One row per parameter for the whole run.

    Column widths come from the panel's width and the shapes, never from the numbers,
    so no column resizes as values change and a step looks the same however it was reached.
    """

    can_focus = False

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", show_cursor=False, show_row_labels=False, **kwargs)  # type: ignore[arg-type]
        self.border_title = "Parameters"
        self._built_for: tuple[tuple[str, ...], int] | None = None
        self._shown: dict[tuple[str, str], str] = {}
        self._rows: list[tuple[int, int]] = []  # per parameter: its first line and its height
        self._cols: dict[str, int] = {}  # per parameter: matrix columns shown before "…"
        self._snapshot: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        """Rewrite only the cells whose text changed; mark and scroll to the touched parameter."""
        self._snapshot = snapshot
        params = snapshot.params
        if self._built_for != (tuple(p.name for p in params), self.size.width):
            self._build(params)
        touched = None
        for row, param in enumerate(params):
            for key, _ in COLUMNS:
                text = "\n".join(matrix_lines(getattr(param, key), cols=self._cols[param.name]))
                self._set(param.name, key, text)
            self._set(param.name, "name", self._name_cell(param))
            if param.touched:
                touched = row
        top = 0
        if touched is not None:
            y, height = self._rows[touched]
            view = self.scrollable_content_region.height - 1  # less the header
            top = max(0, y - max(view - height, 0) // 2)
        # What is marked and where the table scrolls depend only on this snapshot; and
        # are set only when they change, as each setting repaints the table.
        if self.show_cursor != (touched is not None):
            self.show_cursor = touched is not None
        if touched is not None and self.cursor_row != touched:
            self.move_cursor(row=touched, scroll=False)
        if self.scroll_offset.y != top:
            self.scroll_to(y=top, animate=False, immediate=True)

    def _set(self, row: str, column: str, text: str) -> None:
        if self._shown.get((row, column)) != text:
            self.update_cell(row, column, Text(text, no_wrap=True, overflow="ellipsis"))
            self._shown[row, column] = text

    def _build(self, params: tuple[ParamView, ...]) -> None:
        self.clear(columns=True)
        self._built_for = (tuple(p.name for p in params), self.size.width)
        self._shown = {}
        name_width = 2 + max(4, *(max(len(p.name), len(shape(p.value.shape))) for p in params))
        heights = [max(matrix_height(p.value.shape), 2 if p.value.shape else 1) for p in params]
        scrollbar = 1 if sum(heights) + 1 > self.size.height else 0
        # Three equal columns in what the names, the cells' padding and a scrollbar leave.
        width = max((self.size.width - scrollbar - name_width - 4 * 2) // 3, len("change"))
        self._cols = {p.name: columns_that_fit(p.value.shape, width) for p in params}
        self.add_column("name", width=name_width, key="name")
        for key, title in COLUMNS:
            self.add_column(title if len(title) <= width else key, width=width, key=key)
        self._rows = []
        y = 0
        for p, height in zip(params, heights, strict=True):
            self.add_row("", "", "", "", height=height, key=p.name)
            self._rows.append((y, height))
            y += height

    @staticmethod
    def _name_cell(param: ParamView) -> str:
        """The name, marked when this step touched it, with the shape below it for a matrix."""
        name = f"{MARK if param.touched else ' '} {param.name}"
        return name if not param.value.shape else f"{name}\n  {shape(param.value.shape)}"

    def on_resize(self, event: events.Resize) -> None:
        """Widths follow the panel: rebuild, then show the same snapshot again."""
        if self._snapshot is not None:
            self.show(self._snapshot)
