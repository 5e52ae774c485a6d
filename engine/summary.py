"""One value in full, for the inspector: the array and its statistics, computed here, not on screen.

The debugger's panels only draw; whatever number the inspector shows about a value
(its least, greatest, mean and norm) is the engine's, like every other number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .cursor import Snapshot

Field = Literal["value", "grad", "change"]
FIELD_NAMES: dict[Field, str] = {"value": "value", "grad": "gradient", "change": "last change"}


@dataclass(frozen=True)
class Summary:
    """Shape and statistics of an array; min, max, mean and norm over its finite entries."""

    shape: tuple[int, ...]
    size: int
    min: float
    max: float
    mean: float
    norm: float  # the Euclidean (Frobenius) norm
    non_finite: int  # entries that are NaN or ±∞, left out of the statistics


@dataclass(frozen=True)
class Inspection:
    """What the inspector shows: a name, where it was taken, and the value with its summary."""

    title: str
    detail: str  # how it was computed (a step's formula), or ""
    where: str
    value: np.ndarray | None  # None: not computed yet at this step
    summary: Summary | None


SQUARES_FIT = 1e150  # below this, any array's squares and sum are far from overflowing


def summarize(value: object) -> Summary:
    array = np.asarray(value, dtype=float)
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        nan = float("nan")
        return Summary(array.shape, array.size, nan, nan, nan, nan, array.size)
    mean, norm = _mean_and_norm(finite)
    return Summary(
        shape=array.shape,
        size=array.size,
        min=float(finite.min()),
        max=float(finite.max()),
        mean=mean,
        norm=norm,
        non_finite=array.size - finite.size,
    )


def _mean_and_norm(finite: np.ndarray) -> tuple[float, float]:
    """The mean and the norm; of values as large as a diverging run's, whose squares (or sum)
    would overflow, worked out as multiples of the largest, so they are as finite as they are."""
    biggest = float(np.abs(finite).max())
    if biggest <= SQUARES_FIT:
        return float(finite.mean()), float(np.linalg.norm(finite))
    fractions = finite / biggest
    with np.errstate(over="ignore"):  # a norm beyond the largest float is infinite, as it is
        return float(fractions.mean()) * biggest, float(np.linalg.norm(fractions)) * biggest


def _where(snapshot: Snapshot) -> str:
    p = snapshot.position
    return f"epoch {p.epoch}, step {p.step + 1}/{len(snapshot.steps)} ({snapshot.step.phase})"


def _inspection(title: str, detail: str, where: str, value: object) -> Inspection:
    if value is None:
        return Inspection(title, detail, where, None, None)
    array = np.array(value, dtype=float)  # a copy the screen holds on to
    array.flags.writeable = False
    return Inspection(title, detail, where, array, summarize(array))


def inspect_step(snapshot: Snapshot) -> Inspection:
    """The current step's value: what the tape just computed."""
    step = snapshot.step
    return _inspection(step.label, step.formula, _where(snapshot), snapshot.value)


def inspect_param(snapshot: Snapshot, name: str, field: Field) -> Inspection:
    """A parameter's value, gradient or last change as they stand at this step."""
    param = next(p for p in snapshot.params if p.name == name)
    return _inspection(f"{name} · {FIELD_NAMES[field]}", "", _where(snapshot), getattr(param, field))
