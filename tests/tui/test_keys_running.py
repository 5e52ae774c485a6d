"""The keys that run the training: space, + and -, breakpoints (b, c), and a run that meets a
value that is not finite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from bpdbg.engine.cursor import Position
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.breakpoint import BreakpointScreen
from bpdbg.tui.screens.main import FPS, SPEEDS

from .conftest import screen_text, wait_until
from .driving import LOSS, SIZE, make_app, started, status, where


class TestRunning:
    async def test_space_runs_and_space_again_pauses_at_once(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("space")
            assert app.debugger.running
            await wait_until(pilot, lambda: where(app) >= Position(1, 3), "the run to take a few steps")
            await pilot.press("space")
            assert not app.debugger.running
            stopped_at = where(app)
            assert "paused" in status(app)
            # A clock beside the run's own, at its rate: five of its ticks are five ticks a running run would step on.
            ticks: list[None] = []
            app.set_interval(1 / FPS, lambda: ticks.append(None))
            await wait_until(pilot, lambda: len(ticks) >= 5, "five ticks of the run's clock")
            assert where(app) == stopped_at

    async def test_plus_and_minus_change_the_speed_shown(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            before = app.debugger.speed
            await pilot.press("plus")
            faster = app.debugger.speed
            assert faster > before
            assert f"{faster}/s" in status(app)
            await pilot.press("minus", "minus")
            assert app.debugger.speed < before

    async def test_speed_stays_within_its_range(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(*["minus"] * (len(SPEEDS) + 2))
            assert app.debugger.speed == SPEEDS[0]

    async def test_a_run_stops_by_itself_at_the_end(self) -> None:
        app = make_app("gd_x2")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(*["plus"] * len(SPEEDS), "space")
            await wait_until(pilot, lambda: not app.debugger.running, "the run to stop by itself")
            assert where(app) == Position(15, 2)
            assert "stopped early at epoch 15" in screen_text(app)

    async def test_space_at_the_end_of_the_run_says_where_it_stands_instead_of_doing_nothing(self) -> None:
        app = make_app("gd_x2")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("G")
            await wait_until(pilot, lambda: app.debugger.busy is None and app.cursor.at_end, "the end")
            await pilot.press("space")
            assert not app.debugger.running
            assert "at the end of the run: r rewinds" in status(app)

    async def test_a_step_key_pauses_a_run(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("space", "n")
            assert not app.debugger.running


class TestBreakpoints:
    async def add(self, app: DebuggerApp, pilot: Pilot[None], condition: str) -> None:
        await pilot.press("b")
        assert isinstance(app.screen, BreakpointScreen)
        app.screen.query_one("#condition", Input).value = condition
        await pilot.press("enter")

    async def test_a_run_stops_at_the_step_where_the_condition_first_holds(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await self.add(app, pilot, "loss < 0.085")
            assert "breakpoints: loss < 0.085" in screen_text(app)
            await pilot.press(*["plus"] * len(SPEEDS), "space")
            await wait_until(pilot, lambda: not app.debugger.running, "the run to stop at the breakpoint")
            # The notes' table: epoch 3 has L = 0.0867, epoch 4 has L = 0.0854, epoch 5 L = 0.0841.
            assert where(app) == Position(5, LOSS + 2)  # the step that computes L
            assert "breakpoint holds here: loss < 0.085" in screen_text(app)

    async def test_a_breakpoint_on_a_gradient(self) -> None:
        app = make_app("gd_x2")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await self.add(app, pilot, "abs(grad(x)) < 1")
            await pilot.press(*["plus"] * len(SPEEDS), "space")
            await wait_until(pilot, lambda: not app.debugger.running, "the run to stop at the breakpoint")
            assert where(app).epoch == 6  # ∂f/∂x = 2x: x = 0.5184 before epoch 5's update, 0.311 before 6's
            assert "breakpoint holds here: abs(grad(x)) < 1" in screen_text(app)

    @pytest.mark.parametrize(
        ("condition", "message"),
        [
            ("los < 0.05", "unknown name 'los'"),
            ("grad(y) < 1", "grad() takes the name of a parameter"),
            ("loss <", ""),
        ],
    )
    async def test_an_invalid_condition_keeps_the_dialog_open_with_the_reason(
        self, condition: str, message: str
    ) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await self.add(app, pilot, condition)
            assert isinstance(app.screen, BreakpointScreen)
            error = str(app.screen.query_one("#error", Static).render())
            assert error and message in error
            await pilot.press("escape")
            assert app.debugger.cursor.breakpoints == []


class TestNonFinite:
    def diverging(self, tmp_path: Path) -> Path:
        """neuron_identity with the largest learning rate a scenario allows: it blows up at epoch 24."""
        source = (Path(__file__).parents[2] / "scenarios" / "neuron_identity.toml").read_text()
        lines = [
            (
                "learning_rate = 1e6"
                if line.startswith("learning_rate")
                else "epochs = 100"
                if line.startswith("epochs")
                else line
            )
            for line in source.splitlines()
        ]
        path = tmp_path / "diverging.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    async def test_a_run_stops_at_the_first_non_finite_value_and_says_where(self, tmp_path: Path) -> None:
        app = make_app(self.diverging(tmp_path))
        async with app.run_test(size=(120, 40)) as pilot:
            await started(app, pilot)
            await pilot.press(*["plus"] * len(SPEEDS), "space")
            await wait_until(pilot, lambda: not app.debugger.running, "the run to stop at the non-finite value")
            assert where(app) == Position(24, 4)
            text = screen_text(app)
            assert "STOPPED: non-finite value at epoch 24, step 5 (loss)" in text
            assert "∞" in text

    async def test_end_goes_straight_to_the_non_finite_step(self, tmp_path: Path) -> None:
        app = make_app(self.diverging(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("G")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert where(app) == Position(24, 4)
            assert "STOPPED: non-finite value" in screen_text(app)
