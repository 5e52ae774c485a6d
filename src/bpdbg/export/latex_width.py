"""How wide the LaTeX this exporter writes comes out in type, measured without running TeX.

A handout must never run off the page, and whether it does is decided before the document is
written: each row of an `align*` is measured here, from the characters' widths in Computer
Modern (the fonts' own metrics, in ems of the 11pt body size), with the spacing TeX puts
around operators and relations. Every width is rounded up, never down, so a row this calls
narrow enough is narrow enough in print; `tests/test_latex_width.py` holds the measure to
pdflatex's own where pdflatex is installed.
"""

from __future__ import annotations

import re
from functools import lru_cache

EM = 10.95  # pt: the 11pt article's body size
TEXT_WIDTH = 614.295 - 2 * 56.9055  # pt: US letter, 2cm margins (geometry's margin=2cm)
SCRIPT = 0.75  # a sub- or superscript's size beside the body's (8pt beside 10.95pt, rounded up)
SLACK = 1.06  # the measure's margin over the fonts' metrics: kerning, \mathit's own letters
ITALIC = 1.0  # pt: the italic correction a last letter may stick out by

LETTERS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            0.529, 0.556, 0.444, 0.556, 0.466, 0.49, 0.5, 0.576, 0.345, 0.412, 0.528, 0.298, 0.878,
            0.6, 0.5, 0.556, 0.528, 0.451, 0.469, 0.389, 0.572, 0.528, 0.722, 0.572, 0.528, 0.465,
            0.75, 0.759, 0.722, 0.828, 0.738, 0.653, 0.786, 0.831, 0.44, 0.555, 0.849, 0.681, 0.97,
            0.803, 0.778, 0.681, 0.791, 0.759, 0.613, 0.722, 0.75, 0.75, 1.028, 0.828, 0.75, 0.683,
        ),
        strict=True,
    )
)  # fmt: skip  # each letter's width in cmmi10 or cmr10, whichever is wider (italic and upright alike)
BINARY = 0.444  # \medmuskip on both sides of + − · ⊙ × @
RELATION = 0.556  # \thickmuskip on both sides of = ← → ≤
CHARS = {
    "(": 0.389, ")": 0.389, "[": 0.278, "]": 0.278, "/": 0.5, ".": 0.278, "|": 0.278, "!": 0.278,
    "'": 0.278, "?": 0.472, '"': 0.5, "+": 0.778 + BINARY, "-": 0.778 + BINARY, "*": 0.5 + BINARY,
    "=": 0.778 + RELATION, "<": 0.778 + RELATION, ">": 0.778 + RELATION, ",": 0.278 + 0.167,
    ";": 0.278 + 0.167, ":": 0.278 + RELATION, " ": 0.0, "~": 0.333,
}  # fmt: skip
COMMANDS = {
    "partial": 0.57, "cdot": 0.278 + BINARY, "odot": 0.778 + BINARY, "times": 0.778 + BINARY,
    "leftarrow": 1.0 + RELATION, "to": 1.0 + RELATION, "le": 0.778 + RELATION, "ge": 0.778 + RELATION,
    "ne": 0.778 + RELATION, "sim": 0.778 + RELATION, "ldots": 1.172, "vdots": 0.278, "infty": 1.0,
    "top": 0.778, "backslash": 0.5, "{": 0.5, "}": 0.5, "#": 0.833, "%": 0.833, "&": 0.778, "$": 0.5,
    "_": 0.75, " ": 0.333, ",": 0.167, "quad": 1.0, "qquad": 2.0, "alpha": 0.64, "beta": 0.566,
    "gamma": 0.518, "delta": 0.444, "varepsilon": 0.466, "eta": 0.497, "theta": 0.469, "lambda": 0.583,
    "mu": 0.603, "pi": 0.57, "rho": 0.517, "sigma": 0.571, "tau": 0.437, "varphi": 0.654, "omega": 0.622,
    "Sigma": 0.722, "Delta": 0.833, "log": 1.278, "exp": 1.639, "tanh": 2.056, "sin": 1.111, "cos": 1.278,
    "max": 1.806, "min": 1.639,
}  # fmt: skip
SPACED = {"log", "exp", "tanh", "sin", "cos", "max", "min"}  # operators: a thin space before them
TEXT_CHARS = {" ": 0.333, "[": 0.278, "]": 0.278, ".": 0.278, ",": 0.278, "-": 0.333, "(": 0.389, ")": 0.389}
COMMAND = re.compile(r"\\([A-Za-z]+|.)")
AMPERSAND = re.compile(r"(?<!\\)&")  # a column break; \& is an ampersand


def _group(tex: str, start: int) -> tuple[str, int]:
    """The braced group (or single character) starting at `start`, and where it ends."""
    if start >= len(tex):
        return "", start
    if tex[start] != "{":
        match = COMMAND.match(tex, start) if tex[start] == "\\" else None
        end = match.end() if match else start + 1
        return tex[start:end], end
    depth = 0
    for i in range(start, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i - 1 : i] != "\\" or i == start else 0
        if depth == 0:
            return tex[start + 1 : i], i + 1
    return tex[start + 1 :], len(tex)


def _text(tex: str) -> float:
    """Text mode, in ems: the ec fonts' widths (their letters as Computer Modern's), $…$ as mathematics."""
    total, i = 0.0, 0
    while i < len(tex):
        char = tex[i]
        if char == "$":
            end = tex.index("$", i + 1) if "$" in tex[i + 1 :] else len(tex)
            total += math_width(tex[i + 1 : end]) / EM
            i = end + 1
        elif char == "\\":
            match = COMMAND.match(tex, i)
            word = match.group(1) if match else ""
            total += 0.5 if word in ("_", "{", "}", "$", "#", "%", "&") else 0.833
            i = match.end() if match else i + 1
            if tex[i : i + 2] == "{}":
                i += 2
        else:
            total += TEXT_CHARS.get(char, LETTERS.get(char, 0.5 if char.isdigit() else 1.0))
            i += 1
    return total


def _matrix(body: str) -> float:
    """A bmatrix, in ems: its widest entry in each column, 10pt between columns, and the brackets."""
    rows = [row.split("&") for row in re.split(r"\\\\", body)]
    columns = max(len(row) for row in rows)
    widest = [max((math_width(row[c]) for row in rows if c < len(row)), default=0.0) for c in range(columns)]
    return sum(widest) / EM + (columns - 1) * 10 / EM + 2 * 0.6


def _math(tex: str) -> float:
    total, i = 0.0, 0
    while i < len(tex):
        char = tex[i]
        if char in "^_":
            script, i = _group(tex, i + 1)
            width = _math(script) * SCRIPT
            if tex[i : i + 1] in ("^", "_") and tex[i] != char:  # a sub- and a superscript, one above the other
                other, i = _group(tex, i + 1)
                width = max(width, _math(other) * SCRIPT)
            total += width
        elif char == "{":
            inner, i = _group(tex, i)
            total += _math(inner)
        elif char == "\\":
            match = COMMAND.match(tex, i)
            word = match.group(1) if match else ""
            i = match.end() if match else i + 1
            if word == "begin":
                environment, i = _group(tex, i)
                end = tex.find(rf"\end{{{environment}}}", i)
                end = len(tex) if end < 0 else end
                total += _matrix(tex[i:end]) if environment == "bmatrix" else _math(tex[i:end])
                i = end + len(rf"\end{{{environment}}}")
            elif word in ("mathit", "operatorname", "mathrm", "hat", "mathbin", "mathrel", "sqrt"):
                inner, i = _group(tex, i)
                total += _math(inner) if word != "mathbin" else _math(inner) + BINARY
                total += {"operatorname": 0.167, "sqrt": 0.833, "mathrel": RELATION}.get(word, 0.0)
            elif word == "resizebox":  # \resizebox{123.4pt}{!}{$…$}: as wide as it is told
                told, i = _group(tex, i)
                i = _group(tex, _group(tex, i)[1])[1]
                total += float(told.removesuffix("pt")) / (EM * SLACK)
            elif word == "text":
                inner, i = _group(tex, i)
                total += _text(inner)
            else:
                total += COMMANDS.get(word, 1.0) + (0.167 if word in SPACED else 0.0)
        else:
            total += CHARS.get(char, LETTERS.get(char, 0.52 if char.isdigit() else 1.0))
            i += 1
    return total


@lru_cache(maxsize=8192)  # the same rows are measured again as names are tried
def math_width(tex: str) -> float:
    """The width in points of LaTeX mathematics (display style, no line breaks), rounded up."""
    return _math(tex) * EM * SLACK + ITALIC


def row_widths(row: str) -> tuple[float, float]:
    """An `align*` row `left & right` as the widths of its two columns, in points."""
    parts = AMPERSAND.split(row.rstrip().removesuffix(r"\\").rstrip(), maxsplit=1)
    left, right = parts if len(parts) == 2 else (parts[0], "")
    return math_width(left), math_width(right)


def environment_width(rows: list[str]) -> float:
    """An `align*` of these rows: its widest left column and its widest right, side by side."""
    widths = [row_widths(row) for row in rows if not row.lstrip().startswith(r"\intertext")]
    return max((w[0] for w in widths), default=0.0) + max((w[1] for w in widths), default=0.0)
