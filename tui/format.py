"""How numbers and arrays read on screen: presentation only, no arithmetic on values.

Big arrays are never printed in full: a 200×4 activation is shown as its shape and a
few of its entries, so formatting costs the same whatever the data's size.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from bpdbg.engine.notation import shape_text

MINUS = "−"
NOT_YET = "·"  # a value the tape has not computed yet this epoch
CELL = 8  # characters per number in a matrix cell: what `short` never exceeds


def number(x: float) -> str:
    """Four significant figures, with a real minus sign as the notes print it; an exact zero is 0,
    whatever its sign (relu's gradient where z ≤ 0 is often −0.0, which would read as −0)."""
    text = f"{x + 0.0:.4g}"
    if text in ("nan", "inf", "-inf"):
        return {"nan": "NaN", "inf": "∞", "-inf": f"{MINUS}∞"}[text]
    return tidy(text)


def short(x: float, width: int = CELL) -> str:
    """Up to three significant figures in at most `width` characters, for matrices and summaries."""
    if not np.isfinite(x):
        return number(x)
    if x == 0:
        return "0"
    for digits in (3, 2, 1):
        text = tidy(f"{x:.{digits}g}")
        if len(text) <= width:
            return text
        text = tidy(f"{x:.{digits - 1}e}")
        if len(text) <= width:
            return text
    return text


def tidy(text: str) -> str:
    """A real minus sign, in the exponent too, and exponents without padding: -1.2e-05 → −1.2e−5."""
    if "e" in text:
        mantissa, exponent = text.split("e")
        digits = exponent[1:].lstrip("0") or "0"
        text = f"{mantissa}e{MINUS if exponent[0] == '-' else ''}{digits}"
    return MINUS + text[1:] if text.startswith("-") else text


def shape(dims: tuple[int, ...]) -> str:
    """A shape as the notes write it: 200×4."""
    return shape_text(dims)


def is_scalar(value: object) -> bool:
    return np.ndim(cast(ArrayLike, value)) == 0


def compact(value: object, width: int = 48) -> str:
    """One line of at most `width`: a scalar as a number, an array as its shape and first entries.

    An entry that does not fit is rounded to fewer figures, never cut, and never to a whole
    number it is not (1.83 as 1.8, never as 2 beside 1.05); where that does not fit, the line
    ends in "…".
    """
    if value is None:
        return NOT_YET
    array = np.asarray(value)
    if array.ndim == 0:
        text = number(float(array))
        return text if len(text) <= width else clip(short(float(array), width), width)
    flat = array.reshape(-1)
    text = f"{shape(array.shape)} ["
    for n, v in enumerate(flat[: max(8, width // 6)].tolist()):
        last = n == flat.size - 1
        tail = "]" if last else " …]"
        entry, squeezed = short(v), False
        if len(text) + len(entry) + len(tail) > width:
            entry, squeezed = short(v, max(width - len(text) - len(tail), 1)), True
        rounded_whole = squeezed and entry.lstrip(MINUS).isdigit() and v != round(v)  # 1.83 as 2 reads as exactly 2
        if len(text) + len(entry) + len(tail) > width or rounded_whole:
            return text.rstrip() + " …]" if n and len(text) + 2 <= width else clip(text + "…", width)
        text += entry + ("" if last else " ")
    return text.rstrip() + ("]" if flat.size <= max(8, width // 6) else " …]")


def signed(value: object, width: int = 48) -> str:
    """A scalar inside a product, bracketed when negative: (−0.0931) · 0.1."""
    text = compact(value, width)
    return f"({text})" if text.startswith(MINUS) else text


def matrix_lines(value: object, rows: int = 4, cols: int = 4) -> list[str]:
    """A matrix as aligned rows of numbers, cut to `rows`×`cols` with … where it goes on."""
    if value is None:
        return [NOT_YET]
    array = np.asarray(value)
    if array.ndim == 0:
        return [number(float(array))]
    grid = array.reshape(1, -1) if array.ndim == 1 else array.reshape(array.shape[0], -1)
    lines = []
    for r in range(min(grid.shape[0], rows)):
        cells = [short(float(v)).rjust(CELL) for v in grid[r, :cols]]
        lines.append(" ".join(cells) + ("…" if grid.shape[1] > cols else ""))
    if grid.shape[0] > rows:
        lines.append("⋮".rjust(CELL))
    return lines


def matrix_height(dims: tuple[int, ...], rows: int = 4) -> int:
    """How many lines `matrix_lines` takes for this shape (rows never change during a run)."""
    if len(dims) == 0:
        return 1
    n = 1 if len(dims) == 1 else dims[0]
    return min(n, rows) + (1 if n > rows else 0)


def matrix_columns(dims: tuple[int, ...]) -> int:
    """How many numbers a row of `matrix_lines` holds for this shape, before any cut."""
    if len(dims) == 0:
        return 1
    return dims[0] if len(dims) == 1 else math.prod(dims[1:])


def matrix_width(dims: tuple[int, ...], cols: int = 4) -> int:
    """How wide `matrix_lines` is for this shape, so a column never has to resize."""
    n = matrix_columns(dims)
    return min(n, cols) * (CELL + 1) - 1 + (1 if n > cols else 0)


def columns_that_fit(dims: tuple[int, ...], width: int) -> int:
    """The most matrix columns (at least one) that `matrix_lines` can show in `width` characters."""
    n = matrix_columns(dims)
    fit = 1
    while fit < n and matrix_width(dims, fit + 1) <= width:
        fit += 1
    return fit


def labelled(label: str, x: float, room: int) -> str | None:
    """label + x in at most `room` characters: x as `number` writes it, else rounded to the figures
    that fit (`short`), never cut (0.08502 as 0.085, not 0.08…); None where not one figure fits."""
    whole = label + number(x)
    if len(whole) <= room:
        return whole
    left = room - len(label)
    text = short(x, left) if left > 0 else ""
    return label + text if text and len(text) <= left else None


def clip(text: str, width: int) -> str:
    """Cut text to a width with an ellipsis, so long labels never wrap a row."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
