"""Matrices as blocks of coloured cells: one format per column, and never a wrong number.

Presentation only. Each matrix column shares one format (fixed decimals, or one exponent
style), chosen so every shown number keeps at least one correct significant figure; when
even that cannot fit, the cell ends in an ellipsis. A shortened cell is rounded, never cut:
−0.002537 may read −0.0025 or −2.5e−3, never −0.00.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bpdbg.tui.format import NOT_YET, number, tidy

MAX_CELL = 9  # the widest a cell needs: −0.00256 or −7.53e−5 with room to spare
MIN_CELL = 5  # narrower than this, a matrix shows fewer columns and says it goes on
PART_CELL = 8  # a cell of a matrix too wide to show whole: room for −2.54e−3 or −0.00254
ELLIPSIS = "…"
LEVELS = 4  # shades of magnitude per sign


@dataclass(frozen=True)
class Cell:
    """One number as shown, and how it is coloured: its sign (+1, −1, 0) and magnitude level."""

    text: str
    sign: int
    level: int


def column_texts(values: np.ndarray, width: int, alone: bool = False) -> list[str]:
    """One column's numbers in one shared format, each at most `width` characters.

    A number `alone` (a scalar, a 1×1 matrix) gets four significant figures, as the notes print
    one; a matrix's columns get three, so that they fit side by side.
    """
    finite = values[np.isfinite(values)]
    nonzero = finite[finite != 0]
    fmt = _format(finite, nonzero, width, (4, 3, 2, 1) if alone else (3, 2, 1)) if nonzero.size else None
    out = []
    for v in values.tolist():
        if v == 0:
            out.append("0")
        elif not math.isfinite(v):
            out.append(_fit(number(v), width))
        elif fmt is None:
            out.append(_fit(tidy(f"{v:.0e}"), width))
        else:
            out.append(tidy(format(v, fmt)))
    return out


def _format(finite: np.ndarray, nonzero: np.ndarray, width: int, figures: tuple[int, ...]) -> str | None:
    """The most significant figures that fit: fixed decimals first, then an exponent, three
    figures for the smallest number down to one (a nonzero number never rounds to zero)."""
    if bool((finite == np.round(finite)).all()) and _fits(nonzero, ".0f", width):
        return ".0f"  # whole numbers (labels, counts) as whole numbers
    least = -math.floor(math.log10(float(np.abs(nonzero).min())))  # decimals for one figure
    for count in figures:
        for fmt in (f".{max(least + count - 1, 0)}f", f".{count - 1}e"):
            if _fits(nonzero, fmt, width):
                return _no_trailing_zeros(nonzero, fmt)
    return None


def _no_trailing_zeros(nonzero: np.ndarray, fmt: str) -> str:
    """Fewer decimals while every number ends in a zero: 0.300 and 0.250 read 0.30 and 0.25."""
    if not fmt.endswith("f"):
        return fmt
    decimals = int(fmt[1:-1])
    while decimals > 0 and all(format(v, f".{decimals}f").endswith("0") for v in nonzero.tolist()):
        decimals -= 1
    return f".{decimals}f"


def _fits(nonzero: np.ndarray, fmt: str, width: int) -> bool:
    """Every text within the width, and none rounded to zero (0.0996 may carry to 0.10: the texts decide)."""
    for v in nonzero.tolist():
        text = format(v, fmt)
        if len(tidy(text)) > width or float(text) == 0:
            return False
    return True


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def shown_columns(columns: int, width: int) -> tuple[int, int]:
    """(columns shown, width of each cell) for a matrix with `columns` in `width` characters.

    Every column if each gets at least MIN_CELL; otherwise, as the matrix is cut anyway, as
    many columns of PART_CELL (numbers with two or three figures) as fit, then a "…".
    """
    cell = min((width - columns + 1) // columns, MAX_CELL)
    if cell >= MIN_CELL:
        return columns, cell
    for shown in range(columns - 1, 0, -1):
        cell = min((width - (shown - 1) - 2) // shown, MAX_CELL)
        if cell >= PART_CELL:
            return shown, cell
    return 1, max(width - 2, 1) if columns > 1 else max(width, 1)


def as_grid(value: object) -> np.ndarray:
    """A parameter or step value as rows and columns: a vector is one row, a scalar one cell."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return array.reshape(1, 1)
    return array.reshape(1, -1) if array.ndim == 1 else array.reshape(array.shape[0], -1)


def block(value: object, width: int, rows: int) -> list[list[Cell]]:
    """The matrix as rows of cells fitting `width`: every column that fits, `rows` rows at most.

    A row that goes on ends with a "…" cell; a matrix that goes on has a last row of one "⋮".
    """
    if value is None:
        return [[Cell(NOT_YET, 0, 0)]]
    grid = as_grid(value)
    shown, cell = shown_columns(grid.shape[1], width)
    part = grid[:rows, :shown]
    finite = part[np.isfinite(part)]
    scale = float(np.abs(finite).max()) if finite.size else 0.0
    if part.shape[0] == 1:  # a single row (a vector) shares one format, as a column does
        columns = [[text] for text in column_texts(part[0], cell, grid.size == 1)]
    else:
        columns = [column_texts(part[:, c], cell) for c in range(shown)]
    lines = []
    for r in range(part.shape[0]):
        line = [Cell(columns[c][r].rjust(cell), *shade(float(part[r, c]), scale)) for c in range(shown)]
        if shown < grid.shape[1]:
            line.append(Cell(ELLIPSIS, 0, 0))
        lines.append(line)
    if grid.shape[0] > rows:
        lines.append([Cell("⋮".rjust(cell), 0, 0)])
    return lines


def shade(v: float, scale: float) -> tuple[int, int]:
    """Sign, and magnitude as a level from 1 (small beside the matrix's largest) to LEVELS."""
    if v == 0 or not math.isfinite(v) or scale == 0:
        return (0, 0) if v == 0 or scale == 0 else (1 if v > 0 else -1, LEVELS)
    # The fraction of the largest first: LEVELS × a value near the largest float overflows.
    return (1 if v > 0 else -1), min(LEVELS, 1 + int(LEVELS * min(abs(v) / scale, 1.0) * 0.999))


def block_height(dims: tuple[int, ...], rows: int) -> int:
    """How many lines `block` takes for this shape, whatever the values (rows never change)."""
    n = 1 if len(dims) < 2 else dims[0]
    return min(n, rows) + (1 if n > rows else 0)


def block_columns(dims: tuple[int, ...]) -> int:
    """How many numbers a row of the matrix holds."""
    if len(dims) == 0:
        return 1
    return dims[0] if len(dims) == 1 else math.prod(dims[1:])
