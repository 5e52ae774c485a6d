"""The search for the next or previous step where a breakpoint holds, over the epochs already
run (replayed, or from the losses the trainer keeps) and, forward, the epochs still to train.

See breakpoints.py for where a breakpoint is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .breakpoints import TRAIN_CHUNK, Stack, Watch
from .conditions import Condition
from .evaluate import evaluate
from .trainer import EpochRecord, Trainer


@dataclass(frozen=True)
class Found:
    """Where a search ended: at a hit, at the end of what it could search, or where it was stopped."""

    epoch: int
    step: int
    condition: Condition | None = None
    stopped: bool = False


Records = Callable[[int], EpochRecord]


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
        """Train on, a chunk of epochs at a time. A breakpoint that can be stacked keeps what it reads
        from each epoch training runs and is evaluated for the whole chunk at once, as are the
        loss-and-epoch ones; any other is evaluated on each epoch's values as training leaves them."""
        trainer = self.trainer
        checked = trainer.epochs_done
        found: tuple[int, int, Condition] | None = None
        stopped = False
        stacks = {id(w): Stack(self.program, w) for w in self.replayed if w.stacks}

        def check() -> bool:
            """Asked by the trainer before each epoch: look at the one just run."""
            nonlocal checked, found, stopped
            epoch = trainer.epochs_done
            if epoch > checked:
                checked = epoch
                vals = trainer.last_values
                if not self._whole(epoch) or epoch == 1:
                    watches = self.watches
                else:
                    watches = []
                    for w in self.replayed:
                        stack = stacks.get(id(w))
                        if stack is not None and stack.add(epoch, vals):
                            continue
                        if stack is not None:
                            del stacks[id(w)]  # too large to keep for a chunk: evaluated epoch by epoch
                        watches.append(w)
                if watches:
                    everything = len(self.program.steps)
                    hit = self.in_epoch(epoch, 0, everything, watches, vals)
                    if hit is not None and watches is not self.watches:  # another may hold before it
                        hit = self.in_epoch(epoch, 0, everything, self.watches, vals)
                    found = (epoch, *hit) if hit is not None else None
                self.progress(epoch)
            stopped = found is None and self.should_stop()
            return found is not None or stopped

        chunk = 1
        while found is None and not stopped and not trainer.finished:
            start = trainer.epochs_done
            trainer.run(chunk, should_stop=check if self.replayed else self.should_stop)
            check()  # the chunk's last epoch
            last = trainer.epochs_done if found is None else found[0] - 1
            candidates = [found, self._by_loss(start + 1, last - (not self._whole(last)), backwards=False)]
            candidates += [stack.first_hit() for stack in stacks.values()]
            hits = [hit for hit in candidates if hit is not None]
            found = min(hits, key=lambda hit: hit[:2]) if hits else None
            chunk = min(2 * chunk, TRAIN_CHUNK)
        if found is not None:
            return Found(*found)
        last = trainer.epochs_done
        return Found(last, self._last_step(last), stopped=stopped)
