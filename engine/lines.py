"""One line of working per step, as a lecturer writes it: target = symbols = formula = numbers = value.

A `Line` is data, not text: a template over terms, each with its symbol, its formula in
the scenario's names, its value and its shape, so that each renderer (the chain panel
now, Markdown or LaTeX later) puts names, numbers or shapes in place its own way. Every
value in a line is the engine's own; renderers only format them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .notation import ATOM, binding, grad_symbol, local_symbol, shape_text, substitute
from .tape import BackwardInfo, Step, Written

SMALL = 16
"""A matrix of at most this many entries is shown whole; a larger one is summarised."""


@dataclass(frozen=True)
class Summary:
    """A large array in brief, by the engine: its first entries, its least and its greatest."""

    first: tuple[float, ...]
    low: float
    high: float


def summary(value: Any) -> Summary | None:
    """None for a number or a small matrix, which are shown whole."""
    if value is None or np.size(value) <= SMALL:
        return None
    flat = np.asarray(value).reshape(-1)
    with np.errstate(all="ignore"):
        return Summary(tuple(float(v) for v in flat[:4]), float(np.min(flat)), float(np.max(flat)))


@dataclass(frozen=True)
class Term:
    """One quantity a line combines: w1, ∂L/∂y_hat, the local factor y_hat·(1 − y_hat), or W2ᵀ."""

    symbol: str
    formula: str  # what it stands for in the scenario's names, where that says more than the symbol
    value: Any  # the engine's value; None where only its shape is shown (W2ᵀ in ∂L/∂Z2 @ W2ᵀ)
    shape: tuple[int, ...]
    summary: Summary | None = None

    @property
    def written(self) -> str:
        return self.formula or self.symbol


@dataclass(frozen=True)
class Line:
    """target = template over terms = value, e.g. z1 = {0}·{1} + {2} with w1, x, b1 = 0.25."""

    kind: Literal["forward", "backward", "update"]
    target: str
    template: str  # {0}, {1}… stand for the terms
    terms: tuple[Term, ...]
    value: Any  # the engine's value of what this line computes (for one path of a sum: its share)
    shape: tuple[int, ...]
    summary: Summary | None = None
    symbols: str = ""  # the right-hand side as chain-rule symbols, where they differ from the formula
    note: str = ""  # in words: what a reduction or a broadcast does
    label: str = ""  # for one path of a sum: what sets it apart ("through y ⊙ log(A2 + 1e-8)")
    parts: tuple[Line, ...] = ()  # the paths a sum adds up, each a line of its own
    total: Any = None  # where this step adds to an earlier part: the sum so far

    @property
    def formula(self) -> str:
        """The right-hand side in the scenario's names: ∂L/∂y_hat · y_hat·(1 − y_hat)."""
        return substitute(self.template, [t.written for t in self.terms])

    @property
    def scalar(self) -> bool:
        """Every term and the value are single numbers, so the numbers can be put in place."""
        return np.ndim(self.value) == 0 and all(t.value is not None and np.ndim(t.value) == 0 for t in self.terms)

    @property
    def shapes(self) -> str:
        """The shapes in place of the terms, as the notes check a matrix step: (4×200)(200×1) → 4×1.

        In full where a matrix product is or the terms are few; a long element-wise formula (an
        Adam update) only needs its result's shape, as every term is that shape or a number.
        """
        result = shape_text(self.shape)
        if " @ " not in self.template and len(self.terms) > 3:
            return f"→ {result}"
        return f"{_shapes_in_place(self.template.replace(' @ ', ''), self.terms)} → {result}"


def _shapes_in_place(template: str, terms: Sequence[Term]) -> str:
    """Each term's shape in its place, bracketed unless it stands alone as an argument of a call:
    (300×3) + (1×3) and (4×200)(200×1), but sum(300×3, 1) and maximum(2×3, 1×3)."""
    pieces = re.split(r"\{(\d+)\}", template)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            out.append(piece)
            continue
        dims = terms[int(piece)].shape
        argument = "".join(out).rstrip().endswith(("(", ",")) and pieces[i + 1].lstrip()[:1] in (")", ",")
        out.append(shape_text(dims) if argument or len(dims) < 2 else f"({shape_text(dims)})")
    return "".join(out)


def term(symbol: str, value: Any, formula: str = "", shape: tuple[int, ...] | None = None) -> Term:
    dims = tuple(np.shape(value)) if shape is None else shape
    return Term(symbol, formula, value, dims, summary(value))


def forward_line(step: Step, values: Sequence[Any], folded: bool) -> Line | None:
    """z1 = w1·x + b1 with each operand's value; folded, over named quantities only."""
    written = step.folded if folded else step.written
    if written is None:
        return None
    terms = tuple(term(o.symbol, None if o.slot is None else values[o.slot], shape=o.shape) for o in written.operands)
    value = values[step.slot]
    kind: Literal["forward", "update"] = "update" if step.phase == "update" else "forward"
    return Line(kind, step.label, written.template, terms, value, step.shape, summary(value))


def backward_line(step: Step, values: Sequence[Any], loss: str) -> Line | None:
    """One chain-rule step: ∂L/∂target = ∂L/∂output · local factor, or its matrix form."""
    info = step.backward
    if info is None:
        return None
    line = compose([info], values, loss)
    total = values[info.total_slot] if info.total_slot is not None else None
    return Line(**{**line.__dict__, "symbols": _own_symbols(info, line, loss), "total": total})


def compose(segment: Sequence[BackwardInfo], values: Sequence[Any], loss: str) -> Line:
    """The chain-rule steps from a quantity down to another, as one line:
    ∂L/∂target = ∂L/∂top · each local factor (element-wise) or in matrix form (∂L/∂Z2 @ W2ᵀ).

    Local factors of 1 are left out unless nothing else is left, so the line always reads
    upstream × local = value, and the value is the engine's share for this path.
    """
    top, last = segment[0], segment[-1]
    upstream = values[top.upstream_slot]
    terms = [term(grad_symbol(loss, top.output), upstream)]
    template, arrays = "{0}", np.ndim(upstream) > 0
    for edge in segment:
        if edge.written is not None:
            template = _matrix(template, terms, edge.written)
            arrays = True
            continue
        if edge.local_formula == "1" and edge is not last:
            continue
        if edge.local_formula == "1" and len(terms) > 1:
            continue
        local: Any = np.asarray(edge.local(list(values))) if edge.local is not None else None
        times = " ⊙ " if arrays and np.ndim(local) > 0 else " · "
        inner = f"({template})" if " @ " in template or " + " in template else template
        template = f"{inner}{times}{{{len(terms)}}}"
        terms.append(term(edge.local_formula, local))
        arrays = arrays or np.ndim(local) > 0
    value = values[last.contribution_slot]
    symbols = ""
    if top.output != loss and all(e.written is None for e in segment):
        times = " ⊙ " if np.ndim(upstream) > 0 and np.ndim(value) > 0 else " · "
        symbols = f"{terms[0].symbol}{times}{local_symbol(top.output, last.target)}"
    notes = "; ".join(e.note for e in segment if e.note)
    return Line(
        "backward", grad_symbol(loss, last.target), template, tuple(terms), value, tuple(np.shape(value)),
        summary(value), symbols, notes,
    )  # fmt: skip


def _matrix(template: str, terms: list[Term], written: Written) -> str:
    """Put what came before in place of ∂L/∂out in a matrix step's template; its other operands follow."""
    inner = template
    if len(terms) > 1 and binding(substitute(template, [t.symbol for t in terms])) < ATOM:
        inner = f"({template})"
    others = [f"{{{len(terms) + i}}}" for i in range(len(written.operands) - 1)]
    for operand in written.operands[1:]:
        terms.append(term(operand.symbol, None, shape=operand.shape))
    return substitute(written.template, [inner, *others])


def _own_symbols(info: BackwardInfo, line: Line, loss: str) -> str:
    """∂L/∂y_hat · ∂y_hat/∂z2 for an element-wise step, unless it would only restate the formula."""
    if info.written is not None or info.output == loss:
        return ""
    times = " ⊙ " if " ⊙ " in line.template else " · "
    return f"{grad_symbol(loss, info.output)}{times}{local_symbol(info.output, info.target)}"
