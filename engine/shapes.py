"""Shapes worked out before anything is computed, for every expression in a scenario.

The model, the loss and the metrics are compiled op by op; stop rules, breakpoints and
log fields are evaluated later, on every epoch. Both go through `result_shape`, so an
expression that does not fit, or whose result would exhaust memory, is refused when it
is written, with both shapes named, and never halfway through a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from . import limits
from .expr import Binary, Call, Name, Node, Num, Transpose, Unary, children, constant_value
from .ops import AXIS_FUNCTIONS, BINARY_OPS, FUNCTION_OPS, Op, Shape, broadcast, onehot, with_axis

_LOGIC = {"and", "or"}
_COMPARISONS = {"<", "<=", ">", ">=", "==", "!="}


class ShapeError(ValueError):
    """An expression whose shapes do not fit, at the node where they stop fitting."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def result_shape(op: Op, shapes: list[Shape], text: str) -> Shape:
    """The shape `op` makes of operands of these shapes; ValueError naming `text` if they do
    not fit or the result would hold more than the limit of numbers."""
    try:
        result = op.shape(shapes)
    except ValueError as error:
        raise ValueError(f"shapes {' and '.join(map(str, shapes))} do not fit in {text!r}: {error}") from None
    return checked_size(result, text)


def checked_size(shape: Shape, text: str) -> Shape:
    if math.prod(shape) > limits.MAX_ELEMENTS:
        raise ValueError(
            f"{text!r} would have shape {shape} ({math.prod(shape)} numbers; at most {limits.MAX_ELEMENTS})"
        )
    return shape


def axis_of(call: Call, ndim: int) -> int | None:
    """The axis of sum(x, k)/mean(x, k): a whole number written out, within x's dimensions."""
    if len(call.args) == 1:
        return None
    pair = _PAIRWISE.get(call.func, "")  # max(0, Z) is the notes' np.maximum(0, Z), misremembered
    if ndim == 0:
        raise ValueError(
            f"{call.func}() of a single number has no axis to reduce; write {call.func}(…) without one"
            + (f", or {pair}" if pair else "")
        )
    value = constant_value(call.args[1])
    if value is None or value != int(value) or not -ndim <= value < ndim:
        raise ValueError(
            f"{call.func}()'s axis must be a whole number from {-ndim} to {ndim - 1}"
            + (f", or write {pair}" if pair else "")
        )
    return int(value) % ndim


_PAIRWISE = {"max": "maximum(a, b) for the larger of two values", "min": "minimum(a, b) for the smaller of two values"}


def classes_of(call: Call) -> int:
    """The k of onehot(labels, k): a whole number of classes, written out."""
    value = constant_value(call.args[1])
    if value is None or value != int(value) or not 1 <= value <= limits.MAX_ELEMENTS:
        raise ValueError(f"onehot()'s number of classes must be a whole number from 1 to {limits.MAX_ELEMENTS}")
    return int(value)


def call_op(call: Call, shapes: list[Shape]) -> Op:
    """The op a function call stands for, given its operands' shapes (axes and counts are written out)."""
    if call.func in AXIS_FUNCTIONS:
        return with_axis(call.func, shapes[0], axis_of(call, len(shapes[0])))
    if call.func == "onehot":
        return onehot(classes_of(call))
    return FUNCTION_OPS[call.func]


def infer(node: Node, names: Mapping[str, Shape], text: str) -> Shape:
    """The shape of a condition's or log field's value, from the shapes of the names it reads.

    Raises ShapeError at the innermost node that does not fit. Walks with an explicit
    stack in post-order, so a long expression cannot exhaust Python's recursion.
    """
    done: dict[int, Shape] = {}
    total = 0
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        operands = children(current)
        if not expanded and operands:
            stack.append((current, True))
            stack.extend((child, False) for child in reversed(operands))
            continue
        part = text[current.start : current.end]
        try:
            shape = _shape_of(current, [done[id(child)] for child in operands], names, part)
        except ValueError as error:
            raise ShapeError(current, str(error)) from None
        total += math.prod(shape)
        if total > limits.MAX_TAPE_ELEMENTS:
            raise ShapeError(current, f"computing {part!r} would hold more than {limits.MAX_TAPE_ELEMENTS} numbers")
        done[id(current)] = shape
    return done[id(node)]


def _shape_of(node: Node, args: list[Shape], names: Mapping[str, Shape], text: str) -> Shape:
    if isinstance(node, Num):
        return ()
    if isinstance(node, Name):
        return names[node.id]
    if isinstance(node, Unary):
        return () if node.op == "not" else args[0]
    if isinstance(node, Transpose):
        return args[0][::-1]
    if isinstance(node, Binary):
        if node.op in _LOGIC:
            return ()
        if node.op in _COMPARISONS or node.op == "**":
            return checked_size(_broadcast(args, text), text)
        return result_shape(BINARY_OPS[node.op], args, text)
    if isinstance(node, Call):
        if node.func == "grad":
            return args[0]
        if node.func in AXIS_FUNCTIONS or node.func == "onehot":
            return result_shape(call_op(node, args), args[:1], text)
        return result_shape(FUNCTION_OPS[node.func], args, text)
    raise TypeError(f"not an expression node: {node!r}")


def _broadcast(shapes: list[Shape], text: str) -> Shape:
    try:
        return broadcast(shapes)
    except ValueError as error:
        raise ValueError(f"shapes {' and '.join(map(str, shapes))} do not fit in {text!r}: {error}") from None
