"""How numbers read in the panels: a shortened number is rounded, never cut; one format per
matrix column; an exact zero is 0; small matrices are whole where they fit."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bpdbg.tui.format import compact, number, short
from bpdbg.tui.matrix import block, column_texts, shown_columns
from bpdbg.tui.widgets.params import ParamsPanel

from .conftest import make_app, region_text

MINUS = "−"


def value_of(text: str) -> float:
    return float(text.replace(MINUS, "-"))


class TestAShortenedNumberIsRoundedNeverCut:
    @pytest.mark.parametrize("width", range(3, 12))
    def test_the_notes_gradient_reads_as_itself_at_every_width(self, width: int) -> None:
        (text,) = column_texts(np.array([-0.0025374868183280003]), width)
        if text.endswith("…"):
            return  # too narrow for even one figure: it says so
        assert len(text) <= width
        assert value_of(text) != 0
        # Rounded to the figures shown: within half a unit of its last digit.
        assert value_of(text) == pytest.approx(-0.0025374868183280003, rel=0.5)
        assert text not in ("−0.00", "−0.0", "−0")

    @pytest.mark.parametrize("width", [4, 5, 6, 7, 8, 9])
    def test_no_nonzero_number_in_a_column_ever_shows_as_zero(self, width: int) -> None:
        column = np.array([1530.0, -0.00125, 0.5, 7.3e-9])
        for value, text in zip(column, column_texts(column, width), strict=True):
            assert text.endswith("…") or value_of(text) == pytest.approx(value, rel=0.5)

    def test_a_compact_value_is_rounded_to_fit_or_ends_in_an_ellipsis(self) -> None:
        assert compact(np.float64(-0.0025374868183280003), 9) == "−0.002537"
        assert compact(np.float64(-0.0025374868183280003), 6) == "−0.003"
        assert compact(np.array([[-2.68e-5]]), 11) == "1×1 [−3e−5]"
        assert compact(np.array([[-2.68e-5]]), 8).endswith("…")

    def test_an_entry_of_a_matrix_is_never_rounded_to_a_whole_number_it_is_not(self) -> None:
        """1.83 squeezed to "2" beside 1.05 would read as exactly 2."""
        assert compact(np.array([[1.05, 1.83]]), 16) == "1×2 [1.05 1.83]"
        assert compact(np.array([[1.05, 1.83]]), 14) == "1×2 [1.05 1.8]"
        assert compact(np.array([[1.05, 1.83]]), 13) == "1×2 [1.05 …]"


class TestOneFormatPerColumn:
    def test_a_column_shares_its_decimals_so_the_points_line_up(self) -> None:
        texts = column_texts(np.array([0.00101, -0.812, 1.53]), 9)
        assert texts == ["0.00101", "−0.81200", "1.53000"]

    def test_trailing_zeros_every_number_shares_are_dropped(self) -> None:
        assert column_texts(np.array([0.3, 0.25]), 9) == ["0.30", "0.25"]

    def test_a_column_too_wide_for_decimals_shares_an_exponent_style(self) -> None:
        assert column_texts(np.array([1.8e28, -3.0e-7]), 8) == ["1.80e28", "−3.00e−7"]

    def test_an_exact_zero_is_0_and_whole_numbers_stay_whole(self) -> None:
        assert column_texts(np.array([0.0, -0.0, 0.125]), 9)[:2] == ["0", "0"]
        assert column_texts(np.array([1.0, 0.0, 3.0]), 9) == ["1", "0", "3"]
        assert short(-0.0) == "0"
        # relu's gradient where z ≤ 0 is the upstream times 0: −0.0 when the upstream is negative
        assert number(-0.0) == "0" and compact(-0.0) == "0" and compact(np.float64(-0.0)) == "0"

    def test_non_finite_numbers_are_named(self) -> None:
        assert column_texts(np.array([np.nan, np.inf, -np.inf, 1.0]), 9)[:3] == ["NaN", "∞", "−∞"]


class TestSmallMatricesWhole:
    def test_a_two_by_four_matrix_is_whole_in_forty_characters(self) -> None:
        w1 = np.array([[0.00101, 0.517, -0.155, 0.267], [-0.00125, -0.812, 1.53, -0.407]])
        rows = block(w1, 40, 4)
        assert [len(row) for row in rows] == [4, 4]  # every column, no "…"

    def test_a_matrix_too_wide_shows_what_fits_and_says_it_goes_on(self) -> None:
        shown, cell = shown_columns(64, 40)
        assert shown < 64 and cell >= 5
        rows = block(np.ones((3, 64)), 40, 2)
        assert rows[0][-1].text == "…" and rows[-1][0].text.strip() == "⋮"

    def test_cells_are_shaded_by_sign_and_magnitude(self) -> None:
        (row,) = block(np.array([[-2.0, -0.1, 0.0, 0.5, 2.0]]), 60, 4)
        assert [(c.sign, c.level) for c in row] == [(-1, 4), (-1, 1), (0, 0), (1, 1), (1, 4)]

    async def test_moons_w1_is_whole_at_120_columns_coloured_by_sign(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            panel = app.debugger.query_one(ParamsPanel)
            w1 = app.debugger.snapshot.params[0].value  # type: ignore[union-attr]
            rows = region_text(app, panel.region)
            line = next(row for row in rows if " W1 " in row)
            numbers = re.findall(r"[−\d.e]*\d", line.split("W1", 1)[1])
            assert [value_of(n) for n in numbers] == pytest.approx(w1[0].tolist(), rel=0.01)  # the whole first row
            assert panel.get_component_rich_style("cell--neg-4", partial=True).color is not None


class TestTheTableSaysWhatEachColumnHolds:
    """A parameter too wide for a third of the panel stacks its value, gradient and change, each
    row labelled; the three column titles head only the parameters that sit in columns."""

    @staticmethod
    def panel_rows(app: object) -> list[str]:
        panel = app.debugger.query_one(ParamsPanel)  # type: ignore[attr-defined]
        return region_text(app, panel.scrollable_content_region)  # inside the border, beside the scrollbar

    async def test_moons_stacked_matrices_sit_under_one_title_and_its_columns_under_their_own(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=(80, 60)) as pilot:
            await pilot.pause()
            rows = self.panel_rows(app)
            header = next(n for n, row in enumerate(rows) if " name " in row)
            assert "value · gradient · change" in rows[header]
            w1, b1, w2 = (next(n for n, row in enumerate(rows) if f" {name} " in row) for name in ("W1", "b1", "W2"))
            assert header < w1 < b1 < w2
            assert all(label in "".join(rows[w1:w2]) for label in ("val", "grad", "chg"))  # stacked, labelled
            titles = rows[w2 - 1].split()
            assert titles == ["value", "gradient", "change"] or titles == ["value", "gradient", "last", "change"]
            assert not any("gradient" in row for row in rows[header + 1 : w2 - 1])  # no titles over stacked rows

    async def test_a_table_all_in_columns_keeps_its_three_titles_in_the_header(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            rows = self.panel_rows(app)
            header = next(row for row in rows if " name " in row)
            assert header.split()[:4] == ["name", "value", "gradient", "last"]
            assert sum("gradient" in row for row in rows) == 1
