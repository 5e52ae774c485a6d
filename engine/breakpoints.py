"""Breakpoints on any step: where each condition is evaluated, and the search for hits.

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
the losses the trainer keeps, without replaying them; any other is evaluated on each
epoch's values, as training computes them or by a replay of an epoch already run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .conditions import Condition
from .evaluate import evaluate, truth
from .expr import Binary, Call, Name, Node, Num, Transpose, Unary, walk
from .ops import FUNCTION_OPS
from .tape import Program
from .trainer import EpochRecord, Trainer

#: Functions that act on each element alone, so a condition using only them can run on a column of epochs.
ELEMENTWISE = frozenset(FUNCTION_OPS) - {"transpose"}


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

    @property
    def text(self) -> str:
        return self.condition.text

    def steps_in(self, epoch: int) -> tuple[int, ...]:
        return self.first if epoch == 1 else self.steps

    def holds_at(self, program: Program, vals: Sequence[Any], step: int, epoch: int) -> bool:
        """Whether the condition holds on an epoch's values as they stand after `step`."""
        lookup: dict[str, object] = {"epoch": epoch}
        for read in self.reads:
            late = read.update_step is not None and read.update_step <= step
            lookup[read.name] = vals[read.updated_slot if late else read.slot]  # type: ignore[index]
        if "loss" in lookup:
            lookup["loss"] = float(lookup["loss"])  # type: ignore[arg-type]
        tree = self.condition.expression.tree
        return truth(evaluate(tree, lookup, lambda name: vals[program.grad_of[name.id]]))

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
    return Watch(condition, tuple(reads), tuple(sets), steps, first, by_loss)


def _is_param(label: str, reads: list[Read]) -> bool:
    """A parameter is known from the start (its value entering the epoch); its update only changes it."""
    return any(read.name == label and read.updated_slot is not None for read in reads)


def _each_element(tree: Node) -> bool:
    """Whether every operation acts on each element alone (no sums, matrix products or transposes)."""
    for node in walk(tree):
        if isinstance(node, Call) and node.func not in ELEMENTWISE:
            return False
        if isinstance(node, Transpose) or (isinstance(node, Binary) and node.op == "@"):
            return False
        if not isinstance(node, Num | Name | Unary | Binary | Call):
            return False
    return True


# -- searching --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """Where a search ended: at a hit, at the end of what it could search, or where it was stopped."""

    epoch: int
    step: int
    condition: Condition | None = None
    stopped: bool = False


Records = Callable[[int], EpochRecord]
TRAIN_CHUNK = 256  # the most epochs trained before the loss-and-epoch breakpoints are checked


class Search:
    """The next or previous step where a breakpoint holds, from a position (not counting it).

    `should_stop` is asked between epochs, so a long search can be stopped; `progress` is
    told each epoch searched. Neither may touch the trainer.
    """

    def __init__(
        self,
        trainer: Trainer,
        watches: Sequence[Watch],
        records: Records,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.trainer, self.program, self.watches, self.records = trainer, trainer.program, list(watches), records
        self.should_stop = should_stop or (lambda: False)
        self.progress = progress or (lambda epoch: None)
        self.replayed = [w for w in self.watches if not w.by_loss]

    def _last_step(self, epoch: int) -> int:
        return self.trainer.steps_in(epoch) - 1

    def _whole(self, epoch: int) -> bool:
        return self.trainer.steps_in(epoch) == len(self.program.steps)

    def in_epoch(
        self, epoch: int, lo: int, hi: int, watches: Sequence[Watch], vals: Sequence[Any], last: bool = False
    ) -> tuple[int, Condition] | None:
        """The first (last=True: the last) step in lo…hi of `epoch` where one of `watches` holds."""
        best: tuple[int, Condition] | None = None
        hi = min(hi, self._last_step(epoch))
        for w in watches:
            candidates = [s for s in w.steps_in(epoch) if lo <= s <= hi]
            for step in reversed(candidates) if last else candidates:
                if best is not None and (step <= best[0] if last else step >= best[0]):
                    break
                if w.holds_at(self.program, vals, step, epoch):
                    best = (step, w.condition)
                    break
        return best

    def _by_loss(self, first: int, last: int, backwards: bool) -> tuple[int, int, Condition] | None:
        """The nearest hit of the loss-and-epoch breakpoints in the whole epochs first…last, found
        for all of those epochs at once from the trainer's losses."""
        best: tuple[int, int, Condition] | None = None
        if first > last:
            return None
        lookup = {"loss": self.trainer.losses[first - 1 : last], "epoch": np.arange(first, last + 1, dtype=np.float64)}
        for w in self.watches:
            if not w.by_loss:
                continue
            held = evaluate(w.condition.expression.tree, lookup, each=True)
            held = np.flatnonzero(np.broadcast_to(held, last - first + 1))
            if held.size:
                hit = (first + int(held[-1] if backwards else held[0]), w.steps[0], w.condition)
                if best is None or (hit[:2] > best[:2] if backwards else hit[:2] < best[:2]):
                    best = hit
        return best

    def _vals(self, epoch: int) -> Sequence[Any]:
        return self.records(epoch).values

    def forward(self, epoch: int, step: int, until: tuple[int, int] | None = None) -> Found:
        """The first hit after (epoch, step), up to `until` if given; else on to the end of the run,
        training the epochs not yet run and checking each as it is trained."""
        end = until or (self.trainer.epochs_done, self._last_step(self.trainer.epochs_done))
        partial = {epoch, end[0]}  # searched step by step; the epochs between, a whole epoch at a time
        bulk = self._by_loss(epoch + 1, end[0] - 1, backwards=False)
        for e in range(epoch, end[0] + 1):
            watches = self.watches if e in partial else self.replayed
            lo, hi = (step + 1 if e == epoch else 0), (end[1] if e == end[0] else self._last_step(e))
            found = self.in_epoch(e, lo, hi, watches, self._vals(e)) if watches else None
            if bulk is not None and e == bulk[0] and (found is None or bulk[1] < found[0]):
                found = bulk[1:]
            if found is not None:
                return Found(e, found[0], found[1])
            self.progress(e)
            if self.should_stop():
                return Found(e, hi, stopped=True)
        if until is not None or self.trainer.finished:
            return Found(*end)
        return self._train_on()

    def backward(self, epoch: int, step: int) -> Found:
        """The last hit before (epoch, step), searching back to the first step of the run."""
        bulk = self._by_loss(1, epoch - 1, backwards=True)  # only the run's last epoch can be partial
        for e in range(epoch, 0, -1):
            watches = self.watches if e == epoch else self.replayed
            hi = step - 1 if e == epoch else self._last_step(e)
            found = self.in_epoch(e, 0, hi, watches, self._vals(e), last=True) if watches and hi >= 0 else None
            if bulk is not None and e == bulk[0] and (found is None or bulk[1] > found[0]):
                found = bulk[1:]
            if found is not None:
                return Found(e, found[0], found[1])
            self.progress(e)
            if self.should_stop():
                return Found(e, 0, stopped=True)
        return Found(1, 0)

    def _train_on(self) -> Found:
        """Train on, a chunk of epochs at a time, checking each epoch's values as training leaves
        them; the loss-and-epoch breakpoints are checked after each chunk, for all of it at once."""
        trainer = self.trainer
        checked = trainer.epochs_done
        found: Found | None = None
        stopped = False

        def check() -> bool:
            """Asked by the trainer before each epoch: look at the one just run."""
            nonlocal checked, found, stopped
            epoch = trainer.epochs_done
            if epoch > checked:
                checked = epoch
                watches = self.replayed if self._whole(epoch) else self.watches
                if watches:
                    vals, everything = trainer.last_values, len(self.program.steps)
                    hit = self.in_epoch(epoch, 0, everything, watches, vals)
                    if hit is not None and watches is not self.watches:  # a loss breakpoint may hold before it
                        hit = self.in_epoch(epoch, 0, everything, self.watches, vals)
                    found = Found(epoch, *hit) if hit is not None else None
                self.progress(epoch)
            stopped = found is None and self.should_stop()
            return found is not None or stopped

        chunk = 1
        while found is None and not stopped and not trainer.finished:
            start = trainer.epochs_done
            trainer.run(chunk, should_stop=check if self.replayed else self.should_stop)
            check()  # the chunk's last epoch
            last = trainer.epochs_done if found is None else found.epoch - 1
            bulk = self._by_loss(start + 1, last - (not self._whole(last)), backwards=False)
            if bulk is not None:
                found = Found(*bulk)
            chunk = min(2 * chunk, TRAIN_CHUNK)
        if found is not None:
            return found
        last = trainer.epochs_done
        return Found(last, self._last_step(last), stopped=stopped)
