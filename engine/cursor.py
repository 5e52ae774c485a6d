"""A cursor over the timeline of (epoch, step), and the immutable snapshot it shows.

In the named view it moves from one named quantity to the next (z1, a1, …, ∂L/∂z2, …),
the sub-expression steps between them folded inside (see named.py).

Like a browser history, the cursor only moves; the trainer behind it runs epochs
lazily as the cursor first reaches them. Whatever the cursor shows is rebuilt from
the trainer's checkpoints by replay, so the same position always gives the same
snapshot, bit for bit, however it was reached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from .bookmarks import Bookmarks
from .breakpoints import Watch, watch
from .chain import chain_for
from .checks import Checks
from .conditions import Condition
from .derivation import Derivation, Outcome
from .derivation_marks import DerivationMark, marks_for
from .figures import Figures
from .graph import Graph, GraphView, build_graph, graph_view
from .limits import MAX_RECORD_CACHE_BYTES
from .lines import Line, backward_line, forward_line
from .named import folded_line, inside, stops
from .search import Found, Search
from .snapshot import ParamView, Position, Snapshot
from .tape import Step
from .trainer import EpochRecord, Trainer

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
        self.breakpoints: list[Condition] = []
        self.bookmarks = Bookmarks()
        self._watches: dict[int, Watch] = {}
        self.checks = Checks(trainer, self.record)
        self._records: OrderedDict[int, EpochRecord] = OrderedDict()
        self._cached_bytes = 0
        self.derivation = Derivation(self.program) if self.program.scenario.derivation else None
        self._outcomes: OrderedDict[int, list[Outcome]] = OrderedDict()  # per epoch, a few kept
        self.show_figure = False  # figures and the graph are made only while shown
        self.show_graph = False
        self._figures: Figures | None = None
        self._graph: Graph | None = None
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

    @property
    def figures(self) -> Figures:
        """The figure maker, made on first use (it finds out whether the model is a classifier)."""
        if self._figures is None:
            self._figures = Figures(self.trainer)
        return self._figures

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
        found = self.search(forward=True)
        self.goto(found.epoch, found.step)
        return found.condition

    def prev_hit(self) -> Condition | None:
        """Go to the previous step where a breakpoint holds (None: there is none; the cursor is at the start)."""
        found = self.search(forward=False)
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

    def snapshot(self) -> Snapshot:
        trainer, program = self.trainer, self.program
        epoch, index = self.position.epoch, self.position.step
        record = self.record(epoch)
        steps = program.steps
        values = tuple(record.value(s.slot) if s.index <= index else None for s in steps)
        done = {s.slot for s in steps[: index + 1]}
        done |= {slot for slot, value in enumerate(record.values) if program.base[slot] is not None}
        current = steps[index]
        values_now = list(record.values)
        folded = self.named_view and index in self.stops
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
        watches = self.watches()
        hits = tuple(
            w.text for w in watches if index in w.steps_in(epoch) and w.holds_at(program, record.values, index, epoch)
        )
        ended = last and record.available < len(steps)  # the epoch stopped before the end of the tape
        missed = "; ".join(
            f"{w.text} not checked: epoch {epoch} never computed {', '.join(names)}"
            for w in watches
            if ended and (names := w.missed(record.available))
        )
        return Snapshot(
            title=program.scenario.title,
            position=self.position,
            steps=steps,
            values=values,
            available=record.available,
            params=tuple(params),
            line=self._line(current, values_now),
            inside=inside(program, current, values_now, self.stops) if folded else (),
            chain=chain_for(program, current, record.values),
            losses=_read_only(trainer.losses[: epoch if loss is not None else epoch - 1]),
            metrics=tuple(
                (name, _read_only(kept[: epoch if trainer.metric_slots[name] in done else epoch - 1]))
                for name, kept in trainer.metrics.items()
            ),
            loss=loss,
            max_epochs=trainer.max_epochs,
            stop=stop,
            breakpoints=tuple(c.text for c in self.breakpoints),
            hit=hits[0] if hits else None,
            hits=hits,
            missed=missed or None,
            bookmark=(self.bookmarks.number(self.position), len(self.bookmarks)),
            marks=self._marks(epoch, record, index),
            named_view=self.named_view,
            stops=self.stops,
            figure=self.figures.at(epoch, {p.name: p.value for p in params}) if self.show_figure else None,
            graph=self._graph_at(index, record) if self.show_graph else None,
            checks=self.checks.at(epoch, current, record),
        )

    def _graph_at(self, index: int, record: EpochRecord) -> GraphView:
        if self._graph is None:
            self._graph = build_graph(self.program)
        return graph_view(self.program, self._graph, record.values, index)

    def _marks(self, epoch: int, record: EpochRecord, reached: int) -> tuple[DerivationMark, ...]:
        """The derivation's entries at this epoch, evaluated once per epoch (a few epochs kept)."""
        if self.derivation is None:
            return ()
        outcomes = self._outcomes.get(epoch)
        if outcomes is None:
            outcomes = self._outcomes[epoch] = self.derivation.outcomes(record.values)
            while len(self._outcomes) > 4:
                self._outcomes.popitem(last=False)
        return marks_for(self.derivation, outcomes, reached)

    def _line(self, step: Step, values: list[object]) -> Line | None:
        """The step written out: whole, over named quantities, where the named view stops at it."""
        if self.named_view and step.index in self.stops:
            return folded_line(self.program, step, values)
        if step.backward is not None:
            return backward_line(step, values, self.program.scenario.loss.name)
        return forward_line(step, values, folded=False)


def _read_only(view: np.ndarray) -> np.ndarray:
    """A view the snapshot's readers cannot write through (the trainer only ever adds later epochs)."""
    view.flags.writeable = False
    return view
