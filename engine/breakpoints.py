"""Breakpoints on any step: where each condition is evaluated (search.py finds the hits).

A condition is evaluated at a step only once every quantity it names is known at that
step of the epoch: the epoch, the data and the parameters entering the epoch from its
first step, a node, the loss or a metric from the step that computes it, a gradient from
the backward step that completes it. A quantity computed later in the iteration is not
known yet, and last epoch's value is not used in its place. From then on the condition
is evaluated only at the steps that set one of its quantities, since it cannot change in
between: the step that computes a node, loss or gradient, the update step of a parameter
(which from then on means its updated value, as the parameters panel shows it), and the
first step of every epoch for `epoch`.

A condition on the loss and the epoch alone is evaluated over many epochs at once, from
the losses the trainer keeps, without replaying them. One evaluated once an epoch, element
by element or on the largest or smallest entry of a value (`max(A1) < 0`, a dead ReLU layer),
is stacked: what it reads is kept from each epoch training runs (the epoch's own arrays, never
copied: a value on the tape is never overwritten) and evaluated for a chunk of epochs at once.
Any other is evaluated on each epoch's values, as training computes them or by a replay of an
epoch already run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .conditions import Condition
from .evaluate import EvaluationError, Evaluator, evaluate, evaluator, truth
from .expr import Binary, Call, Name, Node, Num, Transpose, Unary, walk
from .limits import MAX_STACK_BYTES
from .ops import FUNCTION_OPS
from .tape import Program

TRAIN_CHUNK = 256  # the most epochs trained before the breakpoints checked for many epochs at once are

#: Functions that act on each element alone, so a condition using only them can run on a column of epochs.
ELEMENTWISE = frozenset(FUNCTION_OPS) - {"transpose"}
#: The largest or smallest entry of a whole value, which a stack takes epoch by epoch (evaluate's each=True).
WHOLE_EXTREMES = frozenset({"max", "min"})


@dataclass(frozen=True)
class Read:
    """A name a condition reads, and where its value is at a given step."""

    name: str
    slot: int
    updated_slot: int | None = None  # a parameter's value after its update step
    update_step: int | None = None


@dataclass(frozen=True)
class Watch:
    """A breakpoint, with the steps of an epoch at which it is evaluated."""

    condition: Condition
    reads: tuple[Read, ...]
    sets: tuple[tuple[str, int], ...]  # each quantity that changes within an epoch, and the step that sets it
    steps: tuple[int, ...]  # where it is evaluated in every epoch
    first: tuple[int, ...]  # where in the first epoch, whose starting values are new too
    by_loss: bool  # reads the loss and the epoch alone, element by element: evaluated many epochs at once
    stacks: bool = False  # evaluated once an epoch, element by element, with no `or`/`not`: stackable by epoch

    @property
    def text(self) -> str:
        return self.condition.text

    def steps_in(self, epoch: int) -> tuple[int, ...]:
        return self.first if epoch == 1 else self.steps

    def holds_at(self, program: Program, vals: Sequence[Any], step: int, epoch: int) -> bool:
        """Whether the condition holds on an epoch's values as they stand after `step`. One that
        cannot be computed there counts as holding, so that a search stops where it fails, as gdb
        stops at a condition it cannot test; `outcome` says why."""
        return self.outcome(program, vals, step, epoch) is not False

    def outcome(self, program: Program, vals: Sequence[Any], step: int, epoch: int) -> bool | str:
        """Whether the condition holds after `step`, or why it cannot be computed there: shapes are
        checked when it is set, but onehot() of a value that is no label fails only on the values."""
        lookup: dict[str, object] = {"epoch": epoch}
        for read in self.reads:
            late = read.update_step is not None and read.update_step <= step
            lookup[read.name] = vals[read.updated_slot if late else read.slot]  # type: ignore[index]
        if "loss" in lookup:
            lookup["loss"] = float(lookup["loss"])  # type: ignore[arg-type]
        try:
            return truth(self.evaluated(lookup, lambda name: vals[program.grad_of[name.id]]))
        except EvaluationError as error:
            return error.message.removeprefix("cannot compute it: ")

    @cached_property
    def evaluated(self) -> Evaluator:
        """The condition worked out once, as it is evaluated at every step it watches."""
        return evaluator(self.condition.expression.tree)

    def missed(self, available: int) -> list[str]:
        """What it names that an epoch ending after `available` steps never set."""
        return [label for label, step in self.sets if step >= available]


def watch(program: Program, condition: Condition) -> Watch:
    """Where `condition` is evaluated on `program`'s tape (it has been checked by name and shape)."""
    made_by = {step.slot: step.index for step in program.steps}
    row_items = {p.slot: p for p in program.row_items}
    tree = condition.expression.tree
    grads = [node for node in walk(tree) if isinstance(node, Call) and node.func == "grad"]
    targets = {id(call.args[0]) for call in grads}
    names = dict.fromkeys(n.id for n in walk(tree) if isinstance(n, Name) and id(n) not in targets)
    reads: list[Read] = []
    sets: list[tuple[str, int]] = []  # set at this step of every epoch
    from_start = False  # names something set as the first epoch starts (data, initial parameters)
    for name in names:
        if name == "epoch":
            sets.append((name, 0))
            continue
        slot = program.loss_slot if name == "loss" else program.named[name]
        item = row_items.get(slot)
        if item is not None:
            update = made_by.get(item.update_slot)
            reads.append(Read(name, slot, item.update_slot, update))
            from_start = True
            if update is not None:
                sets.append((name, update))
        else:
            reads.append(Read(name, slot))
            if slot in made_by:
                sets.append((name, made_by[slot]))
            else:
                from_start = True
    for call in grads:
        target = call.args[0]
        assert isinstance(target, Name)  # check_condition refuses grad() of anything else
        slot = program.grad_of[target.id]
        if slot in made_by:
            sets.append((f"grad({target.id})", made_by[slot]))
        else:
            from_start = True
    known = max((step for label, step in sets if label != "epoch" and not _is_param(label, reads)), default=0)
    steps = tuple(sorted({step for _, step in sets if step >= known}))
    first = tuple(sorted(set(steps) | ({0} if known == 0 and (from_start or not sets) else set())))
    by_loss = bool(names) and set(names) <= {"loss", "epoch"} and not grads and _each_element(tree)
    # all(a and b) is all(a) and all(b), so `and` survives stacking; `or` and `not` do not.
    stacks = (
        len(steps) == 1
        and _each_element(tree, WHOLE_EXTREMES)
        and not any(isinstance(n, Binary | Unary) and n.op in ("or", "not") for n in walk(tree))
    )
    return Watch(condition, tuple(reads), tuple(sets), steps, first, by_loss, stacks)


def _is_param(label: str, reads: list[Read]) -> bool:
    """A parameter is known from the start (its value entering the epoch); its update only changes it."""
    return any(read.name == label and read.updated_slot is not None for read in reads)


def _each_element(tree: Node, wholes: frozenset[str] = frozenset()) -> bool:
    """Whether every operation acts on each element alone (no sums, matrix products or transposes),
    but for calls of `wholes` on a whole value (no axis)."""
    for node in walk(tree):
        if isinstance(node, Call) and node.func in wholes and len(node.args) == 1:
            continue
        if isinstance(node, Call) and node.func not in ELEMENTWISE | {"grad"}:
            return False
        if isinstance(node, Transpose) or (isinstance(node, Binary) and node.op == "@"):
            return False
        if not isinstance(node, Num | Name | Unary | Binary | Call):
            return False
    return True


class Stack:
    """What one breakpoint reads in each epoch training runs, kept to be evaluated for a chunk of
    epochs at once: each quantity stacked along a first axis, one row per epoch."""

    def __init__(self, program: Program, watch: Watch) -> None:
        self.program, self.watch = program, watch
        tree = watch.condition.expression.tree
        self.grads = [c.args[0].id for c in walk(tree) if isinstance(c, Call) and c.func == "grad"]  # type: ignore[union-attr]
        self.epochs: list[int] = []
        self.rows: list[list[Any]] = []

    def add(self, epoch: int, vals: Sequence[Any]) -> bool:
        """Keep what the breakpoint reads in `epoch`; False if that is too large to keep for a chunk."""
        step = self.watch.steps[0]
        late = [read.update_step is not None and read.update_step <= step for read in self.watch.reads]
        row = [vals[r.updated_slot if up else r.slot] for r, up in zip(self.watch.reads, late, strict=True)]  # type: ignore[index]
        row += [vals[self.program.grad_of[name]] for name in self.grads]
        if not self.rows and sum(np.asarray(v).nbytes for v in row) * TRAIN_CHUNK > MAX_STACK_BYTES:
            return False
        self.epochs.append(epoch)
        self.rows.append(row)
        return True

    def first_hit(self) -> tuple[int, int, Condition] | None:
        """The first epoch kept where the breakpoint holds, if any; what was kept is let go."""
        if not self.rows:
            return None
        epochs, rows = np.array(self.epochs, dtype=np.float64), self.rows
        self.epochs, self.rows = [], []
        columns = [np.stack([np.asarray(row[i], dtype=np.float64) for row in rows]) for i in range(len(rows[0]))]
        depth = max([c.ndim - 1 for c in columns], default=0)
        # Each quantity keeps its own axes last, so that they broadcast as they do in one epoch.
        stacked = [c.reshape(c.shape[:1] + (1,) * (depth + 1 - c.ndim) + c.shape[1:]) for c in columns]
        names = [read.name for read in self.watch.reads]
        lookup: dict[str, object] = dict(zip(names, stacked, strict=False))
        lookup["epoch"] = epochs.reshape((-1,) + (1,) * depth)
        grads = dict(zip(self.grads, stacked[len(names) :], strict=True))
        held = np.asarray(evaluate(self.watch.condition.expression.tree, lookup, lambda n: grads[n.id], each=True))
        holds = held.reshape(len(rows), -1).all(axis=1) if held.ndim else np.full(len(rows), bool(held))
        at = np.flatnonzero(holds)
        return (int(epochs[at[0]]), self.watch.steps[0], self.watch.condition) if at.size else None
