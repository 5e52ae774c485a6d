"""The figure's axes: two numbers of the parameters to draw the loss over (a slice of a larger model)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bpdbg.engine.batched import Entry
from bpdbg.engine.figures import parse_entry
from bpdbg.engine.tape import Program

DEFAULT = "default"  # what the x field takes to go back to the model's own figure


class FigureAxesScreen(ModalScreen[list[Entry] | None]):
    """Returns the entries typed (an empty list: the model's own figure), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def __init__(self, program: Program, chosen: tuple[Entry, ...]) -> None:
        super().__init__()
        self._program = program
        self._chosen = chosen

    def compose(self) -> ComposeResult:
        first = self._chosen[0].name if self._chosen else ""
        second = self._chosen[1].name if len(self._chosen) > 1 else ""
        names = ", ".join(f"{p.name} ({'×'.join(map(str, p.shape)) or 'scalar'})" for p in self._program.params)
        with Vertical(classes="dialog"):
            yield Label("Draw the loss over two numbers of the parameters", classes="dialog-title")
            with Horizontal(classes="fields"):
                yield Label("x")
                yield Input(first, id="x", placeholder="W1[0,1]", classes="entry")
                yield Label("y")
                yield Input(second, id="y", placeholder="b2", classes="entry")
            yield Static("", id="error", classes="error")
            yield Label(Text(f"parameters: {names}"), classes="hint")
            yield Label(
                f"the others stay as they enter the epoch; x = {DEFAULT}: the model's own figure", classes="hint"
            )
            yield Label("enter: draw   tab: next field   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        texts = [self.query_one(f"#{axis}", Input).value for axis in ("x", "y")]
        if texts[0].strip() == DEFAULT:
            self.dismiss([])
            return
        try:
            entries = [parse_entry(self._program, text) for text in texts if text.strip() or text is texts[0]]
        except ValueError as error:
            self.query_one("#error", Static).update(Text(str(error)))
            return
        if len(entries) == 2 and entries[0] == entries[1]:
            self.query_one("#error", Static).update(Text("x and y must be two different numbers"))
            return
        self.dismiss(entries)

    def action_cancel(self) -> None:
        self.dismiss(None)
