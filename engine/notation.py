"""How the tape writes things: quantities, gradients, shapes, and each op around its operands.

Kept apart from the maths so that every label and formula the debugger shows is made
one way: an op says how it is written (a `Notation`), and this module says when an
operand needs parentheses, the way a lecturer would write it (`w1·x + b1`, never
`(w1 * x) + b1`), and how numbers are put in place of names (`0.3·0.5 + 0.1`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

COMPARISON, SUM, PRODUCT, NEGATION, POSTFIX, ATOM = 0, 1, 2, 3, 4, 5
"""How tightly a written expression holds together: a comparison least, a name or a call most."""

_BINARY = {" + ": SUM, " − ": SUM} | {f" {c} ": COMPARISON for c in ("≥", "≤", ">", "<", "==", "≠")}
_PRODUCTS = ("·", " / ", " @ ", " ⊙ ", "/")


@dataclass(frozen=True)
class Notation:
    """How one op is written around its operands' labels, e.g. infix "·": ["w1", "x"] → "w1·x".

    Kept as data (its form, its symbol, how tightly it binds) so that other renderings
    (Markdown, LaTeX) can write the same op their own way.
    """

    form: Literal["infix", "prefix", "postfix", "call", "bare"]
    symbol: str
    binds: int = ATOM
    between_arrays: str = ""  # written instead of `symbol` between two arrays: ⊙ for an element-wise product
    after: int | None = None  # a number written after a call's argument: its axis, sum(X, 0), or onehot(y, 10)

    def write(self, names: Sequence[str], arrays: bool = False, bindings: Sequence[int] | None = None) -> str:
        """The op written over `names`; `bindings` says how tightly each name holds together
        when the names are placeholders standing for something else."""
        held = list(bindings) if bindings is not None else [binding(name) for name in names]
        if self.form == "bare":
            return names[0]
        if self.form == "call":
            after = "" if self.after is None else f", {self.after}"
            return f"{self.symbol}({', '.join(names)}{after})"
        if self.form == "prefix":
            return f"{self.symbol}{_wrap(names[0], held[0] <= SUM)}"
        if self.form == "postfix":
            return f"{_wrap(names[0], held[0] < ATOM)}{self.symbol}"
        symbol = self.between_arrays if arrays and self.between_arrays else self.symbol
        # (a > b) == c: a comparison of comparisons keeps its parentheses, either side.
        left = _wrap(names[0], held[0] < self.binds or held[0] == self.binds == COMPARISON)
        # a − (b − c) and a / (b·c) keep their parentheses; a + b + c and a·b·c need none.
        keep = held[1] == self.binds and (symbol.strip() in "−/" or self.binds == COMPARISON)
        right = _wrap(names[1], held[1] < self.binds or keep)
        return f"{left}{symbol}{right}"


def infix(symbol: str, binds: int, between_arrays: str = "") -> Notation:
    return Notation("infix", symbol, binds, between_arrays)


def prefix(symbol: str) -> Notation:
    return Notation("prefix", symbol, NEGATION)


def postfix(symbol: str) -> Notation:
    return Notation("postfix", symbol, POSTFIX)


def call(function: str, after: int | None = None) -> Notation:
    """A function's own parentheses delimit its arguments: they are never wrapped again."""
    return Notation("call", function, after=after)


BARE = Notation("bare", "")
"""The identity op: `ŷ = z` is written as the name alone."""


def binding(text: str) -> int:
    """How tightly a written expression holds: the loosest operator outside any parentheses."""
    outside = _outside_parentheses(text).replace("/∂", "∂")  # ∂L/∂z is one symbol, not a quotient
    for operator, level in sorted(_BINARY.items(), key=lambda item: item[1]):
        if operator in outside:
            return level
    if any(product in outside for product in _PRODUCTS):
        return PRODUCT
    if outside.startswith(("−", "-", "+")) and not _is_number(text):
        return NEGATION
    if text.endswith(("ᵀ", "²", "³")) or "^" in outside:
        return POSTFIX  # (a − b)², Xᵀ
    return ATOM


def quantity(label: str) -> str:
    """A label fit to stand after ∂: bare if it is a name, number or call, else in parentheses."""
    return _wrap(label, binding(label) < ATOM and not _is_number(label))


def grad_symbol(loss: str, label: str) -> str:
    """∂L/∂label, the gradient of the loss with respect to a quantity."""
    return f"∂{loss}/∂{quantity(label)}"


def local_symbol(output: str, target: str) -> str:
    """∂output/∂target, one factor of the chain rule."""
    return f"∂{quantity(output)}/∂{quantity(target)}"


def shape_text(dims: Sequence[int]) -> str:
    """A shape as the notes write it: 200×4; a vector as (3,); a single number as "scalar"."""
    if len(dims) == 1:
        return f"({dims[0]},)"
    return "×".join(map(str, dims)) if dims else "scalar"


def substitute(template: str, texts: Sequence[str]) -> str:
    """Put written numbers (or shapes) in place of a template's {0}, {1}…

    A negative number is bracketed where it stands inside a product or after an operator,
    as on the board: 0.3·(−0.5), but −0.5 + 0.1 and sigmoid(−0.5).
    """
    out, i = [], 0
    while i < len(template):
        if template[i] == "{":
            end = template.index("}", i)
            text = texts[int(template[i + 1 : end])]
            before, after = template[:i].rstrip(), template[end + 1 :].lstrip()
            free = (not before or before.endswith(("(", ","))) and (not after or after[0] in "),+−")
            out.append(f"({text})" if text.startswith(("−", "-")) and not free else text)
            i = end + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


def renumber(template: str, offset: int) -> str:
    """A template's {0}, {1}… moved on by `offset`, to sit after other operands in a larger one."""
    count = template.count("{")
    return substitute(template, [f"{{{i + offset}}}" for i in range(count)])


def _wrap(text: str, needed: bool) -> str:
    return f"({text})" if needed and not _parenthesised(text) else text


def _outside_parentheses(text: str) -> str:
    """The text with everything inside parentheses or brackets taken out."""
    depth, kept = 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _is_number(text: str) -> bool:
    try:
        float(text.replace("−", "-"))
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
