"""Views: the inspector (i, or a click on a parameter), the lower-right switcher (f), a
maximized panel (m, esc restores), and a loss plot that never breaks (l for its scale)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens import main, views
from bpdbg.tui.screens.inspector import InspectorScreen
from bpdbg.tui.widgets.chain import describe
from bpdbg.tui.widgets.grid import NumberGrid, full
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.params import ParamsPanel
from bpdbg.tui.widgets.tape import TapePanel

from .conftest import make_app, screen_text, wait_until

DIVERGING = Path(__file__).parent / "scenarios" / "diverging.toml"


def panel_text(app: DebuggerApp, selector: str) -> str:
    region = app.screen.query_one(selector).region
    rows = screen_text(app).splitlines()[region.y : region.bottom]
    return "\n".join(row[region.x : region.right] for row in rows)


async def goto_label(app: DebuggerApp, pilot: Pilot[None], label: str) -> None:
    screen = app.debugger
    step = next(s for s in screen.cursor.program.steps if s.label == label)
    screen.cursor.goto(1, step.index)
    screen.show()
    await pilot.pause()


async def to_end(app: DebuggerApp, pilot: Pilot[None]) -> None:
    await pilot.press("G")
    await app.workers.wait_for_complete()
    await wait_until(pilot, lambda: app.debugger.busy is None, "the run to the end")


class TestInspector:
    async def test_i_shows_moons_a1_whole_every_row_at_full_precision_with_the_engines_statistics(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await goto_label(app, pilot, "A1")
            await pilot.press("i")
            await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen), "the inspector")
            a1 = app.debugger.snapshot.value  # type: ignore[union-attr]
            text = screen_text(app)
            assert "shape 200×4" in text and f"max {full(float(a1.max()))}" in text
            assert full(float(a1[1, 0])) in text  # full precision: repr's shortest exact digits
            await pilot.press("end")  # the last row scrolls into view
            await pilot.pause()
            assert re.search(rf"\b199\s+{re.escape(full(float(a1[199, 0])))}", screen_text(app))
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.debugger, "the inspector to close")

    async def test_a_click_on_a_parameters_gradient_inspects_that_gradient(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await goto_label(app, pilot, "∂L/∂w1")
            row = next(i for i, line in enumerate(panel_text(app, "#params").splitlines()) if " w1 " in line)
            column = panel_text(app, "#params").splitlines()[1].index("gradient")
            await pilot.click(ParamsPanel, offset=(column, row))  # the panel's own cells, its border included
            await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen), "the inspector")
            assert isinstance(app.screen, InspectorScreen)
            assert app.screen.inspection.title == "w1 · gradient"
            grad = app.debugger.snapshot.params[0].grad  # type: ignore[union-attr]
            assert re.search(rf"\b0\s+{re.escape(full(float(grad)))}", screen_text(app))  # every digit, in the grid

    async def test_a_value_not_computed_yet_says_so(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.debugger.post_message(views.InspectParam("w1", "grad"))
            await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen), "the inspector")
            assert "not computed yet at this step" in screen_text(app)
            assert not app.screen.query(NumberGrid)

    async def test_a_value_near_the_largest_float_is_inspected_and_the_app_stays_up(self) -> None:
        """x² diverging: in the epoch before the run overflows, L is close to the largest float;
        its shade (its size beside the largest) once overflowed and ended the app."""
        app = DebuggerApp(open_scenario(DIVERGING))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await to_end(app, pilot)
            await pilot.press("E")
            await pilot.pause()
            value = app.debugger.snapshot.value  # type: ignore[union-attr]
            assert 1e300 < float(value) < float("inf")
            await pilot.press("i")
            await wait_until(pilot, lambda: isinstance(app.screen, InspectorScreen), "the inspector")
            assert app.is_running
            assert full(float(value)) in screen_text(app)


class Shown(TapePanel):
    """A second view for the switcher: a tape, so it draws whatever snapshot it is handed."""


class TestSwitcherAndMaximize:
    async def test_f_cycles_the_views_and_a_view_shown_again_draws_the_current_step(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(main, "lower_right_views", lambda: [ParamsPanel(id="params"), Shown(id="other")])
        app = make_app("two_neurons")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            switcher = app.debugger.query_one("#views", views.ViewSwitcher)
            assert switcher.current == "params"
            await pilot.press("f")
            assert switcher.current == "other"
            await pilot.press("n", "n", "n")
            await pilot.press("f")
            await pilot.pause()
            assert switcher.current == "params"
            assert app.debugger.query_one(ParamsPanel)._snapshot is app.debugger.snapshot

    async def test_m_maximizes_the_panel_clicked_last_and_esc_restores(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("m")
            assert app.debugger.maximized is app.debugger.query_one("#views")
            await pilot.press("escape")
            assert app.debugger.maximized is None
            await pilot.click("#chain")
            await pilot.press("m")
            await pilot.pause()
            assert app.debugger.maximized is app.debugger.query_one("#chain")
            text = screen_text(app)
            assert "Chain rule" in text and "Tape" not in text and "n/N step" in text  # the keys stay
            await pilot.press("n")  # stepping goes on while maximized
            await pilot.pause()
            assert "step 2/25" in screen_text(app)
            await pilot.press("m")
            assert app.debugger.maximized is None


class TestLossPlot:
    async def test_the_first_frame_has_axes_and_the_epochs_to_come(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            text = panel_text(app, "#loss")
            assert "└" in text and "1000" in text and "500" in text

    async def test_a_curve_over_many_decades_is_on_a_log_scale_and_l_switches_it(self) -> None:
        app = make_app("gd_xy")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await to_end(app, pilot)
            loss = app.debugger.query_one(LossPanel)
            assert loss.on_log and "log scale" in panel_text(app, "#loss")
            assert re.search(r"1e−\d", panel_text(app, "#loss"))  # decades, short
            await pilot.press("l")
            await pilot.pause()
            assert not loss.on_log and "log scale" not in panel_text(app, "#loss")
            await pilot.press("l")
            await pilot.pause()
            assert loss.on_log

    @pytest.mark.parametrize(("scenario", "epochs"), [("two_neurons", 3), ("moons_relu", 3)])
    async def test_labels_are_short_and_tell_the_ticks_apart(self, scenario: str, epochs: int) -> None:
        """moons' loss moves in its fourth figure over its first epochs: 0.6931, not 0.693 thrice."""
        app = make_app(scenario)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press(*"e" * epochs)
            await pilot.pause()
            labels = re.findall(r"([\d.−e]+)┤", panel_text(app, "#loss"))
            assert len(labels) >= 2 and all(len(label) <= 8 for label in labels)
            assert len(set(labels)) == len(labels), labels

    async def test_a_metric_is_a_second_series(self) -> None:
        app = make_app("net_221_sigmoid")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("5", "e")
            await pilot.pause()
            text = panel_text(app, "#loss")
            assert "green: mse" in text and "├" in text  # its own axis, at the right

    @pytest.mark.parametrize(
        ("scenario", "size", "epoch"), [("two_neurons", (60, 20), 12), ("net_221_sigmoid", (80, 24), 7654)]
    )
    async def test_the_loss_and_the_metric_beside_it_are_rounded_to_fit_never_cut(
        self, scenario: str, size: tuple[int, int], epoch: int
    ) -> None:
        """At 60×20 the title 'Loss · epoch 12: 0.08502' is wider than the panel, and at 80×24
        net_221's note 'log scale  green: mse 0.0002881' too: cut, they read 0.08… and 0.000…
        Each number is rounded to the figures that fit instead."""
        app = make_app(scenario)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.debugger
            screen.cursor.goto(epoch, screen.cursor.last_step(epoch))
            screen.show()
            await pilot.pause()
            snapshot = screen.snapshot
            assert snapshot is not None and snapshot.loss is not None
            rows = panel_text(app, "#loss").splitlines()
            shown = {"loss": (rows[0], snapshot.loss)}
            if snapshot.metrics:
                name, values = snapshot.metrics[0]
                shown[name] = (rows[-1], float(values[-1]))
            for row, value in shown.values():
                assert "…" not in row, row
                number = re.search(r"(?:: |mse )([\d.−e]+)", row)
                assert number is not None, row
                text = number.group(1).replace("−", "-")
                figures = len(text.split("e")[0].replace(".", "").lstrip("0"))
                assert float(text) == float(f"{value:.{figures}g}"), (row, value)

    async def test_a_diverged_run_ends_the_curve_with_a_mark(self) -> None:
        app = DebuggerApp(open_scenario(DIVERGING))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await to_end(app, pilot)
            text = panel_text(app, "#loss")
            stop = app.debugger.cursor.trainer.stop
            assert stop is not None and stop.reason == "non-finite"
            assert f"✗ epoch {stop.epoch}" in text and any("\u2801" <= c <= "\u28ff" for c in text)
            assert "cannot draw" not in text

    async def test_a_metric_near_the_largest_float_is_plotted_beside_the_loss(self, tmp_path: Path) -> None:
        """x³ as a metric of x² diverging: it reaches the largest float before the loss does, and
        its axis, like the loss's, is drawn without overflowing."""
        scenario = tmp_path / "cubed.toml"
        scenario.write_text(DIVERGING.read_text(encoding="utf-8") + '\n[metrics]\ncubed = "x * x * x"\n')
        app = DebuggerApp(open_scenario(scenario))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await to_end(app, pilot)
            cubed = app.debugger.cursor.trainer.metrics["cubed"]
            assert np.nanmax(np.abs(cubed[np.isfinite(cubed)])) > 1e300
            text = panel_text(app, "#loss")
            assert "cannot draw" not in text, text
            assert "┤" in text and any("\u2801" <= c <= "\u28ff" for c in text), text


ZERO_LOOKING = re.compile(r"(?<![\d.])−?0\.0*(?![\d…e])")  # 0.00: an exact zero reads 0, so this was cut


class TestNarrowTerminals:
    @pytest.mark.parametrize("scenario", ["two_neurons", "moons_relu"])
    async def test_below_80_columns_no_number_is_cut_to_look_like_zero(self, scenario: str) -> None:
        app = make_app(scenario)
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            for _ in range(4):
                await pilot.press("p")
                await pilot.pause()
                text = screen_text(app)
                assert not ZERO_LOOKING.findall(text), text


class TestResizing:
    @pytest.mark.parametrize(
        ("scenario", "sizes"),
        [
            # gd_x2's tape is one row taller than its panel at 80×24, so it has a scrollbar there
            # but none at 120×40: coming back, the thumb is where the tape is scrolled to.
            ("gd_x2", [(57, 19), (120, 40), (80, 24)]),
            # At 40×12 the parameters' scrollbar comes with the first layout and narrows their
            # lines: every line is drawn again at the new width, the header too.
            ("neuron_sigmoid", [(80, 24), (40, 12)]),
        ],
    )
    async def test_a_screen_resized_looks_as_one_opened_at_that_size(
        self, scenario: str, sizes: list[tuple[int, int]]
    ) -> None:
        resized, fresh = make_app(scenario), make_app(scenario)
        async with resized.run_test(size=sizes[0]) as pilot:
            for size in sizes[1:]:
                await pilot.resize_terminal(*size)
                await pilot.pause()
            shown = screen_text(resized)
        async with fresh.run_test(size=sizes[-1]) as pilot:
            await pilot.pause()
            assert shown == screen_text(fresh)


class TestChainPanelHeader:
    def test_a_backward_step_is_said_to_go_back_through_the_op_it_crosses(self) -> None:
        """∂L/∂y_hat is made at L, ∂L/∂z2 at y_hat: the header says where the step works, the
        first line what it computes."""
        cursor = Cursor(open_scenario(resolve("two_neurons")))
        cursor.set_named_view(False)
        headers = {}
        for label in ("z1", "∂L/∂y_hat", "∂L/∂z2", "w1"):
            cursor.goto(1, next(s.index for s in cursor.program.steps if s.label == label))
            headers[label] = describe(cursor.snapshot()).plain.splitlines()[:2]
        assert headers["z1"][0].endswith("· forward · z1")
        assert headers["∂L/∂y_hat"][0].endswith("· backward through L")
        assert headers["∂L/∂y_hat"][1].startswith("∂L/∂y_hat = ")
        assert headers["∂L/∂z2"][0].endswith("· backward through y_hat")
        assert headers["w1"][0].endswith("· update · w1")


class TestChainPanelMatrices:
    async def test_a_matrix_row_wider_than_the_panel_ends_in_an_ellipsis_at_a_whole_number(self) -> None:
        """digits' b2 is 1×10, one row of ten numbers, wider than the chain rule at 80×24. It is cut
        after the last whole number that fits, with …, never wrapped into what reads as more rows."""
        from bpdbg.tui.format import short

        app = make_app("digits_softmax")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.debugger
            screen.cursor.goto(2, screen.cursor.last_step(2))  # the update of b2, from b2 as epoch 1 left it
            screen.show()
            await pilot.pause()
            lines = [line.strip("│ ") for line in panel_text(app, "#chain").splitlines()]
            line = screen.cursor.snapshot().line
            assert line is not None
            b2 = next(term for term in line.terms if term.written == "b2").value
            row = lines[lines.index("b2: 1×10") + 1]
            assert row.endswith(" …")
            shown = row.removesuffix(" …").split()
            assert 1 < len(shown) < 10
            assert shown == [short(float(v)) for v in b2.reshape(-1)[: len(shown)]]
            assert lines[lines.index("b2: 1×10") + 2].startswith("∂L/∂b2: 1×10")

    async def test_an_operand_written_twice_in_a_formula_is_listed_once(self) -> None:
        """moons' loss, −mean(y ⊙ log(A2 + 1e-8) + (1 − y) ⊙ log(1 − A2 + 1e-8)), uses y and A2
        twice each; the chain rule lists each of them once, with its value, under the formula."""
        app = make_app("moons_relu")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await goto_label(app, pilot, "L")
            lines = [line.strip("│ ") for line in panel_text(app, "#chain").splitlines()]
            lines = lines[: next(i for i, line in enumerate(lines) if line.startswith("L = 0."))]  # the step's own
            assert sum(line.startswith("y: 200×1") for line in lines) == 1, "\n".join(lines)
            assert sum(line.startswith("A2: 200×1") for line in lines) == 1, "\n".join(lines)

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)])
    async def test_a_value_summary_too_wide_for_the_panel_keeps_min_and_max_with_their_numbers(
        self, size: tuple[int, int]
    ) -> None:
        """digits' Z1 = 1797×32 [0.00869 −0.00458 −0.0218 0.0241 …]  min −0.126  max 0.184 is wider
        than the chain rule: it breaks between its parts, never between max and 0.184."""
        app = make_app("digits_softmax")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            lines = [line.strip("│ ▁▂▃▄▅▆▇█") for line in panel_text(app, "#chain").splitlines()]
            words = " ".join(lines).split()
            assert "max" in words
            for line in lines:
                assert not re.search(r"\b(min|max)$", line), "\n".join(lines)
                assert not re.match(r"−?[\d.]+(e−?\d+)?\b", line), "\n".join(lines)  # a number away from its label
