"""Evaluate a parsed expression on known values, without differentiating.

Used for stop rules, breakpoints and the fields of log lines: small, whitelisted,
and the same tree types as the model, so there is one expression language.

Whole numbers (`epoch`, literals like `1`) stay Python ints while they are exact, so
`{epoch - 1}` prints as the notes print it; anything that would overflow or lose
exactness becomes a float, never a wrapped-around integer. Floating-point faults
give inf or nan (the caller decides what a non-finite value means), never a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .expr import Binary, Call, Name, Node, Num, Transpose, Unary
from .ops import AXIS_FUNCTIONS, BINARY_OPS, FUNCTION_OPS
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
    if isinstance(value, np.ndarray | np.generic):  # the usual case, checked after every step: no wrapper
        return bool(value.all())
    return bool(np.all(value))


def evaluate(
    node: Node, lookup: Mapping[str, object], grad: Callable[[Name], object] | None = None, each: bool = False
) -> Any:
    """The value of `node`, reading names from `lookup`.

    With each=True, `and`, `or` and `not` work element by element instead of asking whether
    a condition holds for every element: a breakpoint on scalars is then evaluated for many
    epochs at once, one element per epoch.

    Raises UnknownName for a missing name and EvaluationError, naming the innermost
    failing part, when shapes or an axis do not fit.
    """
    with np.errstate(all="ignore"):
        return _evaluate(node, lookup, grad, each)


def _evaluate(node: Node, lookup: Mapping[str, object], grad: Callable[[Name], object] | None, each: bool) -> object:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        if node.id not in lookup:
            raise UnknownName(node)
        return lookup[node.id]
    if isinstance(node, Unary):
        value = _evaluate(node.operand, lookup, grad, each)
        if node.op == "not":
            return np.logical_not(np.asarray(value)) if each else not truth(value)
        if _whole(value):
            return -value if node.op == "-" else value  # type: ignore[operator]
        return _apply(node, np.negative if node.op == "-" else np.positive, value)
    if isinstance(node, Transpose):
        return _apply(node, np.transpose, _evaluate(node.operand, lookup, grad, each))
    if isinstance(node, Binary):
        if node.op in ("and", "or") and each:
            both = [np.asarray(_evaluate(side, lookup, grad, each)) for side in (node.left, node.right)]
            return np.logical_and(*both) if node.op == "and" else np.logical_or(*both)
        if node.op in ("and", "or"):
            first = truth(_evaluate(node.left, lookup, grad, each))
            if first == (node.op == "or"):
                return first
            return truth(_evaluate(node.right, lookup, grad, each))
        left, right = _evaluate(node.left, lookup, grad, each), _evaluate(node.right, lookup, grad, each)
        if _whole(left) and _whole(right) and node.op in _WHOLE_OPS:
            return _whole_arithmetic(node.op, left, right)  # type: ignore[arg-type]
        if node.op in _COMPARE:
            return _apply(node, _COMPARE[node.op], left, right)
        if node.op == "**":
            return _apply(node, np.power, left, right)
        return _apply(node, BINARY_OPS[node.op].forward, left, right)
    if isinstance(node, Call):
        if node.func == "grad":
            target = node.args[0]
            if grad is None or not isinstance(target, Name):
                raise UnknownName(Name("grad", node.start, node.end))
            return grad(target)
        if node.func in AXIS_FUNCTIONS or node.func == "onehot":
            value = _evaluate(node.args[0], lookup, grad, each)
            return _apply(node, lambda a: call_op(node, [np.shape(a)]).forward(a), value)
        args = [_evaluate(arg, lookup, grad, each) for arg in node.args]
        return _apply(node, FUNCTION_OPS[node.func].forward, *args)
    raise TypeError(f"not an expression node: {node!r}")


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
