"""Compare the engine with the notes, and the engine's gradients with finite differences.

`compare_log` walks the notes' printed lines beside the engine's own log: the words
must match, and each number must match at the precision the notes printed it. The
first difference is the finding. `gradient_check` is the independent referee: central
finite differences of the loss, so a disagreement can be blamed on the right side.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .messages import coordinate
from .report import NUMBER, Log, LogLine
from .trainer import Trainer


@dataclass(frozen=True)
class Divergence:
    line: int  # 1-based line of the notes' table
    epoch: int | None
    quantity: str
    notes: str
    engine: str

    def describe(self) -> str:
        where = f"epoch {self.epoch}" if self.epoch is not None else f"line {self.line}"
        return f"{where}, {self.quantity}: the notes print {self.notes}, the engine computes {self.engine}"


@dataclass(frozen=True)
class Comparison:
    lines: int
    divergence: Divergence | None

    @property
    def agrees(self) -> bool:
        return self.divergence is None


def _decimals(text: str) -> int:
    mantissa = re.split(r"[eE]", text)[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def at_printed_precision(value: float, printed: str) -> str:
    """`value` written with as many decimals as `printed` has (or significant digits, for 1e-05)."""
    if re.search(r"[eE]", printed):
        return f"{value:.{_decimals(printed)}e}"
    return f"{value:.{_decimals(printed)}f}"


def _skeleton(text: str) -> str:
    return " ".join(NUMBER.sub("#", text).split())


def expected_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class NumberCheck:
    """One number of a log line: as the notes print it, and the engine's at that precision."""

    printed: str
    shown: str
    field: str | None
    value: float | None  # the engine's exact value, where the number came from a field

    @property
    def same(self) -> bool:
        return _same(self.printed, self.shown)


def _same(notes: str, shown: str) -> bool:
    try:
        return float(notes) == float(shown)
    except ValueError:
        return notes == shown


def compare_numbers(printed: str, mine: LogLine) -> list[NumberCheck]:
    """Each number the notes printed beside the engine's, written at the notes' precision."""
    checks = []
    for printed_number, number in zip(NUMBER.findall(printed), mine.numbers, strict=False):
        shown = number.text if number.value is None else at_printed_precision(number.value, printed_number)
        checks.append(NumberCheck(printed_number, shown, number.field, number.value))
    return checks


def compare_line(line_no: int, printed: str, mine: LogLine) -> Divergence | None:
    """Where one printed line of the notes differs from the engine's line, if it does."""
    if _skeleton(printed) != _skeleton(mine.text):
        return Divergence(line_no, mine.epoch, "the line", repr(printed), repr(mine.text))
    for number in compare_numbers(printed, mine):
        if not number.same:
            exact = f" (exactly {number.value!r})" if number.value is not None else ""
            quantity = number.field or "a printed number"
            return Divergence(line_no, mine.epoch, quantity, number.printed, f"{number.shown}{exact}")
    return None


def compare_log(trainer: Trainer, expected: str) -> Comparison:
    """The first place where the notes' printed table and the engine's log differ, if any."""
    return compare_lines(expected_lines(expected), Log(trainer).lines())


def compare_lines(notes: list[str], ours: list[LogLine]) -> Comparison:
    """`compare_log` on the notes' lines and the engine's whole log, already rendered (the
    debugger has rendered it as the cursor went, and need not render it again)."""
    for index, printed in enumerate(notes):
        line_no = index + 1
        if index >= len(ours):
            return Comparison(
                len(notes),
                Divergence(
                    line_no, None, "the log", repr(printed), f"no such line (its log ends after {len(ours)} lines)"
                ),
            )
        divergence = compare_line(line_no, printed, ours[index])
        if divergence is not None:
            return Comparison(len(notes), divergence)
    if len(ours) > len(notes):
        extra = ours[len(notes)]
        return Comparison(
            len(notes), Divergence(len(notes) + 1, extra.epoch, "the log", "nothing more", repr(extra.text))
        )
    return Comparison(len(notes), None)


# -- finite differences ---------------------------------------------------------------------


#: At most this many coordinates of one parameter are checked: two loss evaluations each.
SAMPLE = 300
#: Of those, the coordinates with the largest gradients are always among them.
LARGEST = 30
#: The rest are drawn by this seed, so that a check is the same every time it runs.
SEED = 0


@dataclass(frozen=True)
class Sampled:
    """A parameter too large to check every coordinate of, and how many were checked."""

    name: str
    checked: int
    size: int

    def describe(self) -> str:
        return f"sampled {self.checked} of {self.size:,} coordinates of {self.name}"


@dataclass(frozen=True)
class Kink:
    """A coordinate whose finite-difference probe straddles a kink of the loss (relu, abs, a max or
    min at a tie within ±h): the central difference averages two different slopes there."""

    where: str  # the coordinate, e.g. W1[1,0]
    step: str  # the first step whose value bends within the probe, e.g. "A1 = relu(Z1)"
    left: float  # the loss's slope just below the coordinate
    right: float  # and just above it
    analytic: float  # the engine's gradient, the slope it takes at the tie

    def describe(self, epochs: str = "") -> str:
        """One line of gradcheck's notes; `epochs` ("at epoch 1") says when, where it checks several."""
        when = f" {epochs}" if epochs else ""
        return (
            f"{self.where} not compared: its probe straddles a kink at {self.step} (slope {self.left:.3g} "
            f"below, {self.right:.3g} above; the engine's gradient {self.analytic + 0.0:.3g}){when}"
        )


@dataclass(frozen=True)
class GradCheck:
    epoch: int
    worst: float  # largest relative error over the coordinates checked, kinks aside
    where: str  # which parameter element it was
    tolerance: float
    sampled: tuple[Sampled, ...] = ()
    skipped: str | None = None  # why the epoch has no gradients to check, if it has none
    kinks: tuple[Kink, ...] = ()  # coordinates finite differences cannot check, where the engine's slope is one-sided

    @property
    def passed(self) -> bool:
        return self.skipped is None and self.worst <= self.tolerance


GRADIENT_FLOOR = 1e-4


def relative_error(analytic: float, numeric: float) -> float:
    """|a − n| / max(|a|, |n|), with gradients below 1e-4 compared absolutely (scaled by 1e-4).

    A central difference of a loss near 1 carries noise of about 1e-10, which is no
    evidence against a gradient of 1e-6; the floor keeps that noise from failing it.
    """
    error = abs(analytic - numeric) / max(abs(analytic), abs(numeric), GRADIENT_FLOOR)
    return math.inf if math.isnan(error) else error  # a NaN must count as the worst, not be skipped


def no_gradients(trainer: Trainer, epoch: int) -> str | None:
    """Why `epoch` has no gradients to compare (it ended before its backward pass), or None."""
    program = trainer.program
    stop = trainer.stop
    if stop is not None and stop.epoch == epoch and stop.reason == "non-finite":
        return f"epoch {epoch} skipped: it reached a non-finite value, so its loss has no finite differences"
    done = {s.slot for s in program.steps[: trainer.steps_in(epoch)]}
    if all(p.grad_slot is None or p.grad_slot in done for p in program.params):
        return None
    why = "stopped early" if stop is not None and stop.reason == "early" else "ended"
    return f"epoch {epoch} skipped: it {why} before its backward pass, so it has no gradients"


def last_with_gradients(trainer: Trainer, epoch: int) -> int | None:
    """The latest epoch up to `epoch` that ran its backward pass, if any did."""
    for candidate in range(min(epoch, trainer.epochs_done), 0, -1):
        if no_gradients(trainer, candidate) is None:
            return candidate
    return None


def coordinates(grad: np.ndarray, sample: int = SAMPLE, largest: int = LARGEST) -> np.ndarray:
    """Which coordinates of a flat gradient to check: all, or the largest and a seeded sample."""
    if grad.size <= sample:
        return np.arange(grad.size)
    magnitude = np.where(np.isnan(grad), np.inf, np.abs(grad))  # a NaN gradient is the first to check
    top = np.argpartition(-magnitude, largest)[:largest]
    rest = np.setdiff1d(np.arange(grad.size), top, assume_unique=True)
    drawn = np.random.default_rng(SEED).choice(rest, sample - largest, replace=False)
    return np.sort(np.concatenate([top, drawn]))


def fd_step(value: float) -> float:
    """The finite-difference step h at a value: relative, never below 1e-6."""
    return 1e-6 * max(1.0, abs(value))


def central_difference(loss: Callable[[], float], point: np.ndarray, i: int) -> float:
    """(L(x + h) − L(x − h)) / 2h along coordinate `i` of `point`, which `loss` reads; put back after."""
    value = point[i]
    h = fd_step(value)
    point[i] = value + h
    plus = loss()
    point[i] = value - h
    minus = loss()
    point[i] = value
    return float((plus - minus) / (2 * h))


def one_sided(loss: Callable[[], float], point: np.ndarray, i: int) -> tuple[float, float]:
    """The loss's slopes just below and just above coordinate `i` of `point`, at the step
    central_difference takes; `point` is put back after."""
    value = point[i]
    h = fd_step(value)
    at = loss()
    point[i] = value - h
    below = loss()
    point[i] = value + h
    above = loss()
    point[i] = value
    return (at - below) / h, (above - at) / h


def a_tie_share(analytic: float, left: float, right: float) -> bool:
    """Whether the slopes on the two sides differ (a kink), and the engine's gradient is one of them
    or between them: at a tie of k entries each takes a 1/k share (relu's 0, abs's 0, a max of two's
    mean, of three's third). Then central differences, which average the two sides, cannot judge it."""
    between = min(left, right) <= analytic <= max(left, right)
    near = min(relative_error(analytic, left), relative_error(analytic, right)) <= 1e-4
    return relative_error(left, right) > BEND and (between or near)


def gradient_check(
    trainer: Trainer, epoch: int, tolerance: float = 1e-5, progress: Callable[[int, int], None] | None = None
) -> GradCheck:
    """Central differences of the loss at the parameters `epoch` starts from; `progress(done, total)`
    hears of each coordinate compared (a net of thousands of coordinates takes seconds).

    A parameter of more than SAMPLE numbers is checked at SAMPLE of its coordinates:
    every one would cost two loss evaluations, hours for a parameter of two million.
    """
    skipped = no_gradients(trainer, epoch)
    if skipped is not None:
        return GradCheck(epoch, 0.0, "-", tolerance, skipped=skipped)
    program = trainer.program
    row = trainer.row(epoch - 1).copy()
    analytic = trainer.grads_at(epoch)
    worst, where = 0.0, "-"
    sampled: list[Sampled] = []
    kinks: list[Kink] = []
    grads = [
        np.broadcast_to(np.asarray(analytic.get(p.name, 0.0), dtype=np.float64), p.shape).reshape(-1)
        for p in program.params
    ]
    choices = [coordinates(grad) for grad in grads]
    total, done = sum(len(chosen) for chosen in choices), 0
    for p, grad, chosen in zip(program.params, grads, choices, strict=True):
        if len(chosen) < p.size:
            sampled.append(Sampled(p.name, len(chosen), p.size))
        for k in chosen.tolist():
            if progress is not None:
                progress(done, total)
                done += 1
            i = p.offset + k
            h = fd_step(row[i])  # the step central_difference takes, for the kink test
            error = relative_error(float(grad[k]), central_difference(lambda: trainer.loss_at(row), row, i))
            name = coordinate(p.name, p.shape, tuple(int(i) for i in np.unravel_index(k, p.shape)))
            if error > tolerance and (kink := kink_at(trainer, row, i, h, name, float(grad[k]))) is not None:
                kinks.append(kink)
                continue
            if error > worst or where == "-":
                worst, where = error, name
    return GradCheck(epoch, worst, where, tolerance, tuple(sampled), kinks=tuple(kinks))


BEND = 0.1  # a step bends when its two one-sided changes differ by this fraction of the larger
ROUNDING = 1e-11  # changes this small (relative to the value) are rounding, not a bend


def kink_at(trainer: Trainer, row: np.ndarray, i: int, h: float, where: str, analytic: float) -> Kink | None:
    """A kink of the loss between row[i] − h and row[i] + h that the engine's gradient is one side
    of (or, at a tie, the mean of), and the first step of the tape that bends there; None if the
    loss is smooth there, or if the gradient matches neither side (then it is simply wrong)."""
    program, value = trainer.program, row[i]
    runs = []
    for shift in (-h, 0.0, h):
        row[i] = value + shift
        vals = program.start(program.unflatten(row.copy()), 1)
        with np.errstate(all="ignore"):
            program.run(vals, 0, program.loss_end)
        runs.append(vals)
    row[i] = value
    below, at, above = (float(vals[program.loss_slot]) for vals in runs)
    left, right = (at - below) / h, (above - at) / h
    if not a_tie_share(analytic, left, right):
        return None
    for step in program.steps[: program.loss_end]:
        lo, mid, hi = (np.asarray(vals[step.slot], dtype=np.float64) for vals in runs)
        first, second = mid - lo, hi - mid
        bend = np.abs(second - first)
        if np.any(
            (bend > BEND * np.maximum(np.abs(first), np.abs(second))) & (bend > ROUNDING * np.maximum(1, np.abs(mid)))
        ):
            return Kink(where, " ".join(step.formula.split()), left, right, analytic)
    return None
