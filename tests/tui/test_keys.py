"""The debugger's keys, driven as a person drives them: one test per binding, and what it promises.

Positions are (epoch, step) with the step counted from 0, as the engine's cursor keeps them;
the status bar shows the same step counted from 1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Input, Static

from bpdbg.cli import main
from bpdbg.engine.cursor import Position
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.breakpoint import BreakpointScreen
from bpdbg.tui.screens.goto import GoToScreen
from bpdbg.tui.screens.help import HelpScreen
from bpdbg.tui.screens.main import FPS, SPEEDS
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.keybar import KeyBar

from .conftest import make_app as open_app
from .conftest import screen_text, wait_until


def make_app(scenario: str) -> DebuggerApp:
    """These keys are specified over every operation of the tape, the named view off (`v`)."""
    return open_app(scenario, whole_tape=True)


SIZE = (80, 24)
# two_neurons: 25 steps an epoch: forward 0-5, loss 6-8, backward 9-20, update 21-24.
FORWARD, LOSS, BACKWARD, UPDATE, LAST = 0, 6, 9, 21, 24


def where(app: DebuggerApp) -> Position:
    return app.debugger.cursor.position


async def started(app: DebuggerApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    assert where(app) == Position(1, 0)


def status(app: DebuggerApp) -> str:
    """The status bar's two lines."""
    return "\n".join(screen_text(app).splitlines()[:2])


class TestNamedView:
    async def test_it_is_the_default_and_n_moves_from_one_named_quantity_to_the_next(self) -> None:
        app = open_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.debugger.snapshot.step.label == "z1"  # w1·x folds into z1
            await pilot.press("n", "n", "n", "n", "n")
            assert app.debugger.snapshot.step.label == "∂L/∂y_hat"  # one step after L
            assert "named view" in screen_text(app)

    async def test_v_unfolds_every_operation_and_folds_them_again(self) -> None:
        app = open_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("v", "N")
            assert app.debugger.snapshot.step.label == "w1·x" and not app.debugger.snapshot.named_view
            assert "w1·x" in screen_text(app)
            await pilot.press("v")
            assert app.debugger.snapshot.step.label == "z1" and app.debugger.snapshot.named_view


class TestStepping:
    @pytest.mark.parametrize("key", ["n", "right"])
    async def test_forward_key_computes_the_next_operation(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(key, key)
            assert where(app) == Position(1, 2)
            assert "step 3/25 forward" in status(app)

    @pytest.mark.parametrize("key", ["N", "left"])
    async def test_back_key_undoes_one_operation(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("n", "n", "n", key)
            assert where(app) == Position(1, 2)

    async def test_back_at_the_very_start_stays_there(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("N")
            assert where(app) == Position(1, 0)

    async def test_stepping_past_an_epochs_end_starts_the_next_epoch(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            app.debugger.cursor.goto(1, LAST)
            await pilot.press("n")
            assert where(app) == Position(2, 0)
            await pilot.press("N")
            assert where(app) == Position(1, LAST)


class TestPhasesAndEpochs:
    @pytest.mark.parametrize("key", ["p", "right_square_bracket"])
    async def test_next_phase_goes_to_the_first_step_of_the_next_phase(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(key)
            assert where(app) == Position(1, LOSS)
            await pilot.press(key, key)
            assert where(app) == Position(1, UPDATE)
            assert "update" in status(app)

    @pytest.mark.parametrize("key", ["P", "left_square_bracket"])
    async def test_previous_phase_goes_back_a_phase(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("p", "p", "n", key)
            assert where(app) == Position(1, BACKWARD)
            await pilot.press(key)
            assert where(app) == Position(1, LOSS)

    async def test_e_goes_to_the_start_of_the_next_epoch(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("n", "e")
            assert where(app) == Position(2, 0)
            assert "epoch 2/20" in status(app)

    async def test_E_goes_to_this_epochs_start_then_to_the_previous_epoch(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("e", "e", "n", "n", "E")
            assert where(app) == Position(3, 0)
            await pilot.press("E")
            assert where(app) == Position(2, 0)


class TestJumps:
    @pytest.mark.parametrize("key", ["r", "home"])
    async def test_rewind_returns_to_the_first_step(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("e", "e", "n", key)
            assert where(app) == Position(1, 0)

    @pytest.mark.parametrize("key", ["G", "end"])
    async def test_end_runs_the_whole_training_and_says_how_it_ended(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert where(app) == Position(20, LAST)
            assert "end: ran all 20 epochs" in screen_text(app)

    async def test_end_shows_an_early_stop_and_its_rule(self) -> None:
        app = make_app("neuron_identity")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("G")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "stopped early at epoch 6: loss < 0.01" in screen_text(app)

    async def test_g_asks_for_an_epoch_and_a_step_and_goes_there(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("g")
            assert isinstance(app.screen, GoToScreen)
            app.screen.query_one("#epoch", Input).value = "3"
            app.screen.query_one("#step", Input).value = "17"
            await pilot.press("enter")
            assert where(app) == Position(3, 16)
            assert "epoch 3/20  step 17/25 backward" in status(app)

    @pytest.mark.parametrize(
        ("epoch", "step", "refused"),
        [
            ("99", "1", "epoch 99 is not in the run: it has epochs 1 to 20 (ran all 20 epochs)"),
            ("2", "99", "step 99 is not in epoch 2: it has steps 1 to 25"),
        ],
    )
    async def test_go_to_refuses_a_place_past_the_end_as_the_command_line_does_and_stays_open(
        self, epoch: str, step: str, refused: str
    ) -> None:
        cli = CliRunner().invoke(main, ["graph", "two_neurons", "--epoch", epoch, "--step", step])
        assert cli.output == f"two_neurons: {refused}\n"  # the words `bpdbg graph` uses
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("g")
            app.screen.query_one("#epoch", Input).value = epoch
            app.screen.query_one("#step", Input).value = step
            await pilot.press("enter")
            assert isinstance(app.screen, GoToScreen)
            assert str(app.screen.query_one("#error", Static).render()) == refused
            assert where(app) == Position(1, 0)
            app.screen.query_one("#epoch", Input).value = "20"
            app.screen.query_one("#step", Input).value = "25"
            await pilot.press("enter")  # corrected, it goes
            assert not isinstance(app.screen, GoToScreen) and where(app) == Position(20, LAST)

    async def test_go_to_refuses_a_step_of_zero_and_says_why(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("g")
            app.screen.query_one("#step", Input).value = "0"
            await pilot.press("enter")
            assert isinstance(app.screen, GoToScreen)
            assert "count from 1" in str(app.screen.query_one("#error", Static).render())
            await pilot.press("escape")
            assert where(app) == Position(1, 0)


class TestCountPrefix:
    async def test_a_count_repeats_the_step_key_and_shows_while_pending(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("1", "2")
            assert "count 12" in status(app)
            assert where(app) == Position(1, 0)
            await pilot.press("n")
            assert where(app) == Position(1, 12)
            assert "count" not in status(app)

    async def test_a_count_typed_in_one_burst_counts_whole(self) -> None:
        """Keys pasted, or typed faster than the screen draws, arrive before the one before is done."""
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            for key in ("2", "0", "n"):
                app.simulate_key(key)  # as the terminal sends them, no pause between
            await wait_until(pilot, lambda: where(app) != Position(1, 0), "the step")
            assert where(app) == Position(1, 20)
            assert app.debugger.count == ""

    async def test_fifty_n_crosses_epochs_and_fifty_N_comes_back(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("5", "0", "n")
            assert where(app) == Position(3, 0)
            await pilot.press("5", "0", "N")
            assert where(app) == Position(1, 0)

    async def test_a_count_applies_to_phase_and_epoch_keys(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("3", "e")
            assert where(app) == Position(4, 0)
            await pilot.press("2", "p")
            assert where(app) == Position(4, BACKWARD)

    async def test_escape_cancels_a_pending_count(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("9", "escape", "n")
            assert where(app) == Position(1, 1)

    @pytest.mark.parametrize("key", ["plus", "t", "d", "c"])
    async def test_any_other_key_drops_the_count_it_was_typed_before(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("9", key)
            assert "count" not in status(app)
            await pilot.press("n")
            assert where(app) == Position(1, 1)

    async def test_a_leading_zero_is_not_a_count(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("0")
            assert "count" not in status(app)


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


class TestScreenKeys:
    async def test_question_mark_lists_every_key_and_closes_again(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=(120, 70)) as pilot:  # tall enough for the whole list
            await started(app, pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = screen_text(app)
            for needle in ("step forward: one named quantity", "named view (z1", "count before a move", "quit"):
                assert needle in text
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    async def test_t_switches_between_the_dark_and_the_white_light_theme(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            assert app.theme == "textual-dark"
            await pilot.press("t")
            assert app.theme == "bpdbg-light"
            assert app.current_theme.background == app.current_theme.surface == "#FFFFFF"
            await pilot.press("t")
            assert app.theme == "textual-dark"

    async def test_d_and_u_scroll_a_long_chain_rule_and_a_move_starts_it_at_the_top(self) -> None:
        app = make_app("net_221_sigmoid")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("4", "p")  # past forward, loss, metrics, backward: the update of W1
            assert app.debugger.snapshot.step.label == "W1"
            chain = app.debugger.query_one(ChainPanel)
            await pilot.press("d")
            assert chain.scroll_y > 0
            await pilot.press("u")
            assert chain.scroll_y == 0
            await pilot.press("d", "n")
            assert chain.scroll_y == 0

    @pytest.mark.parametrize("key", ["q"])
    async def test_q_quits(self, key: str) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press(key)
            assert not app.is_running


SHOWN = [b for b in [*DEBUGGER_BINDINGS, *APP_BINDINGS] if b.id and b.show]


def key_bar_entries(app: DebuggerApp) -> set[tuple[str, str]]:
    """The key bar as it reads on screen: (key, description) for every key of every entry.

    An entry is `keys description`, entries are two spaces apart, and paired keys share one
    entry as `n/N step`. The bar's lines are read off the screen, where the widget `#keys` sits.
    """
    region = app.debugger.query_one("#keys").region
    bar = screen_text(app).splitlines()[region.y : region.bottom]
    found = set()
    for line in bar:
        for entry in re.split(r" {2,}", line.strip()):
            keys, _, description = entry.partition(" ")
            found |= {(key, description) for key in keys.split("/")}
    return found


async def test_every_shown_key_is_in_the_key_bar_with_its_description_and_in_the_help() -> None:
    from bpdbg.tui.screens.help import DETAILS

    assert [b.id for b in SHOWN if b.id not in DETAILS] == []
    app = make_app("two_neurons")
    async with app.run_test(size=(220, 50)) as pilot:  # wide enough for every key in the bar's two lines
        await started(app, pilot)
        shown = key_bar_entries(app)
        wanted = {
            b.id: (b.key_display or b.key.split(",")[0], b.group.description if b.group else b.description)
            for b in SHOWN
        }
        assert {name: entry for name, entry in wanted.items() if entry not in shown} == {}


async def test_a_narrow_key_bar_keeps_to_two_lines_the_moves_first_and_help_and_quit_always() -> None:
    app = make_app("two_neurons")
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        bar = app.debugger.query_one(KeyBar)
        assert bar.region.height == 2
        shown = key_bar_entries(app)
        assert {("n", "step"), ("p", "phase"), ("?", "help"), ("q", "quit")} <= shown
        assert ("s", "screenshot") not in shown  # the last in binding order gives way first


class TestOpen:
    async def type_into_dialog(self, pilot: Pilot[None], text: str) -> None:
        await pilot.press("o")
        await pilot.pause()
        dialog = pilot.app.screen
        dialog.query_one("#path", Input).value = text
        await pilot.press("enter")
        for _ in range(1000):  # the scenario loads in a worker: wait for its answer
            if not dialog.is_attached or not str(dialog.query_one("#error", Static).render()).startswith("opening"):
                break
            await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    async def test_o_opens_another_scenario_by_its_shipped_name(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("n", "n", "b")
            app.screen.query_one(Input).value = "loss < 0.05"
            await pilot.press("enter", "escape")
            await self.type_into_dialog(pilot, "gd_x2")
            assert app.cursor.program.scenario.name == "gd_x2"
            assert where(app) == Position(1, 0)
            assert app.debugger.cursor.breakpoints == []  # breakpoints named the old scenario's quantities
            assert "Gradient descent on f(x) = x²" in status(app)

    async def test_a_bad_file_is_reported_in_one_line_and_the_debugger_stays_where_it_was(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.toml"
        broken.write_text(
            'title = "broken"\n[params]\nw = 1\n[loss]\nL = "w *"\n[training]\nlearning_rate = 0.1\nepochs = 3\n'
        )
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("n", "n")
            await self.type_into_dialog(pilot, str(broken))
            error = str(app.screen.query_one("#error", Static).render())
            assert error.startswith(f"{broken}:5:")
            assert "\n" not in error
            await pilot.press("escape")
            assert app.cursor.program.scenario.name == "two_neurons"
            assert where(app) == Position(1, 2)
