"""The primitive operations, each with its backward rule beside its forward: one line a derivative.

An op's derivative with respect to each input is written once, as its vector-Jacobian
product (autograd's `defvjp`): how the upstream gradient becomes this input's share.
For element-wise ops the local derivative the debugger shows as a chain-rule factor is
that same rule applied to a gradient of ones, so the factor shown and the gradient
computed can never disagree. Each op also says how it is written and what shape it makes.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .notation import BARE, PRODUCT, SUM, Notation, call, infix, postfix, prefix

Array = Any
"""A NumPy array, or a NumPy scalar where an op reduces to one; NumPy's stubs give most results as Any."""
Shape = tuple[int, ...]
OPERANDS = ("g", "out", "a", "b")
"""What a backward rule may read: the upstream gradient, the op's output, and its inputs."""


@dataclass(frozen=True)
class Partial:
    """The derivative of an op's output with respect to one of its inputs."""

    formula: str  # the local derivative in the scenario's names: {out}, {a}, {b} stand for the operands
    rule: Callable[..., Array]  # the input's share of the gradient, from the operands it reads
    reads: tuple[int, ...]  # which of OPERANDS the rule takes, in order
    elementwise: bool = True  # False for matrix products and transposes, which have no factor per element
    note: str = ""  # what a reduction does to the gradient, in words; {count} is how many entries

    @property
    def is_one(self) -> bool:
        """The gradient passes through unchanged (x + y, sum)."""
        return self.formula == "1"

    def vjp(self, g: Array, out: Array, *inputs: Array) -> Array:
        """The input's share of the upstream gradient g."""
        operands = (g, out, *inputs)
        return self.rule(*[operands[i] for i in self.reads])

    def local(self, out: Array, *inputs: Array) -> Array:
        """The local derivative itself: the backward rule applied to a gradient of ones."""
        return self.vjp(np.ones_like(out), out, *inputs)


@dataclass(frozen=True)
class Op:
    name: str
    forward: Callable[..., Array]
    partials: tuple[Partial, ...]
    notation: Notation  # how the op is written around its operands' labels
    shape: Callable[[list[Shape]], Shape]  # the result's shape; ValueError if the operands do not fit
    axis: int | None = None  # for an axis function (sum, mean, max, min, softmax): the axis, None for all

    def write(self, names: list[str], arrays: bool = False, bindings: list[int] | None = None) -> str:
        return self.notation.write(names, arrays, bindings)


def broadcast(shapes: list[Shape]) -> Shape:
    """NumPy's broadcast, less the one case that is nearly always a slip: a column of n against
    a vector of n, which NumPy makes an n×n matrix and a loss then averages without a word."""
    try:
        result = tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError("they cannot be broadcast together") from None
    columns = {s[0] for s in shapes if len(s) == 2 and s[1] == 1 and s[0] > 1}
    for n in columns & {s[0] for s in shapes if len(s) == 1}:
        raise ValueError(
            f"a column of {n} and a vector of {n} would broadcast to a {n}×{n} matrix, every entry against "
            f"every other; make both columns (shape = [{n}, 1] for data) or both vectors"
        )
    return result


def _matmul_shape(shapes: list[Shape]) -> Shape:
    a, b = shapes
    if len(a) != 2 or len(b) != 2:
        raise ValueError("@ needs two matrices (2-D arrays)")
    if a[1] != b[0]:
        raise ValueError(f"inner sizes differ ({a[1]} and {b[0]})")
    return (a[0], b[1])


def _same_shape(shapes: list[Shape]) -> Shape:
    return shapes[0]


def _transposed(shapes: list[Shape]) -> Shape:
    return shapes[0][::-1]


def elementwise(name: str, forward: Callable[..., Array], write: Notation, *partials: Partial) -> Op:
    return Op(name, forward, partials, write, broadcast if len(partials) == 2 else _same_shape)


def d(formula: str, rule: Callable[..., Array], *reads: str, elementwise: bool = True, note: str = "") -> Partial:
    """One derivative: its formula, and its rule on the operands it names (of g, out, a, b).

    Naming just what the rule reads lets the tape call it on those values directly: a rule
    that is one NumPy call, e.g. g·b as `d("{b}", np.multiply, "g", "b")`, runs with no
    Python in between, and a rule that reads only constants is computed once.
    """
    return Partial(formula, rule, tuple(OPERANDS.index(name) for name in reads), elementwise, note)


def same(value: Array) -> Array:
    """The value itself, unchanged."""
    return value


ONE = d("1", same, "g")
MINUS_ONE = d("−1", np.negative, "g")


# NumPy's functions by short names, for the rules below: called in the formula's order rather than
# through the operators, which for a float on the left go the long way round (the same bits).
mul, sub, div, neg, greater = np.multiply, np.subtract, np.divide, np.negative, np.greater


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^−z), the notes' formula; a huge −z gives e^−z = inf and so exactly 0."""
    return div(1.0, np.add(1.0, np.exp(neg(z))))


def _tie_share(mine: Array, other: Array, wins: Callable[[Array, Array], Array]) -> Array:
    """Which input a max/min takes its value from; a tie splits the gradient evenly."""
    return wins(mine, other).astype(np.float64) + 0.5 * (mine == other)


# fmt: off
ADD = elementwise("add", np.add, infix(" + ", SUM), ONE, ONE)
SUB = elementwise("sub", np.subtract, infix(" − ", SUM), ONE, MINUS_ONE)
MUL = elementwise("mul", np.multiply, infix("·", PRODUCT, " ⊙ "),
                  d("{b}", np.multiply, "g", "b"),
                  d("{a}", np.multiply, "g", "a"))
DIV = elementwise("div", np.divide, infix("/", PRODUCT),
                  d("1/{b}", np.divide, "g", "b"),
                  d("−{a}/{b}²", lambda g, a, b: mul(g, div(neg(a), mul(b, b))), "g", "a", "b"))
NEG = elementwise("neg", np.negative, prefix("−"), MINUS_ONE)
POS = elementwise("pos", np.positive, prefix("+"), ONE)
IDENTITY = elementwise("identity", same, BARE, ONE)
SIGMOID = elementwise("sigmoid", sigmoid, call("sigmoid"),
                      d("{out}·(1 − {out})", lambda g, out: mul(g, mul(out, sub(1.0, out))), "g", "out"))
RELU = elementwise("relu", functools.partial(np.maximum, 0.0), call("relu"),
                   d("[{a} > 0]", lambda g, a: mul(g, greater(a, 0).astype(np.float64)), "g", "a"))
TANH = elementwise("tanh", np.tanh, call("tanh"),
                   d("1 − {out}²", lambda g, out: mul(g, sub(1.0, mul(out, out))), "g", "out"))
EXP = elementwise("exp", np.exp, call("exp"), d("{out}", np.multiply, "g", "out"))
LOG = elementwise("log", np.log, call("log"), d("1/{a}", lambda g, a: mul(g, div(1.0, a)), "g", "a"))
ABS = elementwise("abs", np.abs, call("abs"), d("sign({a})", lambda g, a: g * np.sign(a), "g", "a"))
MAXIMUM = elementwise("maximum", np.maximum, call("maximum"),
                      d("[{a} ≥ {b}]", lambda g, a, b: g * _tie_share(a, b, np.greater), "g", "a", "b"),
                      d("[{b} ≥ {a}]", lambda g, a, b: g * _tie_share(b, a, np.greater), "g", "a", "b"))
MINIMUM = elementwise("minimum", np.minimum, call("minimum"),
                      d("[{a} ≤ {b}]", lambda g, a, b: g * _tie_share(a, b, np.less), "g", "a", "b"),
                      d("[{b} ≤ {a}]", lambda g, a, b: g * _tie_share(b, a, np.less), "g", "a", "b"))
MATMUL = Op("matmul", np.matmul, (
    d("(·) @ {b}ᵀ", lambda g, b: g @ b.T, "g", "b", elementwise=False),
    d("{a}ᵀ @ (·)", lambda a, g: a.T @ g, "a", "g", elementwise=False),
), infix(" @ ", PRODUCT), _matmul_shape)
TRANSPOSE = Op("transpose", np.transpose, (d("(·)ᵀ", np.transpose, "g", elementwise=False),),
               postfix("ᵀ"), _transposed)
# fmt: on


def power(exponent: float, shape: Shape = ()) -> Op:
    """x ** p for a constant p; p = 2 differentiates to the exact 2·x.

    An array squared is np.square, called directly (`x ** 2` on an array gives the same bits by a
    longer way); a single number, which may be a NumPy scalar, keeps its own `**`."""
    shown = f"{exponent:g}"
    written = postfix("²" if exponent == 2 else "³" if exponent == 3 else f"^{shown}")
    if exponent == 2:
        partial = d("2·{a}", lambda g, a: mul(g, mul(2.0, a)), "g", "a")
    elif exponent == 1:
        partial = ONE
    else:
        partial = d(f"{shown}·{{a}}^{exponent - 1:g}", lambda g, a: g * (exponent * a ** (exponent - 1)), "g", "a")
    forward = np.square if exponent == 2 and shape else lambda a: a**exponent
    return elementwise("pow", forward, written, partial)


def reduction(kind: str, shape: Shape, axis: int | None) -> Op:
    """sum/mean over everything (a scalar) or over one axis, keeping it (as the notes do).

    Written with `np.add.reduce`, which is what `np.sum`/`np.mean` do underneath (same
    bits), without their Python wrappers: this runs every epoch.
    """
    count = math.prod(shape) if axis is None else shape[axis]
    ones = functools.cache(lambda: np.ones(shape))  # made when the gradient is first sent back, not before
    divisor = 1 if kind == "sum" else count
    keep = {} if axis is None else {"keepdims": True}
    total = functools.partial(np.add.reduce, axis=axis, **keep)  # a sum is this one call

    def mean(a: Array) -> Array:
        return total(a) / divisor

    forward = _one_entry(len(shape), total) if count == 1 and axis is None else total if kind == "sum" else mean
    over = f"{count} entries" if axis is None else f"the {count} entries along axis {axis}"
    single = count == 1  # a sum or mean of one entry hands its gradient on as it is: nothing to say
    if kind == "sum":
        note = "" if single else f"a sum of {over}: each gets the whole gradient"
        partial = d("1", lambda g: mul(g, ones()), "g", note=note)
    else:
        note = "" if single else f"a mean of {over}: each gets 1/{count} of it"
        partial = d(f"1/{count}", lambda g: mul(div(g, divisor), ones()), "g", note=note)
    written = call(kind, axis)
    return Op(kind, forward, (partial,), written, lambda shapes: reduced_shape(shapes[0], axis), axis)


def _one_entry(ndim: int, total: Callable[[Array], Array]) -> Callable[[Array], Array]:
    """The sum, and so the mean, of a single entry: np.add.reduce gives 0 + the entry (−0 becomes 0;
    NaN keeps its bits), read here straight out of the array, without setting up a reduction. A
    one-sample loss (the notes' net_221) is such a sum every epoch."""
    where = (0,) * ndim

    def entry(a: Array) -> Array:
        if type(a) is np.ndarray and a.dtype.char == "d":
            return a[where] + 0.0
        return total(a)  # a Python number or another dtype: NumPy's own reduction, whatever it gives

    return entry


def reduced_shape(shape: Shape, axis: int | None) -> Shape:
    """A sum or mean keeps the reduced axis with length 1, as the notes' keepdims=True does."""
    if axis is None:
        return ()
    return tuple(1 if i == axis else n for i, n in enumerate(shape))


def extreme(kind: str, axis: int | None) -> Op:
    """max/min over everything or along one axis (kept); ties share the gradient evenly."""
    pick = (np.maximum if kind == "max" else np.minimum).reduce  # what np.max calls, without its wrapper

    def forward(a: Array) -> Array:
        return pick(a, axis=None) if axis is None else pick(a, axis=axis, keepdims=True)

    def share(g: Array, out: Array, a: Array) -> Array:
        chosen = (a == out).astype(np.float64)
        return g * (chosen / np.add.reduce(chosen, axis=axis, keepdims=True))

    written = call(kind, axis)
    shape: Callable[[list[Shape]], Shape] = lambda shapes: reduced_shape(shapes[0], axis)  # noqa: E731
    return Op(kind, forward, (d(f"[{{a}} = {kind}]", share, "g", "out", "a"),), written, shape, axis)


def softmax(axis: int | None) -> Op:
    """e^x / Σe^x over everything or along one axis, shifted by the max so that it never overflows."""

    def forward(a: Array) -> Array:
        e = np.exp(a - np.max(a, axis=axis, keepdims=True))
        return e / np.add.reduce(e, axis=axis, keepdims=True)

    def vjp(g: Array, out: Array) -> Array:
        return out * (g - np.add.reduce(g * out, axis=axis, keepdims=True))

    written = call("softmax", axis)
    partial = d("{out} ⊙ ((·) − Σ (·) ⊙ {out})", vjp, "g", "out", elementwise=False)
    return Op("softmax", forward, (partial,), written, _same_shape, axis)


def log_softmax(axis: int | None) -> Op:
    """x − log Σe^x, computed as (x − max) − log Σe^(x − max): finite for any finite x."""

    def forward(a: Array) -> Array:
        shifted = a - np.max(a, axis=axis, keepdims=True)
        return shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))

    def vjp(g: Array, out: Array) -> Array:
        return g - np.exp(out) * np.add.reduce(g, axis=axis, keepdims=True)

    written = call("log_softmax", axis)
    partial = d("(·) − exp({out}) ⊙ Σ (·)", vjp, "g", "out", elementwise=False)
    return Op("log_softmax", forward, (partial,), written, _same_shape, axis)


def onehot_labels(labels: Array, k: int) -> Array:
    """Labels as indices of onehot()'s rows, or a ValueError naming the first that is not a whole number
    from 0 to k − 1: as an index, −1 would pick the last row and 1.5 the second, without a word."""
    values = np.asarray(labels, dtype=np.float64).reshape(-1)
    whole = (values == np.round(values)) & (values >= 0) & (values < k)
    if not whole.all():
        raise ValueError(f"onehot()'s labels must be whole numbers from 0 to {k - 1} (got {values[~whole][0]:g})")
    return values.astype(np.intp)


def onehot(k: int) -> Op:
    """Labels 0…k−1 (n of them, as a column or a vector) → an n×k matrix of 0s and 1s: data, no gradient."""

    def forward(labels: Array) -> Array:
        return np.eye(k)[onehot_labels(labels, k)]

    def shape(shapes: list[Shape]) -> Shape:
        (labels,) = shapes
        if len(labels) > 2 or (len(labels) == 2 and labels[1] != 1):
            raise ValueError(f"onehot() takes labels as a column (n×1) or a vector, not {labels}")
        return (math.prod(labels), k)

    return Op("onehot", forward, (d("0", lambda a: np.zeros(np.shape(a)), "a"),), call("onehot", k), shape)


#: Functions whose second argument, if any, is an axis written out: f(x) or f(x, 0).
AXIS_FUNCTIONS = ("sum", "mean", "max", "min", "softmax", "log_softmax")


@functools.lru_cache(maxsize=256)
def with_axis(func: str, shape: Shape, axis: int | None) -> Op:
    """The op of an axis function, for an operand of this shape: made once, as a breakpoint or a
    log field evaluates the same call every epoch (an op holds no arrays until its gradient runs)."""
    if func in ("sum", "mean"):
        return reduction(func, shape, axis)
    if func in ("max", "min"):
        return extreme(func, axis)
    return softmax(axis) if func == "softmax" else log_softmax(axis)


def comparison(name: str, symbol: str, compare: Callable[[Array, Array], Array]) -> Op:
    """1 where the comparison holds, 0 where not: for metrics such as an accuracy, never differentiated."""
    no_gradient = d("0", lambda a: np.zeros(np.shape(a)), "a")
    written = infix(f" {symbol} ", 0)
    return elementwise(name, lambda a, b: compare(a, b).astype(np.float64), written, no_gradient, no_gradient)


COMPARISON_OPS: dict[str, Op] = {
    "<": comparison("less", "<", np.less), "<=": comparison("less_equal", "≤", np.less_equal),
    ">": comparison("greater", ">", np.greater), ">=": comparison("greater_equal", "≥", np.greater_equal),
    "==": comparison("equal", "==", np.equal), "!=": comparison("not_equal", "≠", np.not_equal),
}  # fmt: skip
BINARY_OPS: dict[str, Op] = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "@": MATMUL} | COMPARISON_OPS
UNARY_OPS: dict[str, Op] = {"-": NEG, "+": POS}
FUNCTION_OPS: dict[str, Op] = {
    "sigmoid": SIGMOID, "relu": RELU, "tanh": TANH, "exp": EXP, "log": LOG, "abs": ABS,
    "maximum": MAXIMUM, "minimum": MINIMUM, "transpose": TRANSPOSE,
}  # fmt: skip


def unbroadcast(shape: Shape, grad_shape: Shape) -> tuple[int, ...]:
    """The axes to sum a gradient over so that it fits an input NumPy broadcast.

    Leading axes the input did not have, and axes where it had length 1.
    """
    extra = len(grad_shape) - len(shape)
    return tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad_shape[extra + i] != 1)
