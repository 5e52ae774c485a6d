"""A cursor over the timeline of (epoch, step), and the immutable snapshot it shows.

Like a browser history, the cursor only moves; the trainer behind it runs epochs
lazily as the cursor first reaches them. Whatever the cursor shows is rebuilt from
the trainer's checkpoints by replay, so the same position always gives the same
snapshot, bit for bit, however it was reached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .bookmarks import Bookmarks
from .chain import Chain, Factor, chain_for
from .checks import Checks, StepChecks
from .conditions import Condition, Verdict
from .limits import MAX_RECORD_CACHE_BYTES
from .notation import grad_symbol, local_symbol
from .tape import Step
from .trainer import EpochRecord, Stop, Trainer


@dataclass(frozen=True, order=True)
class Position:
    epoch: int  # from 1
    step: int  # index into the tape, from 0: this step has just been computed


@dataclass(frozen=True)
class ParamView:
    name: str
    value: np.ndarray  # as it stands at this step (updated once its update step has run)
    grad: np.ndarray | None  # ∂L/∂name once the backward pass has produced it this epoch
    change: np.ndarray | None  # what the last update did to it (this epoch's, once it ran)
    touched: bool  # this very step computed its gradient or updated it


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything the debugger's screen shows at one position; nothing to compute.

    Compared by identity: each move makes a new one, and it holds arrays, which have no
    single truth value to compare by."""

    title: str
    position: Position
    steps: tuple[Step, ...]
    values: tuple[np.ndarray | None, ...]  # per step: its value if computed by now this epoch
    available: int  # steps this epoch reaches
    params: tuple[ParamView, ...]
    factors: tuple[Factor, ...]  # the current step's chain rule: upstream · local = product
    chain: Chain | None  # for a parameter's gradient: the whole product, path by path
    losses: np.ndarray  # loss per epoch up to this position (so going back shows exactly what it showed)
    loss: float | None  # this epoch's loss once computed
    max_epochs: int
    stop: Stop | None  # set when the cursor stands where the run ended
    breakpoints: tuple[str, ...]  # every breakpoint, as typed
    hit: str | None  # the breakpoint that holds here, at the end of an epoch
    missed: str | None  # breakpoints that could not be checked here, and why
    bookmark: tuple[int, int] = (0, 0)  # (which bookmark this step is, from 1, or 0; how many there are)
    checks: StepChecks | None = None  # the notes' row, finite differences and the quiz at this step

    @property
    def step(self) -> Step:
        return self.steps[self.position.step]

    @property
    def value(self) -> np.ndarray | None:
        return self.values[self.position.step]


class Cursor:
    """Where the debugger stands on the timeline of (epoch, step), and the moves it can make.

    It owns the breakpoints and the bookmarks, and keeps a few replayed epochs (bounded in bytes, not in
    count: one epoch of a large model can hold hundreds of megabytes) so that moving
    within an epoch costs nothing.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.program = trainer.program
        self.breakpoints: list[Condition] = []
        self.bookmarks = Bookmarks()
        self.checks = Checks(trainer, self.record)
        self._records: OrderedDict[int, EpochRecord] = OrderedDict()
        self._cached_bytes = 0
        if trainer.epochs_done == 0:
            trainer.run(1)
        self.position = Position(1, 0)

    # -- where the timeline ends ----------------------------------------------------------

    @property
    def cached_bytes(self) -> int:
        """What the replayed epochs kept at hand hold (at most the budget, or one epoch)."""
        return self._cached_bytes

    def record(self, epoch: int) -> EpochRecord:
        record = self._records.get(epoch)
        if record is not None:
            self._records.move_to_end(epoch)
            return record
        record = self._records[epoch] = self.trainer.record(epoch)
        self._cached_bytes += record.nbytes
        while self._cached_bytes > MAX_RECORD_CACHE_BYTES and len(self._records) > 1:
            _, oldest = self._records.popitem(last=False)
            self._cached_bytes -= oldest.nbytes
        return record

    def _ensure(self, epoch: int) -> bool:
        """Run the trainer until `epoch` exists; False if the run ends before it."""
        trainer = self.trainer
        if trainer.epochs_done < epoch:
            trainer.run(epoch - trainer.epochs_done)
        return trainer.epochs_done >= epoch

    def last_step(self, epoch: int) -> int:
        return self.trainer.steps_in(epoch) - 1

    @property
    def at_end(self) -> bool:
        p = self.position
        return self.trainer.finished and p.epoch == self.trainer.epochs_done and p.step == self.last_step(p.epoch)

    # -- moving -----------------------------------------------------------------------------

    def goto(self, epoch: int, step: int) -> bool:
        """Jump to step `step` (0-based) of `epoch`, clamped to what the run reaches."""
        epoch = max(1, epoch)
        if not self._ensure(epoch):
            epoch = self.trainer.epochs_done
        step = min(max(0, step), self.last_step(epoch))
        moved = Position(epoch, step) != self.position
        self.position = Position(epoch, step)
        return moved

    def forward(self, count: int = 1) -> bool:
        moved = False
        for _ in range(count):
            epoch, step = self.position.epoch, self.position.step
            if step < self.last_step(epoch):
                self.position = Position(epoch, step + 1)
            elif self._ensure(epoch + 1):
                self.position = Position(epoch + 1, 0)
            else:
                break
            moved = True
        return moved

    def back(self, count: int = 1) -> bool:
        moved = False
        for _ in range(count):
            epoch, step = self.position.epoch, self.position.step
            if step > 0:
                self.position = Position(epoch, step - 1)
            elif epoch > 1:
                self.position = Position(epoch - 1, self.last_step(epoch - 1))
            else:
                break
            moved = True
        return moved

    def _phase_starts(self, epoch: int) -> list[int]:
        steps = self.program.steps[: self.last_step(epoch) + 1]
        return [s.index for s in steps if s.index == 0 or steps[s.index - 1].phase != s.phase]

    def next_phase(self) -> bool:
        epoch, step = self.position.epoch, self.position.step
        later = [i for i in self._phase_starts(epoch) if i > step]
        if later:
            return self.goto(epoch, later[0])
        return self.next_epoch()

    def prev_phase(self) -> bool:
        epoch, step = self.position.epoch, self.position.step
        earlier = [i for i in self._phase_starts(epoch) if i < step]
        if earlier:
            return self.goto(epoch, earlier[-1])
        if epoch > 1:
            return self.goto(epoch - 1, self._phase_starts(epoch - 1)[-1])
        return False

    def next_epoch(self) -> bool:
        if not self._ensure(self.position.epoch + 1):
            return self.goto(self.position.epoch, self.last_step(self.position.epoch))
        return self.goto(self.position.epoch + 1, 0)

    def prev_epoch(self) -> bool:
        if self.position.step > 0:
            return self.goto(self.position.epoch, 0)
        return self.goto(self.position.epoch - 1, 0) if self.position.epoch > 1 else False

    def rewind(self) -> bool:
        return self.goto(1, 0)

    def to_end(self) -> bool:
        self.trainer.run()
        last = self.trainer.epochs_done
        return self.goto(last, self.last_step(last))

    def run_until(self, max_epochs: int | None = None) -> Condition | None:
        """Run on, a whole epoch at a time, until a breakpoint holds at the end of one.

        Returns the breakpoint that held (the cursor then stands on that epoch's last step),
        or None when the run ended or `max_epochs` more epochs went by first.
        """
        epoch = self.position.epoch
        limit = self.trainer.max_epochs if max_epochs is None else epoch + max_epochs
        hit = None
        while hit is None and epoch < limit and self._ensure(epoch + 1):
            epoch += 1
            hit = self.breakpoint_at(epoch)
        self.goto(epoch, self.last_step(epoch))
        return hit

    def breakpoint_at(self, epoch: int) -> Condition | None:
        """The first breakpoint that holds at the end of `epoch`, if any."""
        return next((c for c, verdict in self._verdicts(epoch) if verdict.holds), None)

    def _verdicts(self, epoch: int) -> list[tuple[Condition, Verdict]]:
        if not self.breakpoints:
            return []
        record = self.record(epoch)
        loss = float(self.trainer.losses[epoch - 1])
        values = list(record.values)
        return [(c, c.check(self.program, values, loss, epoch)) for c in self.breakpoints]

    # -- what is shown ----------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        trainer, program = self.trainer, self.program
        epoch, index = self.position.epoch, self.position.step
        record = self.record(epoch)
        steps = program.steps
        values = tuple(record.value(s.slot) if s.index <= index else None for s in steps)
        done = {s.slot for s in steps[: index + 1]}
        done |= {slot for slot, value in enumerate(record.values) if program.base[slot] is not None}
        current = steps[index]
        params = []
        previous = program.unflatten(trainer.row(epoch - 2)) if epoch > 1 else None
        for i, p in enumerate(program.row_items):
            updated = p.update_slot in done
            before = record.value(p.slot)
            value = record.value(p.update_slot) if updated else before
            grad = record.value(p.grad_slot) if p.grad_slot in done else None
            if updated:
                change = value - before
            elif previous is not None:
                change = before - previous[i]
            else:
                change = None
            touched = current.slot in (p.update_slot, p.grad_slot)
            params.append(ParamView(p.name, value, grad, change, touched))
        loss = float(trainer.losses[epoch - 1]) if program.loss_slot in done else None
        last = index == self.last_step(epoch)
        stop = trainer.stop if trainer.finished and epoch == trainer.epochs_done and last else None
        verdicts = self._verdicts(epoch) if last else []
        hit = next((c.text for c, verdict in verdicts if verdict.holds), None)
        missed = "; ".join(
            f"{c.text} not checked: epoch {epoch} never computed {', '.join(v.missing)}"
            for c, v in verdicts
            if v.missing
        )
        return Snapshot(
            title=program.scenario.title,
            position=self.position,
            steps=steps,
            values=values,
            available=record.available,
            params=tuple(params),
            factors=self._factors(current, record),
            chain=chain_for(program, current, record.values),
            losses=_read_only(trainer.losses[: epoch if loss is not None else epoch - 1]),
            loss=loss,
            max_epochs=trainer.max_epochs,
            stop=stop,
            breakpoints=tuple(c.text for c in self.breakpoints),
            hit=hit,
            missed=missed or None,
            bookmark=(self.bookmarks.number(self.position), len(self.bookmarks)),
            checks=self.checks.at(epoch, current, record),
        )

    def _factors(self, step: Step, record: EpochRecord) -> tuple[Factor, ...]:
        info = step.backward
        if info is None:
            return ()
        loss = self.program.scenario.loss.name
        upstream = Factor(grad_symbol(loss, info.output), "", record.value(info.upstream_slot))
        local_value = info.local(list(record.values)) if info.local is not None else None
        local = Factor(
            local_symbol(info.output, info.target),
            info.local_formula,
            None if local_value is None else np.asarray(local_value),
        )
        product = Factor(grad_symbol(loss, info.target), "", record.value(info.contribution_slot))
        return (upstream, local, product)


def _read_only(view: np.ndarray) -> np.ndarray:
    """A view the snapshot's readers cannot write through (the trainer only ever adds later epochs)."""
    view.flags.writeable = False
    return view
