"""The go-to dialog: an epoch and a step, both counted from 1 as the status bar shows them.

A place the run does not reach is refused as `bpdbg graph` refuses it, naming the range
(engine/reach.py), and the dialog stays open for a correction. Knowing that can mean training
up to the epoch asked for: thousands of epochs, seconds of work. After a few hundredths of a
second on the screen's thread the rest goes on in a worker, its progress in the dialog, and
`esc` stops it (the cursor stays where it was).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from bpdbg.engine.messages import one_line
from bpdbg.engine.reach import outside_run
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.background import run_in_chunks, trained_at_once

# What the fields take. Not Textual's type="integer": its pattern backtracks exponentially in
# the digits typed before a refused character (30 digits, then a letter: minutes of frozen screen).
WHOLE_NUMBER = r"[-+]?\d*"


@dataclass(eq=False)
class Trained(Message):
    """The worker has let go of the trainer: up to the epoch asked for, stopped, or failed."""

    epoch: int
    step: int
    stopped: bool
    error: str | None = None


@dataclass(eq=False)
class Training(Message):
    """How far the worker has trained."""

    epochs_done: int


class GoToScreen(ModalScreen[tuple[int, int] | None]):
    """Returns (epoch, 0-based step), a place the run reaches (training up to it to know)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel", id="cancel")]

    def __init__(self, epoch: int, step: int, trainer: Trainer) -> None:
        super().__init__()
        self._epoch, self._step, self._trainer = epoch, step, trainer
        # Once the run has ended (early, at a stop rule or a non-finite value), its last epoch.
        self._max = trainer.epochs_done if trainer.finished else trainer.max_epochs
        self._stop = threading.Event()
        self._training = False  # a worker holds the trainer: only esc is answered
        self._target = epoch

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Go to epoch and step (epoch 1–{self._max})", classes="dialog-title")
            with Horizontal(classes="fields"):
                yield Label("epoch")
                yield Input(str(self._epoch), id="epoch", restrict=WHOLE_NUMBER)
                yield Label("step")
                yield Input(str(self._step), id="step", restrict=WHOLE_NUMBER)
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
        if self._training:
            return
        self._target = epoch
        if not trained_at_once(self._trainer, epoch):
            self._training = True
            self._say_training(epoch, self._trainer.epochs_done)
            self._train(epoch, step)
            return
        self._go(epoch, step)

    def _go(self, epoch: int, step: int) -> None:
        refused = outside_run(self._trainer, epoch, step)  # trained that far: it only looks
        if refused is not None:
            self.query_one("#error", Static).update(Text(refused))
            return
        self.dismiss((epoch, step - 1))

    def _say_training(self, epoch: int, done: int) -> None:
        self.query_one("#error", Static).update(Text(f"training to epoch {epoch}: epoch {done} — esc to stop"))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _train(self, epoch: int, step: int) -> None:
        """The only code that touches the trainer until it posts Trained."""
        worker = get_current_worker()

        def report(done: int) -> None:
            self.post_message(Training(done))

        try:
            stopped = run_in_chunks(
                self._trainer, lambda: self._stop.is_set() or worker.is_cancelled, report, until=epoch
            )
        except Exception as error:  # the engine's fault is a message; the app stays up
            self.post_message(Trained(epoch, step, stopped=False, error=one_line(error)))
        else:
            self.post_message(Trained(epoch, step, stopped))

    @on(Training)
    def _training_progress(self, message: Training) -> None:
        if self._training and not self._stop.is_set():
            self._say_training(self._target, message.epochs_done)

    @on(Trained)
    def _trained(self, message: Trained) -> None:
        self._training = False
        if message.error is not None:
            self.query_one("#error", Static).update(Text(f"training failed: {message.error}"))
        elif message.stopped:
            self.dismiss(None)
        else:
            self._go(message.epoch, message.step)

    def on_unmount(self) -> None:
        self._stop.set()  # quitting: a worker stops after its current chunk

    def action_cancel(self) -> None:
        """Close the dialog; while a worker trains, stop it first (it lets go of the trainer)."""
        if self._training:
            self._stop.set()
            self.query_one("#error", Static).update(Text("stopping…"))
            return
        self.dismiss(None)
