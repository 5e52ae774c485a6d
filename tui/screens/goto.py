"""The go-to dialog: an epoch and a step, both counted from 1 as the status bar shows them.

A place the run does not reach is refused as `bpdbg graph` refuses it, naming the range
(engine/reach.py), and the dialog stays open for a correction.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from bpdbg.engine.reach import outside_run
from bpdbg.engine.trainer import Trainer


class GoToScreen(ModalScreen[tuple[int, int] | None]):
    """Returns (epoch, 0-based step), a place the run reaches (training up to it to know)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def __init__(self, epoch: int, step: int, trainer: Trainer) -> None:
        super().__init__()
        self._epoch, self._step, self._trainer = epoch, step, trainer
        # Once the run has ended (early, at a stop rule or a non-finite value), its last epoch.
        self._max = trainer.epochs_done if trainer.finished else trainer.max_epochs

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Go to epoch and step (epoch 1–{self._max})", classes="dialog-title")
            with Horizontal(classes="fields"):
                yield Label("epoch")
                yield Input(str(self._epoch), id="epoch", type="integer")
                yield Label("step")
                yield Input(str(self._step), id="step", type="integer")
            yield Static("", id="error", classes="error")
            yield Label("enter: go   tab: next field   esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            epoch = int(self.query_one("#epoch", Input).value)
            step = int(self.query_one("#step", Input).value)
        except ValueError:
            self.query_one("#error", Static).update(Text("epoch and step must be whole numbers"))
            return
        if epoch < 1 or step < 1:
            self.query_one("#error", Static).update(Text("epoch and step count from 1"))
            return
        refused = outside_run(self._trainer, epoch, step)
        if refused is not None:
            self.query_one("#error", Static).update(Text(refused))
            return
        self.dismiss((epoch, step - 1))

    def action_cancel(self) -> None:
        self.dismiss(None)
