"""The primitive operations, each with its backward pass beside its forward.

For every input an op has a `Partial`: how to write the local derivative in the
scenario's own names (`{out}·(1 − {out})`), and how to turn the upstream gradient
into this input's share of it (the vector-Jacobian product). Element-wise ops also
say what the local derivative *is*, so the debugger can show each chain-rule factor
with its number; matrix products have no such factor and say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
# A backward rule gets (upstream gradient, the op's output, its inputs...).
Vjp = Callable[..., Array]
Local = Callable[..., Array]


@dataclass(frozen=True)
class Partial:
    """The derivative of an op's output with respect to one of its inputs."""

    formula: str  # local derivative, with {out}, {a}, {b} standing for the operands
    vjp: Vjp
    local: Local | None = None  # element-wise local derivative; None for matrix ops
    is_one: bool = False  # the local derivative is exactly 1: the gradient passes through


@dataclass(frozen=True)
class Op:
    name: str
    symbol: str  # how the op is written between or around operands, for labels
    forward: Callable[..., Array]
    partials: tuple[Partial, ...]


def _elementwise(formula: str, local: Local, vjp: Vjp | None = None) -> Partial:
    """A local derivative that multiplies the upstream gradient element by element.

    `vjp` gives the product directly where that is cheaper than forming the factor.
    """
    return Partial(formula, vjp or (lambda g, out, *xs: g * local(out, *xs)), local)


def _passthrough(sign: float = 1.0) -> Partial:
    if sign > 0:
        return Partial("1", lambda g, out, *xs: g, lambda out, *xs: np.ones_like(out), is_one=True)
    return Partial("−1", lambda g, out, *xs: -g, lambda out, *xs: -np.ones_like(out))


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^−z), the notes' formula; a huge −z gives e^−z = inf and so exactly 0."""
    return 1.0 / (1.0 + np.exp(-z))


ADD = Op("add", "+", np.add, (_passthrough(), _passthrough()))
SUB = Op("sub", "−", np.subtract, (_passthrough(), _passthrough(-1.0)))
MUL = Op(
    "mul",
    "·",
    np.multiply,
    (
        _elementwise("{b}", lambda out, a, b: b * np.ones_like(out), lambda g, out, a, b: g * b),
        _elementwise("{a}", lambda out, a, b: a * np.ones_like(out), lambda g, out, a, b: g * a),
    ),
)
DIV = Op(
    "div",
    "/",
    np.divide,
    (
        _elementwise("1/{b}", lambda out, a, b: 1.0 / b * np.ones_like(out), lambda g, out, a, b: g / b),
        _elementwise("−{a}/{b}²", lambda out, a, b: -a / (b * b) * np.ones_like(out)),
    ),
)
MATMUL = Op(
    "matmul",
    "@",
    np.matmul,
    (
        Partial("(·) @ {b}ᵀ", lambda g, out, a, b: g @ b.T),
        Partial("{a}ᵀ @ (·)", lambda g, out, a, b: a.T @ g),
    ),
)
NEG = Op("neg", "−", np.negative, (_passthrough(-1.0),))
POS = Op("pos", "+", np.positive, (_passthrough(),))
IDENTITY = Op("identity", "=", lambda a: a, (_passthrough(),))
SIGMOID = Op(
    "sigmoid",
    "sigmoid",
    sigmoid,
    (_elementwise("{out}·(1 − {out})", lambda out, a: out * (1.0 - out), lambda g, out, a: g * (out * (1.0 - out))),),
)
RELU = Op(
    "relu",
    "relu",
    lambda a: np.maximum(0.0, a),
    (
        _elementwise(
            "[{a} > 0]", lambda out, a: (a > 0).astype(np.float64), lambda g, out, a: g * (a > 0).astype(np.float64)
        ),
    ),
)
TANH = Op(
    "tanh",
    "tanh",
    np.tanh,
    (_elementwise("1 − {out}²", lambda out, a: 1.0 - out * out, lambda g, out, a: g * (1.0 - out * out)),),
)
EXP = Op("exp", "exp", np.exp, (_elementwise("{out}", lambda out, a: out),))
LOG = Op("log", "log", np.log, (_elementwise("1/{a}", lambda out, a: 1.0 / a),))
ABS = Op("abs", "abs", np.abs, (_elementwise("sign({a})", lambda out, a: np.sign(a)),))
TRANSPOSE = Op("transpose", "ᵀ", np.transpose, (Partial("transpose", lambda g, out, a: np.transpose(g)),))


def _tie_share(mine: Array, other: Array, wins: Callable[[Array, Array], Array]) -> Array:
    """Which input a max/min takes its value from; a tie splits the gradient evenly."""
    return wins(mine, other).astype(np.float64) + 0.5 * (mine == other)


MAXIMUM = Op(
    "maximum",
    "maximum",
    np.maximum,
    (
        _elementwise("[{a} ≥ {b}]", lambda out, a, b: _tie_share(a, b, np.greater) * np.ones_like(out)),
        _elementwise("[{b} ≥ {a}]", lambda out, a, b: _tie_share(b, a, np.greater) * np.ones_like(out)),
    ),
)
MINIMUM = Op(
    "minimum",
    "minimum",
    np.minimum,
    (
        _elementwise("[{a} ≤ {b}]", lambda out, a, b: _tie_share(a, b, np.less) * np.ones_like(out)),
        _elementwise("[{b} ≤ {a}]", lambda out, a, b: _tie_share(b, a, np.less) * np.ones_like(out)),
    ),
)


def power(exponent: float) -> Op:
    """x ** p for a constant p; p = 2 differentiates to the exact 2·x."""
    shown = f"{exponent:g}"
    if exponent == 2:
        partial = _elementwise("2·{a}", lambda out, a: 2.0 * a, lambda g, out, a: g * (2.0 * a))
    elif exponent == 1:
        partial = _passthrough()
    else:
        partial = _elementwise(f"{shown}·{{a}}^{exponent - 1:g}", lambda out, a: exponent * a ** (exponent - 1))
    return Op("pow", f"**{shown}", lambda a: a**exponent, (partial,))


def reduction(kind: str, shape: tuple[int, ...], axis: int | None) -> Op:
    """sum/mean over everything (a scalar) or over one axis, keeping it (as the notes do).

    Written with `np.add.reduce`, which is what `np.sum`/`np.mean` do underneath (same
    bits), without their Python wrappers: this runs every epoch.
    """
    count = int(np.prod(shape)) if axis is None else shape[axis]
    ones = np.ones(shape)
    keep = axis is not None
    divisor = 1 if kind == "sum" else count

    def forward(a: Array) -> Array:
        total = np.add.reduce(a, axis=axis, keepdims=keep)
        return total if kind == "sum" else total / divisor

    if kind == "sum":
        partial = Partial("1", lambda g, out, a: g * ones, lambda out, a: ones, is_one=True)
    else:
        partial = Partial(f"1/{count}", lambda g, out, a: (g / divisor) * ones, lambda out, a: ones / divisor)
    return Op(kind, kind, forward, (partial,))


BINARY_OPS: dict[str, Op] = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "@": MATMUL}
UNARY_OPS: dict[str, Op] = {"-": NEG, "+": POS}
FUNCTION_OPS: dict[str, Op] = {
    "sigmoid": SIGMOID,
    "relu": RELU,
    "tanh": TANH,
    "exp": EXP,
    "log": LOG,
    "abs": ABS,
    "maximum": MAXIMUM,
    "minimum": MINIMUM,
    "transpose": TRANSPOSE,
}


def unbroadcast(shape: tuple[int, ...], grad_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes to sum a gradient over so that it fits an input NumPy broadcast.

    Leading axes the input did not have, and axes where it had length 1.
    """
    extra = len(grad_shape) - len(shape)
    return tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1)
