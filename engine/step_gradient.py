"""Central finite differences for one chain-rule step: is ∂L/∂(this quantity) right?

`gradient_check` perturbs the parameters; a step of the backward pass may be the gradient
of any quantity on the tape (z1, w1 · x, A1). Single assignment makes that as easy: put a
nudged value in the quantity's slot and run the rest of the forward pass again, with the
very instructions that trained. Only the step's complete gradient is checked (a step that
adds one path of several holds a part of it), and a large quantity at the same bounded,
seeded kind of sample as `gradient_check`, smaller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .check import Sampled, a_tie_share, central_difference, coordinates, one_sided, relative_error
from .tape import Program, Step

TOLERANCE = 1e-5  # as `bpdbg gradcheck`
#: A step is checked on screen, where it must not keep a student waiting: at most this many
#: coordinates (the largest gradients among them), where `bpdbg gradcheck` takes 300.
SAMPLE = 16
LARGEST = 4


@dataclass(frozen=True)
class Estimate:
    """The engine's gradient beside central differences, at the coordinate that agrees least."""

    symbol: str  # ∂L/∂z1, the step's label
    shape: tuple[int, ...]
    where: tuple[int, ...]  # the coordinate shown, () for a scalar
    engine: float  # the engine's gradient there
    numeric: float  # central differences there
    worst: float  # the largest relative error over the coordinates checked
    checked: int
    tolerance: float = TOLERANCE
    kinks: int = 0  # coordinates at a kink (relu at 0, a tie): not compared, as gradcheck does
    slopes: tuple[float, float] | None = None  # below and above, where the coordinate shown is one

    @property
    def compared(self) -> int:
        return self.checked - self.kinks

    @property
    def passed(self) -> bool:
        return self.worst <= self.tolerance

    @property
    def sampled(self) -> Sampled | None:
        size = int(np.prod(self.shape))
        return Sampled(self.symbol, self.checked, size) if self.checked < size else None


def is_gradient_step(program: Program, step: Step) -> bool:
    """A backward step whose value is the whole ∂L/∂target: the last one to add to it."""
    info = step.backward
    if info is None:
        return False
    later = program.steps[step.index + 1 :]
    return not any(s.backward is not None and s.backward.target_slot == info.target_slot for s in later)


def cost(program: Program, step: Step) -> int:
    """About how many numbers `estimate` computes: twice the rest of the forward pass per coordinate."""
    info = step.backward
    if info is None:
        return 0
    producer = next((s.index for s in program.steps if s.slot == info.target_slot), -1)
    rest = sum(math.prod(s.shape) for s in program.steps[producer + 1 : program.loss_end])
    size = math.prod(next((s.shape for s in program.steps if s.slot == info.target_slot), step.shape))
    return 2 * min(size, SAMPLE) * max(rest, 1)


def estimate(program: Program, values: Sequence[object], step: Step, tolerance: float = TOLERANCE) -> Estimate:
    """Central differences of the loss in the quantity whose gradient `step` completes.

    `values` are the epoch's values (an `EpochRecord`'s); they are copied, never written,
    so this may run in a worker while the debugger reads them.
    """
    info = step.backward
    if info is None:
        raise ValueError(f"step {step.index + 1} is not a step of the backward pass")
    producer = next((s.index for s in program.steps if s.slot == info.target_slot), -1)
    target = np.array(values[info.target_slot], dtype=np.float64)
    point = target.reshape(-1)  # a view: nudging it nudges the value in the slot
    analytic = np.broadcast_to(np.asarray(values[step.slot], dtype=np.float64), target.shape).reshape(-1)
    vals = list(values)
    vals[info.target_slot] = target

    def loss() -> float:
        with np.errstate(all="ignore"):
            program.run(vals, producer + 1, program.loss_end)
        return float(np.asarray(vals[program.loss_slot]))

    chosen = coordinates(analytic, SAMPLE, LARGEST)
    worst, at, engine, numeric = -1.0, 0, 0.0, 0.0
    kinks: list[tuple[int, float, tuple[float, float]]] = []
    for k in chosen.tolist():
        n = central_difference(loss, point, k)
        error = relative_error(float(analytic[k]), n)
        if error > tolerance and a_tie_share(float(analytic[k]), *(slopes := one_sided(loss, point, k))):
            kinks.append((k, n, slopes))
            continue
        if error > worst:
            worst, at, engine, numeric = error, k, float(analytic[k]), n
    shown: tuple[float, float] | None = None
    if worst < 0:  # every coordinate checked is at a kink: show the first
        (at, numeric, shown), worst = kinks[0], 0.0
        engine = float(analytic[at])
    where = tuple(int(i) for i in np.unravel_index(at, target.shape)) if target.ndim else ()
    return Estimate(step.label, target.shape, where, engine, numeric, worst, len(chosen), tolerance, len(kinks), shown)
