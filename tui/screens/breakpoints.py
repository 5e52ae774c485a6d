"""The breakpoint list (`B`): every breakpoint as typed, deleted one at a time or all at once."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

from bpdbg.engine.conditions import Condition

NONE = "no breakpoints: b adds one"


class BreakpointListScreen(ModalScreen[None]):
    """Edits the cursor's own list in place: what is deleted here is gone when it closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d,delete,backspace", "delete", "delete", id="delete_breakpoint"),
        Binding("D", "delete_all", "delete all", id="delete_all_breakpoints"),
        Binding("escape,B,q", "close", "close", id="close"),
    ]

    def __init__(self, breakpoints: list[Condition]) -> None:
        super().__init__()
        self.breakpoints = breakpoints

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog breakpoints"):
            yield Label("Breakpoints", classes="dialog-title")
            yield OptionList(*[Text(c.text) for c in self.breakpoints], id="breakpoints")  # literal, never markup
            yield Static(Text(NONE if not self.breakpoints else ""), id="none", classes="hint")
            yield Label("↑/↓ choose   d: delete   D: delete all   esc: close", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.display = bool(self.breakpoints)
        self.query_one("#none").display = not self.breakpoints
        if self.breakpoints:
            options.highlighted = 0

    def action_delete(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not self.breakpoints:
            return
        del self.breakpoints[index]
        options.remove_option_at_index(index)
        if self.breakpoints:
            options.highlighted = min(index, len(self.breakpoints) - 1)
        else:
            self._emptied()

    def action_delete_all(self) -> None:
        self.breakpoints.clear()
        self.query_one(OptionList).clear_options()
        self._emptied()

    def _emptied(self) -> None:
        self.query_one(OptionList).display = False
        none = self.query_one("#none", Static)
        none.update(Text(NONE))
        none.display = True

    def action_close(self) -> None:
        self.dismiss(None)
