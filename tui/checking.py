"""The debugger screen's checks: `X` to the first difference from the notes, `Q` the quiz, and
finite differences for the step on screen, worked out in a worker once the cursor rests there.

The finite-difference worker reads only the program and one epoch's recorded values, which
nothing writes, so it never holds the trainer: stepping on while it works is never refused.
Looking for the first difference may need the whole run; that runs in the engine's worker,
as a run to the end does, and holds the trainer until it is done.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widgets import Input

from bpdbg.engine.checks import FiniteDifferences
from bpdbg.engine.cursor import Snapshot
from bpdbg.engine.messages import one_line
from bpdbg.engine.step_gradient import Estimate
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.background import run_in_chunks
from bpdbg.tui.screens.debugger_part import DebuggerPart


@dataclass(eq=False)
class StepChecked(Message):
    """Finite differences for one step, or why they could not be worked out."""

    job: FiniteDifferences
    result: Estimate | None
    error: str = ""


@dataclass(eq=False)
class TableCompared(Message):
    """The run has gone as far as the first difference from the notes needed (or failed)."""

    error: str | None = None


class ChecksTheStep(DebuggerPart):
    """Mixed into the debugger screen, which supplies the cursor, the notice, `show` and `pause`."""

    snapshot: Snapshot | None
    running: bool
    _stop_work: threading.Event
    _checking: FiniteDifferences | None = None  # the step the worker is checking, if any

    # -- finite differences -----------------------------------------------------------------

    def check_step(self) -> None:
        """Start finite differences for the step on screen, unless running, or already at work."""
        snapshot = self.snapshot
        if self.running or self._checking is not None or snapshot is None or snapshot.checks is None:
            return
        job = snapshot.checks.pending
        if job is not None:
            self._checking = job
            self._differences(job)

    @work(thread=True, group="checks", exit_on_error=False)
    def _differences(self, job: FiniteDifferences) -> None:
        try:
            result = job.run()
        except Exception as error:  # the engine's fault is a message; the app stays up
            self.post_message(StepChecked(job, None, one_line(error)))
        else:
            self.post_message(StepChecked(job, result))

    @on(StepChecked)
    def _checked(self, message: StepChecked) -> None:
        self._checking = None
        job = message.job
        if job.program is not self.cursor.program:  # another scenario was opened meanwhile
            self.check_step()
            return
        if message.result is None:
            self.notice = f"finite differences failed at step {job.step.index + 1}: {message.error}"
            self.show(snapshot=False)
            return
        self.cursor.checks.keep(job.epoch, job.step.index, message.result)
        if self.busy is None:  # a worker holding the trainer: the next snapshot shows it
            self.show()  # this step's result, or the next step's work starts

    # -- X: the first difference from the notes ------------------------------------------------

    def action_first_difference(self) -> None:
        self.pause()
        table = self.cursor.checks.notes
        if table is None:
            self.notice = "this scenario has no table from the notes to compare with"
            self.show(snapshot=False)
            return
        _, settled = table.first_difference(self.cursor.trainer.epochs_done)
        if settled:
            self._go_to_difference()
            return
        trainer = self.cursor.trainer
        self.busy = "comparing with the notes: running on to the first difference — space/esc to stop"
        self._stop_work.clear()
        self.show(snapshot=False)
        self._run_to_difference(trainer)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _run_to_difference(self, trainer: Trainer) -> None:
        """The only code that touches the trainer until it posts TableCompared."""
        table = self.cursor.checks.notes
        assert table is not None

        def should_stop() -> bool:
            return self._stop_work.is_set() or table.first_difference(trainer.epochs_done)[1]

        try:
            run_in_chunks(trainer, should_stop, lambda done: None)
        except Exception as error:
            self.post_message(TableCompared(one_line(error)))
        else:
            self.post_message(TableCompared())

    @on(TableCompared)
    def _compared(self, message: TableCompared) -> None:
        self.busy = None
        if message.error is not None:
            self.notice = f"the run failed: {message.error}"
            self.show()
        elif self._stop_work.is_set():
            self.notice = f"stopped at epoch {self.cursor.trainer.epochs_done}, no difference so far"
            self.show()
        else:
            self._go_to_difference()

    def _go_to_difference(self) -> None:
        table = self.cursor.checks.notes
        assert table is not None
        found, _ = table.first_difference(self.cursor.trainer.epochs_done)
        if found is None:
            self.notice = f"the engine agrees with all {len(table.notes)} lines of the notes"
        elif found.epoch is None:
            self.notice = f"the notes differ: {found.describe()}"
        else:
            self.cursor.goto(found.epoch, self.cursor.checks.step_of(found))
            self.notice = f"first difference from the notes: {found.describe()}"
        self.show()

    # -- Q: predict, then reveal -------------------------------------------------------------

    def action_quiz(self) -> None:
        self.pause()
        quiz = self.cursor.checks.quiz
        quiz.on = not quiz.on
        if not quiz.on:
            self.notice = f"quiz ended: {quiz.right} of {quiz.asked} right"
        self.show()

    @on(Input.Submitted, "#quiz-answer")
    def _answered(self, event: Input.Submitted) -> None:
        event.stop()
        snapshot = self.snapshot
        quiz = snapshot.checks.quiz if snapshot is not None and snapshot.checks is not None else None
        if quiz is None or quiz.question is None:
            return
        if self.busy is not None:
            self.notice = "the answer is ignored: a run is using the trainer"
            self.show(snapshot=False)
            return
        question = quiz.question
        verdict = self.cursor.checks.answer(question, event.value)
        if verdict.right is not None:  # graded: reveal the step, and ask the next
            self.cursor.goto(question.epoch, question.step.index)
            event.input.value = ""
        self.show()
