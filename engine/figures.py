"""Figures that follow the cursor: the loss over one or two parameters, or a classifier's regions.

The notes draw gradient descent on x² + 3y² as a path over contour lines, and a classifier
as its decision regions under the data. These are those figures, computed by the engine:
a grid evaluation of the loss (engine/batched.py, one batched pass of the tape) or of the
model (Program.run with the grid as its input rows), the descent path from the trainer's
rows, and the current point. A grid is evaluated once per epoch and kept, never per step.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from .batched import Entry, losses_at, per_point
from .limits import FIGURE_ELEMENTS, FIGURE_GRID
from .messages import flat_message
from .tape import Program
from .trainer import Trainer

CURVE_POINTS = 201
LEVELS = 7  # contour lines of a loss surface: enough to read its shape, few enough for a terminal
REGION_GRID = (96, 48)  # columns × rows of a classifier's decision regions
MAX_CLASSES = 10
KEPT = 64  # figures kept at hand (a grid each)


@dataclass(frozen=True)
class Curve:
    """The loss along the one parameter, the descent so far on it, and where the cursor stands."""

    name: str
    loss: str
    xs: np.ndarray
    losses: np.ndarray
    path: np.ndarray  # the parameter entering each epoch so far
    path_losses: np.ndarray  # the loss each of those epochs computed
    point: float
    point_loss: float


@dataclass(frozen=True)
class Surface:
    """Contour lines of the loss over two numbers, the descent path over them, the current point."""

    names: tuple[str, str]
    loss: str
    xs: np.ndarray  # the grid's axes
    ys: np.ndarray
    levels: tuple[float, ...]
    lines: tuple[tuple[int, np.ndarray], ...]  # (level index, k×2 points) per contour line
    path: np.ndarray  # m×2: the two numbers entering each epoch so far
    point: tuple[float, float]
    held: str | None  # for a slice of a larger model: what the other parameters are held at


@dataclass(frozen=True)
class Regions:
    """A classifier with two inputs: the class it gives each point of a grid over the data, and the data."""

    inputs: tuple[str, str]
    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray  # rows × columns of class numbers, rows along ys
    points: np.ndarray  # n×2, the data
    labels: np.ndarray  # n, whole numbers
    accuracy: float  # of the model at this epoch's parameters on the data, by `rule`
    rule: str
    epoch: int


@dataclass(frozen=True)
class NoFigure:
    reason: str


Figure = Curve | Surface | Regions | NoFigure


@dataclass(frozen=True)
class Classifier:
    """Where a model with two inputs keeps them, its labels and its output, and how it decides."""

    inputs: str
    labels: str
    output: str
    output_step: int
    threshold: float | None  # one output column: class 1 above it; None: the largest column wins

    def classes(self, output: np.ndarray) -> np.ndarray:
        if self.threshold is not None:
            return (output.reshape(-1) > self.threshold).astype(np.int64)
        chosen: np.ndarray = np.argmax(output, axis=1).astype(np.int64)
        return chosen

    @property
    def rule(self) -> str:
        if self.threshold is None:
            return f"the class of {self.output}'s largest column"
        return f"class 1 where {self.output} > {self.threshold:g}"


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
        """The figure for the cursor at `epoch`, with the parameters as they stand now (`current`)."""
        point = tuple(float(np.asarray(current[e.param.name])[e.index]) for e in self.entries)
        key = (self.entries, epoch, repr(point))  # a NaN point is the same point again
        figure = self._kept.get(key)
        if figure is None:
            try:
                figure = self._make(epoch, point)
            except Exception as error:  # a figure that cannot be made is said in its panel; stepping goes on
                figure = NoFigure(f"no figure: {flat_message(error)}")
            self._kept[key] = figure
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(key)
        return figure

    def _make(self, epoch: int, point: tuple[float, ...]) -> Figure:
        if self.kind == "regions":
            return self._regions(epoch)
        if self.kind == "none":
            return NoFigure("no figure: the model has no parameters to draw the loss over")
        rows = self._path_rows(epoch)
        columns = [
            e.param.offset + (int(np.ravel_multi_index(e.index, e.param.shape)) if e.index else 0) for e in self.entries
        ]
        path = rows[:, columns]
        box = [self._range(rows[0, c], path[:, i]) for i, c in enumerate(columns)]
        loss = self.program.scenario.loss.name
        carried = self.program.unflatten(self.trainer.row(epoch - 1))
        if len(self.entries) == 1:
            xs = np.linspace(*box[0], CURVE_POINTS)
            grid = losses_at(self.program, carried, epoch, self.entries, np.append(xs, point[0])[:, None])
            epochs = self._path_epochs(epoch)
            return Curve(
                self.entries[0].name,
                loss,
                xs,
                grid[:-1],
                path[:, 0],
                self.trainer.losses[epochs - 1],
                point[0],
                float(grid[-1]),
            )
        side = self._side()
        xs, ys = np.linspace(*box[0], side), np.linspace(*box[1], side)
        gx, gy = np.meshgrid(xs, ys)
        z = losses_at(self.program, carried, epoch, self.entries, np.column_stack([gx.ravel(), gy.ravel()]))
        levels, lines = contour_lines(xs, ys, z.reshape(side, side))
        held = None
        if self.program.n_params > 2:
            held = f"the other parameters as they enter epoch {epoch}"
        names = (self.entries[0].name, self.entries[1].name)
        return Surface(names, loss, xs, ys, levels, lines, path, (point[0], point[1]), held)

    def _side(self) -> int:
        """Grid points along each axis: FIGURE_GRID, fewer when one point's pass is large."""
        fits = math.isqrt(2 * FIGURE_ELEMENTS // max(per_point(self.program), 1))
        return max(5, min(FIGURE_GRID, fits))

    def _path_epochs(self, epoch: int) -> np.ndarray:
        """The epochs whose entering parameters the path shows: every kept row before `epoch`, and epoch − 1."""
        spacing = self.trainer.spacing
        kept = np.arange(0, epoch, spacing)
        return (np.union1d(kept, [epoch - 1]) + 1).astype(np.int64)

    def _path_rows(self, epoch: int) -> np.ndarray:
        trainer = self.trainer
        return np.array([trainer.row(int(e) - 1) for e in self._path_epochs(epoch)])

    @staticmethod
    def _range(start: float, path: np.ndarray) -> tuple[float, float]:
        """Around zero out to the start and one more (the notes' −5…5 for a start at 4), widened to the path."""
        half = abs(float(start)) + 1.0
        finite = path[np.isfinite(path)]
        lo, hi = min(-half, float(finite.min(initial=-half))), max(half, float(finite.max(initial=half)))
        pad = 0.05 * (hi - lo) if (lo < -half or hi > half) else 0.0
        return lo - pad, hi + pad

    def _regions(self, epoch: int) -> Figure:
        classifier, program = self.classifier, self.program
        assert classifier is not None
        data = program.scenario.data
        points, labels = data[classifier.inputs], data[classifier.labels].reshape(-1).astype(np.int64)
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = 0.05 * np.maximum(hi - lo, 1e-9)
        columns, rows = REGION_GRID
        xs, ys = np.linspace(lo[0] - pad[0], hi[0] + pad[0], columns), np.linspace(lo[1] - pad[1], hi[1] + pad[1], rows)
        gx, gy = np.meshgrid(xs, ys)
        carried = program.unflatten(self.trainer.row(epoch - 1))
        grid = self._output(carried, epoch, np.column_stack([gx.ravel(), gy.ravel()]))
        on_data = self._output(carried, epoch, points)
        accuracy = float(np.mean(classifier.classes(on_data) == labels))
        names = (f"{classifier.inputs}[:,0]", f"{classifier.inputs}[:,1]")
        classes = classifier.classes(grid).reshape(rows, columns)
        return Regions(names, xs, ys, classes, points, labels, accuracy, classifier.rule, epoch)

    def _output(self, carried: list[np.ndarray], epoch: int, inputs: np.ndarray) -> np.ndarray:
        """The model's output with these rows as its input, by the tape's own forward instructions."""
        classifier, program = self.classifier, self.program
        assert classifier is not None
        vals = program.start(carried, epoch)
        vals[program.named[classifier.inputs]] = inputs
        with np.errstate(all="ignore"):
            program.run(vals, 0, classifier.output_step + 1)
        return np.asarray(vals[program.named[classifier.output]])


def contour_lines(
    xs: np.ndarray, ys: np.ndarray, z: np.ndarray
) -> tuple[tuple[float, ...], tuple[tuple[int, np.ndarray], ...]]:
    """LEVELS contour lines of z, spaced by the square of their rank so that a bowl's rings come evenly.

    Levels from the lowest value up to the 90th percentile (a steep corner would otherwise
    take them all); contourpy traces each, as matplotlib's contour does.
    """
    import contourpy  # only when a surface is drawn

    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise ValueError("the loss is not finite anywhere on the grid")
    low, high = float(finite.min()), float(np.percentile(finite, 90))
    if not high > low:
        return (), ()
    levels = tuple(low + (high - low) * t * t for t in np.linspace(0, 1, LEVELS + 1)[1:])
    generator = contourpy.contour_generator(x=xs, y=ys, z=np.where(np.isfinite(z), z, np.nan), line_type="Separate")
    lines = tuple((i, np.asarray(line)) for i, level in enumerate(levels) for line in generator.lines(level))
    return levels, lines


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
