"""`c` continues to the next breakpoint hit, `C` goes back to the previous one (gdb's
uppercase-is-reverse), and `B` lists the breakpoints, to delete one or all of them.

two_neurons has 25 steps an epoch; its loss L is computed at step 8 (counted from 0), and its
loss falls below 0.085 at epoch 5 (the notes print 0.0867, 0.0854, 0.0841 for epochs 3-5).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from bpdbg.engine.cursor import Position
from bpdbg.engine.session import open_scenario
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.breakpoint import BreakpointScreen
from bpdbg.tui.screens.breakpoints import BreakpointListScreen

from .conftest import make_app, screen_text, wait_until

SIZE = (80, 24)
LOSS = 8


async def add(app: DebuggerApp, pilot: Pilot[None], condition: str) -> None:
    await pilot.press("b")
    assert isinstance(app.screen, BreakpointScreen)
    app.screen.query_one("#condition", Input).value = condition
    await pilot.press("enter")


async def search(app: DebuggerApp, pilot: Pilot[None], key: str) -> None:
    """Press c or C and wait for its worker to hand the trainer back."""
    await pilot.press(key)
    await wait_until(pilot, lambda: app.debugger.busy is None, f"the search that {key} started to end")


def where(app: DebuggerApp) -> Position:
    return app.cursor.position


def status(app: DebuggerApp) -> str:
    return "\n".join(screen_text(app).splitlines()[:2])


class TestTheDialog:
    async def test_its_examples_and_its_advice_are_in_the_open_scenarios_names(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "max(a1) == 0")
            assert isinstance(app.screen, BreakpointScreen)  # refused: it stays open
            refused = "unknown name 'a1' in the condition; did you mean 'A1'? (column 5)"
            await wait_until(pilot, lambda: refused in screen_text(app), "the refusal, with the closest name")
            shown = screen_text(app)
            assert "e.g.  loss < 0.05    max(abs(grad(W1))) < 1e-3" in shown
            assert "      max(abs(Z1)) > 10    epoch == 10" in shown
            assert "w1" not in shown and "A1) == 0" not in shown  # nothing this scenario does not have


class TestContinue:
    async def test_c_goes_to_each_next_hit_and_C_back_to_each_previous_one(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "loss < 0.085")
            await search(app, pilot, "c")
            assert where(app) == Position(5, LOSS)
            assert "breakpoint holds here: loss < 0.085" in status(app)
            await search(app, pilot, "c")
            assert where(app) == Position(6, LOSS)
            await search(app, pilot, "C")
            assert where(app) == Position(5, LOSS)
            await search(app, pilot, "C")
            assert where(app) == Position(1, 0)
            assert "no earlier hit: at the start" in status(app)

    async def test_C_before_the_first_hit_in_the_named_view_stands_where_r_does(self) -> None:
        app = make_app("two_neurons")  # the named view: its first step is z1 (step 2 of 25)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("r")
            start = where(app)
            assert start.step in app.cursor.stops
            await add(app, pilot, "loss < 0.085")
            await search(app, pilot, "c")
            assert where(app) == Position(5, LOSS)
            await search(app, pilot, "C")
            assert where(app) == start
            assert "no earlier hit: at the start" in status(app)
            assert "step 2/25" in status(app)

    async def test_c_past_the_last_hit_ends_at_the_end_of_the_run_and_says_so(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "epoch == 20")
            await search(app, pilot, "c")
            assert where(app) == Position(20, 0)
            await search(app, pilot, "c")
            assert app.cursor.at_end
            assert "no later breakpoint hit: at the end of the run" in status(app)

    async def test_why_a_breakpoint_cannot_be_computed_is_shown_whole_where_the_bar_cuts_it(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "sum(onehot(epoch, 3)) > 5")  # epoch 3 is no label of 3 classes
            await search(app, pilot, "c")
            await pilot.pause()
            why = "onehot()'s labels must be whole numbers from 0 to 2 (got 3)"
            assert where(app) == Position(3, 0) and why not in status(app)  # 80 columns cut it
            told = [notification.message for notification in app._notifications]
            assert told == [f"sum(onehot(epoch, 3)) > 5 cannot be computed here: {why}"]

    async def test_c_without_breakpoints_says_how_to_add_one_and_stays(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            assert where(app) == Position(1, 0)
            assert "no breakpoints: b adds one" in status(app)

    @pytest.mark.parametrize("key", ["space", "escape"])
    async def test_a_long_search_shows_its_progress_and_space_or_esc_stops_it(self, tmp_path: Path, key: str) -> None:
        path = tmp_path / "long.toml"  # a million epochs of a slow descent: no test waits for its end
        path.write_text(
            'title = "long"\n[params]\nx = 4.0\n[loss]\nf = "x ** 2"\n'
            "[training]\nlearning_rate = 1e-9\nepochs = 1000000\n",
            encoding="utf-8",
        )
        app = DebuggerApp(open_scenario(path), named_view=False)
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "abs(grad(x)) < 1")
            await pilot.press("c")
            await wait_until(pilot, lambda: "finding the next hit: epoch" in status(app), "progress")
            await pilot.press(key)
            await wait_until(pilot, lambda: app.debugger.busy is None, "the search to stop")
            done = where(app).epoch
            assert 1 < done < 1_000_000
            assert f"stopped at epoch {done} " in status(app)


class TestBreakpointList:
    async def test_B_lists_the_breakpoints_and_deletes_the_chosen_one(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            for condition in ("loss < 0.05", "epoch == 3", "abs(grad(w1)) < 1e-3"):
                await add(app, pilot, condition)
            await pilot.press("B")
            assert isinstance(app.screen, BreakpointListScreen)
            assert all(c in screen_text(app) for c in ("loss < 0.05", "epoch == 3", "abs(grad(w1)) < 1e-3"))
            await pilot.press("down", "d")
            assert [c.text for c in app.cursor.breakpoints] == ["loss < 0.05", "abs(grad(w1)) < 1e-3"]
            assert app.screen.query_one(OptionList).highlighted == 1  # the next one, ready to delete too
            await pilot.press("escape")
            assert app.screen is app.debugger
            assert "breakpoints: loss < 0.05; abs(grad(w1)) < 1e-3" in status(app)

    async def test_D_deletes_every_breakpoint(self) -> None:
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await add(app, pilot, "loss < 0.05")
            await add(app, pilot, "epoch == 3")
            await pilot.press("B", "D")
            assert app.cursor.breakpoints == []
            assert "no breakpoints: b adds one" in screen_text(app)
            await pilot.press("escape")
            assert "breakpoints" not in status(app)
