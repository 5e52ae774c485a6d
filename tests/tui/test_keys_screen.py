"""The keys that act on the screen rather than the cursor (theme, help, quit), the key bar that
lists them, and o, which opens another scenario.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from bpdbg.engine.cursor import Position
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.help import HelpScreen
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.keybar import KeyBar

from .conftest import screen_text
from .driving import SIZE, make_app, started, status, where


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

    async def test_the_help_says_what_a_count_repeats_in_the_named_view_it_opens_in(self) -> None:
        """two_neurons opens in the named view, where 5n takes five named quantities, not five
        operations, as the help used to say of 50n."""
        from bpdbg.tui.screens.help import INTRO

        app = DebuggerApp(open_scenario(resolve("two_neurons")))  # the named view, as it opens
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            start = app.cursor.position.step
            await pilot.press("5", "n")
            stops = app.cursor.stops
            assert app.cursor.position.step == stops[stops.index(start) + 5]
        assert "fifty operations" not in INTRO
        assert "50n takes fifty steps, as n does them" in INTRO

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

    async def test_a_path_in_the_home_folder_is_opened_as_a_shell_would_read_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No shell reads what the dialog is given: `~/` is the home folder there too."""
        monkeypatch.setenv("HOME", str(tmp_path))
        (tmp_path / "x2.toml").write_text(resolve("gd_x2").read_text(encoding="utf-8"), encoding="utf-8")
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await started(app, pilot)
            await self.type_into_dialog(pilot, "~/x2.toml")
            assert app.screen is app.debugger
            assert app.cursor.program.scenario.path == tmp_path / "x2.toml"

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
