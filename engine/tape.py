"""The tape of one training iteration, and the one loop that runs it.

Every forward primitive, loss and metric primitive, chain-rule step and parameter
update is one `Step`, in the order a person works it by hand. Each step owns one slot
in the iteration's list of values (single assignment: nothing is ever overwritten), so
recording an iteration is just keeping that list. Training, replaying a step for the
debugger and finite differences all run the tape through `Program.run`, so they
compute the very same bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .evaluate import evaluate
from .ops import same
from .scenario import Expression, Scenario

if TYPE_CHECKING:
    from .conditions import Condition
    from .ops import Op

Phase = Literal["forward", "loss", "metric", "backward", "update"]
Values = list[Any]
"""One iteration's values by slot: NumPy arrays, or NumPy scalars where an op reduces to one
(NumPy's stubs give most results as Any); a slot not computed (yet) holds None."""
Operation = tuple[int, Callable[..., Any], tuple[int, ...]]
"""One call of the loop: the slot it fills, the function, and the slots it reads, in order."""
Instruction = tuple[Operation, ...]
"""What a step computes: usually one operation; a summing chain-rule step fills its share's slot first."""


def gather(slots: Sequence[int]) -> Callable[[Values], Sequence[Any]]:
    """A C-level reader of these slots' values, as a sequence (itemgetter gives a lone item bare)."""
    if len(slots) == 1:
        return itemgetter(slice(slots[0], slots[0] + 1))
    if not slots:
        return lambda vals: ()
    return itemgetter(*slots)


COPY, MANY = -1, 4  # how an operation reads: besides 0 to 3 operands, a value passed on, or any number
Planned = tuple[int, Callable[..., Any], int, int, int, int, tuple[int, ...]]
"""An operation as the loop runs it: slot, function, how it reads (a count, COPY or MANY), up to
three operand slots, and the slots for MANY."""


def planned(slot: int, compute: Callable[..., Any], reads: tuple[int, ...]) -> Planned:
    if compute is same and len(reads) == 1:
        return (slot, compute, COPY, reads[0], 0, 0, ())
    if len(reads) <= 3:
        a, b, c = (*reads, 0, 0, 0)[:3]
        return (slot, compute, len(reads), a, b, c, ())
    return (slot, compute, MANY, 0, 0, 0, reads)


@dataclass(frozen=True)
class Operand:
    """One quantity a written step combines: how it is written, where its value lives, its shape."""

    symbol: str
    slot: int | None  # None where only its shape is shown (Xᵀ in Xᵀ @ ∂L/∂Z1), or it is computed apart
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Written:
    """A step's right-hand side as a template over its operands ({0}, {1}…), so that their names,
    numbers or shapes can each be put in place: w1·x + b1, 0.3·0.5 + 0.1, (200×2) @ (2×4) + (1×4)."""

    template: str
    operands: tuple[Operand, ...]


@dataclass(frozen=True)
class BackwardInfo:
    """What a chain-rule step multiplies: ∂L/∂target += ∂L/∂output · ∂output/∂target."""

    target: str
    output: str
    output_slot: int  # the op's forward value
    upstream_slot: int
    local_formula: str  # ∂output/∂target in the scenario's names
    local: Callable[[Values], Any] | None  # its value, for element-wise ops
    contribution_slot: int
    total_slot: int | None  # set when the target already had a gradient: the sum lands here
    summed_axes: tuple[int, ...]
    target_slot: int  # the forward value whose gradient this is
    written: Written | None = None  # for a matrix step: ∂L/∂out and the other operand, e.g. {0} @ {1}
    note: str = ""  # in words: what a reduction or a broadcast does to the gradient
    elementwise: bool = True


@dataclass(frozen=True)
class Step:
    index: int
    phase: Phase
    slot: int  # where the step's value lives; for a summing backward step, the sum
    label: str  # the quantity it computes, e.g. "z1", "w1 * x", "∂L/∂a1", "w1"
    formula: str  # how, in the scenario's names
    node: str  # the named node, loss, metric or parameter it belongs to
    shape: tuple[int, ...]
    backward: BackwardInfo | None = None
    written: Written | None = None  # a forward step over its own operands: {0} + {1} with w1·x and b1
    folded: Written | None = None  # the same over named quantities only: {0}·{1} + {2} with w1, x and b1


@dataclass(frozen=True)
class ParamInfo:
    name: str
    shape: tuple[int, ...]
    offset: int  # where it sits in a flat row of all parameters
    slot: int  # its value entering the iteration
    grad_slot: int | None  # ∂L/∂param once the backward pass is done; None if the loss ignores it
    update_slot: int  # its value after the update
    of: str | None = None  # for an optimizer's state, the parameter it belongs to

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class Program:
    """A compiled scenario: the tape, and everything needed to run it from a row of parameters."""

    scenario: Scenario
    steps: tuple[Step, ...]  # a tuple: every snapshot shares it, so panels see the same tape
    instructions: tuple[Instruction, ...]  # parallel to steps
    base: Values  # data, constants and the gradient seed; other slots start empty
    params: tuple[ParamInfo, ...]
    loss_slot: int
    named: dict[str, int]  # data, params, nodes, loss and metrics → slot
    grad_of: dict[str, int]  # any named quantity the loss depends on → its final gradient slot
    states: tuple[ParamInfo, ...] = ()  # the optimizer's state (velocities, moments), kept like parameters
    epoch_slot: int = -1  # the epoch, counted from 1, set as each iteration starts
    rate_slot: int = -1  # the learning rate α
    rate_schedule: Expression | None = None  # α as an expression of epoch, evaluated as each iteration starts
    stop_rule: Condition | None = None
    forward_ops: dict[int, tuple[Op, tuple[int, ...]]] = field(default_factory=dict)
    """Each forward, loss and metric step's slot → its op and input slots: what a batched pass
    over many parameter values runs again (engine/batched.py), with a batch axis the instructions
    cannot know of."""

    def __post_init__(self) -> None:
        # Every operation flattened into one list, its operands' slots unpacked: the loop then
        # makes one call per operation, and none at all in Python when the function is NumPy's.
        self._plan: list[Planned] = []
        self._bounds = [0]  # where each step's operations start in the plan
        for instruction in self.instructions:
            self._plan += [planned(*operation) for operation in instruction]
            self._bounds.append(len(self._plan))
        self.row_items = self.params + self.states
        """What carries over from one epoch to the next: the parameters, then the optimizer's state."""
        self._carry_slots = [p.slot for p in self.row_items]
        first = self._carry_slots[0] if self._carry_slots else 0
        # Parameters take consecutive slots (states may not): then one slice assignment sets them all.
        self._carry_range = (
            slice(first, first + len(self._carry_slots))
            if self._carry_slots == list(range(first, first + len(self._carry_slots)))
            else None
        )
        self.length = len(self.steps)
        self.updated = gather([p.update_slot for p in self.row_items])
        """The row's values as an iteration leaves them."""
        phases = [step.phase for step in self.steps]
        # The tape runs forward, loss, metrics, backward, updates: these split it.
        self.loss_end = max(i for i, phase in enumerate(phases) if phase == "loss") + 1
        self.backward_start = sum(1 for phase in phases if phase in ("forward", "loss", "metric"))
        # The stretches training runs every epoch, cut from the plan once.
        stretches = [(0, self.backward_start), (self.backward_start, self.length), (0, self.length)]
        self._parts = {(a, b): self._plan[self._bounds[a] : self._bounds[b]] for a, b in stretches}

    @property
    def n_params(self) -> int:
        """How many numbers the parameters hold (the optimizer's state not counted)."""
        return sum(p.size for p in self.params)

    @property
    def row_size(self) -> int:
        return sum(p.size for p in self.row_items)

    def initial_row(self) -> np.ndarray:
        """The parameters as the scenario gives them, and the optimizer's state at zero."""
        row = np.zeros(self.row_size)
        for p, param in zip(self.params, self.scenario.params, strict=True):
            row[p.offset : p.offset + p.size] = np.ravel(param.value)
        return row

    def flatten(self, values: Sequence[Any], out: np.ndarray | None = None) -> np.ndarray:
        """One row of every parameter and state, in order (the trainer's checkpoints), written
        into `out` if given."""
        return np.concatenate([value.ravel() for value in values], out=out)

    def unflatten(self, row: np.ndarray) -> list[np.ndarray]:
        """Views of each parameter and state in a row."""
        return [row[p.offset : p.offset + p.size].reshape(p.shape) for p in self.row_items]

    def start(self, carried: Sequence[Any], epoch: int) -> Values:
        """A new iteration's values: the constants, the epoch and its learning rate, and the
        parameters and optimizer state carried over, in their slots."""
        vals: Values = list(self.base)
        if self._carry_range is not None and len(carried) == len(self._carry_slots):
            vals[self._carry_range] = carried
        else:
            for slot, value in zip(self._carry_slots, carried, strict=True):
                vals[slot] = value
        vals[self.epoch_slot] = epoch
        if self.rate_schedule is not None:
            vals[self.rate_slot] = float(evaluate(self.rate_schedule.tree, {"epoch": epoch}))
        return vals

    def run(self, vals: Values, start: int, stop: int) -> None:
        """Compute steps start…stop−1 of the tape into `vals`: the one loop that runs it."""
        part = self._parts.get((start, stop)) or self._plan[self._bounds[start] : self._bounds[stop]]
        for slot, compute, count, a, b, c, reads in part:
            if count == 2:  # the commonest first
                vals[slot] = compute(vals[a], vals[b])
            elif count == 1:
                vals[slot] = compute(vals[a])
            elif count == 3:
                vals[slot] = compute(vals[a], vals[b], vals[c])
            elif count == COPY:
                vals[slot] = vals[a]
            elif count == 0:  # a value that is the same every epoch, computed once
                vals[slot] = compute()
            else:
                vals[slot] = compute(*[vals[i] for i in reads])

    def replay(self, carried: Sequence[Any], count: int, epoch: int) -> Values:
        """The first `count` steps of an epoch from these parameters and state, every value kept.

        They are copied in, so a replay never aliases the checkpoints it came from.
        """
        vals = self.start([np.array(value, dtype=np.float64) for value in carried], epoch)
        with np.errstate(all="ignore"):
            self.run(vals, 0, count)
        return vals
