"""Run a compiled program epoch after epoch, keeping just enough to replay any step.

Every parameter is kept, as one flat row, after every k-th epoch (a checkpoint; row 0
holds the initial values), with k the smallest spacing whose rows fit the memory
budget, plus each epoch's loss. The parameters after any other epoch are found by
training on from the checkpoint before it, and any step of an epoch by replaying that
epoch, all with the very same instructions: going back is exact to the bit, and memory
does not grow with epochs × parameters.

Every value an epoch computes is watched: NumPy reports each overflow or invalid
operation as it happens, and only an epoch that raised one is searched for the first
non-finite value, so watching costs next to nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .limits import CHECKPOINT_BYTES, RECENT_ROW_BYTES, memory_text
from .scenario import Place, ScenarioError
from .tape import Program, Values

StopReason = Literal["epochs", "early", "non-finite"]


@dataclass(frozen=True)
class Stop:
    reason: StopReason
    epoch: int
    message: str
    step: int | None = None  # the step the run ended on, when not the end of the epoch


@dataclass(frozen=True)
class EpochRecord:
    """Every value of one epoch's tape, up to the step where the epoch ended."""

    epoch: int
    values: tuple[Any, ...]
    available: int  # number of steps of the tape this epoch reached

    def value(self, slot: int) -> Any:
        return self.values[slot]

    def gradients(self, program: Program) -> dict[str, Any]:
        """∂L/∂p for every parameter, as this epoch computed it (none if it stopped before backward)."""
        found = {p.name: self.values[p.grad_slot] for p in program.params if p.grad_slot is not None}
        return {name: value for name, value in found.items() if value is not None}  # a slot not reached is None

    @property
    def nbytes(self) -> int:
        return sum(np.asarray(v).nbytes for v in self.values if v is not None)


class _FloatingPointFlags:
    """Set when NumPy reports an overflow or an invalid operation (inf − inf, 0/0, log of −1)."""

    def __init__(self) -> None:
        self.raised = False

    def __call__(self, kind: str, flag: int) -> None:
        self.raised = True


class Trainer:
    """Trains a program lazily, as far as it is asked, and replays any epoch it has run."""

    def __init__(self, program: Program, memory: int = CHECKPOINT_BYTES) -> None:
        self.program, self.memory = program, memory
        scenario = program.scenario
        self.max_epochs = scenario.epochs
        fit = max(memory // (8 * max(program.row_size, 1)), 2)  # rows that fit the budget
        self.spacing = -(-self.max_epochs // (fit - 1))  # checkpoints at 0, k, 2k, … up to max_epochs
        rows = self.max_epochs // self.spacing + 1
        try:
            self.checkpoints = np.empty((rows, program.row_size))
        except MemoryError:  # a budget above what the machine has, asked of a long run of a large model
            needed = memory_text(8 * rows * program.row_size)
            raise ScenarioError(
                Place(str(scenario.path), 1, 1, "--memory"),
                f"{memory_text(memory)} of checkpoints, as asked, would hold {rows:,} rows of {program.row_size:,} "
                f"parameters ({needed}), more than this machine can reserve: give a smaller --memory, such as the "
                "default 256MiB",
            ) from None
        self.checkpoints[0] = program.initial_row()
        # Each parameter's (and state's) column of the checkpoints, in its own shape (views: reshape
        # refuses to copy): an epoch whose row is a checkpoint puts each value straight into place.
        self._columns = [
            self.checkpoints[:, p.offset : p.offset + p.size].reshape((-1, *p.shape), copy=False)
            for p in program.row_items
        ]
        self._ones = np.ones(program.row_size)  # row @ ones is the row's sum, one call
        self._latest: tuple[int, np.ndarray] = (
            0,
            self.checkpoints[0],
        )  # the row after the last epoch run, to train on from
        self._recent: dict[int, np.ndarray] = {}  # rows found by training on from a checkpoint
        self.losses = np.full(self.max_epochs, np.nan)
        # Each single-number metric per epoch, as the loss is kept, for the debugger's plot.
        shapes = {step.slot: step.shape for step in program.steps}
        self.metric_slots = {
            m.name: program.named[m.name] for m in scenario.metrics if shapes.get(program.named[m.name]) == ()
        }
        self.metrics = {name: np.full(self.max_epochs, np.nan) for name in self.metric_slots}
        self._metric_series = [(self.metrics[name], slot) for name, slot in self.metric_slots.items()]
        self.epochs_done = 0
        self.stop: Stop | None = None
        self._carried: Sequence[Any] = [value.copy() for value in program.unflatten(self.checkpoints[0])]
        self._flags = _FloatingPointFlags()
        #: Called with each epoch's values as it is trained (a derivation check reads them there,
        #: rather than replaying every epoch again).
        self.observe: Callable[[int, Values], None] | None = None
        self.last_values: Values = []  # every value of the latest epoch run, for breakpoints to check

    # -- running ----------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.stop is not None

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] | None = None) -> None:
        """Train up to `epochs` more epochs (all that are left if None), or until the run stops.

        `should_stop` is asked before each epoch, so a run in the background can be stopped
        between any two epochs, however many were asked for.
        """
        last = self.max_epochs if epochs is None else min(self.max_epochs, self.epochs_done + epochs)
        with np.errstate(all="call", under="ignore", call=self._flags):
            while self.epochs_done < last and self.stop is None:
                if should_stop is not None and should_stop():
                    return
                self._epoch(self.epochs_done + 1)

    def _epoch(self, epoch: int) -> None:
        program, flags = self.program, self._flags
        rule = program.stop_rule
        vals = self.last_values = program.start(self._carried, epoch)
        # The whole tape in one go, unless a stop rule is checked before the backward pass: a fault
        # is the first non-finite value in the tape's order either way.
        before = rule is not None and not rule.after_update
        reached = program.backward_start if before else program.length
        program.run(vals, 0, reached)
        loss = self.losses[epoch - 1] = float(vals[program.loss_slot])
        for series, slot in self._metric_series:
            series[epoch - 1] = vals[slot]
        if (flags.raised or not math.isfinite(loss)) and self._non_finite(epoch, vals, reached):
            return
        if before and rule is not None and rule.holds(program, vals, loss, epoch):
            if self.observe is not None:
                self.observe(epoch, vals)
            self._end_epoch_early(epoch)
            self.stop = Stop(
                "early",
                epoch,
                f"stopped early at epoch {epoch}: {rule.text} (checked before the backward pass)",
                program.backward_start - 1,
            )
            return
        if before:
            program.run(vals, program.backward_start, program.length)
        carried = program.updated(vals)
        # Straight into its checkpoint row when it is one (a fault found below puts the last one back).
        kept, spacing = divmod(epoch, self.spacing)
        if spacing:
            row = program.flatten(carried)
        else:
            row = self.checkpoints[kept]
            for column, value in zip(self._columns, carried):  # noqa: B905 (one column per value, by construction)
                column[kept] = value
        # A sum is finite only if every number is; an overflowing sum just searches the epoch.
        # `@`, not `row.dot`: dot lets go of the interpreter lock around its BLAS call however short
        # the row, and a thread waiting for the lock (one drawing a screen while this trains in a
        # worker thread) is woken at every such release, only to find it taken again.
        if (flags.raised or not math.isfinite(row @ self._ones)) and self._non_finite(epoch, vals, program.length):
            return
        if self.observe is not None:
            self.observe(epoch, vals)
        self._carried, self._latest, self.epochs_done = carried, (epoch, row), epoch
        if rule is not None and rule.after_update and rule.holds(program, vals, loss, epoch):
            self.stop = Stop("early", epoch, f"stopped early at epoch {epoch}: {rule.text} (checked after the update)")
        elif epoch == self.max_epochs:
            self.stop = Stop("epochs", epoch, f"ran all {self.max_epochs} epochs")

    def _end_epoch_early(self, epoch: int) -> None:
        """The epoch counts as run (so it can be replayed and shown), but it made no update."""
        self._keep(epoch, self.row(epoch - 1))
        self.epochs_done = epoch

    def _keep(self, epoch: int, row: np.ndarray) -> None:
        """The row after the latest epoch is always at hand; every k-th is a checkpoint (an epoch
        that ran to its end has already written both)."""
        if epoch % self.spacing == 0:
            self.checkpoints[epoch // self.spacing] = row
        self._latest = (epoch, row)

    def _remember(self, epoch: int, row: np.ndarray) -> None:
        """Keep a row found by training on, letting go of the least recently used beyond the budget:
        stepping back through a stretch between checkpoints then trains it once, not once a step."""
        self._recent[epoch] = row
        while len(self._recent) > 4 and len(self._recent) * row.nbytes > RECENT_ROW_BYTES:
            del self._recent[next(iter(self._recent))]

    def _non_finite(self, epoch: int, vals: Values, reached: int) -> bool:
        """After NumPy flagged a fault: stop at the first step whose value is not finite, if any.

        A flag alone is no fault: the notes' sigmoid overflows e^−z on purpose to give exactly 0.
        """
        self._flags.raised = False
        for step in self.program.steps[:reached]:
            value = vals[step.slot]
            if value is not None and not np.all(np.isfinite(value)):
                self._end_epoch_early(epoch)
                # One line, even for an expression written over several lines.
                label, where = " ".join(step.label.split()), " ".join(step.formula.split("   ")[0].split())
                what = label if where == f"{label} = {label}" else f"{label} — {where}"  # never y² — y² = y²
                message = f"non-finite value at epoch {epoch}, step {step.index + 1} ({step.phase}): {what}"
                self.stop = Stop("non-finite", epoch, message, step.index)
                return True
        return False

    # -- looking back -----------------------------------------------------------------------

    def row(self, epoch: int) -> np.ndarray:
        """Every parameter after `epoch` (0: the initial values) as one flat row; do not modify it.

        Trained on from the nearest checkpoint or remembered row before it, by the same
        instructions as the run, so the bits are the run's.
        """
        if not 0 <= epoch <= self.epochs_done:
            raise IndexError(f"epoch {epoch} has not been run (run so far: {self.epochs_done})")
        if epoch in self._recent:
            self._recent[epoch] = self._recent.pop(epoch)  # used again: the last to be let go
            return self._recent[epoch]
        known = {**self._recent, self._latest[0]: self._latest[1]}
        if epoch in known:
            return known[epoch]
        if epoch % self.spacing == 0:
            row: np.ndarray = self.checkpoints[epoch // self.spacing]
            return row
        start = max([e for e in known if e < epoch] + [epoch // self.spacing * self.spacing])
        row = known[start] if start in known else self.checkpoints[start // self.spacing]
        program = self.program
        with np.errstate(all="ignore"):
            for e in range(start + 1, epoch + 1):
                vals = program.start(program.unflatten(row), e)
                program.run(vals, 0, program.length)
                row = program.flatten(program.updated(vals))
                self._remember(e, row)
        return row

    def params_after(self, epoch: int) -> dict[str, np.ndarray]:
        """Every parameter as it is after `epoch` (0: the initial values)."""
        row = self.program.unflatten(self.row(epoch))
        return {p.name: value.copy() for p, value in zip(self.program.params, row, strict=False)}  # then the states

    def steps_in(self, epoch: int) -> int:
        """How many steps of the tape `epoch` reached (all, unless the run stopped inside it)."""
        if self.stop is not None and epoch == self.stop.epoch and self.stop.step is not None:
            return self.stop.step + 1
        return len(self.program.steps)

    def record(self, epoch: int) -> EpochRecord:
        """Replay `epoch` from its checkpoint, keeping every step's value."""
        if not 1 <= epoch <= max(self.epochs_done, 1):
            raise IndexError(f"epoch {epoch} has not been run (run so far: {self.epochs_done})")
        available = self.steps_in(epoch)
        vals = self.program.replay(self.program.unflatten(self.row(epoch - 1)), available, epoch)
        return EpochRecord(epoch, tuple(vals), available)

    def loss_at(self, row: np.ndarray) -> float:
        """The loss for a flat row of parameters, by the same forward instructions (for finite differences)."""
        program = self.program
        vals = program.start(program.unflatten(row), 1)
        with np.errstate(all="ignore"):
            program.run(vals, 0, program.loss_end)
        return float(vals[program.loss_slot])

    def grads_at(self, epoch: int) -> dict[str, object]:
        """∂L/∂p for every parameter, as computed in `epoch` (empty if it stopped before backward)."""
        return self.record(epoch).gradients(self.program)
