"""An epoch's derivation as a LaTeX document: one `align*` per part, aligned at each relation.

Every formula goes through `latex_math.math` and every word through `latex_math.text`,
so the document compiles whatever the scenario's names and titles hold.
"""

from __future__ import annotations

import numpy as np

from bpdbg.export.derivation import Derivation, Equation, Section
from bpdbg.export.latex_math import math, text
from bpdbg.export.markdown import equation_lines
from bpdbg.tui.format import compact, number

ONE_ROW = 72  # characters of an equation, as written in Markdown, that fit across the page in type
MATRIX_CELLS = 6  # a matrix up to 6×6 is written whole; a larger one as its shape and first entries
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
"""
RELATIONS = {"=": "=", "←": r"\leftarrow", "+=": r"\mathrel{+}="}


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


def rows(equation: Equation) -> list[str]:
    """An equation's rows of an `align*`: `lhs &= side`, then `&= side` for each side that goes on."""
    sides = [math(s) for s in equation.sides]
    if equation.value is not None:
        sides.append(value(equation.value))
    lhs = math(equation.lhs)
    if not sides:
        return [f"{lhs} &" + (rf"\quad\text{{({text(equation.note)})}}" if equation.note else "")]
    relations = [RELATIONS[equation.relation]] + ["="] * (len(sides) - 1)
    if len(equation_lines(equation, 0, limit=ONE_ROW)) == 1:
        first, *more = zip(relations, sides, strict=True)
        lines = [f"{lhs} &{first[0]} {first[1]}" + "".join(f" {r} {s}" for r, s in more)]
    else:
        lines = [f"{lhs if n == 0 else ''} &{r} {s}" for n, (r, s) in enumerate(zip(relations, sides, strict=True))]
    if equation.note:  # between the rows, across the page, so a long one never runs off it
        lines.append(rf"\intertext{{\small ({text(equation.note)})}}")
    return lines


def section(part: Section) -> list[str]:
    command = r"\section*" if part.level <= 2 else r"\subsection*"
    title = text(part.title)
    if part.symbol:
        title += f" ${math(part.symbol)}$"
    out = [f"{command}{{{title}}}"]
    if part.equations:
        body = [row for e in part.equations for row in rows(e)]
        # Rows end in \\, but for the last; an \intertext follows a \\ and takes none itself.
        ends = [
            " \\\\" if n < len(body) - 1 and not row.startswith(r"\intertext") else "" for n, row in enumerate(body)
        ]
        out += [r"\begin{align*}", "\n".join(row + end for row, end in zip(body, ends, strict=True)), r"\end{align*}"]
    return out


def render_latex(derivation: Derivation) -> str:
    d = derivation
    lines = [PREAMBLE, r"\begin{document}", rf"\title{{{text(d.title)}: epoch {d.epoch} of {d.max_epochs}}}"]
    about = f"Scenario \\texttt{{{text(d.scenario)}}}"
    if d.source:
        about += f", from {text(d.source)}"
    lines += [r"\date{}", r"\maketitle", about + r". Every number is bpdbg's own computation.", ""]
    if d.ended is not None:
        lines += [f"This epoch ended early: {text(d.ended)}.", ""]
    for part in d.sections:
        lines += section(part)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
