"""What the debugger looks like, feature by feature, for every shipped scenario in an 80×24
terminal (the smallest it promises to fit) and a 120×40 one (where the panels take the room).

Baselines live in __snapshots__/test_snapshots/ and are made with `pytest --snapshot-update`
(one per screen: a test that takes several screens of one app names each);
a changed baseline is a changed screen, and is looked at before it is committed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from .conftest import SCENARIOS, Moment, SnapScreens, make_app, screen_text, wait_until

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

by_scenario_and_size = [
    pytest.mark.parametrize("size", SIZES),
    pytest.mark.parametrize("scenario", SCENARIOS),
]


def parametrized(test):  # type: ignore[no-untyped-def]
    for mark in by_scenario_and_size:
        test = mark(test)
    return test


class TestEveryScenario:
    """Each shipped scenario at each size, in one app, at three moments (each screen is compared
    with a baseline of its own, named after the moment):

    - `opened`: the status bar, the tape at its first operation, the chain rule, the parameters
      as the scenario declares them, an empty loss plot, and every key in the key bar; the
      panels share the room at each size, and nothing is cut off at 80×24;
    - `backward`: halfway through the first backward pass, the tape marks the current
      chain-rule step and keeps it in view, the chain rule shows the formula in the scenario's
      names and then with numbers, the parameters mark the gradient this step touched, and the
      check strip shows finite differences beside the step's gradient;
    - `end`: after `G`, the last step of the last epoch, the whole loss curve with the current
      epoch marked, and the status bar saying how the run ended (all epochs, or an early stop
      and its rule).
    """

    @parametrized
    def test_opened_then_halfway_through_the_first_backward_pass_then_at_the_end(
        self, snap_screens: SnapScreens, scenario: str, size: str
    ) -> None:
        async def opened(pilot: Pilot[None]) -> None:
            await pilot.pause()

        async def backward(pilot: Pilot[None]) -> None:
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            steps = [step.index for step in screen.cursor.program.steps if step.phase == "backward"]
            screen.cursor.goto(1, steps[len(steps) // 2])
            screen.show()
            await pilot.app.workers.wait_for_complete()  # finite differences, for a large network
            await pilot.pause()

        async def end(pilot: Pilot[None]) -> None:
            await pilot.press("G")
            await pilot.app.workers.wait_for_complete()  # the run to the end is a worker's
            await pilot.pause()

        moments = {"opened": opened, "backward": backward, "end": end}
        assert snap_screens(make_app(scenario), SIZES[size], moments) == []


class TestDialogs:
    """Each dialog over the debugger in the smallest terminal, the debugger still visible behind
    it: the help listing every key, go to, the breakpoint list, and breakpoint and open each
    showing the one line that says why what was typed was refused."""

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

    @staticmethod
    def closing_the_last(moment: Moment) -> Moment:
        """A moment that first closes the dialog the one before left open."""

        async def closed_first(pilot: Pilot[None]) -> None:
            if pilot.app.screen is not pilot.app.debugger:  # type: ignore[attr-defined]
                await pilot.press("escape")
            await moment(pilot)

        return closed_first

    @pytest.mark.slow  # typed a key at a time, each waited on
    def test_each_dialog_in_turn(self, snap_screens: SnapScreens) -> None:
        async def help(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("question_mark")
            await pilot.pause()

        async def go_to(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("g")
            await self.steady_cursor(pilot)

        async def bad_breakpoint(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "b", "#condition", "los < 0.05")

        async def bad_open(pilot: Pilot[None]) -> None:
            await self.submit(pilot, "o", "#path", "missing.toml")

        async def listed(pilot: Pilot[None]) -> None:
            for condition in ("loss < 0.085", "abs(grad(w1)) < 1e-3", "epoch == 10"):
                await self.submit(pilot, "b", "#condition", condition)
            await pilot.press("B")
            await pilot.pause()

        moments = {
            "help lists every key": help,
            "go to asks for an epoch and a step": go_to,
            "breakpoint refuses an unknown name and says so": bad_breakpoint,
            "open reports a missing file in one line": bad_open,
            "breakpoint list shows each one to delete": listed,
        }
        moments = {name: self.closing_the_last(moment) for name, moment in moments.items()}
        assert snap_screens(make_app("two_neurons"), (80, 24), moments) == []


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


class TestDerivation:
    """After `x` in two_neurons: the tape stands on the notes' w1 update, the first entry of the
    notes' derivation that differs from backprop, with ✗, the notes' value and backprop's beside
    it, and the ✓ of every entry before it under the steps they claim."""

    @pytest.mark.parametrize("size", SIZES)
    def test_a_cross_beside_the_notes_w1_update(self, snap_compare, size: str) -> None:
        async def first_wrong(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("x")
            await pilot.app.workers.wait_for_complete()  # the search is a worker's
            await pilot.pause()

        assert snap_compare(make_app("two_neurons"), terminal_size=SIZES[size], run_before=first_wrong)


class TestNotation:
    """The chain rule as a lecturer writes it: a forward step with its numbers in place, a matrix
    backward step of moons_relu with its shapes, a gradient summed over two labelled paths, and
    the named view of the tape, where sub-expression steps fold into the named ones."""

    @staticmethod
    def at(label: str, which: int = 0, named: bool = True):  # type: ignore[no-untyped-def]
        async def go(pilot: Pilot[None]) -> None:
            await pilot.pause()
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            if not named:
                await pilot.press("v")
            steps = [s.index for s in screen.cursor.program.steps if s.label == label]
            screen.cursor.goto(1, steps[which])
            screen.show()
            await pilot.pause()

        return go

    @pytest.mark.parametrize("size", SIZES)
    def test_a_forward_step_with_its_numbers_in_place_and_the_named_view_folding_sub_expressions(
        self, snap_screens: SnapScreens, size: str
    ) -> None:
        moments = {"forward": self.at("z1"), "named view": self.at("∂L/∂y_hat")}
        assert snap_screens(make_app("two_neurons"), SIZES[size], moments) == []

    @pytest.mark.parametrize("size", SIZES)
    def test_a_matrix_backward_step_with_its_shapes_and_a_gradient_summed_over_two_labelled_paths(
        self, snap_screens: SnapScreens, size: str
    ) -> None:
        moments = {"shapes": self.at("∂L/∂W2"), "two paths": self.at("∂L/∂A2", which=1)}
        assert snap_screens(make_app("moons_relu"), SIZES[size], moments) == []


async def _at(pilot: Pilot[None], view_presses: int, epoch: int, step: int | None = None) -> None:
    """The lower-right panel cycled `view_presses` times with f, the cursor at (epoch, step; None: its last)."""
    await pilot.pause()
    for _ in range(view_presses):
        await pilot.press("f")
    screen = pilot.app.debugger  # type: ignore[attr-defined]
    cursor = screen.cursor
    cursor.goto(epoch, 0)
    cursor.goto(cursor.position.epoch, cursor.last_step(cursor.position.epoch) if step is None else step)
    screen.show()
    await pilot.pause()


class TestFigures:
    """The figure panel (f once): the notes' gd_xy figure live, contour lines of x² + 3y² with the
    descent path so far and the current point; moons' decision regions under the data as training
    goes on, with the accuracy. The figure is the engine's, made once per epoch."""

    def test_gd_xy_contours_and_the_descent_path(self, snap_screens: SnapScreens) -> None:
        moments = {f"epoch {epoch}": self.figure_at(epoch) for epoch in (1, 8, 15)}
        assert snap_screens(make_app("gd_xy"), (120, 40), moments) == []

    def test_moons_decision_regions_and_accuracy(self, snap_screens: SnapScreens) -> None:
        moments = {f"epoch {epoch}": self.figure_at(epoch, 0) for epoch in (1, 300, 1000)}
        assert snap_screens(make_app("moons_relu"), (120, 40), moments) == []

    @staticmethod
    def figure_at(epoch: int, step: int | None = None) -> Moment:
        """The figure shown (f, the first time), the cursor at (epoch, step; None: its last)."""

        async def figure(pilot: Pilot[None]) -> None:
            shown = pilot.app.debugger.cursor.show_figure  # type: ignore[attr-defined]
            await _at(pilot, 0 if shown else 1, epoch, step)

        return figure


class TestGraph:
    """The graph panel (f twice) at two_neurons' ∂L/∂(w2 * a1): every value with its value and its
    gradient so far, the ops between them, the step's node and edge lit, scrolled to show them."""

    @pytest.mark.parametrize("size", SIZES)
    def test_two_neurons_at_a_backward_step(self, snap_compare, size: str) -> None:
        async def graph(pilot: Pilot[None]) -> None:
            await _at(pilot, 2, 1, 13)

        assert snap_compare(make_app("two_neurons"), terminal_size=SIZES[size], run_before=graph)


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

    def test_a_maximized_panel_then_the_inspector_on_moons_a1(self, snap_screens: SnapScreens) -> None:
        async def maximized(pilot: Pilot[None]) -> None:
            await pilot.pause()
            await pilot.press("5", "e", "m")
            await pilot.pause()

        async def inspect(pilot: Pilot[None]) -> None:
            await pilot.press("escape")  # the panel restored
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            a1 = next(step.index for step in screen.cursor.program.steps if step.label == "A1")
            screen.cursor.goto(1, a1)
            screen.show()
            await pilot.press("i")
            await pilot.pause()

        moments = {"maximized": maximized, "inspector": inspect}
        assert snap_screens(make_app("moons_relu"), (80, 24), moments) == []

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
            screen = pilot.app.debugger  # type: ignore[attr-defined]
            await wait_until(pilot, lambda: screen.snapshot.checks.gradient is not None, "the finite differences")
            await pilot.pause()

        assert snap_compare(
            make_app("two_neurons", whole_tape=True), terminal_size=SIZES[size], run_before=at_the_w1_gradient
        )

    @staticmethod
    async def quiz_at_the_w1_gradient(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press(*f"{TestChecks.W1_GRADIENT - 1}n", "Q")
        await pilot.pause()

    @pytest.mark.parametrize("size", SIZES)
    def test_the_quiz_before_and_after_a_reveal(self, snap_screens: SnapScreens, size: str) -> None:
        async def asked(pilot: Pilot[None]) -> None:
            await self.quiz_at_the_w1_gradient(pilot)
            await pilot.press(*"-0.0025")
            await TestDialogs.steady_cursor(pilot)

        async def revealed(pilot: Pilot[None]) -> None:
            await pilot.press("enter")
            await wait_until(pilot, lambda: "score 0/1" in screen_text(pilot.app), "the reveal")  # type: ignore[arg-type]
            await pilot.app.workers.wait_for_complete()
            await TestDialogs.steady_cursor(pilot)

        moments = {"before": asked, "after": revealed}
        assert snap_screens(make_app("two_neurons", whole_tape=True), SIZES[size], moments) == []
