"""An epoch's derivation as a LaTeX document: one `align*` per part, aligned at each relation.

Every formula goes through `latex_math.math` and every word through `latex_math.text`,
so the document compiles whatever the scenario's names and titles hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np

from bpdbg.export.derivation import Derivation, Equation, Section
from bpdbg.export.latex_math import math as typeset
from bpdbg.export.latex_math import text
from bpdbg.export.latex_names import Shorthand, candidates, choose, letter_for, numbered, shorten_all
from bpdbg.export.latex_width import TEXT_WIDTH, environment_width, math_width
from bpdbg.export.markdown import equation_lines
from bpdbg.tui.format import compact, number

ONE_ROW = 72  # characters of an equation, as written in Markdown, that fit across the page in type
MATRIX_CELLS = 6  # a matrix up to 6×6 is written whole; a larger one as its shape and first entries
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""
RELATIONS = {"=": "=", "←": r"\leftarrow", "+=": r"\mathrel{+}="}
math = lru_cache(maxsize=8192)(typeset)  # the same texts are set again as names are tried
BREAKS = ((" + ", " − "), (" ⊙ ", " · ", " @ "))  # where a side too wide for the page may be broken, by choice
LHS_MOST = TEXT_WIDTH / 2  # a left-hand side wider than this is scaled down to it, as a last resort


def scaled(tex: str, room: float) -> str:
    """Mathematics no name or break can fit (one long symbol, a product with nothing to break at)
    scaled down to `room` points, the last resort that keeps every row on the page."""
    if math_width(tex) <= room:
        return tex
    return rf"\resizebox{{{room - 2:.1f}pt}}{{!}}{{$\displaystyle {tex}$}}"


def value(value: object) -> str:
    """The engine's value: a number, a small matrix whole, a large one as its shape and first entries."""
    array = np.asarray(value)
    if array.ndim == 0:
        return math(number(float(array)))
    grid = array.reshape(1, -1) if array.ndim == 1 else array.reshape(array.shape[0], -1)
    if grid.shape[0] > MATRIX_CELLS or grid.shape[1] > MATRIX_CELLS:
        return rf"\text{{{text(compact(value, width=40))}}}"
    rows = [" & ".join(math(number(float(v))) for v in row) for row in grid]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _breaks(side: str, operators: tuple[str, ...]) -> list[int]:
    """Where `side` holds one of `operators` outside every bracket (the space before it)."""
    at, depth = [], 0
    for i, char in enumerate(side):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth == 0 and side[i : i + 3] in operators:
            at.append(i)
    return at


def _split(side: str, room: float) -> list[str]:
    """A side too wide for `room` points, in pieces that each fit where they can: broken before an
    operator outside every bracket, as a typesetter breaks a long formula, before a + or − if it
    has one, else before a product's ⊙, · or @ (the operator starts the next piece). A side with
    no such operator stays whole."""
    at = next((found for level in BREAKS if (found := _breaks(side, level))), [])
    pieces: list[str] = []
    for start, end in zip([0, *(i + 1 for i in at)], [*at, len(side)], strict=True):
        piece = side[start:end].strip()
        if pieces and math_width(math(pieces[-1] + " " + piece)) <= room:
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


def _right(relation: str, side: str, room: float, fit: bool) -> list[str]:
    """One side's rows of the right column: `= side`, or, too wide for `room`, `= piece` then
    `\\quad {}+ piece` for each piece that goes on (with `fit`, a piece still too wide scaled)."""
    whole = f"{relation} {math(side)}"
    if math_width(whole) <= room or not side:
        return [whole]
    first, *more = _split(side, room - math_width(relation) - math_width(r"\quad"))
    head, indent = math_width(relation), math_width(r"\quad {}")
    pieces = [(first, room - head), *((piece, room - indent) for piece in more)]
    written = [scaled(math(piece), most) if fit else math(piece) for piece, most in pieces]
    return [f"{relation} {written[0]}"] + [rf"\quad {{}}{piece}" for piece in written[1:]]


def rows(equation: Equation, lhs_room: float = 0.0, fit: bool = False) -> list[str]:
    """An equation's rows of an `align*`: `lhs &= side`, then `&= side` for each side that goes on.

    `lhs_room` is the width of the section's left column, so a side that would run past the
    page's edge beside it is broken across rows. With `fit`, what still runs past it is scaled.
    """
    lhs = scaled(math(equation.lhs), LHS_MOST) if fit else math(equation.lhs)
    room = TEXT_WIDTH - max(lhs_room, math_width(lhs))
    sides = [math(s) for s in equation.sides]
    if equation.value is not None:
        sides.append(value(equation.value))
    if not sides:
        return [f"{lhs} &" + (rf"\quad\text{{({text(equation.note)})}}" if equation.note else "")]
    relations = [RELATIONS[equation.relation]] + ["="] * (len(sides) - 1)
    one_row = f"{relations[0]} {sides[0]}" + "".join(f" {r} {s}" for r, s in zip(relations[1:], sides[1:], strict=True))
    if len(equation_lines(equation, 0, limit=ONE_ROW)) == 1 and math_width(one_row) <= room:
        lines = [f"{lhs} &{one_row}"]
    else:
        texts = [*equation.sides, *([""] if equation.value is not None else [])]
        right = [
            row
            for r, s, written in zip(relations, texts, sides, strict=True)
            for row in (_right(r, s, room, fit) if s else [f"{r} {written}"])
        ]
        lines = [f"{lhs if n == 0 else ''} &{row}" for n, row in enumerate(right)]
    if equation.note:  # between the rows, across the page, so a long one never runs off it
        lines.append(rf"\intertext{{\small ({text(equation.note)})}}")
    return lines


def _shortened(equation: Equation, shorten: Callable[[str], str]) -> Equation:
    return replace(equation, lhs=shorten(equation.lhs), sides=tuple(shorten(s) for s in equation.sides))


def _body(equations: Sequence[Equation], fit: bool = False) -> list[str]:
    """The rows of one `align*`, its left column as wide as its widest left-hand side (with
    `fit`, what names and breaks could not fit scaled down to the page)."""
    widths = (math_width(math(e.lhs)) for e in equations)
    lhs_room = max((min(w, LHS_MOST) if fit else w for w in widths), default=0.0)
    return [row for e in equations for row in rows(e, lhs_room, fit)]


def _overflow(equations: Sequence[Equation]) -> float:
    """How far an `align*` of these equations, each side broken where it can be, runs past the
    page's edge (0 or less: it fits)."""
    return environment_width(_body(equations)) - TEXT_WIDTH


def _align(body: list[str]) -> list[str]:
    # Rows end in \\, but for the last; an \intertext follows a \\ and takes none itself.
    ends = [" \\\\" if n < len(body) - 1 and not row.startswith(r"\intertext") else "" for n, row in enumerate(body)]
    return [r"\begin{align*}", "\n".join(row + end for row, end in zip(body, ends, strict=True)), r"\end{align*}"]


def section(part: Section, equations: Sequence[Equation], defined: list[Shorthand]) -> list[str]:
    command = r"\section*" if part.level <= 2 else r"\subsection*"
    title = text(part.title)
    if part.symbol:
        title += f" ${scaled(math(part.symbol), LHS_MOST)}$"
    out = [f"{command}{{{title}}}"]
    if defined:
        out.append("Written short from here on:")
        out += _align(_body([Equation(d.name, (d.expression,)) for d in defined], fit=True))
    if equations:
        out += _align(_body(equations, fit=True))
    return out


def shorthands(sections: Sequence[Section]) -> tuple[list[list[Equation]], list[list[Shorthand]]]:
    """Each section's equations with every long sub-expression named that must be for them to fit
    the page, and, per section, the names first used in it (defined there, the shorter first)."""
    parts = [list(s.equations) for s in sections]
    texts = [[t for e in p for t in (e.lhs, *e.sides)] for p in parts]
    chosen = choose(
        texts,
        candidates([e.lhs for p in parts for e in p]),
        lambda n, shorten: _overflow([_shortened(e, shorten) for e in parts[n]]),
    )
    named, defined = numbered(texts, chosen, letter_for([t for p in texts for t in p]))
    return [[_shortened(e, lambda t: shorten_all(t, named)) for e in p] for p in parts], defined


def render_latex(derivation: Derivation) -> str:
    d = derivation
    lines = [PREAMBLE, r"\begin{document}", rf"\title{{{text(d.title)}: epoch {d.epoch} of {d.max_epochs}}}"]
    about = f"Scenario \\texttt{{{text(d.scenario)}}}"
    if d.source:
        about += f", from {text(d.source)}"
    lines += [r"\date{}", r"\maketitle", about + r". Every number is bpdbg's own computation.", ""]
    if d.ended is not None:
        lines += [f"This epoch ended early: {text(d.ended)}.", ""]
    equations, defined = shorthands(d.sections)
    for part, shortened, names in zip(d.sections, equations, defined, strict=True):
        lines += section(part, shortened, names)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
