"""Where a hand derivation first goes wrong, and why, over a whole run.

Each epoch the run computed is replayed and every entry compared with backprop's value
for what it claims; the first entry that differs is the finding. The reason given is
read off the formulas' free names, never written in advance: an update that does not
read its own parameter but another's, a value given outright where the model computes
one of (nearly) the same name, an entry built on an earlier wrong one, or a name read
after an entry has updated it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .derivation import Derivation, Outcome, Problem
from .expr import names_in
from .messages import closest
from .trainer import Trainer
from .updates import state_names


@dataclass(frozen=True)
class Wrong:
    epoch: int
    outcome: Outcome
    why: str
    others: tuple[str, ...]  # the other entries that differ at that epoch, with a value given outright they use


@dataclass(frozen=True)
class DerivationReport:
    checked: int  # entries that claim something
    epochs: int
    problem: Problem | None
    wrong: Wrong | None

    @property
    def agrees(self) -> bool:
        return self.problem is None and self.wrong is None

    def describe(self, loss: str) -> str:
        if self.problem is not None:
            found = f"derivation CANNOT BE CHECKED at {self.problem.described}"
            if self.wrong is None:
                return found
            return f"{found}; of the entries that can be, {self._wrong(loss)}"
        if self.wrong is None:
            entries = f"{self.checked} entr{'y' if self.checked == 1 else 'ies'}"
            return f"derivation agrees with backprop ({entries} checked at each of {self.epochs} epochs)"
        return f"derivation {self._wrong(loss)}"

    def _wrong(self, loss: str) -> str:
        found = self.wrong
        assert found is not None
        entry = found.outcome.entry
        value, true = found.outcome.value, found.outcome.true
        text = (
            f"WRONG at epoch {found.epoch}, {entry.name} (line {entry.formula.place.line}): "
            f"{entry.name} = {entry.formula.text} gives {shown(value, true)}, "
            f"the true {entry.claim.describe(loss)} is {shown(true, value)}{exactly(value, true)}"
        )
        if found.why:
            text += f"; {found.why}"
        if found.others:
            text += f" (also wrong at epoch {found.epoch}: {', '.join(found.others)})"
        return text


class DerivationWatch:
    """Compares every entry with backprop epoch by epoch, keeping the first that differs."""

    def __init__(self, derivation: Derivation) -> None:
        self.derivation = derivation
        self.wrong: Wrong | None = None
        self.epochs = 0

    def __call__(self, epoch: int, values: Sequence[Any]) -> None:
        if self.wrong is not None:
            return
        self.epochs = epoch
        outcomes = self.derivation.outcomes(values)
        wrong = [o for o in outcomes if o.ok is False]
        if wrong:
            first, names = wrong[0], {o.entry.name for o in wrong}
            others = tuple(_also(self.derivation, o, names) for o in wrong[1:])
            self.wrong = Wrong(epoch, first, why(self.derivation, first, names), others)

    def report(self) -> DerivationReport:
        derivation = self.derivation
        checked = sum(1 for e in derivation.entries if e.claim.kind != "nothing")
        problem = next(iter(derivation.problems.values()), None)
        return DerivationReport(checked, self.epochs, problem, self.wrong)


def check_derivation(
    trainer: Trainer, derivation: Derivation | None = None, should_stop: Callable[[], bool] | None = None
) -> DerivationReport:
    """Compare every entry with backprop at every epoch: watching a trainer that has not run yet
    as it trains to the end (`should_stop` as for `Trainer.run`), or else replaying each epoch it has run."""
    watch = DerivationWatch(derivation or Derivation(trainer.program))
    if trainer.epochs_done == 0:
        trainer.observe = watch
        try:
            trainer.run(should_stop=should_stop)
        finally:
            trainer.observe = None
    else:
        for epoch in range(1, trainer.epochs_done + 1):
            watch(epoch, trainer.record(epoch).values)
            if watch.wrong is not None:
                break
    return watch.report()


def _also(derivation: Derivation, outcome: Outcome, wrong: set[str]) -> str:
    """Another wrong entry, by name, with its reason where that reason is a value given outright."""
    reasons = [r for r in why(derivation, outcome, wrong).split("; ") if "given outright" in r]
    return f"{outcome.entry.name} ({reasons[0]})" if reasons else outcome.entry.name


def why(derivation: Derivation, outcome: Outcome, wrong: set[str]) -> str:
    """What in the entry's formula makes it differ, read off the names it uses; "" if nothing shows."""
    entry, claim = outcome.entry, outcome.entry.claim
    by_name = {e.name: e for e in derivation.entries}
    order = [e.name for e in derivation.entries]
    used = list(dict.fromkeys(n.id for n in names_in(entry.formula.tree)))
    earlier = [n for n in used if n in by_name and order.index(n) < order.index(entry.name)]
    params = {p.name for p in derivation.program.params}
    model = list(derivation.program.named)
    reasons: list[str] = []
    given = [(n, closest(n, model)) for n in earlier if by_name[n].given]
    stale = [(n, m) for n, m in given if m is not None and m != n]
    if stale:
        names = " and ".join(n for n, _ in stale)
        models = " and ".join(m for _, m in stale if m is not None)
        reasons.append(f"uses {names}, given outright in the derivation, where the model computes {models}")
    if claim.kind == "update" and claim.of not in used:
        others = [n for n in used if n in params and n != claim.of]
        if others:
            reasons.append(f"uses {others[0]}; the true update of {claim.of} depends on {claim.of}, not {others[0]}")
    optimizer = derivation.program.scenario.optimizer
    if claim.kind == "update" and optimizer.kind != "sgd":  # a formula of plain descent, most likely
        states = " and ".join(state_names(optimizer, claim.of))
        reasons.append(
            f'the scenario trains with optimizer = "{optimizer.kind}": its update of {claim.of} reads {states}'
        )
    updated = [n for n in earlier if n in params and claim.kind != "update"]
    if updated:
        reasons.append(f"uses {updated[0]} after its update; backprop uses the value the epoch began with")
    built_on = [n for n in earlier if n in wrong]
    if built_on:
        reasons.append(f"uses {', '.join(built_on)}, wrong itself")
    return "; ".join(reasons)


def shown(value: Any, other: Any = None) -> str:
    """A value as the report writes it: 4 decimals for a number; for an array, its shape and the
    element where it differs most from `other`."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0 or array.size == 1:
        return _number(float(array.reshape(-1)[0]))
    if other is not None:
        try:
            a, b = np.broadcast_arrays(array, np.asarray(other, dtype=np.float64))
        except ValueError:
            return f"shape {array.shape}"
        index = np.unravel_index(int(np.argmax(np.abs(a - b))), a.shape)
        at = ", ".join(map(str, index))
        return f"{_number(float(a[index]))} at [{at}] (shape {array.shape})"
    return f"shape {array.shape}"


def exactly(value: Any, true: Any) -> str:
    """The exact numbers behind a scalar comparison, as `check` prints them for the table."""
    a, b = np.asarray(value, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if a.size == 1 and b.size == 1:
        return f" (exactly {float(a.reshape(-1)[0])!r} against {float(b.reshape(-1)[0])!r})"
    return ""


def _number(value: float) -> str:
    return f"{value:.4f}" if value == 0 or 1e-3 <= abs(value) < 1e5 else f"{value:.4e}"
