"""Tick labels a plot chooses itself, so that they read as bpdbg's numbers do.

plotext labels its own ticks with an ASCII hyphen for a minus and as many figures as it
likes; the plots label theirs here instead: a real minus, few figures, yet enough to tell
neighbouring labels apart, and never two on one row.
"""

from __future__ import annotations

import math

import numpy as np

from bpdbg.tui.format import short, tidy

LABEL = 6  # the longest label
PLAIN = (1e-3, 1e6)  # magnitudes plotted as they are; outside, an axis is scaled by a power of ten


def ticks(low: float, high: float, log: bool) -> tuple[list[float], list[str]]:
    """Three or so ticks with short labels: whole decades on a log scale, else the ends and the middle."""
    if log:
        first, last = math.ceil(low), math.floor(high)
        if first > last:  # no whole decade in range: the ends
            return ([low, high], [power_label(low), power_label(high)]) if high > low else ([low], [power_label(low)])
        step = max(1, -(-(last - first) // 3))
        decades = [float(p) for p in range(first, last + 1, step)]
        return decades, [power_label(p) for p in decades]
    if high == low:
        return [low], [short(low, LABEL)]
    return told_apart([low, low / 2 + high / 2, high])  # halves: low + high may overflow


def told_apart(places: list[float]) -> tuple[list[float], list[str]]:
    """Labels with as many significant figures as it takes to tell them apart: a curve that moves
    in its fourth figure reads 0.6931, 0.6932, 0.6933, never 0.693 three times. Where even
    LABEL + 2 characters cannot tell them apart, the middle one alone."""
    labels, digits = [short(p, LABEL) for p in places], 3
    while len(set(labels)) < len(labels):
        digits += 1
        labels = [tidy(f"{p:.{digits}g}") for p in places]
        if max(map(len, labels)) > LABEL + 2:
            middle = places[len(places) // 2]
            return [middle], [short(middle, LABEL)]
    return places, labels


def apart(places: list[float], labels: list[str], low: float, high: float, rows: int) -> tuple[list[float], list[str]]:
    """One tick per row of the plot (the first of a crowd kept), placed as plotext places it.

    plotext draws two labels that land on one row in an order that changes from run to run
    (it removes duplicates through a set), so a plot keeps one label per row, by its own choice.
    """
    if high <= low:
        return places[:1], labels[:1]
    kept: dict[int, tuple[float, str]] = {}
    for place, label in zip(places, labels, strict=True):
        row = math.floor(round(0.5 + (rows - 1) * (place - low) / (high - low), 8))  # plotext's own rounding
        kept.setdefault(row, (place, label))
    return [p for p, _ in kept.values()], [label for _, label in kept.values()]


def decade(values: list[float]) -> int:
    """The power of ten to divide the curve by, so plotext's axis arithmetic stays far from overflow.

    plotext rounds tick labels with 10**digits, which overflows near 1e308 and below 1e-300;
    plotted as mantissas of one common decade, any finite curve has ticks it can compute.
    """
    biggest = max((abs(v) for v in values), default=0.0)
    if biggest == 0.0 or PLAIN[0] <= biggest < PLAIN[1]:
        return 0
    return int(np.floor(np.log10(biggest)))


def scaled(values: list[float], power: int) -> list[float]:
    """Values divided by 10**power in two steps, since 10**±power alone may not be a finite float."""
    half = power // 2
    return [float(np.float64(v) / 10.0**half / 10.0 ** (power - half)) for v in values]


def power_label(exponent: float) -> str:
    """10**exponent, short; written from its parts, as 10.0**exponent itself may overflow."""
    if -3 <= exponent <= 5:
        return short(10.0**exponent, LABEL)
    whole = math.floor(exponent)
    mantissa = round(10.0 ** (exponent - whole), 1)
    if mantissa >= 10:
        mantissa, whole = 1.0, whole + 1
    return tidy(f"{mantissa:g}e{whole:+d}")
