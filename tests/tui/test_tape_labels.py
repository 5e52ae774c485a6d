"""A tape row named by a long sub-expression wraps onto the rows below it: never cut off."""

from __future__ import annotations

from bpdbg.tui.widgets.tape import wrap_label

LONG = "∂L/∂(y ⊙ log(A2 + 1e-8) + (1 − y) ⊙ log(1 − A2 + 1e-8))"


def test_a_long_label_is_spread_over_rows_and_every_character_is_kept() -> None:
    rows = wrap_label(LONG, 18, 30)
    assert len(rows) > 1 and len(rows[0]) <= 18 and all(len(row) <= 30 for row in rows[1:])
    assert "".join(rows).replace(" ", "") == LONG.replace(" ", "")


def test_a_label_that_fits_keeps_its_one_row() -> None:
    assert wrap_label("∂L/∂z2", 18, 30) == ["∂L/∂z2"]
