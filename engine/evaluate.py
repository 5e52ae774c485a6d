"""Evaluate a parsed expression on known values, without differentiating.

Used for stop rules, breakpoints and the fields of log lines: small, whitelisted,
and the same tree types as the model, so there is one expression language.

Whole numbers (`epoch`, literals like `1`) stay Python ints while they are exact, so
`{epoch - 1}` prints as the notes print it; anything that would overflow or lose
exactness becomes a float, never a wrapped-around integer. Floating-point faults
give inf or nan (the caller decides what a non-finite value means), never a warning.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .expr import Binary, Call, Name, Node, Num, Transpose, Unary
from .ops import AXIS_FUNCTIONS, BINARY_OPS, FUNCTION_OPS, Op, Shape
from .scenario import LogField, Place, ScenarioError
from .shapes import call_op

_COMPARE: dict[str, Callable[..., Any]] = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
#: The same comparisons as operators: on NumPy values they call the functions above, and on a
#: single NumPy number without the functions' overhead (a breakpoint compares one every epoch).
_OPERATORS: dict[str, Callable[..., Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_NUMPY = (np.ndarray, np.generic)
_EXACT = 2**53  # the largest whole numbers a float64 still holds exactly
_WHOLE_OPS = {"+", "-", "*", "/", "**"}


class UnknownName(KeyError):
    def __init__(self, name: Name) -> None:
        super().__init__(name.id)
        self.name = name


class EvaluationError(ValueError):
    """An expression that parses but cannot be computed on these values (shapes, axes)."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def truth(value: Any) -> bool:
    """A condition on an array holds when it holds for every element."""
    if isinstance(value, np.generic):  # one number (a reduction compared): its own truth, as all() gives
        return bool(value)
    if isinstance(value, np.ndarray):  # the usual case, checked after every step: no wrapper
        return bool(value.all())
    return bool(np.all(value))


Grad = Callable[[Name], object] | None
Evaluator = Callable[[Mapping[str, object], Grad], Any]
"""An expression worked out once into nested functions: called with the names' values and the
gradient reader, it gives `evaluate`'s result."""


def evaluate(node: Node, lookup: Mapping[str, object], grad: Grad = None, each: bool = False) -> Any:
    """The value of `node`, reading names from `lookup`.

    With each=True, `and`, `or` and `not` work element by element instead of asking whether
    a condition holds for every element, and `max`/`min` of a whole value reduce all but the
    first axis: a breakpoint is then evaluated for many epochs at once, its values stacked
    along a first axis, one entry (or one slice) per epoch.

    Raises UnknownName for a missing name and EvaluationError, naming the innermost
    failing part, when shapes or an axis do not fit.
    """
    key = (id(node), each)
    known = _EVALUATORS.get(key)
    if known is None or known[0] is not node:
        if len(_EVALUATORS) >= _KEPT:
            _EVALUATORS.clear()
        known = _EVALUATORS[key] = (node, evaluator(node, each))
    return known[1](lookup, grad)


_KEPT = 512  # trees whose evaluators are kept (the node is kept with it, so its id stays its own)
_EVALUATORS: dict[tuple[int, bool], tuple[Node, Evaluator]] = {}


def evaluator(node: Node, each: bool = False) -> Evaluator:
    """`evaluate` for one tree, worked out once: what each node is and does is decided here, so
    a condition checked every epoch (a breakpoint, a stop rule) costs its NumPy calls and little
    more. The tree is walked, never turned into text or code."""
    run = _compile(node, each)

    def evaluated(lookup: Mapping[str, object], grad: Grad = None) -> Any:
        with np.errstate(all="ignore"):
            return run(lookup, grad)

    return evaluated


def _compile(node: Node, each: bool) -> Evaluator:
    if isinstance(node, Num):
        value = node.value
        return lambda lookup, grad: value
    if isinstance(node, Name):
        return _name(node)
    if isinstance(node, Unary):
        return _unary(node, _compile(node.operand, each), each)
    if isinstance(node, Transpose):
        operand = _compile(node.operand, each)
        return lambda lookup, grad: _apply(node, np.transpose, operand(lookup, grad))
    if isinstance(node, Binary):
        left, right = _compile(node.left, each), _compile(node.right, each)
        if node.op in ("and", "or"):
            return _logic(node.op, left, right, each)
        return _binary(node, left, right)
    if isinstance(node, Call):
        return _call(node, each)
    raise TypeError(f"not an expression node: {node!r}")


def _name(node: Name) -> Evaluator:
    key = node.id

    def name(lookup: Mapping[str, object], grad: Grad) -> object:
        if key not in lookup:
            raise UnknownName(node)
        return lookup[key]

    return name


def _unary(node: Unary, operand: Evaluator, each: bool) -> Evaluator:
    if node.op == "not" and each:
        return lambda lookup, grad: np.logical_not(np.asarray(operand(lookup, grad)))
    if node.op == "not":
        return lambda lookup, grad: not truth(operand(lookup, grad))
    minus = node.op == "-"
    function = np.negative if minus else np.positive

    def signed(lookup: Mapping[str, object], grad: Grad) -> object:
        value = operand(lookup, grad)
        if _whole(value):
            return -value if minus else value
        return _apply(node, function, value)

    return signed


def _logic(op: str, left: Evaluator, right: Evaluator, each: bool) -> Evaluator:
    if each:
        both = np.logical_and if op == "and" else np.logical_or
        return lambda lookup, grad: both(np.asarray(left(lookup, grad)), np.asarray(right(lookup, grad)))
    decided = op == "or"  # `or` is decided by a first side that holds, `and` by one that does not

    def logic(lookup: Mapping[str, object], grad: Grad) -> bool:
        first = truth(left(lookup, grad))
        return first if first == decided else truth(right(lookup, grad))

    return logic


def _binary(node: Binary, left: Evaluator, right: Evaluator) -> Evaluator:
    op = node.op
    whole_op = op in _WHOLE_OPS
    compare = _COMPARE.get(op)
    function = compare or (np.power if op == "**" else BINARY_OPS[op].forward)
    operator_form = _OPERATORS.get(op)

    def binary(lookup: Mapping[str, object], grad: Grad) -> object:
        a, b = left(lookup, grad), right(lookup, grad)
        if whole_op and _whole(a) and _whole(b):
            return _whole_arithmetic(op, a, b)
        if operator_form is not None and isinstance(a, _NUMPY):
            return _apply(node, operator_form, a, b)
        return _apply(node, function, a, b)

    return binary


def _call(node: Call, each: bool) -> Evaluator:
    if node.func == "grad":
        target = node.args[0]

        def gradient(lookup: Mapping[str, object], grad: Grad) -> object:
            if grad is None or not isinstance(target, Name):
                raise UnknownName(Name("grad", node.start, node.end))
            return grad(target)

        return gradient
    if each and node.func in _PER_EPOCH and len(node.args) == 1:
        return _per_epoch(node, _compile(node.args[0], each))
    if node.func in AXIS_FUNCTIONS or node.func == "onehot":
        operand = _compile(node.args[0], each)
        ops: dict[Shape, Op] = {}  # the op for each shape of operand met (with_axis keeps them too)

        def forward(a: Any) -> Any:
            shape = np.shape(a)
            op = ops.get(shape)
            if op is None:
                op = ops[shape] = call_op(node, [shape])
            return op.forward(a)

        return lambda lookup, grad: _apply(node, forward, operand(lookup, grad))
    args = [_compile(arg, each) for arg in node.args]
    function = FUNCTION_OPS[node.func].forward
    if len(args) == 1:
        (only,) = args
        return lambda lookup, grad: _apply(node, function, only(lookup, grad))
    return lambda lookup, grad: _apply(node, function, *[arg(lookup, grad) for arg in args])


#: The reductions of a whole value that, with each=True, are taken epoch by epoch: a value stacked
#: by epoch along its first axis gives each epoch's largest or smallest entry, the very number one
#: epoch's value gives (a sum's rounding could depend on the layout; these cannot).
_PER_EPOCH = {"max": np.maximum.reduce, "min": np.minimum.reduce}


def _per_epoch(node: Call, operand: Evaluator) -> Evaluator:
    pick = _PER_EPOCH[node.func]

    def reduced(a: Any) -> Any:
        if np.ndim(a) == 0:  # a single number: its own extreme
            return pick(a, axis=None)
        a = np.asarray(a)
        return pick(a.reshape(len(a), -1), axis=1).reshape((len(a),) + (1,) * (a.ndim - 1))

    return lambda lookup, grad: _apply(node, reduced, operand(lookup, grad))


def gradient_key(name: str) -> str:
    """Where a log line's values hold ∂L/∂name: a key no scenario name can take."""
    return f"grad({name})"


def field_value(field: LogField, lookup: Mapping[str, object], place: Place) -> object:
    """A `[[log]]` field's value, or a ScenarioError at the character of the format that fails."""
    try:
        return evaluate(field.tree, lookup, lambda name: lookup[gradient_key(name.id)])
    except UnknownName as error:
        raise ScenarioError(
            place.at_column(field.start + error.name.start),
            f"{{{field.text}}}: unknown name {error.name.id!r} in the log format",
        ) from None
    except EvaluationError as error:
        raise ScenarioError(
            place.at_column(field.start + error.node.start), f"{{{field.text}}}: {error.message}"
        ) from None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_arithmetic(op: str, left: int, right: int) -> int | float:
    """+ − * ** on whole numbers, exact while it fits a float64; / and negative powers as floats."""
    if op == "/" or (op == "**" and right < 0):
        return float(np.divide(float(left), float(right)) if op == "/" else np.power(float(left), float(right)))
    if op == "**":
        # |left| ≤ 2**53 and right ≤ 64 (the parser's limit), so the exact power stays small enough to form.
        result = left**right
        return result if abs(result) <= _EXACT else float(np.power(float(left), float(right)))
    result = left + right if op == "+" else left - right if op == "-" else left * right
    return result if abs(result) <= _EXACT else float(result)


def _apply(node: Node, function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)`, with a NumPy shape or axis complaint turned into an EvaluationError at `node`."""
    try:
        return function(*args)
    except (ValueError, TypeError, ArithmeticError) as error:
        shapes = [np.shape(a) for a in args]
        shown = f" (shapes {' and '.join(map(str, shapes))})" if any(shapes) else ""
        raise EvaluationError(node, f"cannot compute it{shown}: {error}") from None
