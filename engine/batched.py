"""The loss at many parameter values in one pass of the tape: each value a batch entry.

`Program.run` computes one point, and its instructions bake each op's axis in, so a
batch axis put in front of a parameter would be summed with the data. Here the same op
forwards (ops.py) run on values that carry a leading batch axis: a value of true shape
s is held as (G, 1…, *s), padded to two axes after the batch (an array in bpdbg has at
most two), so NumPy's broadcasting and matrix products line up as they do for one
point, and an axis function reduces the axis it names, moved past the batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .limits import FIGURE_ELEMENTS
from .messages import coordinate
from .ops import Op, with_axis
from .tape import ParamInfo, Program

AXIS_OPS = ("sum", "mean", "max", "min", "softmax", "log_softmax")
RANK = 2  # axes after the batch axis


@dataclass(frozen=True)
class Entry:
    """One number of one parameter: a scalar itself, or one entry of a vector or matrix."""

    param: ParamInfo
    index: tuple[int, ...]

    @property
    def name(self) -> str:
        return coordinate(self.param.name, self.param.shape, self.index)


def _padded(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (1,) * (RANK - len(shape)) + shape


def per_point(program: Program) -> int:
    """Numbers one point's pass up to the loss holds: how many points fit a chunk."""
    return sum(math.prod(step.shape) for step in program.steps[: program.loss_end]) + program.n_params


def losses_at(
    program: Program, carried: Sequence[Any], epoch: int, entries: Sequence[Entry], points: np.ndarray
) -> np.ndarray:
    """The loss with each entry set to each row of `points` (G × len(entries)), the rest as carried.

    Computed in chunks that hold at most FIGURE_ELEMENTS numbers; non-finite losses stay
    as they are (a figure shows where the loss is defined).
    """
    chunk = max(1, FIGURE_ELEMENTS // max(per_point(program), 1))
    parts = [_chunk(program, carried, epoch, entries, points[i : i + chunk]) for i in range(0, len(points), chunk)]
    return np.concatenate(parts) if parts else np.empty(0)


def _chunk(
    program: Program, carried: Sequence[Any], epoch: int, entries: Sequence[Entry], points: np.ndarray
) -> np.ndarray:
    size = len(points)
    vals = program.start(carried, epoch)
    shapes: dict[int, tuple[int, ...]] = {p.slot: p.shape for p in program.params}
    batched: dict[int, np.ndarray] = {}
    for column, entry in enumerate(entries):
        slot = entry.param.slot
        if slot not in batched:
            one = np.asarray(vals[slot], dtype=np.float64).reshape(_padded(entry.param.shape))
            batched[slot] = np.repeat(one[np.newaxis], size, axis=0)
        row, col = _padded_index(entry.index)
        batched[slot][:, row, col] = points[:, column]
    with np.errstate(all="ignore"):
        for step in program.steps[: program.loss_end]:
            op, inputs = program.forward_ops[step.slot]
            shapes[step.slot] = step.shape
            if any(i in batched for i in inputs):
                args = [batched.get(i, vals[i]) for i in inputs]
                batched[step.slot] = _forward(op, args, [shapes.get(i, np.shape(vals[i])) for i in inputs], size)
            else:
                vals[step.slot] = op.forward(*[vals[i] for i in inputs])
    loss = batched.get(program.loss_slot)
    if loss is None:  # the loss does not depend on these entries
        return np.full(size, float(vals[program.loss_slot]))
    return np.asarray(loss, dtype=np.float64).reshape(size)


def _padded_index(index: tuple[int, ...]) -> tuple[int, int]:
    row, col = (0,) * (RANK - len(index)) + index
    return row, col


def _forward(op: Op, args: list[Any], shapes: list[tuple[int, ...]], size: int) -> Any:
    """One op on batched operands (unbatched ones broadcast as they are)."""
    if op.name in AXIS_OPS:
        (value,) = args
        value = np.broadcast_to(value, (size, *_padded(shapes[0])))
        if op.axis is None:  # over every axis but the batch
            value, axis = value.reshape(size, 1, -1), RANK
        else:
            axis = 1 + RANK - len(shapes[0]) + op.axis
        if op.name in ("sum", "mean"):  # as ops.reduction computes them, without its gradient's ones
            total = np.add.reduce(value, axis=axis, keepdims=True)
            return total if op.name == "sum" else total / value.shape[axis]
        out = with_axis(op.name, value.shape, axis).forward(value)
        return out.reshape(size, *_padded(shapes[0])) if op.axis is None and op.name.endswith("softmax") else out
    if op.name == "transpose":
        return np.swapaxes(args[0], -1, -2) if len(shapes[0]) == RANK else args[0]
    if op.name == "matmul":
        return _matmul(args[0], args[1], shapes)
    if op.name == "onehot":
        raise ValueError("onehot() of a value that depends on the parameters")
    return op.forward(*args)


def _matmul(a: Any, b: Any, shapes: list[tuple[int, ...]]) -> Any:
    """A matrix product with a batch on one side as one plain product (NumPy's stacked matmul
    takes no BLAS path and is many times slower); batches on both sides as one einsum."""
    if np.ndim(a) == RANK:  # only b is batched: (n×k) @ (G×k×m)
        size, k, m = np.shape(b)
        flat = np.asarray(b).transpose(1, 0, 2).reshape(k, size * m)
        return (a @ flat).reshape(shapes[0][0], size, m).transpose(1, 0, 2)
    if np.ndim(b) == RANK:  # only a is batched: (G×n×k) @ (k×m)
        size, n, k = np.shape(a)
        return (np.asarray(a).reshape(size * n, k) @ b).reshape(size, n, np.shape(b)[1])
    return np.einsum("gij,gjk->gik", a, b)
