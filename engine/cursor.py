"""A cursor over the timeline of (epoch, step), and the immutable snapshot it shows.

In the named view it moves from one named quantity to the next (z1, a1, …, ∂L/∂z2, …),
the sub-expression steps between them folded inside (see named.py). The snapshot at a
position is built by showing.py.

Like a browser history, the cursor only moves; the trainer behind it runs epochs
lazily as the cursor first reaches them. Whatever the cursor shows is rebuilt from
the trainer's checkpoints by replay, so the same position always gives the same
snapshot, bit for bit, however it was reached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from .bookmarks import Bookmarks
from .breakpoints import Watch, watch
from .checks import Checks
from .conditions import Condition, file_breakpoints
from .limits import MAX_RECORD_CACHE_BYTES
from .named import stops
from .search import Found, Search
from .showing import Showing
from .snapshot import ParamView, Position, Snapshot
from .trainer import EpochRecord, Trainer

if TYPE_CHECKING:
    from .figures import Figures

__all__ = ["Cursor", "ParamView", "Position", "Snapshot"]


class Cursor:
    """Where the debugger stands on the timeline of (epoch, step), and the moves it can make.

    It owns the breakpoints and the bookmarks, and keeps a few replayed epochs (bounded in bytes, not in
    count: one epoch of a large model can hold hundreds of megabytes) so that moving
    within an epoch costs nothing.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.program = trainer.program
        self.breakpoints: list[Condition] = file_breakpoints(self.program)  # the scenario's own, to begin with
        self.bookmarks = Bookmarks()
        self._watches: dict[int, Watch] = {}
        self.checks = Checks(trainer, self.record)
        self._records: OrderedDict[int, EpochRecord] = OrderedDict()
        self._cached_bytes = 0
        self.shown = Showing(trainer, self.checks)
        self.derivation = self.shown.derivation
        self.show_figure = False  # figures and the graph are made only while shown
        self.show_graph = False
        # The app makes a slow figure in a worker (Snapshot.figure_pending); headless, every
        # snapshot holds its figure.
        self.defer_figures = False
        if trainer.epochs_done == 0:
            trainer.run(1)
        self.position = Position(1, 0)
        self.stops = stops(self.program)
        self.named_view = False

    # -- the named view ---------------------------------------------------------------------

    @property
    def named_is_shorter(self) -> bool:
        """The named view is the default wherever it has fewer steps than the whole tape."""
        return len(self.stops) < len(self.program.steps)

    def set_named_view(self, on: bool) -> None:
        """Show the named view (or the whole tape); the cursor moves to the named step that folds it in."""
        self.named_view = on
        self._land(self.position.epoch, self.position.step)

    def _stop_at_or_after(self, epoch: int, step: int) -> int:
        """The named step that folds `step` in (itself, if it is one); the plain tape keeps `step`."""
        last = self.last_step(epoch)
        if not self.named_view:
            return min(step, last)
        return min(next((s for s in self.stops if s >= step), last), last)

    def _land(self, epoch: int, step: int) -> bool:
        """Go to a step, and in the named view on to the named step that folds it in."""
        moved = self.goto(epoch, step)
        settled = self._stop_at_or_after(self.position.epoch, self.position.step)
        return self.goto(self.position.epoch, settled) or moved

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
                self.position = Position(epoch, self._stop_at_or_after(epoch, step + 1))
            elif self._ensure(epoch + 1):
                self.position = Position(epoch + 1, self._stop_at_or_after(epoch + 1, 0))
            else:
                break
            moved = True
        return moved

    def back(self, count: int = 1) -> bool:
        moved = False
        for _ in range(count):
            epoch, step = self.position.epoch, self.position.step
            earlier = [s for s in self.stops if s < step] if self.named_view else [step - 1]
            if step > 0 and earlier:
                self.position = Position(epoch, earlier[-1])
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
        later = [i for i in self._phase_starts(epoch) if i > step and self._stop_at_or_after(epoch, i) > step]
        if later:
            return self._land(epoch, later[0])
        return self.next_epoch()

    def prev_phase(self) -> bool:
        epoch, step = self.position.epoch, self.position.step
        earlier = [i for i in self._phase_starts(epoch) if self._stop_at_or_after(epoch, i) < step]
        if earlier:
            return self._land(epoch, earlier[-1])
        if epoch > 1:
            return self._land(epoch - 1, self._phase_starts(epoch - 1)[-1])
        return False

    def next_epoch(self) -> bool:
        if not self._ensure(self.position.epoch + 1):
            return self.goto(self.position.epoch, self.last_step(self.position.epoch))
        return self._land(self.position.epoch + 1, 0)

    def prev_epoch(self) -> bool:
        first = self._stop_at_or_after(self.position.epoch, 0)
        if self.position.step > first:
            return self.goto(self.position.epoch, first)
        return self._land(self.position.epoch - 1, 0) if self.position.epoch > 1 else False

    def rewind(self) -> bool:
        return self._land(1, 0)

    def to_end(self) -> bool:
        self.trainer.run()
        last = self.trainer.epochs_done
        return self.goto(last, self.last_step(last))

    # -- breakpoints -----------------------------------------------------------------------

    def watches(self) -> list[Watch]:
        """Every breakpoint with the steps at which it is evaluated (worked out once per breakpoint)."""
        found = []
        for condition in self.breakpoints:
            known = self._watches.get(id(condition))
            if known is None or known.condition is not condition:
                known = self._watches[id(condition)] = watch(self.program, condition)
            found.append(known)
        return found

    def search(
        self,
        forward: bool = True,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Found:
        """Where the next (forward) or previous breakpoint hit is, without moving there.

        Forward, epochs not yet run are trained; with no hit, the search ends at the end of the
        run (backward: at its first step). It reads the trainer and the epochs kept at hand but
        changes nothing else of the cursor's, so it can run in a worker.
        """
        search = Search(self.trainer, self.watches(), self._any_record, should_stop, progress)
        p = self.position
        return search.forward(p.epoch, p.step) if forward else search.backward(p.epoch, p.step)

    def next_hit(self) -> Condition | None:
        """Go to the next step where a breakpoint holds (None: there is none; the cursor is at the end)."""
        return self.arrive(self.search(forward=True))

    def prev_hit(self) -> Condition | None:
        """Go to the previous step where a breakpoint holds (None: there is none; the cursor is at the
        start, where `r` goes: in the named view its first named step)."""
        return self.arrive(self.search(forward=False))

    def arrive(self, found: Found) -> Condition | None:
        """Stand where a search or a run ended. A hit is shown exactly where the condition holds,
        even inside a named step; anywhere else (the start, the end, where a run was stopped) the
        named view stands on the named step that folds the place in, as `r` and `G` do."""
        if found.condition is None:
            self._land(found.epoch, found.step)
        else:
            self.goto(found.epoch, found.step)
        return found.condition

    def advance(self, count: int) -> bool:
        """Up to `count` steps forward, stopping at a breakpoint hit on the way; False if it stopped
        short of `count` (at a hit, or at the end of the run), so a run in the debugger pauses."""
        start = self.position
        moved = self.forward(count)
        if not moved or not self.breakpoints:
            return moved
        target = self.position
        until = (target.epoch, target.step)
        found = Search(self.trainer, self.watches(), self._any_record).forward(start.epoch, start.step, until)
        self.position = Position(found.epoch, found.step)
        return found.condition is None

    def _any_record(self, epoch: int) -> EpochRecord:
        """An epoch's values for a search: kept at hand, or replayed without keeping it."""
        return self._records.get(epoch) or self.trainer.record(epoch)

    # -- what is shown ----------------------------------------------------------------------

    @property
    def figures(self) -> Figures:
        """The figure maker, made on first use (it finds out whether the model is a classifier)."""
        return self.shown.figures

    def snapshot(self) -> Snapshot:
        """Everything shown where the cursor stands (showing.py builds it)."""
        return self.shown.snapshot(
            self.position,
            self.record(self.position.epoch),
            named_view=self.named_view,
            stops=self.stops,
            watches=self.watches(),
            bookmark=(self.bookmarks.number(self.position), len(self.bookmarks)),
            figure=self.show_figure,
            graph=self.show_graph,
            defer_figure=self.defer_figures,
        )
