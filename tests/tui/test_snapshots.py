"""What the debugger looks like, feature by feature, for every shipped scenario in an 80×24
terminal (the smallest it promises to fit) and a 120×40 one (where the panels take the room).

Baselines live in __snapshots__/test_snapshots/ and are made with `pytest --snapshot-update`;
a changed baseline is a changed screen, and is looked at before it is committed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from .conftest import SCENARIOS, make_app

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
    numbers, and the parameters mark the gradient this step touched."""

    @parametrized
    def test_the_middle_of_the_first_backward_pass(self, snap_compare, scenario: str, size: str) -> None:
        async def middle_of_backward(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            backward = [step.index for step in screen.cursor.program.steps if step.phase == "backward"]
            screen.cursor.goto(1, backward[len(backward) // 2])
            screen.show()
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
    async def submit(pilot: Pilot[None], key: str, field: str, text: str) -> None:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        await pilot.click(field)
        await pilot.press(*text)
        await pilot.press("enter")
        await pilot.pause()

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
            await pilot.pause()

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=go_to)

    def test_breakpoint_refuses_an_unknown_name_and_says_so(self, snap_compare) -> None:
        async def bad_breakpoint(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "b", "#condition", "los < 0.05")

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=bad_breakpoint)

    def test_open_reports_a_missing_file_in_one_line(self, snap_compare) -> None:
        async def bad_open(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "o", "#path", "missing.toml")

        assert snap_compare(make_app("two_neurons"), terminal_size=(80, 24), run_before=bad_open)


DIVERGING = Path(__file__).parent / "scenarios" / "diverging.toml"
LAYOUT_SIZES = {"60x20": (60, 20), "80x24": (80, 24), "120x40": (120, 40), "200x60": (200, 60)}


async def to_end(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("G")
    await pilot.app.workers.wait_for_complete()  # the run to the end is a worker's
    await pilot.pause()


class TestViews:
    """The views: the inspector over moons' A1 (every number at full precision, with the
    engine's shape, min, max, mean and norm); loss plots on a log scale and after a run that
    diverged (the curve ends in ✗); moons at every size from 60×20 (still readable, or cut
    with an ellipsis) to 200×60 (the tape, the chain rule and the plot take the room); and a
    maximized panel between the status bar and the keys."""

    def test_the_inspector_on_moons_a1(self, snap_compare) -> None:
        async def inspect(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            a1 = next(step.index for step in screen.cursor.program.steps if step.label == "A1")
            screen.cursor.goto(1, a1)
            screen.show()
            await pilot.press("i")
            await pilot.pause()

        assert snap_compare(make_app("moons_relu"), terminal_size=(80, 24), run_before=inspect)

    def test_a_loss_plot_on_a_log_scale(self, snap_compare) -> None:
        assert snap_compare(make_app("gd_xy"), terminal_size=(80, 24), run_before=to_end)

    def test_the_loss_plot_after_a_diverged_run(self, snap_compare) -> None:
        assert snap_compare(make_app(DIVERGING), terminal_size=(80, 24), run_before=to_end)

    @pytest.mark.parametrize("size", LAYOUT_SIZES)
    def test_the_layout_in_the_middle_of_a_run(self, snap_compare, size: str) -> None:
        async def middle(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            backward = [step.index for step in screen.cursor.program.steps if step.phase == "backward"]
            screen.cursor.goto(300, backward[len(backward) // 2])
            screen.show()
            await pilot.pause()

        assert snap_compare(make_app("moons_relu"), terminal_size=LAYOUT_SIZES[size], run_before=middle)

    def test_a_maximized_panel(self, snap_compare) -> None:
        async def maximized(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("5", "e", "m")
            await pilot.pause()

        assert snap_compare(make_app("moons_relu"), terminal_size=(80, 24), run_before=maximized)
