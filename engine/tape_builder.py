"""The tape as it is written: slots and steps as the compiler and the backward pass emit them.

Every slot keeps its first iteration's value (the probe), so each later op learns its
operands' shapes as it is emitted. A step on constants alone is computed here, once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import limits, ops
from .scenario import Expression, Scenario, ScenarioError
from .tape import BackwardInfo, Instruction, Operation, Phase, Step, Values, Written


@dataclass(frozen=True)
class Emitted:
    """An op on the tape: what the backward pass needs to send gradients through it."""

    op: ops.Op
    inputs: tuple[int, ...]
    output: int
    expr: Expression  # the expression it was written in, for errors and for the step's node


@dataclass
class TapeBuilder:
    """Slots and steps as they are emitted, with the first iteration's values to learn shapes from."""

    scenario: Scenario
    steps: list[Step] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)
    base: Values = field(default_factory=list)  # constants; other slots start empty
    probe: Values = field(default_factory=list)  # every slot's value in the first iteration
    labels: list[str] = field(default_factory=list)
    requires_grad: list[bool] = field(default_factory=list)
    emitted: dict[int, Emitted] = field(default_factory=dict)  # output slot → op, in emission order
    named_slots: set[int] = field(default_factory=set)  # data, parameters and named nodes
    folded: dict[int, Written] = field(default_factory=dict)  # each op's value written over named quantities
    fixed: dict[int, Any] = field(default_factory=dict)  # slots whose value is the same every epoch
    elements: int = 0  # numbers held by one iteration's values so far
    current: Expression | None = None  # the expression being compiled, for errors

    def slot(self, value: Any, label: str, requires_grad: bool = False, constant: bool = False) -> int:
        self.elements += int(np.size(value)) if value is not None else 0
        if self.elements > limits.MAX_TAPE_ELEMENTS:
            raise self.error(
                f"one iteration would hold more than {limits.MAX_TAPE_ELEMENTS} numbers "
                f"({limits.MAX_TAPE_ELEMENTS * 8 // 2**20} MiB); use smaller data or parameters"
            )
        self.base.append(value if constant else None)
        if constant:
            self.fixed[len(self.base) - 1] = value
        self.probe.append(value)
        self.labels.append(label)
        self.requires_grad.append(requires_grad)
        return len(self.base) - 1

    def add_step(
        self,
        phase: Phase,
        slot: int,
        label: str,
        formula: str,
        node: str,
        compute: Callable[..., Any],
        reads: tuple[int, ...],
        backward: BackwardInfo | None = None,
        written: tuple[Written, Written] | None = None,
        before: Instruction = (),
    ) -> Step:
        """A step whose value is `compute` on the values in slots `reads` (after the operations `before`)."""
        own, folded = written if written is not None else (None, None)
        shape = np.shape(self.probe[slot])
        step = Step(len(self.steps), phase, slot, label, formula, node, shape, backward, own, folded)
        self.steps.append(step)
        self.instructions.append(tuple(self._once(operation) for operation in (*before, (slot, compute, reads))))
        return step

    def _once(self, operation: Operation) -> Operation:
        """An operation on constants alone (the data's one-hot labels, ∂L/∂ of a mean) gives the
        same value every epoch: it is computed once, here, and the loop just loads it. A value
        that is not finite is left to be computed, and caught, in every epoch."""
        slot, compute, reads = operation
        if not reads or any(read not in self.fixed for read in reads):
            return operation
        with np.errstate(all="ignore"):
            value = compute(*[self.fixed[read] for read in reads])
        if not np.all(np.isfinite(value)):
            return operation
        self.fixed[slot] = value
        return (slot, itertools.repeat(value).__next__, ())

    def error(self, message: str, column: int = 0) -> ScenarioError:
        if self.current is None:
            return ScenarioError(self.scenario.params[0].place, message)
        return self.current.error(message, column)
