"""The breakpoint dialog: a condition in the scenario's names, checked after every step that sets
one of the quantities it names."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bpdbg.engine.conditions import Condition, breakpoint_examples, parse_breakpoint
from bpdbg.engine.expr import ExprError
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.tape import Program


def examples_text(program: Program) -> str:
    """The engine's examples in the scenario's names, two a line, so that none is split where the dialog wraps."""
    examples = breakpoint_examples(program)
    rows = ["    ".join(examples[at : at + 2]) for at in range(0, len(examples), 2)]
    return "e.g.  " + "\n      ".join(rows)


class BreakpointScreen(ModalScreen[Condition | None]):
    """Stays open on a bad condition and says what is wrong and where."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def __init__(self, program: Program) -> None:
        super().__init__()
        self.program = program

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Break at any step where:", classes="dialog-title")
            yield Input(placeholder="loss < 0.05", id="condition")
            yield Static("", id="error", classes="error")
            yield Label(examples_text(self.program), classes="hint")
            yield Label("enter: add   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        error = self.query_one("#error", Static)
        if not text:
            error.update(Text("type a condition, or esc to cancel"))
            return
        try:
            condition = parse_breakpoint(self.program, text)
        except ScenarioError as problem:
            error.update(Text(f"{problem.message} (column {problem.place.column})"))
            return
        except ExprError as problem:
            error.update(Text(f"{problem.message} (column {problem.column + 1})"))
            return
        self.dismiss(condition)

    def action_cancel(self) -> None:
        self.dismiss(None)
