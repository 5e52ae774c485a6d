"""A hand derivation checked against the tape: each entry beside the step it claims, every epoch.

The entries are bound to the compiled program once: each name a formula reads must be
the model's, `learning_rate`, `epoch` or an earlier entry's (an entry named after a
parameter is its update, and later entries reading that name read the new value, as
the notes' code does); shapes go through `shapes.infer`. A name the model does not
define, or a claim the tape cannot check, is a `Problem` — a finding, not an error.
Each epoch the entries are evaluated in order on that epoch's values, with the same
evaluator as conditions and log fields, and compared with what backprop computed:
the final ∂L/∂q, the product of the local factors from a down to b, or the update.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .chain import _edges, first_paths, path_counts
from .conditions import named_shapes
from .derivation_format import BUILTINS
from .evaluate import EvaluationError, evaluate
from .expr import names_in
from .limits import MAX_PATHS
from .messages import closest
from .ops import Shape
from .scenario import DerivationEntry, Expression, Place
from .shapes import ShapeError, infer
from .tape import BackwardInfo, Program

#: An entry agrees when it is within this fraction of the larger of the two values' largest magnitudes.
#: Loose enough for a formula that leaves out a guard the loss has (the notes' dZ2 = A2 − y ignores the
#: 1e-8 inside their logs, which moves moons' gradients by up to about 1e-5 of their size); a wrong
#: formula is off by far more.
RELATIVE_TOLERANCE = 1e-4
#: … or this close in absolute terms (a true zero computed as 1e-17).
ABSOLUTE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Problem:
    """An entry that cannot be checked at all: it reads a name the model does not define,
    its shapes do not fit, or it claims something the tape has no single value for."""

    entry: DerivationEntry
    message: str
    place: Place

    @property
    def described(self) -> str:
        """Where the entry is, what it says, and why it cannot be checked: one line."""
        return f"line {self.place.line}, {self.entry.name} = {self.entry.formula.text}: {self.message}"


@dataclass(frozen=True)
class Outcome:
    """One entry at one epoch: its value, and the true value of what it claims (None: claims nothing,
    or the epoch never computed it)."""

    entry: DerivationEntry
    value: Any
    true: Any
    step: int | None  # the tape step it sits beside

    @functools.cached_property  # each snapshot of the epoch asks again
    def ok(self) -> bool | None:
        if self.true is None or self.value is None:
            return None
        return agrees(self.value, self.true)


def agrees(value: Any, true: Any) -> bool:
    """Equal, element by element, within the tolerances (shapes must broadcast)."""
    a, b = np.asarray(value, dtype=np.float64), np.asarray(true, dtype=np.float64)
    if a.size == 1 and b.size == 1 and a.ndim == b.ndim:  # most entries: one number each, checked fast
        x, y = float(a.reshape(-1)[0]), float(b.reshape(-1)[0])
        if not (math.isfinite(x) and math.isfinite(y)):
            return x == y  # inf only equals the same inf; nan equals nothing
        return abs(x - y) <= RELATIVE_TOLERANCE * max(abs(x), abs(y)) + ABSOLUTE_TOLERANCE
    with np.errstate(all="ignore"):
        try:
            difference = np.abs(a - b)
        except ValueError:  # the shapes do not even broadcast
            return False
        scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
        if math.isfinite(scale):
            return bool((difference <= RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE).all())
        a, b = np.broadcast_arrays(a, b)
        finite = np.isfinite(a) & np.isfinite(b)
        scale = max(float(np.max(np.abs(x), where=finite, initial=0.0)) for x in (a, b))
        close = difference <= RELATIVE_TOLERANCE * scale + ABSOLUTE_TOLERANCE
    return bool(np.where(finite, close, a == b).all())  # inf only equals the same inf; nan nothing


class Derivation:
    """A scenario's derivation bound to its compiled program."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.entries = program.scenario.derivation
        self.loss = program.scenario.loss.name
        self.problems: dict[str, Problem] = {}
        self.steps: dict[str, int | None] = {}
        self._edges = _edges(program)
        self._paths: dict[str, list[list[BackwardInfo]]] = {}
        shapes: dict[str, Shape] = {**named_shapes(program), **{b: () for b in BUILTINS}}
        shapes.pop("loss", None)
        self.shapes = shapes  # every name's shape, the entries' included
        defined: list[str] = []  # entries so far that can be computed
        for entry in self.entries:
            problem = self._bind(entry, shapes, defined)
            if problem is not None:
                self.problems[entry.name] = problem
                self.steps.setdefault(entry.name, None)
                continue
            defined.append(entry.name)

    # -- binding ------------------------------------------------------------------------------

    def _bind(self, entry: DerivationEntry, shapes: dict[str, Shape], defined: list[str]) -> Problem | None:
        formula = entry.formula
        if entry.value is not None:
            shapes[entry.name] = entry.value.shape
            return None
        problem = self._target(entry)  # first: an entry that cannot be computed still sits beside its step
        if problem is not None:
            return self._problem(entry, formula, problem, 0)
        known = [*self.program.named, *BUILTINS, *defined]
        for expression in (formula, entry.claim.scale):
            if expression is None:
                continue
            for name in names_in(expression.tree):
                if name.id in self.problems:
                    return self._problem(entry, expression, f"uses {name.id}, which cannot be computed", name.start)
                if name.id == entry.name and expression is formula and entry.claim.kind != "update":
                    return self._problem(entry, expression, "an entry can read only the entries above it", name.start)
                if name.id not in shapes:
                    guess = closest(name.id, known)
                    hint = f"; did you mean {guess!r}?" if guess else ""
                    return self._problem(entry, expression, f"the model does not define {name.id!r}{hint}", name.start)
            try:
                shape = infer(expression.tree, shapes, expression.text)
            except ShapeError as error:
                return self._problem(entry, expression, error.message, error.node.start)
            if expression is formula:
                entry_shape = shape
        shapes[entry.name] = entry_shape
        return None

    def _problem(self, entry: DerivationEntry, expression: Expression, message: str, column: int) -> Problem:
        return Problem(entry, message, expression.place.at_column(column))

    def _target(self, entry: DerivationEntry) -> str | None:
        """Find the step an entry's claim sits beside; why the tape cannot check it, if it cannot."""
        claim, program = entry.claim, self.program
        steps = program.steps
        if claim.kind == "nothing":
            self.steps[entry.name] = None
        elif claim.kind == "update":
            param = next(p for p in program.params if p.name == claim.of)
            self.steps[entry.name] = next(s.index for s in steps if s.slot == param.update_slot)
        elif claim.kind == "gradient":
            if claim.of not in program.grad_of:
                return f"the loss does not depend on {claim.of}, so ∂{self.loss}/∂{claim.of} is never computed"
            slot = program.grad_of[claim.of]
            self.steps[entry.name] = max((s.index for s in steps if s.slot == slot), default=None)
        else:
            if claim.of == claim.wrt:
                return f"∂{claim.of}/∂{claim.of} is 1 by definition; there is nothing to check"
            top, bottom = program.named[claim.of], program.named[claim.wrt]
            counts = path_counts(self._edges, top, bottom)
            if not counts.get(top):
                return f"{claim.of} does not depend on {claim.wrt} through the model"
            if counts[top] > MAX_PATHS:
                return f"∂{claim.of}/∂{claim.wrt} sums {counts[top]} paths; claim a gradient instead"
            paths = first_paths(self._edges, counts, top, bottom, MAX_PATHS)
            if any(edge.local is None for path in paths for edge in path):
                return (
                    f"∂{claim.of}/∂{claim.wrt} is no one factor per element (it passes through a matrix "
                    f"product); claim ∂{self.loss}/∂{claim.wrt} instead"
                )
            self._paths[entry.name] = paths
            last = {path[-1].contribution_slot for path in paths}
            self.steps[entry.name] = min(
                s.index for s in steps if s.backward is not None and s.backward.contribution_slot in last
            )
        return None

    # -- evaluating ---------------------------------------------------------------------------

    def lookup(self, values: Sequence[Any]) -> dict[str, object]:
        """What the model's names mean in an iteration: parameters as they enter it."""
        program = self.program
        found: dict[str, object] = {name: values[slot] for name, slot in program.named.items()}
        found["learning_rate"] = values[program.rate_slot]
        found["epoch"] = values[program.epoch_slot]
        return found

    def evaluate(self, values: Sequence[Any], upto: str | None = None) -> dict[str, object]:
        """Every computable entry's value, in order (up to and including `upto`), on an iteration's values."""
        env = self.lookup(values)
        results: dict[str, object] = {}
        for entry in self.entries:
            if entry.name in self.problems:
                continue
            value: object = entry.value if entry.value is not None else _safe(entry.formula, env)
            env[entry.name] = results[entry.name] = value
            if entry.name == upto:
                break
        return results

    def truth(self, entry: DerivationEntry, values: Sequence[Any], env: Mapping[str, object]) -> Any:
        """What backprop computed for the entry's claim (scaled as it says), or None."""
        claim, program = entry.claim, self.program
        if claim.kind == "nothing" or entry.name in self.problems:
            return None
        if claim.kind == "update":
            true = values[next(p for p in program.params if p.name == claim.of).update_slot]
        elif claim.kind == "gradient":
            true = values[program.grad_of[claim.of]]
        else:
            true = _local(self._paths[entry.name], values)
        if true is None:
            return None
        if claim.scale is not None:
            scale = _safe(claim.scale, env)
            true = None if scale is None else np.multiply(scale, true)
        return true

    def outcomes(self, values: Sequence[Any]) -> list[Outcome]:
        """Each entry's value beside the truth, on one iteration's values."""
        results = self.evaluate(values)
        env = {**self.lookup(values), **results}
        return [
            Outcome(entry, results.get(entry.name), self.truth(entry, values, env), self.steps.get(entry.name))
            for entry in self.entries
        ]


def _safe(expression: Expression, env: Mapping[str, object]) -> Any:
    """An entry's value; None where this epoch lacks what it reads (it stopped early)."""
    if any(env.get(name) is None for name in _names(expression)):
        return None
    try:
        return evaluate(expression.tree, env)
    except EvaluationError:  # shapes were checked; onehot() of labels out of range is not
        return None


_READS: dict[int, tuple[Expression, frozenset[str]]] = {}


def _names(expression: Expression) -> frozenset[str]:
    """The names an expression reads, found once (kept by identity: hashing a tree walks all of it)."""
    found = _READS.get(id(expression))
    if found is None or found[0] is not expression:
        found = _READS[id(expression)] = (expression, frozenset(n.id for n in names_in(expression.tree)))
    return found[1]


def _local(paths: list[list[BackwardInfo]], values: Sequence[Any]) -> Any:
    """∂a/∂b on an iteration's values: the product of the local factors along each path, summed."""
    listed = list(values)
    total: Any = None
    for path in paths:
        product: Any = np.float64(1.0)
        for edge in path:
            if values[edge.output_slot] is None:
                return None
            assert edge.local is not None  # checked when the entry was bound
            product = product * np.asarray(edge.local(listed))
        total = product if total is None else total + product
    return total
