"""Figures that follow the cursor: the loss over one or two parameters, or a classifier's regions.

The notes draw gradient descent on x² + 3y² as a path over contour lines, and a classifier
as its decision regions under the data. These are those figures, computed by the engine:
a grid evaluation of the loss (engine/batched.py, one batched pass of the tape) or of the
model (Program.run with the grid as its input rows), the descent path from the trainer's
rows, and the current point. A grid is evaluated once per epoch and kept, never per step.

Making one is a `FigureJob` (figure_job.py): copied out of the trainer here, then made from
that copy alone, so that the debugger can make a slow one in a worker; headless, and for a
quick figure, it is made at once.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from typing import Any

import numpy as np

from .batched import Entry, per_point
from .figure_job import (
    Classifier,
    Curve,
    Figure,
    FigureJob,
    NoFigure,
    Regions,
    Surface,
    contour_lines,
    frozen,
)
from .limits import FIGURE_ELEMENTS, FIGURE_GRID
from .messages import flat_message
from .tape import Program
from .trainer import Trainer

__all__ = ["Classifier", "Curve", "Figure", "FigureJob", "Figures", "NoFigure", "Regions", "Surface", "contour_lines"]

MAX_CLASSES = 10
KEPT = 64  # figures kept at hand (a grid each)


def find_classifier(program: Program) -> Classifier | None:
    """A model reading an n×2 input, with whole-number labels for its n rows and an output per row."""
    scenario = program.scenario
    if not scenario.model:
        return None
    read = {i for op_inputs in program.forward_ops.values() for i in op_inputs[1]}
    inputs = [n for n, a in scenario.data.items() if a.ndim == 2 and a.shape[1] == 2 and program.named[n] in read]
    if len(inputs) != 1:
        return None
    rows = scenario.data[inputs[0]].shape[0]
    output = scenario.model[-1].name
    step = next(s for s in program.steps if s.slot == program.named[output])
    for name, labels in scenario.data.items():
        flat = labels.reshape(-1)
        if name == inputs[0] or labels.shape not in ((rows,), (rows, 1)) or not np.all(flat == np.round(flat)):
            continue
        count = int(flat.max()) + 1 if flat.size and flat.min() >= 0 else 0
        if not 2 <= count <= MAX_CLASSES:
            continue
        if step.shape == (rows, 1) and count == 2:
            probability = program.forward_ops[step.slot][0].name == "sigmoid"  # else a score, positive for 1
            return Classifier(inputs[0], name, output, step.index, 0.5 if probability else 0.0)
        if step.shape == (rows, count) or (len(step.shape) == 2 and step.shape[0] == rows and step.shape[1] >= count):
            return Classifier(inputs[0], name, output, step.index, None)
    return None


def entries_of(program: Program) -> list[Entry]:
    """Every number of every parameter, in declaration order: what a figure's axes can be."""
    return [Entry(p, index) for p in program.params for index in np.ndindex(p.shape)]


def parse_entry(program: Program, text: str) -> Entry:
    """`w1`, `W1[0,1]` or `b1[2]` → that number of that parameter; ValueError saying what is wrong."""
    match = re.fullmatch(r"\s*([A-Za-z_]\w*)\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*", text)
    if match is None:
        raise ValueError(f"{text!r} is not a parameter or an entry of one, like W1[0,1]")
    name = match.group(1)
    param = next((p for p in program.params if p.name == name), None)
    if param is None:
        raise ValueError(f"{name!r} is not a parameter (they are {', '.join(p.name for p in program.params)})")
    index = tuple(int(g) for g in match.groups()[1:] if g is not None)
    if len(index) == 1 and len(param.shape) == 2 and param.shape[0] == 1:
        index = (0, index[0])  # b1[2] for a 1×n row
    if not index and param.size == 1:
        index = (0,) * len(param.shape)  # b2 for a 1×1 matrix
    if len(index) != len(param.shape) or any(i >= n for i, n in zip(index, param.shape, strict=True)):
        shape = "×".join(map(str, param.shape)) or "a scalar"
        raise ValueError(f"{text.strip()!r} is not an entry of {name} ({shape})")
    return Entry(param, index)


class Figures:
    """The figure at each epoch for one trainer, on the axes chosen (by default: the model's own)."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.program = trainer.program
        self.classifier = find_classifier(self.program)
        self.entries: tuple[Entry, ...] = ()
        self._kept: OrderedDict[tuple[Any, ...], Figure] = OrderedDict()
        self._pending: FigureJob | None = None  # the last job handed out and not yet kept
        self.choose(None)

    def choose(self, entries: list[Entry] | None) -> None:
        """Two entries for a loss surface (one, for a model of one number); None: the default."""
        if entries is not None:
            self.entries = tuple(entries)
        elif self.classifier is not None:
            self.entries = ()
        else:
            self.entries = self.suggested()

    def suggested(self) -> tuple[Entry, ...]:
        """The model's own numbers if it has at most two; else the two the loss is most sensitive to
        at the start (the largest gradients of epoch 1), where a slice shows the most."""
        every = entries_of(self.program)
        if len(every) <= 2:
            return tuple(every)
        grads = self.trainer.grads_at(1)
        if not grads:  # epoch 1 ended before its backward pass
            return tuple(every[:2])
        size = [abs(float(np.asarray(grads[e.param.name])[e.index])) if e.param.name in grads else 0.0 for e in every]
        order = sorted(range(len(every)), key=lambda i: -size[i])  # stable: ties in declaration order
        return tuple(every[i] for i in sorted(order[:2]))

    @property
    def kind(self) -> str:
        if not self.entries:
            return "regions" if self.classifier is not None else "none"
        return "curve" if len(self.entries) == 1 else "surface"

    def at(self, epoch: int, current: dict[str, np.ndarray]) -> Figure:
        """The figure for the cursor at `epoch`, with the parameters as they stand now (`current`),
        made now if it is not kept."""
        figure, job = self.ready(epoch, current, defer=False)
        assert figure is not None, job
        return figure

    def ready(
        self, epoch: int, current: dict[str, np.ndarray], *, defer: bool
    ) -> tuple[Figure | None, FigureJob | None]:
        """The figure if it is kept or quick to make; with `defer`, a slow one is left to be made
        elsewhere: (None, the job that makes it), to be `keep`-ed once made."""
        point = tuple(float(np.asarray(current[e.param.name])[e.index]) for e in self.entries)
        key = (self.entries, epoch, repr(point))  # a NaN point is the same point again
        figure = self._kept.get(key)
        if figure is not None:
            self._kept.move_to_end(key)
            return figure, None
        job = self._pending
        if job is None or job.key != key:
            try:
                job = self._pending = self._job(key, epoch, point)
            except Exception as error:  # a figure that cannot be made is said in its panel; stepping goes on
                return self._keep(key, NoFigure(f"no figure: {flat_message(error)}")), None
        if defer and job.slow:
            return None, job
        return self.keep(job, job.make()), None

    def keep(self, job: FigureJob, figure: Figure) -> Figure:
        """Keep the figure `job` made (wherever it was made): the next snapshot at its point shows it."""
        if self._pending is job:
            self._pending = None
        return self._keep(job.key, figure)

    def _keep(self, key: tuple[Any, ...], figure: Figure) -> Figure:
        self._kept[key] = figure
        self._kept.move_to_end(key)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return figure

    def _job(self, key: tuple[Any, ...], epoch: int, point: tuple[float, ...]) -> FigureJob:
        """What the figure at `epoch` is made from, copied out of the trainer (see figure_job.py)."""
        trainer, program = self.trainer, self.program
        epochs = self._path_epochs(epoch)
        columns = [
            e.param.offset + (int(np.ravel_multi_index(e.index, e.param.shape)) if e.index else 0) for e in self.entries
        ]
        path = np.array([trainer.row(int(e) - 1)[columns] for e in epochs]) if columns else np.empty((0, 0))
        losses = trainer.losses[epochs - 1] if self.kind == "curve" else np.empty(0)
        return FigureJob(
            key=key,
            program=program,
            kind=self.kind,
            epoch=epoch,
            entries=self.entries,
            point=point,
            carried=tuple(frozen(value) for value in program.unflatten(trainer.row(epoch - 1))),
            path=frozen(path),
            path_losses=frozen(losses),
            side=self._side() if self.kind == "surface" else 0,
            classifier=self.classifier,
        )

    def _side(self) -> int:
        """Grid points along each axis: FIGURE_GRID, fewer when one point's pass is large."""
        fits = math.isqrt(2 * FIGURE_ELEMENTS // max(per_point(self.program), 1))
        return max(5, min(FIGURE_GRID, fits))

    def _path_epochs(self, epoch: int) -> np.ndarray:
        """The epochs whose entering parameters the path shows: every kept row before `epoch`, and epoch − 1."""
        spacing = self.trainer.spacing
        kept = np.arange(0, epoch, spacing)
        return (np.union1d(kept, [epoch - 1]) + 1).astype(np.int64)


def figure_for(trainer: Trainer, epoch: int, entries: list[str] | None = None) -> Figure:
    """The figure after running to `epoch`, headless: the one the debugger draws at its last step.

    `entries` names the axes (`["W1[0,0]", "b2"]`); none: the model's own figure.
    """
    trainer.run(max(epoch - trainer.epochs_done, 0))
    epoch = min(max(epoch, 1), trainer.epochs_done)
    figures = Figures(trainer)
    if entries is not None:
        figures.choose([parse_entry(trainer.program, text) for text in entries])
    current = trainer.params_after(epoch)
    return figures.at(epoch, current)
