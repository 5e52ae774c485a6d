"""The open dialog: another scenario, by path or shipped name, without leaving the debugger.

A file that cannot be loaded is reported here, in the same one line as on the command
line, and the debugger stays on the scenario it had.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import resolve, shipped


class OpenScreen(ModalScreen[Trainer | None]):
    """Returns a trainer for the scenario named, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a scenario: a .toml file or a shipped name", classes="dialog-title")
            yield Input(placeholder="scenarios/two_neurons.toml or two_neurons", id="path")
            yield Static("", id="error", classes="error")
            yield Label(Text("shipped: " + ", ".join(shipped())), classes="hint")
            yield Label("enter: open   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self.query_one("#error", Static).update(Text("name a scenario file or a shipped scenario"))
            return
        try:
            trainer = open_scenario(resolve(name))
        except ScenarioError as error:
            self.query_one("#error", Static).update(Text(str(error)))
            return
        self.dismiss(trainer)

    def action_cancel(self) -> None:
        self.dismiss(None)
