"""The open dialog: another scenario, by path or shipped name, without leaving the debugger.

A file that cannot be loaded is reported here, in the same one line as on the command
line, and the debugger stays on the scenario it had. Loading, compiling and the first
epoch run in a worker, so a big file does not freeze the screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bpdbg.engine.limits import CHECKPOINT_BYTES
from bpdbg.engine.messages import one_line
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import NoSuchScenario, resolve, shipped


@dataclass(eq=False)
class Opened(Message):
    """A worker's answer for one name: a trainer with its first epoch run, or why not."""

    name: str
    trainer: Trainer | None
    error: str | None
    lists_shipped: bool = False  # the error names the shipped scenarios itself


class OpenScreen(ModalScreen[Trainer | None]):
    """Returns a trainer for the scenario named, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def __init__(self, memory: int = CHECKPOINT_BYTES) -> None:
        super().__init__()
        self.memory = memory  # the budget the debugger was opened with (`--memory`)
        self._asked: str | None = None  # the name being loaded; an older answer is ignored

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a scenario: a .toml file or a shipped name", classes="dialog-title")
            yield Input(placeholder="scenarios/two_neurons.toml or two_neurons", id="path")
            yield Static("", id="error", classes="error")
            yield Label(Text("shipped: " + ", ".join(shipped())), id="shipped", classes="hint")
            yield Label("enter: open   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self.query_one("#error", Static).update(Text("name a scenario file or a shipped scenario"))
            return
        self._asked = name
        self.query_one("#error", Static).update(Text(f"opening {name}…"))
        self._open(name)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _open(self, name: str) -> None:
        try:
            # No shell has read the name: `~` is the home folder here as on the command line.
            trainer = open_scenario(resolve(os.path.expanduser(name)), self.memory)
            trainer.run(1)  # the cursor's first epoch, here rather than on the event loop
        except ScenarioError as error:
            self.post_message(Opened(name, None, str(error), isinstance(error, NoSuchScenario)))
        except Exception as error:  # any other fault is reported like a bad file
            self.post_message(Opened(name, None, one_line(error)))
        else:
            self.post_message(Opened(name, trainer, None))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        if message.name != self._asked:
            return
        self._asked = None
        if message.trainer is None:
            self.query_one("#error", Static).update(Text(message.error or "cannot open it"))
            self.query_one("#shipped").display = not message.lists_shipped  # said once, not twice
            return
        self.dismiss(message.trainer)

    def action_cancel(self) -> None:
        self.dismiss(None)
