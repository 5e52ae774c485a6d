"""One figure's making, from an immutable input: what figures.py draws, safe on any thread.

A figure of a large model (digits_softmax's slice: a batched pass over 1,797 samples per grid
point) takes tens of milliseconds; the debugger makes such a one in a worker while the cursor
moves on. So the work is split in two. `Figures.job` (on the thread that owns the trainer)
copies out of the trainer everything the figure needs: the parameters entering its epoch,
the path's coordinates and losses. `FigureJob.make` then reads only that copy and the
program, which nothing writes once compiled (each pass starts a fresh list of values from
`Program.start`), and writes nothing but the arrays it returns. It never touches the trainer
or the cursor, so it cannot race the screen's moves nor a run to the end that trains on. The
only shared state it meets is the ops' caches (an axis op per shape, `functools.lru_cache`;
an evaluator per learning-rate schedule), which only ever gain the same entry again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .batched import Entry, losses_at, per_point
from .messages import flat_message
from .tape import Program

CURVE_POINTS = 201
LEVELS = 7  # contour lines of a loss surface: enough to read its shape, few enough for a terminal
REGION_GRID = (96, 48)  # columns × rows of a classifier's decision regions
# Numbers a figure's evaluation computes above which the debugger makes it in a worker: a few
# milliseconds of NumPy. Below it (every figure of the notes' scenarios, moons' regions) the
# figure is drawn with the key's answer, in the same frame.
SLOW_FIGURE_ELEMENTS = 500_000


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

    def covering(self, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Points to draw over the grid's span, at least `columns` × `rows` of them evenly spaced,
        each with the class of the grid point nearest it, so that a canvas with that many cells
        has one in each; on a canvas no finer than the grid, the grid itself. Returns xs, ys and
        their classes (rows along ys), every class one the grid holds."""
        xs, ys = self.xs, self.ys
        pick_x, pick_y = _nearest(len(xs), columns), _nearest(len(ys), rows)
        if len(pick_x) > len(xs):
            xs = np.linspace(xs[0], xs[-1], len(pick_x))
        if len(pick_y) > len(ys):
            ys = np.linspace(ys[0], ys[-1], len(pick_y))
        return xs, ys, self.classes[np.ix_(pick_y, pick_x)]


def _nearest(points: int, cells: int) -> np.ndarray:
    """Of a grid of `points` along an axis, which to draw over `cells` evenly spaced places: each
    place's nearest grid point, or the grid itself where it has as many points as places or more."""
    if cells <= points:
        return np.arange(points)
    return np.rint(np.linspace(0, points - 1, cells)).astype(np.int64)


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


def frozen(array: np.ndarray) -> np.ndarray:
    """A copy no reader can write through: the job's input stays what it was when copied."""
    copy = np.array(array, dtype=np.float64)
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True, eq=False)
class FigureJob:
    """Everything one figure is made from, copied when the job was made; `make` reads nothing else.

    `key` is what the figure is kept under (its axes, epoch and point): a job whose key is no
    longer the one the screen waits for has been overtaken by a move, and its figure is dropped.
    """

    key: tuple[Any, ...]
    program: Program
    kind: str  # "curve", "surface", "regions" or "none"
    epoch: int
    entries: tuple[Entry, ...]
    point: tuple[float, ...]  # the entries as they stand at the cursor
    carried: tuple[np.ndarray, ...]  # the parameters and optimizer state entering `epoch` (copies)
    path: np.ndarray  # m × len(entries): the entries entering each epoch of the path (empty for regions)
    path_losses: np.ndarray  # the loss each epoch of the path computed
    side: int  # a loss surface's grid points along each axis
    classifier: Classifier | None

    @property
    def elements(self) -> int:
        """About how many numbers making the figure computes: how slow it is, known beforehand."""
        if self.kind in ("curve", "surface"):
            points = CURVE_POINTS + 1 if self.kind == "curve" else self.side * self.side
            return per_point(self.program) * points
        if self.kind == "regions" and self.classifier is not None:
            rows = len(self.program.scenario.data[self.classifier.inputs])
            columns, grid_rows = REGION_GRID
            return per_point(self.program) * (columns * grid_rows + rows) // max(rows, 1)
        return 0

    @property
    def slow(self) -> bool:
        """Worth making off the screen's thread (see SLOW_FIGURE_ELEMENTS)."""
        return self.elements > SLOW_FIGURE_ELEMENTS

    def make(self) -> Figure:
        """The figure; one that cannot be made is a NoFigure saying why (stepping goes on)."""
        try:
            return self._make()
        except Exception as error:
            return NoFigure(f"no figure: {flat_message(error)}")

    def _make(self) -> Figure:
        if self.kind == "regions":
            return self._regions()
        if self.kind == "none":
            return NoFigure("no figure: the model has no parameters to draw the loss over")
        program, epoch, point, path = self.program, self.epoch, self.point, self.path
        box = [_range(path[0, i], path[:, i]) for i in range(len(self.entries))]
        loss = program.scenario.loss.name
        carried = list(self.carried)
        if len(self.entries) == 1:
            xs = np.linspace(*box[0], CURVE_POINTS)
            grid = losses_at(program, carried, epoch, self.entries, np.append(xs, point[0])[:, None])
            name = self.entries[0].name
            return Curve(name, loss, xs, grid[:-1], path[:, 0], self.path_losses, point[0], float(grid[-1]))
        xs, ys = np.linspace(*box[0], self.side), np.linspace(*box[1], self.side)
        gx, gy = np.meshgrid(xs, ys)
        z = losses_at(program, carried, epoch, self.entries, np.column_stack([gx.ravel(), gy.ravel()]))
        levels, lines = contour_lines(xs, ys, z.reshape(self.side, self.side))
        held = f"the other parameters as they enter epoch {epoch}" if program.n_params > 2 else None
        names = (self.entries[0].name, self.entries[1].name)
        return Surface(names, loss, xs, ys, levels, lines, path, (point[0], point[1]), held)

    def _regions(self) -> Figure:
        classifier, program = self.classifier, self.program
        assert classifier is not None
        data = program.scenario.data
        points, labels = data[classifier.inputs], data[classifier.labels].reshape(-1).astype(np.int64)
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = 0.05 * np.maximum(hi - lo, 1e-9)
        columns, rows = REGION_GRID
        xs, ys = np.linspace(lo[0] - pad[0], hi[0] + pad[0], columns), np.linspace(lo[1] - pad[1], hi[1] + pad[1], rows)
        gx, gy = np.meshgrid(xs, ys)
        grid = self._output(np.column_stack([gx.ravel(), gy.ravel()]))
        on_data = self._output(points)
        accuracy = float(np.mean(classifier.classes(on_data) == labels))
        names = (f"{classifier.inputs}[:,0]", f"{classifier.inputs}[:,1]")
        classes = classifier.classes(grid).reshape(rows, columns)
        return Regions(names, xs, ys, classes, points, labels, accuracy, classifier.rule, self.epoch)

    def _output(self, inputs: np.ndarray) -> np.ndarray:
        """The model's output with these rows as its input, by the tape's own forward instructions."""
        classifier, program = self.classifier, self.program
        assert classifier is not None
        vals = program.start(list(self.carried), self.epoch)
        vals[program.named[classifier.inputs]] = inputs
        with np.errstate(all="ignore"):
            program.run(vals, 0, classifier.output_step + 1)
        return np.asarray(vals[program.named[classifier.output]])


def _range(start: float, path: np.ndarray) -> tuple[float, float]:
    """Around zero out to the start and one more (the notes' −5…5 for a start at 4), widened to the path."""
    half = abs(float(start)) + 1.0
    finite = path[np.isfinite(path)]
    lo, hi = min(-half, float(finite.min(initial=-half))), max(half, float(finite.max(initial=half)))
    pad = 0.05 * (hi - lo) if (lo < -half or hi > half) else 0.0
    return lo - pad, hi + pad


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
