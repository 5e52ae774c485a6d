"""The derivation as the debugger shows it: each entry beside the tape step it claims.

A mark says ✓ or ✗ with the entry's value and backprop's, once the cursor has reached
the step it claims; before that it shows the formula alone. Everything a panel draws
is here, computed by the engine; the panel only lays it out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .derivation import Derivation, Outcome
from .derivation_check import why
from .trainer import Trainer

Verdict = Literal["✓", "✗", "?", "·"]
"""Agrees; differs; cannot be computed (a finding); not reached yet, or claims nothing checkable there."""


@dataclass(frozen=True)
class DerivationMark:
    step: int  # the tape step the entry claims
    name: str
    formula: str
    claim: str  # ∂L/∂w1, ∂y_hat/∂z2, update of w1
    verdict: Verdict
    value: Any  # the entry's value, once its step is reached
    true: Any  # backprop's, once its step is reached
    note: str = ""  # why it differs, or why it cannot be computed

    @property
    def wrong(self) -> bool:
        return self.verdict == "✗"


def marks_for(derivation: Derivation, outcomes: Sequence[Outcome], reached: int) -> tuple[DerivationMark, ...]:
    """A mark per entry that claims a tape step, in tape order; values only for steps up to `reached`."""
    loss = derivation.loss
    wrong = {o.entry.name for o in outcomes if o.ok is False}
    marks = []
    for outcome in outcomes:
        entry, step = outcome.entry, outcome.step
        if step is None:
            continue
        claim = entry.claim.describe(loss)
        problem = derivation.problems.get(entry.name)
        if problem is not None:
            marks.append(DerivationMark(step, entry.name, entry.formula.text, claim, "?", None, None, problem.message))
            continue
        if step > reached or outcome.ok is None:
            marks.append(DerivationMark(step, entry.name, entry.formula.text, claim, "·", None, None))
            continue
        note = why(derivation, outcome, wrong) if outcome.ok is False else ""
        verdict: Verdict = "✓" if outcome.ok else "✗"
        marks.append(
            DerivationMark(step, entry.name, entry.formula.text, claim, verdict, outcome.value, outcome.true, note)
        )
    return tuple(sorted(marks, key=lambda m: m.step))


@dataclass(frozen=True)
class FirstWrong:
    epoch: int
    step: int
    text: str  # the entry, its formula and why it differs, in one line

    def position(self) -> tuple[int, int]:
        return self.epoch, self.step


def first_wrong(
    trainer: Trainer, derivation: Derivation, should_stop: Callable[[], bool] = lambda: False
) -> FirstWrong | None:
    """The first ✗ in the epochs run so far, the earliest in the tape's order; None if there is
    none (or the search was stopped)."""
    for epoch in range(1, trainer.epochs_done + 1):
        if should_stop():
            return None
        outcomes = derivation.outcomes(trainer.record(epoch).values)
        wrong = [o for o in outcomes if o.ok is False and o.step is not None]
        if wrong:
            first = min(wrong, key=lambda o: o.step or 0)
            reason = why(derivation, first, {o.entry.name for o in wrong})
            text = f"first ✗ at epoch {epoch}: {first.entry.name} = {first.entry.formula.text}"
            return FirstWrong(epoch, first.step or 0, f"{text}; {reason}" if reason else text)
    return None
