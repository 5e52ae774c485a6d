"""What one screen shows, computed by the engine: the immutable `Snapshot` the panels draw.

Kept apart from the cursor that makes it, so that readers of a snapshot (the panels,
exports) depend on what it holds and not on how the cursor moves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .chain import Chain
from .checks import StepChecks
from .derivation_marks import DerivationMark
from .lines import Line
from .tape import Step
from .trainer import Stop

if TYPE_CHECKING:  # made only while shown; their modules load then (showing.py)
    from .figures import Figure, FigureJob
    from .graph import GraphView


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
    line: Line | None  # the current step written out: z1 = w1·x + b1 = 0.3·0.5 + 0.1 = 0.25
    inside: tuple[Line, ...]  # in the named view, the sub-expression steps folded into this one
    chain: Chain | None  # for a parameter's gradient: the whole product, path by path
    losses: np.ndarray  # loss per epoch up to this position (so going back shows exactly what it showed)
    metrics: tuple[tuple[str, np.ndarray], ...]  # each single-number metric per epoch, up to this position
    loss: float | None  # this epoch's loss once computed
    max_epochs: int
    stop: Stop | None  # set when the cursor stands where the run ended
    breakpoints: tuple[str, ...]  # every breakpoint, as typed
    hit: str | None  # the first breakpoint that holds at this step (evaluated where one of its quantities is set)
    hits: tuple[str, ...]  # every breakpoint that holds at this step
    missed: str | None  # breakpoints that could not be checked here, and why
    named_view: bool = False  # the tape collapsed to the quantities the scenario names
    stops: tuple[int, ...] = ()  # the steps the named view shows, in order
    bookmark: tuple[int, int] = (0, 0)  # (which bookmark this step is, from 1, or 0; how many there are)
    marks: tuple[DerivationMark, ...] = ()  # the scenario's derivation, each entry beside the step it claims
    figure: Figure | None = None  # when the debugger shows the figure: the loss surface or regions
    # In the app, a slow figure not made yet: the job that makes it (figure is None meanwhile).
    figure_pending: FigureJob | None = None
    graph: GraphView | None = None  # when the debugger shows the graph: it at this step
    checks: StepChecks | None = None  # the notes' row, finite differences and the quiz at this step

    def with_figure(self, figure: Figure) -> Snapshot:
        """This snapshot with the figure it was waiting for, once made (everything else the same)."""
        return replace(self, figure=figure, figure_pending=None)

    @property
    def step(self) -> Step:
        return self.steps[self.position.step]

    @property
    def value(self) -> np.ndarray | None:
        return self.values[self.position.step]
