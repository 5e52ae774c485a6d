"""Evaluate a parsed expression on known values, without differentiating.

Used for stop rules, breakpoints and the fields of log lines: small, whitelisted,
and the same tree types as the model, so there is one expression language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .expr import Binary, Call, Name, Node, Num, Transpose, Unary
from .ops import BINARY_OPS, FUNCTION_OPS

_COMPARE: dict[str, Callable[[object, object], object]] = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


class UnknownName(KeyError):
    def __init__(self, name: Name) -> None:
        super().__init__(name.id)
        self.name = name


def truth(value: object) -> bool:
    """A condition on an array holds when it holds for every element."""
    return bool(np.all(value))


def evaluate(node: Node, lookup: Mapping[str, object], grad: Callable[[Name], object] | None = None) -> object:
    """The value of `node`, reading names from `lookup` (UnknownName if missing)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        if node.id not in lookup:
            raise UnknownName(node)
        return lookup[node.id]
    if isinstance(node, Unary):
        value = evaluate(node.operand, lookup, grad)
        if node.op == "not":
            return not truth(value)
        return -value if node.op == "-" else value  # type: ignore[operator]
    if isinstance(node, Transpose):
        return np.transpose(evaluate(node.operand, lookup, grad))
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            left = truth(evaluate(node.left, lookup, grad))
            if left == (node.op == "or"):
                return left
            return truth(evaluate(node.right, lookup, grad))
        left, right = evaluate(node.left, lookup, grad), evaluate(node.right, lookup, grad)
        if node.op in _COMPARE:
            return _COMPARE[node.op](left, right)
        if node.op == "**":
            return np.power(left, right)
        return BINARY_OPS[node.op].forward(left, right)
    if isinstance(node, Call):
        if node.func == "grad":
            target = node.args[0]
            if grad is None or not isinstance(target, Name):
                raise UnknownName(Name("grad", node.start, node.end))
            return grad(target)
        args = [evaluate(arg, lookup, grad) for arg in node.args]
        if node.func in ("sum", "mean"):
            reduce = np.sum if node.func == "sum" else np.mean
            return reduce(args[0]) if len(args) == 1 else reduce(args[0], axis=int(args[1]), keepdims=True)
        return FUNCTION_OPS[node.func].forward(*args)
    raise TypeError(f"not an expression node: {node!r}")
