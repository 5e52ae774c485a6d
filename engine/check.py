"""Compare the engine with the notes, and the engine's gradients with finite differences.

`compare_log` walks the notes' printed lines beside the engine's own log: the words
must match, and each number must match at the precision the notes printed it. The
first difference is the finding. `gradient_check` is the independent referee: central
finite differences of the loss, so a disagreement can be blamed on the right side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .report import NUMBER, Log, LogLine, Number
from .trainer import Trainer


@dataclass(frozen=True)
class Divergence:
    line: int  # 1-based line of the notes' table
    epoch: int | None
    quantity: str
    notes: str
    engine: str

    def describe(self) -> str:
        where = f"epoch {self.epoch}" if self.epoch is not None else f"line {self.line}"
        return f"{where}, {self.quantity}: the notes print {self.notes}, the engine computes {self.engine}"


@dataclass(frozen=True)
class Comparison:
    lines: int
    divergence: Divergence | None

    @property
    def agrees(self) -> bool:
        return self.divergence is None


def _decimals(text: str) -> int:
    mantissa = re.split(r"[eE]", text)[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def at_printed_precision(value: float, printed: str) -> str:
    """`value` written with as many decimals as `printed` has (or significant digits, for 1e-05)."""
    if re.search(r"[eE]", printed):
        return f"{value:.{_decimals(printed)}e}"
    return f"{value:.{_decimals(printed)}f}"


def _same(notes: str, engine: Number) -> tuple[bool, str]:
    shown = engine.text if engine.value is None else at_printed_precision(engine.value, notes)
    try:
        return float(notes) == float(shown), shown
    except ValueError:
        return notes == shown, shown


def _skeleton(text: str) -> str:
    return " ".join(NUMBER.sub("#", text).split())


def expected_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def compare_log(trainer: Trainer, expected: str) -> Comparison:
    """The first place where the notes' printed table and the engine's log differ, if any."""
    notes = expected_lines(expected)
    ours = Log(trainer).lines()
    for index, printed in enumerate(notes):
        line_no = index + 1
        if index >= len(ours):
            return Comparison(
                len(notes),
                Divergence(
                    line_no, None, "the log", repr(printed), f"no such line (its log ends after {len(ours)} lines)"
                ),
            )
        mine: LogLine = ours[index]
        if _skeleton(printed) != _skeleton(mine.text):
            return Comparison(len(notes), Divergence(line_no, mine.epoch, "the line", repr(printed), repr(mine.text)))
        for printed_number, number in zip(NUMBER.findall(printed), mine.numbers, strict=False):
            same, shown = _same(printed_number, number)
            if not same:
                exact = f" (exactly {number.value!r})" if number.value is not None else ""
                return Comparison(
                    len(notes),
                    Divergence(
                        line_no, mine.epoch, number.field or "a printed number", printed_number, f"{shown}{exact}"
                    ),
                )
    if len(ours) > len(notes):
        extra = ours[len(notes)]
        return Comparison(
            len(notes), Divergence(len(notes) + 1, extra.epoch, "the log", "nothing more", repr(extra.text))
        )
    return Comparison(len(notes), None)


# -- finite differences ---------------------------------------------------------------------


@dataclass(frozen=True)
class GradCheck:
    epoch: int
    worst: float  # largest relative error over every parameter element
    where: str  # which parameter element it was
    tolerance: float

    @property
    def passed(self) -> bool:
        return self.worst <= self.tolerance


GRADIENT_FLOOR = 1e-4


def relative_error(analytic: float, numeric: float) -> float:
    """|a − n| / max(|a|, |n|), with gradients below 1e-4 compared absolutely (scaled by 1e-4).

    A central difference of a loss near 1 carries noise of about 1e-10, which is no
    evidence against a gradient of 1e-6; the floor keeps that noise from failing it.
    """
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), GRADIENT_FLOOR)


def gradient_check(trainer: Trainer, epoch: int, tolerance: float = 1e-5) -> GradCheck:
    """Central differences of the loss at the parameters `epoch` starts from."""
    program = trainer.program
    row = trainer.row(epoch - 1).copy()
    analytic = trainer.grads_at(epoch)
    worst, where = 0.0, "-"
    for p in program.params:
        grad = np.broadcast_to(np.asarray(analytic.get(p.name, 0.0), dtype=np.float64), p.shape).reshape(-1)
        for k in range(p.size):
            i = p.offset + k
            h = 1e-6 * max(1.0, abs(row[i]))
            plus, minus = row.copy(), row.copy()
            plus[i] += h
            minus[i] -= h
            numeric = (trainer.loss_at(plus) - trainer.loss_at(minus)) / (2 * h)
            error = relative_error(float(grad[k]), numeric)
            if error > worst or where == "-":
                worst, where = error, f"{p.name}[{k}]" if p.size > 1 else p.name
    return GradCheck(epoch, worst, where, tolerance)
