"""Parameters: value, gradient and last change, matrices as coloured matrices, what this step touched marked.

A parameter whose matrix fits a third of the panel whole sits in the three columns side by
side; a wider one spans them, its value, gradient and change one under the other, so a
small matrix is shown whole wherever the panel can hold it. Column titles head only rows
that are in columns, so a stacked matrix never sits under titles that do not describe it.
A click on a parameter asks the screen to inspect it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message

from bpdbg.engine.cursor import ParamView, Snapshot
from bpdbg.tui.format import clip, shape
from bpdbg.tui.matrix import MIN_CELL, Cell, block, block_columns, block_height, shown_columns
from bpdbg.tui.scrolling import centre_rows
from bpdbg.tui.widgets.lines import Line, LinesView

if TYPE_CHECKING:  # the inspector's module, loaded when it first opens
    from bpdbg.engine.summary import Field

COLUMNS: tuple[tuple[Field, str], ...] = (("value", "value"), ("grad", "gradient"), ("change", "last change"))
STACKED = ("value", "gradient", "change")  # a stacked parameter's labels, shorter than the titles
SHORT_STACKED = ("val", "grad", "chg")  # the same in a narrow panel
STACKED_TITLES = ["name", "value · gradient · change"]  # the header when every parameter stacks its fields
MARK = "▶"
PAD = 1  # blank cells either side of each column
ROWS = 4  # matrix rows shown before "⋮" (the inspector shows every one)
CELL_CLASSES = {f"cell--{sign}-{level}" for sign in ("pos", "neg") for level in range(1, 5)}


@dataclass(frozen=True)
class Layout:
    """Per parameter: its first line, its height, whether its fields stack, and whether a row of
    column titles sits just above it (the first of a run of side-by-side parameters under a
    header that titles stacked ones)."""

    top: int
    height: int
    stacked: bool
    titled: bool = False


class InspectParam(Message):
    """A click asked to see one field of a parameter in full."""

    def __init__(self, name: str, field: Field) -> None:
        super().__init__()
        self.name = name
        self.field = field


class ParamsPanel(LinesView):
    """A table under a fixed header: one block of lines per parameter, as tall as its matrix.

    Widths and heights come from the panel's width and the shapes, never from the numbers,
    so nothing moves as values change and a step looks the same however it was reached.
    Formatted matrices are kept while their numbers stay the same, so a step formats only
    what it changed.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"params--header", "params--touched", *CELL_CLASSES}
    DEFAULT_CSS = """
    ParamsPanel > .params--header { text-style: bold; background: $panel; color: $foreground; }
    ParamsPanel > .params--touched {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    ParamsPanel > .cell--pos-1 { color: $text-primary 55%; }
    ParamsPanel > .cell--pos-2 { color: $text-primary 75%; }
    ParamsPanel > .cell--pos-3 { color: $text-primary; }
    ParamsPanel > .cell--pos-4 { color: $text-primary; text-style: bold; }
    ParamsPanel > .cell--neg-1 { color: $text-error 55%; }
    ParamsPanel > .cell--neg-2 { color: $text-error 75%; }
    ParamsPanel > .cell--neg-3 { color: $text-error; }
    ParamsPanel > .cell--neg-4 { color: $text-error; text-style: bold; }
    """

    class Chosen(Message):
        """A parameter was clicked: the screen shows its whole chain rule."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs: object) -> None:
        super().__init__(fixed=1, **kwargs)
        self.border_title = "Parameters"
        self._built_for: tuple[tuple[tuple[str, tuple[int, ...]], ...], int] | None = None
        self._widths: tuple[int, ...] = ()  # the name column's, then each of COLUMNS'
        self._header: list[tuple[str, int]] = []  # the fixed header's titles and widths
        self._column_titles = ""  # the row above a run of side-by-side parameters under a stacked header
        self._layouts: list[Layout] = []
        self._stack_room = 1  # a stacked field's width for its cells
        self._stack_labels: tuple[str, ...] = STACKED
        self._formatted: dict[tuple[str, str], tuple[bytes | None, int, list[list[Cell]]]] = {}
        self._cell_styles: dict[str, Style] = {}
        # per parameter: what its lines were made from (mark, layout, width; the cells), and the lines
        self._rows: dict[str, tuple[tuple[bool, Layout, int], list[list[list[Cell]]], list[Text]]] = {}
        self._snapshot: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        """Scroll to the touched parameter; only lines whose text or mark changed are repainted."""
        self._snapshot = snapshot
        self.show_lines()
        touched = [layout for param, layout in zip(snapshot.params, self._layouts, strict=True) if param.touched]
        # The touched parameter, with the row of column titles above it if it has one; none: the top.
        top, height = (touched[0].top - touched[0].titled, touched[0].height + touched[0].titled) if touched else (0, 0)
        centre_rows(self, top, height, header=1)

    def lines_for(self, width: int) -> list[Line]:
        snapshot = self._snapshot
        if snapshot is None:
            return []
        params = snapshot.params
        if self._built_for != (tuple((p.name, p.value.shape) for p in params), width):
            self._layout(params, width)
        lines: list[Line] = [(self._plain_row(self._header), "params--header")]
        for param, layout in zip(params, self._layouts, strict=True):
            if layout.titled:
                lines.append((self._column_titles, "params--header"))
            kind = "params--touched" if param.touched else ""
            room = self._stack_room if layout.stacked else self._widths[1]
            blocks = [self._cells(param, key, room) for key, _ in COLUMNS]
            kept = self._rows.get(param.name)
            if (
                kept is not None
                and kept[0] == (param.touched, layout, room)
                and all(a is b for a, b in zip(kept[1], blocks, strict=True))
            ):
                rows = kept[2]  # nothing in it changed: the same lines, not made again
            else:
                build = self._stacked if layout.stacked else self._side_by_side
                rows = build(param, layout, blocks)
                self._rows[param.name] = ((param.touched, layout, room), blocks, rows)
            lines.extend((row, kind) for row in rows)
        return lines

    # -- the two ways a parameter sits in the table -------------------------------------------

    def _side_by_side(self, param: ParamView, layout: Layout, blocks: list[list[list[Cell]]]) -> list[Text]:
        names = self._name_cell(param)
        rows = []
        for i in range(layout.height):
            text = Text(" " * PAD + clip(names[i] if i < len(names) else "", self._widths[0]).ljust(self._widths[0]))
            for cells, width in zip(blocks, self._widths[1:], strict=True):
                text.append(" " * (2 * PAD))
                self._append_cells(text, cells[i] if i < len(cells) else [], width)
            rows.append(text)
        return rows

    def _stacked(self, param: ParamView, layout: Layout, blocks: list[list[list[Cell]]]) -> list[Text]:
        names = self._name_cell(param)
        labels = self._stack_labels
        label_width = max(map(len, labels)) + 1
        room = self._stack_room
        height = layout.height // 3
        rows = []
        for n, (cells, title) in enumerate(zip(blocks, labels, strict=True)):
            for i in range(height):
                line = n * height + i
                name = names[line] if line < len(names) else ""
                text = Text(" " * PAD + clip(name, self._widths[0]).ljust(self._widths[0]))
                text.append(" " * (2 * PAD) + (title if i == 0 else "").ljust(label_width), style="dim")
                self._append_cells(text, cells[i] if i < len(cells) else [], room)
                rows.append(text)
        return rows

    def _cells(self, param: ParamView, key: str, width: int) -> list[list[Cell]]:
        """The field's matrix as cells, formatted again only when its numbers or width changed."""
        value = getattr(param, key)
        content = None if value is None else value.tobytes()
        kept = self._formatted.get((param.name, key))
        if kept is not None and kept[0] == content and kept[1] == width:
            return kept[2]
        cells = block(value, width, ROWS)
        self._formatted[(param.name, key)] = (content, width, cells)
        return cells

    def _append_cells(self, text: Text, cells: list[Cell], width: int) -> None:
        used = 0
        for n, cell in enumerate(cells):
            gap = " " if n else ""
            text.append(gap)
            text.append(cell.text, style=self._cell_style(cell))
            used += len(gap) + len(cell.text)
        text.append(" " * max(width - used, 0))

    def _cell_style(self, cell: Cell) -> Style | str:
        if cell.sign == 0:
            return ""
        name = f"cell--{'pos' if cell.sign > 0 else 'neg'}-{cell.level}"
        style = self._cell_styles.get(name)
        if style is None:
            style = self._cell_styles[name] = self.get_component_rich_style(name, partial=True)
        return style

    @staticmethod
    def _plain_row(cells: list[tuple[str, int]]) -> str:
        return "".join(" " * PAD + clip(cell, width).ljust(width) + " " * PAD for cell, width in cells)

    def _layout(self, params: tuple[ParamView, ...], width: int) -> None:
        self._built_for = (tuple((p.name, p.value.shape) for p in params), width)
        name_width = 2 + max(4, *(max(len(p.name), len(shape(p.value.shape))) for p in params))
        # Three equal columns in what the names and the cells' padding leave; too narrow for
        # three, every parameter stacks its fields under one title.
        third = max((width - name_width - 4 * 2 * PAD) // 3, 1)
        narrow = third < MIN_CELL + 2
        stacks = []
        for p in params:
            columns = block_columns(p.value.shape)
            shown, cell = shown_columns(columns, third)
            stacks.append(narrow or shown < columns or (columns > 1 and cell < MIN_CELL + 1))
        rest = width - name_width - 4 * PAD  # beside the names, when the fields stack
        self._widths = (name_width, third, third, third)
        titles = [(title if len(title) <= third else key, third) for key, title in COLUMNS]
        if any(stacks):
            # One title over the stacked fields, never three over rows that are not in columns; a
            # run of parameters that do sit in columns gets its own row of column titles.
            self._header = list(zip(STACKED_TITLES, (name_width, max(rest, 1)), strict=True))
            self._column_titles = self._plain_row([("", name_width), *titles])
        else:
            self._header = [("name", name_width), *titles]
        self._layouts = []
        top = 0
        for n, (p, stacked) in enumerate(zip(params, stacks, strict=True)):
            titled = not stacked and any(stacks) and (n == 0 or stacks[n - 1])
            top += titled
            rows = block_height(p.value.shape, ROWS)
            height = 3 * rows if stacked else max(rows, 2 if p.value.shape else 1)
            self._layouts.append(Layout(top, height, stacked, titled))
            top += height
        self._stack_labels, self._stack_room = self._labels_for(params, rest)

    def _labels_for(self, params: tuple[ParamView, ...], room: int) -> tuple[tuple[str, ...], int]:
        """The stacked fields' labels, and the cells' room beside them: the short labels when the
        room they save shows a stacked matrix with more columns or more figures."""

        def cells_room(labels: tuple[str, ...]) -> int:
            return max(room - max(map(len, labels)) - 1, 1)

        stacked = [block_columns(p.value.shape) for p, at in zip(params, self._layouts, strict=True) if at.stacked]
        full, short = cells_room(STACKED), cells_room(SHORT_STACKED)
        gains = any(shown_columns(c, short) > shown_columns(c, full) for c in stacked)
        return (SHORT_STACKED, short) if gains else (STACKED, full)

    @staticmethod
    def _name_cell(param: ParamView) -> list[str]:
        """The name, marked when this step touched it, with the shape below it for a matrix."""
        name = f"{MARK if param.touched else ' '} {param.name}"
        return [name] if not param.value.shape else [name, f"  {shape(param.value.shape)}"]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cell_styles.clear()
        self._rows.clear()

    def on_click(self, event: events.Click) -> None:
        """A parameter's name shows its whole chain (Chosen); its value, gradient or change opens
        the inspector on the column clicked (InspectParam)."""
        snapshot, offset = self._snapshot, event.get_content_offset(self)
        if snapshot is None or offset is None or offset.y < self.fixed:
            return
        row = offset.y - self.fixed + int(self.scroll_offset.y)
        for param, layout in zip(snapshot.params, self._layouts, strict=True):
            if layout.top <= row < layout.top + layout.height:
                if offset.x < self._widths[0] + PAD:
                    self.post_message(self.Chosen(param.name))
                    return
                if layout.stacked:
                    key = COLUMNS[min((row - layout.top) // max(layout.height // 3, 1), 2)][0]
                else:
                    x = offset.x - self._widths[0] - 2 * PAD
                    key = COLUMNS[min(max(x // (self._widths[1] + 2 * PAD), 0), 2)][0]
                self.post_message(InspectParam(param.name, key))
                return

    def on_resize(self, event: events.Resize) -> None:
        """The scroll follows the panel's height (the widths follow it when the lines are drawn)."""
        if self._snapshot is not None:
            self.show(self._snapshot)
