"""What the debugger shows where the cursor stands: the `Snapshot`, built from one epoch's values.

The cursor decides where it stands; this turns that place into everything a screen shows,
and keeps what is made once rather than per step: the graph, the figure maker, and the
derivation's outcomes for the last few epochs. The figure's and the graph's modules load
when one is first shown, so a debugger that never shows them starts without them.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .breakpoints import Watch
from .chain import Chain, chain_param, param_chain
from .checks import Checks
from .derivation import Derivation, Outcome
from .derivation_marks import DerivationMark, marks_for
from .lines import Line, backward_line, forward_line
from .named import folded_line, inside
from .snapshot import ParamView, Position, Snapshot
from .tape import Program, Step
from .trainer import EpochRecord, Trainer

if TYPE_CHECKING:
    from .figures import Figure, FigureJob, Figures
    from .graph import Graph, GraphView

KEPT_OUTCOMES = 4  # epochs whose derivation outcomes are kept: moving within one costs nothing


class Showing:
    """Builds the snapshot at a position; the cursor says where, and which views are on."""

    def __init__(self, trainer: Trainer, checks: Checks) -> None:
        self.trainer = trainer
        self.program = trainer.program
        self.checks = checks
        self.derivation = Derivation(self.program) if self.program.scenario.derivation else None
        self._outcomes: OrderedDict[int, list[Outcome]] = OrderedDict()  # per epoch, a few kept
        # The chain rules made from one epoch's record, by parameter: a parameter's gradient step
        # and its update show the same chain, and stepping back and forth shows it again.
        self._chains: tuple[EpochRecord | None, dict[int, Chain]] = (None, {})

    @cached_property
    def figures(self) -> Figures:
        """The figure maker, made on first use (it finds out whether the model is a classifier)."""
        from .figures import Figures

        return Figures(self.trainer)

    @cached_property
    def graph(self) -> Graph:
        """The computation graph, made on first use (only while the graph is shown)."""
        from .graph import build_graph

        return build_graph(self.program)

    def snapshot(
        self,
        position: Position,
        record: EpochRecord,
        *,
        named_view: bool,
        stops: tuple[int, ...],
        watches: list[Watch],
        bookmark: tuple[int, int],
        figure: bool,
        graph: bool,
        defer_figure: bool = False,
    ) -> Snapshot:
        """Everything shown at `position`, from its epoch's `record`; figures and the graph only when on.

        With `defer_figure`, a slow figure not made yet is left out, and its job put in its place
        (figure_pending) for the caller to make elsewhere.
        """
        trainer, program = self.trainer, self.program
        epoch, index = position.epoch, position.step
        steps = program.steps
        values = tuple(record.value(s.slot) if s.index <= index else None for s in steps)
        done = {s.slot for s in steps[: index + 1]}
        done |= {slot for slot, value in enumerate(record.values) if program.base[slot] is not None}
        current = steps[index]
        values_now = list(record.values)
        folded = named_view and index in stops
        params = self._params(epoch, record, done, current)
        loss = float(trainer.losses[epoch - 1]) if program.loss_slot in done else None
        last = index == trainer.steps_in(epoch) - 1
        stop = trainer.stop if trainer.finished and epoch == trainer.epochs_done and last else None
        outcomes = [(w, w.outcome(program, record.values, index, epoch)) for w in watches if index in w.steps_in(epoch)]
        hits = tuple(w.text for w, holds in outcomes if holds is True)
        made, pending = self._figure(epoch, params, defer_figure) if figure else (None, None)
        ended = last and record.available < len(steps)  # the epoch stopped before the end of the tape
        missed = "; ".join(
            [f"{w.text} cannot be computed here: {why}" for w, why in outcomes if isinstance(why, str)]
            + [
                f"{w.text} not checked: epoch {epoch} never computed {', '.join(names)}"
                for w in watches
                if ended and (names := w.missed(record.available))
            ]
        )
        return Snapshot(
            title=program.scenario.title,
            position=position,
            steps=steps,
            values=values,
            available=record.available,
            params=params,
            line=self._line(current, values_now, folded),
            inside=inside(program, current, values_now, stops) if folded else (),
            chain=self._chain(current, record),
            losses=_read_only(trainer.losses[: epoch if loss is not None else epoch - 1]),
            metrics=tuple(
                (name, _read_only(kept[: epoch if trainer.metric_slots[name] in done else epoch - 1]))
                for name, kept in trainer.metrics.items()
            ),
            loss=loss,
            max_epochs=trainer.max_epochs,
            stop=stop,
            breakpoints=tuple(w.text for w in watches),
            hit=hits[0] if hits else None,
            hits=hits,
            missed=missed or None,
            bookmark=bookmark,
            marks=self._marks(epoch, record, index),
            named_view=named_view,
            stops=stops,
            figure=made,
            figure_pending=pending,
            graph=self._graph_at(index, record) if graph else None,
            checks=self.checks.at(epoch, current, record, stops if named_view else None),
        )

    def _params(self, epoch: int, record: EpochRecord, done: set[int], current: Step) -> tuple[ParamView, ...]:
        """Each parameter as it stands after the step, its gradient once computed, and its last change."""
        program = self.program
        params = []
        previous = program.unflatten(self.trainer.row(epoch - 2)) if epoch > 1 else None
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
        return tuple(params)

    def _figure(self, epoch: int, params: tuple[ParamView, ...], defer: bool) -> tuple[Figure | None, FigureJob | None]:
        """The figure at the parameters as they stand, or (deferred) the job that makes it."""
        return self.figures.ready(epoch, {p.name: p.value for p in params}, defer=defer)

    def _chain(self, step: Step, record: EpochRecord) -> Chain | None:
        """The chain rule `step` shows, made once per parameter for the epoch's record."""
        param = chain_param(self.program, step)
        if param is None:
            return None
        kept_for, chains = self._chains
        if kept_for is not record:
            chains = {}
            self._chains = (record, chains)
        chain = chains.get(param.slot)
        if chain is None:
            chain = chains[param.slot] = param_chain(self.program, param, record.values)
        return chain

    def _graph_at(self, index: int, record: EpochRecord) -> GraphView:
        from .graph import graph_view

        return graph_view(self.program, self.graph, record.values, index)

    def _marks(self, epoch: int, record: EpochRecord, reached: int) -> tuple[DerivationMark, ...]:
        """The derivation's entries at this epoch, evaluated once per epoch (a few epochs kept)."""
        if self.derivation is None:
            return ()
        outcomes = self._outcomes.get(epoch)
        if outcomes is None:
            outcomes = self._outcomes[epoch] = self.derivation.outcomes(record.values)
            while len(self._outcomes) > KEPT_OUTCOMES:
                self._outcomes.popitem(last=False)
        return marks_for(self.derivation, outcomes, reached)

    def _line(self, step: Step, values: list[object], folded: bool) -> Line | None:
        """The step written out: whole, over named quantities, where the named view stops at it."""
        if folded:
            return _rate_noted(self.program, step, folded_line(self.program, step, values), values)
        if step.backward is not None:
            return backward_line(step, values, self.program.scenario.loss.name)
        return _rate_noted(self.program, step, forward_line(step, values, folded=False), values)


def _rate_noted(program: Program, step: Step, line: Line | None, values: list[object]) -> Line | None:
    """An update of a matrix with a learning rate that changes with the epoch, noted with α's value
    at this epoch: the matrix form writes α only as `scalar`, and a decaying α is in no file."""
    if line is None or line.scalar or line.note or program.rate_schedule is None or step.phase != "update":
        return line
    if not any(t.symbol == "α" for t in line.terms):
        return line
    rate = float(values[program.rate_slot])  # type: ignore[arg-type]
    return replace(line, note=f"α = {rate:.4g} at epoch {int(values[program.epoch_slot])}")  # type: ignore[call-overload]


def _read_only(view: np.ndarray) -> np.ndarray:
    """A view the snapshot's readers cannot write through (the trainer only ever adds later epochs)."""
    view.flags.writeable = False
    return view
