"""How the tape writes things: quantities, gradients, and each op between or around its operands.

Kept apart from the maths so that every label and formula the debugger shows is made
one way: an op says how it is written (`Notation`), and this module says when a
quantity needs parentheses to stand inside a product or after a ∂.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Notation = Callable[[Sequence[str]], str]
"""Writes an op with its operands' labels, e.g. ["w1", "x"] → "w1 · x"."""


def quantity(label: str) -> str:
    """A label fit to stand in a product or after ∂: bare if it is a name, number or
    already parenthesised expression, else wrapped in parentheses."""
    if label.isidentifier() or _is_number(label) or _parenthesised(label):
        return label
    return f"({label})"


def grad_symbol(loss: str, label: str) -> str:
    """∂L/∂label, the gradient of the loss with respect to a quantity."""
    return f"∂{loss}/∂{quantity(label)}"


def local_symbol(output: str, target: str) -> str:
    """∂output/∂target, one factor of the chain rule."""
    return f"∂{quantity(output)}/∂{quantity(target)}"


def infix(symbol: str) -> Notation:
    return lambda names: f"{quantity(names[0])} {symbol} {quantity(names[1])}"


def prefix(symbol: str) -> Notation:
    return lambda names: f"{symbol}{quantity(names[0])}"


def postfix(symbol: str) -> Notation:
    return lambda names: f"{quantity(names[0])}{symbol}"


def call(function: str) -> Notation:
    """A function's own parentheses delimit its arguments: they are never wrapped again."""
    return lambda names: f"{function}({', '.join(names)})"


def bare(names: Sequence[str]) -> str:
    """The identity op: `ŷ = z` is written as the name alone."""
    return names[0]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parenthesised(text: str) -> bool:
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(text) - 1:
            return False
    return True
