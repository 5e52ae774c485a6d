"""The debugger's keys that move the cursor, driven as a person drives them: one test per binding,
and what it promises (running, breakpoints and the screen's own keys: test_keys_running.py and
test_keys_screen.py).

Positions are (epoch, step) with the step counted from 0, as the engine's cursor keeps them;
the status bar shows the same step counted from 1.
"""

from __future__ import annotations

import signal

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Static

from bpdbg.cli import main
from bpdbg.engine.cursor import Position
from bpdbg.tui.screens.goto import GoToScreen

from .conftest import make_app as open_app
from .conftest import screen_text, wait_until
from .driving import BACKWARD, LAST, LOSS, SIZE, UPDATE, make_app, started, status, where


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

    async def test_go_to_offers_the_epochs_a_run_that_stopped_early_has(self) -> None:
        app = make_app("neuron_identity")  # 20 epochs planned; it stops early at epoch 6
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("g")
            assert "Go to epoch and step (epoch 1–20)" in screen_text(app)  # the end is not known yet
            await pilot.press("escape", "G")
            await wait_until(pilot, lambda: app.debugger.busy is None, "the run to the end")
            await pilot.press("g")
            assert "Go to epoch and step (epoch 1–6)" in screen_text(app)

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

    async def test_a_letter_typed_after_a_long_number_is_refused_at_once(self) -> None:
        """Textual's integer field checks a keystroke with a pattern that backtracks exponentially
        in the digits before a refused character: after 30 nines, an `x` froze the app for minutes.
        The alarm is far above an honest keystroke; it only turns that freeze into a failure."""

        def frozen(signum: int, frame: object) -> None:
            raise AssertionError("a keystroke in the go-to dialog was still being checked after 10 s")

        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await pilot.press("g", "backspace", *"9" * 30)
            epoch = app.screen.query_one("#epoch", Input)
            assert epoch.value == "9" * 30
            before = signal.signal(signal.SIGALRM, frozen)
            signal.alarm(10)
            try:
                await pilot.press("x", "-", "e")
            finally:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, before)
            assert app.is_running
            assert epoch.value == "9" * 30  # each refused, the number kept
            await pilot.press("enter")
            assert "is not in the run" in str(app.screen.query_one("#error", Static).render())


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
