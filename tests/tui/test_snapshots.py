"""What the debugger looks like, feature by feature, for every shipped scenario in an 80×24
terminal (the smallest it promises to fit) and a 120×40 one (where the panels take the room).

Baselines live in __snapshots__/test_snapshots/ and are made with `pytest --snapshot-update`;
a changed baseline is a changed screen, and is looked at before it is committed.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from .conftest import SCENARIOS, make_app, screen_text, wait_until

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

by_scenario_and_size = [
    pytest.mark.parametrize("size", SIZES),
    pytest.mark.parametrize("scenario", SCENARIOS),
]


def parametrized(test):  # type: ignore[no-untyped-def]
    for mark in by_scenario_and_size:
        test = mark(test)
    return test


class TestLayout:
    """The screen as it opens: the status bar, the tape at its first operation, the chain rule,
    the parameters as the scenario declares them, an empty loss plot, and every key in the
    key bar; the panels share the room at each size, and nothing is cut off at 80×24."""

    @parametrized
    def test_the_first_step_of_the_first_epoch(self, snap_compare, scenario: str, size: str) -> None:
        async def opened(pilot: Pilot[None]) -> None:
            await pilot.pause()

        assert snap_compare(make_app(scenario), terminal_size=SIZES[size], run_before=opened)


class TestBackwardPass:
    """Halfway through the first backward pass: the tape marks the current chain-rule step and
    keeps it in view, the chain rule shows the formula in the scenario's names and then with
    numbers, the parameters mark the gradient this step touched, and the check strip shows
    finite differences beside the step's gradient."""

    @parametrized
    def test_the_middle_of_the_first_backward_pass(self, snap_compare, scenario: str, size: str) -> None:
        async def middle_of_backward(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            backward = [step.index for step in screen.cursor.program.steps if step.phase == "backward"]
            screen.cursor.goto(1, backward[len(backward) // 2])
            screen.show()
            await pilot.app.workers.wait_for_complete()  # finite differences, for a large network
            await pilot.pause()

        assert snap_compare(make_app(scenario), terminal_size=SIZES[size], run_before=middle_of_backward)


class TestEndOfRun:
    """After `G`: the last step of the last epoch, the whole loss curve with the current epoch
    marked, and the status bar saying how the run ended (all epochs, or an early stop and its rule)."""

    @parametrized
    def test_the_last_step_after_running_to_the_end(self, snap_compare, scenario: str, size: str) -> None:
        async def end(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("G")
            await pilot.app.workers.wait_for_complete()  # the run to the end is a worker's
            await pilot.pause()

        assert snap_compare(make_app(scenario), terminal_size=SIZES[size], run_before=end)


class TestDialogs:
    """Each dialog over the debugger in the smallest terminal, the debugger still visible behind
    it: the help listing every key, go to, and breakpoint and open each showing the one line
    that says why what was typed was refused."""

    @staticmethod
    async def steady_cursor(pilot: Pilot[None]) -> None:
        """The text cursor shown and still: on a busy machine a snapshot could catch either half of a blink."""
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.press("end")  # a key shows the cursor again, and without blinking it stays
        await pilot.pause()

    @classmethod
    async def submit(cls, pilot: Pilot[None], key: str, field: str, text: str) -> None:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        await pilot.click(field)
        await pilot.press(*text)
        await pilot.press("enter")
        await cls.steady_cursor(pilot)

    def test_help_lists_every_key(self, snap_compare) -> None:
        async def help(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=help)

    def test_go_to_asks_for_an_epoch_and_a_step(self, snap_compare) -> None:
        async def go_to(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("g")
            await self.steady_cursor(pilot)

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=go_to)

    def test_breakpoint_refuses_an_unknown_name_and_says_so(self, snap_compare) -> None:
        async def bad_breakpoint(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "b", "#condition", "los < 0.05")

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=bad_breakpoint)

    def test_open_reports_a_missing_file_in_one_line(self, snap_compare) -> None:
        async def bad_open(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "o", "#path", "missing.toml")

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=bad_open)


class TestPresenterMode:
    """Presenter mode on a projector's 100×30: black on white, the current step's value and the
    loss in large digits over the chain rule, which takes the room of the loss plot and the
    parameters; the tape still shows where the lecture stands."""

    def test_the_middle_of_the_first_backward_pass_in_presenter_mode(self, snap_compare) -> None:
        async def presenting(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("1", "2", "n", "z")
            await pilot.pause()

        assert snap_compare(make_app("two_neurons"), terminal_size=(100, 30), run_before=presenting)


class TestChecks:
    """The check strip under the panels. two_neurons at ∂L/∂w1 in epoch 1 (step 21): the notes'
    printed row above the engine's, the notes' w1 (0.2060) marked where the engine computes
    0.3003, and central finite differences beside the engine's gradient with ✓. Then the quiz:
    the next step asked with its value hidden, and after an answer, graded and revealed."""

    W1_GRADIENT = 20

    @pytest.mark.parametrize("size", SIZES)
    def test_the_notes_row_beside_the_engines_and_finite_differences(self, snap_compare, size: str) -> None:
        async def at_the_w1_gradient(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press(*f"{self.W1_GRADIENT}n")
            await wait_until(pilot, lambda: "✓" in screen_text(pilot.app), "the finite differences")  # type: ignore[arg-type]

        assert snap_compare(make_app("two_neurons"), terminal_size=SIZES[size], run_before=at_the_w1_gradient)

    @staticmethod
    async def quiz_at_the_w1_gradient(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press(*f"{TestChecks.W1_GRADIENT - 1}n", "Q")
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    def test_the_quiz_before_a_reveal(self, snap_compare, size: str) -> None:
        async def asked(pilot: Pilot[None]) -> None:
            await self.quiz_at_the_w1_gradient(pilot)
            await pilot.press(*"-0.0025")
            await TestDialogs.steady_cursor(pilot)

        assert snap_compare(make_app("two_neurons"), terminal_size=SIZES[size], run_before=asked)

    @pytest.mark.parametrize("size", SIZES)
    def test_the_quiz_after_a_reveal(self, snap_compare, size: str) -> None:
        async def revealed(pilot: Pilot[None]) -> None:
            await self.quiz_at_the_w1_gradient(pilot)
            await pilot.press(*"-0.0025", "enter")
            await wait_until(pilot, lambda: "score 0/1" in screen_text(pilot.app), "the reveal")  # type: ignore[arg-type]
            await pilot.app.workers.wait_for_complete()
            await TestDialogs.steady_cursor(pilot)

        assert snap_compare(make_app("two_neurons"), terminal_size=SIZES[size], run_before=revealed)
