"""What the debugger checks at each step: the notes' printed row, finite differences, the quiz.

The cursor keeps one `Checks`; each snapshot carries a `StepChecks`, what it says at that
position. Finite differences are the one slow part (a second for a step of the digits
network), so they are never worked out while a snapshot is made: a gradient step not yet
checked carries a `FiniteDifferences` job, which the debugger runs in a worker once the
cursor rests there, and the result is kept, so each step is checked once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .check import Divergence
from .notes_table import NotesRow, NotesTable
from .quiz import Question, Quiz, QuizView, Verdict, ask
from .step_gradient import Estimate, cost, estimate, is_gradient_step
from .tape import Program, Step
from .trainer import EpochRecord, Trainer

KEPT_ESTIMATES = 512  # steps whose finite differences are kept (a few numbers each)
#: Finite differences this cheap (numbers computed: about a millisecond; every network of the
#: notes, moons_relu's 128,064 included) are worked out as the snapshot is made, which costs less
#: than a worker and a second repaint would; no "…" on screen. The digits network's, millions,
#: go to a worker.
AT_ONCE = 200_000


@dataclass(frozen=True)
class FiniteDifferences:
    """The work of checking one step; its values are the epoch's own, never written."""

    epoch: int
    program: Program
    record: EpochRecord
    step: Step

    def run(self) -> Estimate:
        return estimate(self.program, self.record.values, self.step)


@dataclass(frozen=True)
class StepChecks:
    notes: NotesRow | None  # None: the scenario has no table from the notes
    first_difference: Divergence | None  # among the epochs up to this one
    table_settled: bool  # a difference found, or this is the run's last epoch and the table agrees
    gradient: Estimate | None  # this step's finite differences, once worked out
    pending: FiniteDifferences | None  # the work still to do for them, if any
    quiz: QuizView | None  # None when the quiz is off


class Checks:
    """The notes' table, the finite differences worked out so far, and the quiz, for one cursor."""

    def __init__(self, trainer: Trainer, record: Callable[[int], EpochRecord]) -> None:
        self.trainer = trainer
        self.program = trainer.program
        self._record = record
        expected = self.program.scenario.expected_text
        self.notes = NotesTable(trainer, expected) if expected else None
        self.quiz = Quiz()
        self._estimates: OrderedDict[tuple[int, int], Estimate] = OrderedDict()

    def keep(self, epoch: int, step: int, result: Estimate) -> None:
        self._estimates[(epoch, step)] = result
        while len(self._estimates) > KEPT_ESTIMATES:
            self._estimates.popitem(last=False)

    def at(self, epoch: int, step: Step, record: EpochRecord, stops: Sequence[int] | None = None) -> StepChecks:
        """What `step` is checked against; `stops`, in the named view, are the steps the quiz may ask about."""
        gradient = self._estimates.get((epoch, step.index))
        pending = None
        if gradient is None and is_gradient_step(self.program, step):
            pending = FiniteDifferences(epoch, self.program, record, step)
            if cost(self.program, step) <= AT_ONCE:
                gradient, pending = pending.run(), None
                self.keep(epoch, step.index, gradient)
        first, settled = self.notes.first_difference(epoch) if self.notes is not None else (None, True)
        return StepChecks(
            notes=self.notes.row(epoch) if self.notes is not None else None,
            first_difference=first,
            table_settled=settled,
            gradient=gradient,
            pending=pending,
            quiz=self._quiz(epoch, step, record, stops) if self.quiz.on else None,
        )

    def _quiz(self, epoch: int, step: Step, record: EpochRecord, stops: Sequence[int] | None) -> QuizView:
        quiz = self.quiz
        return QuizView((quiz.right, quiz.asked), self.next_question(epoch, step, record, stops), quiz.last)

    def next_question(
        self, epoch: int, step: Step, record: EpochRecord, stops: Sequence[int] | None = None
    ) -> Question | None:
        """The step after this one, asked (in the named view the next named one, as `n` goes there):
        the next epoch's first, once the trainer has run it."""
        trainer, steps = self.trainer, self.program.steps
        askable = range(len(steps)) if stops is None else stops
        following = next((i for i in askable if step.index < i < trainer.steps_in(epoch)), None)
        if following is not None:
            return ask(epoch, steps[following], record.value(steps[following].slot))
        if trainer.epochs_done <= epoch:
            trainer.run(1)
        if trainer.epochs_done <= epoch:
            return None  # the run ends here
        first = steps[askable[0]]
        return ask(epoch + 1, first, self._record(epoch + 1).value(first.slot))

    def step_of(self, found: Divergence) -> int:
        """Where a difference from the notes shows in its epoch: the update of the parameter it is
        in (the notes print parameters after it), the step computing the quantity, or the last step."""
        program = self.program
        epoch = found.epoch or 1
        slot = {p.name: p.update_slot for p in program.params}.get(found.quantity)
        if slot is None:
            slot = program.loss_slot if found.quantity == "loss" else program.named.get(found.quantity)
        last = self.trainer.steps_in(epoch) - 1
        return next((s.index for s in program.steps[: last + 1] if s.slot == slot), last)

    def answer(self, question: Question, text: str) -> Verdict:
        return self.quiz.answer(question, text)
