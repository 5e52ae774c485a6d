"""Predict, then reveal: the student works out the next step by hand, and the engine grades it.

The next step's value stays hidden (the cursor has not computed it yet) until an answer
comes. A matrix asks one entry, drawn from a generator seeded by the step's place, so
the same step always asks the same entry. An answer is right when it reads the same as
the value at the precision the debugger shows (four significant figures), or lies within
a relative tolerance of it, so that 0.246 for 0.24613 counts as well as 0.2461.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .check import relative_error
from .messages import coordinate
from .tape import Step

SHOWN_DIGITS = 4  # the significant figures the debugger shows a value with
TOLERANCE = 1e-3  # the relative error an answer may have and still count as right


@dataclass(frozen=True)
class Question:
    """What the next step computes, its value kept back until the student has answered."""

    epoch: int
    step: Step
    entry: tuple[int, ...]  # which entry is asked, () for a scalar
    truth: float

    @property
    def asked(self) -> str:
        """What the student is asked for: the step's quantity, or one entry of it (`W1[0,1]`)."""
        return coordinate(self.step.label, self.step.shape, self.entry)


def entry_of(shape: tuple[int, ...], epoch: int, index: int) -> tuple[int, ...]:
    """The entry asked of a step's matrix, the same every time the step comes round."""
    size = math.prod(shape)
    if size <= 1:
        return ()
    flat = int(np.random.default_rng([epoch, index]).integers(size))
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def ask(epoch: int, step: Step, value: object) -> Question:
    array = np.asarray(value, dtype=np.float64)
    entry = entry_of(array.shape, epoch, step.index)
    truth = float(array[entry]) if entry else float(array.reshape(-1)[0])
    return Question(epoch, step, entry, truth)


@dataclass(frozen=True)
class Verdict:
    question: Question
    answer: str  # as typed
    right: bool | None  # None: not a number, so not graded
    why: str


def read_number(text: str) -> float | None:
    """A number as a student types it: a real minus sign (−) is a minus, spaces are ignored."""
    cleaned = text.strip().replace("−", "-").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def grade(question: Question, answer: str) -> Verdict:
    guess = read_number(answer)
    if guess is None:
        return Verdict(question, answer, None, f"not a number: {answer.strip()!r}")
    truth = question.truth
    if f"{guess:.{SHOWN_DIGITS}g}" == f"{truth:.{SHOWN_DIGITS}g}":
        return Verdict(question, answer, True, f"the same to {SHOWN_DIGITS} significant figures")
    if relative_error(truth, guess) <= TOLERANCE:
        return Verdict(question, answer, True, f"within {TOLERANCE:.1%} of it")
    return Verdict(question, answer, False, miss(truth, guess))


def miss(truth: float, guess: float) -> str:
    """How far a wrong answer is from the value, measured against the value (0.4 for 0.1124 is
    off by 2.56 times its size), since that is what the student was trying to reach."""
    off = abs(guess - truth)
    if not math.isfinite(off):
        return "not finite"
    if truth == 0:
        return f"off by {off:.3g}"
    return f"off by {off / abs(truth):.3g} times its size"


@dataclass
class Quiz:
    """The mode and the running score, kept by the cursor for as long as the scenario is open."""

    on: bool = False
    asked: int = 0
    right: int = 0
    last: Verdict | None = None
    _graded: set[tuple[int, int]] = field(default_factory=set)

    def answer(self, question: Question, text: str) -> Verdict:
        """Grade an answer and count it (once per step: a step asked again is not scored twice)."""
        verdict = grade(question, text)
        self.last = verdict
        place = (question.epoch, question.step.index)
        if verdict.right is not None and place not in self._graded:
            self._graded.add(place)
            self.asked += 1
            self.right += int(verdict.right)
        return verdict


@dataclass(frozen=True)
class QuizView:
    """What the quiz strip shows at one position."""

    score: tuple[int, int]  # (right, asked)
    question: Question | None  # the next step's; None at the end of the run
    last: Verdict | None
