"""Run a compiled program epoch after epoch, keeping just enough to replay any step.

The whole history is one float64 array: row e holds every parameter after epoch e
(row 0, the initial values), plus each epoch's loss. Showing a step of an epoch
replays that epoch from its row with the very same instructions, so going back is
exact to the bit and memory stays at a few numbers per epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .compiler import Condition, Program, Values, check_condition
from .expr import names_in
from .limits import MAX_HISTORY_BYTES
from .scenario import ScenarioError

StopReason = str  # "epochs" | "early" | "non-finite" | "breakpoint"


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
    values: tuple[object, ...]
    available: int  # number of steps of the tape this epoch reached

    def value(self, slot: int) -> object:
        return self.values[slot]


class Trainer:
    def __init__(self, program: Program) -> None:
        self.program = program
        scenario = program.scenario
        self.max_epochs = scenario.epochs
        history_bytes = (self.max_epochs + 1) * max(program.n_params, 1) * 8
        if history_bytes > MAX_HISTORY_BYTES:
            raise ScenarioError(
                scenario.places.get("training.epochs", next(iter(scenario.places.values()))),
                f"{self.max_epochs} epochs of {program.n_params} parameters need "
                f"{history_bytes / 2**20:.0f} MiB of checkpoints (at most "
                f"{MAX_HISTORY_BYTES // 2**20} MiB)",
            )
        self.history = np.empty((self.max_epochs + 1, program.n_params))
        self.history[0] = program.flatten({p.name: p.value for p in scenario.params})
        self.losses = np.full(self.max_epochs, np.nan)
        self.epochs_done = 0
        self.stop: Stop | None = None
        self.stop_rule: Condition | None = None
        if scenario.stop is not None:
            self.stop_rule = check_condition(program, scenario.stop.condition, scenario.stop.check == "after_update")
        steps = program.steps
        read = {n.id for n in names_in(scenario.stop.condition.tree)} if scenario.stop else set()
        needs_metrics = any(e.name in read for e in scenario.metrics)
        fast_phases = ("forward", "loss", "metric") if needs_metrics else ("forward", "loss")
        self._forward = [(s.slot, program.instructions[s.index]) for s in steps if s.phase in fast_phases]
        self._backward = [(s.slot, program.instructions[s.index]) for s in steps if s.phase == "backward"]
        self._last_before_backward = max(s.index for s in steps if s.phase in ("forward", "loss", "metric"))
        # Two buffers of parameters: one read by an epoch, the other written by its update.
        self._buffers = [self.history[0].copy(), self.history[0].copy()]
        self._views = [self._param_views(buffer) for buffer in self._buffers]
        self._rate = scenario.learning_rate

    def _param_views(self, row: np.ndarray) -> list[np.ndarray]:
        return [row[p.offset : p.offset + p.size].reshape(p.shape) for p in self.program.params]

    # -- running ----------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.stop is not None

    def run(self, epochs: int | None = None) -> None:
        """Train up to `epochs` more epochs (all that are left if None), or until the run stops."""
        program, rate = self.program, self._rate
        forward, backward = self._forward, self._backward
        params = program.params
        loss_slot = program.loss_slot
        rule = self.stop_rule
        last = self.max_epochs if epochs is None else min(self.max_epochs, self.epochs_done + epochs)
        with np.errstate(all="ignore"):
            while self.epochs_done < last and self.stop is None:
                epoch = self.epochs_done + 1
                current = (epoch - 1) % 2
                source, target = self._views[current], self._views[1 - current]
                vals = list(program.base)
                for p, view in zip(params, source, strict=True):
                    vals[p.slot] = view
                for slot, instruction in forward:
                    vals[slot] = instruction(vals)
                loss = float(vals[loss_slot])
                self.losses[epoch - 1] = loss
                if not math.isfinite(loss):
                    self._finish_non_finite(epoch)
                    break
                if rule is not None and not rule.after_update and rule.holds(program, vals, loss, epoch):
                    self.history[epoch] = self.history[epoch - 1]
                    self.epochs_done = epoch
                    self.stop = Stop(
                        "early",
                        epoch,
                        f"stopped early at epoch {epoch}: {rule.expression.text} (checked before the backward pass)",
                        self._last_before_backward,
                    )
                    break
                for slot, instruction in backward:
                    vals[slot] = instruction(vals)
                for p, new in zip(params, target, strict=True):
                    if p.grad_slot is None:
                        new[...] = vals[p.slot]
                    else:
                        np.subtract(vals[p.slot], rate * vals[p.grad_slot], out=new)
                row = self._buffers[1 - current]
                self.history[epoch] = row
                self.epochs_done = epoch
                if not np.isfinite(row).all():
                    self._finish_non_finite(epoch)
                    break
                if rule is not None and rule.after_update:
                    for p, new in zip(params, target, strict=True):
                        vals[p.update_slot] = new
                    if rule.holds(program, vals, loss, epoch):
                        self.stop = Stop(
                            "early",
                            epoch,
                            f"stopped early at epoch {epoch}: {rule.expression.text} (checked after the update)",
                        )
                        break
                if epoch == self.max_epochs:
                    self.stop = Stop("epochs", epoch, f"ran all {self.max_epochs} epochs")

    def _finish_non_finite(self, epoch: int) -> None:
        # The epoch counts as run (so it can be replayed and shown) but its update is not kept.
        self.epochs_done = epoch
        self.history[epoch] = self.history[epoch - 1]
        record = self.record(epoch, limit=len(self.program.steps))
        for step in self.program.steps[: record.available]:
            value = record.value(step.slot)
            if value is not None and not np.all(np.isfinite(value)):
                # One line, even for an expression written over several lines.
                label, where = " ".join(step.label.split()), " ".join(step.formula.split("   ")[0].split())
                self.stop = Stop(
                    "non-finite",
                    epoch,
                    f"non-finite value at epoch {epoch}, step {step.index + 1} ({step.phase}): {label} — {where}",
                    step.index,
                )
                return
        self.stop = Stop("non-finite", epoch, f"non-finite value at epoch {epoch}")

    # -- looking back -----------------------------------------------------------------------

    def params_after(self, epoch: int) -> dict[str, np.ndarray]:
        """Every parameter as it is after `epoch` (0: the initial values)."""
        return {name: value.copy() for name, value in self.program.unflatten(self.history[epoch]).items()}

    def steps_in(self, epoch: int) -> int:
        """How many steps of the tape `epoch` reached (all, unless the run stopped inside it)."""
        if self.stop is not None and epoch == self.stop.epoch and self.stop.step is not None:
            return self.stop.step + 1
        return len(self.program.steps)

    def record(self, epoch: int, limit: int | None = None) -> EpochRecord:
        """Replay `epoch` from its checkpoint, keeping every step's value."""
        if not 1 <= epoch <= max(self.epochs_done, 1):
            raise IndexError(f"epoch {epoch} has not been run (run so far: {self.epochs_done})")
        available = self.steps_in(epoch) if limit is None else limit
        vals = self.program.iterate(self.program.unflatten(self.history[epoch - 1]), available)
        return EpochRecord(epoch, tuple(vals), available)

    def loss_at(self, row: np.ndarray) -> float:
        """The loss for a flat row of parameters, by the same forward instructions (for finite differences)."""
        program = self.program
        vals: Values = list(program.base)
        for p, view in zip(program.params, self._param_views(row), strict=True):
            vals[p.slot] = view
        with np.errstate(all="ignore"):
            for slot, instruction in self._forward:
                vals[slot] = instruction(vals)
        return float(vals[program.loss_slot])

    def grads_at(self, epoch: int) -> dict[str, object]:
        """∂L/∂p for every parameter, as computed in `epoch` (empty if it stopped before backward)."""
        record = self.record(epoch)
        done = {s.slot for s in self.program.steps[: record.available]}
        return {
            p.name: record.value(p.grad_slot)
            for p in self.program.params
            if p.grad_slot is not None and p.grad_slot in done
        }
