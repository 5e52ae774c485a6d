"""The debugger in a lecture hall: presenter mode, screenshots, bookmarks, a session kept per
scenario, keys replayed at start, the mouse, and the command palette.

two_neurons has 25 steps an epoch: forward 0-5, loss 6-8, backward 9-20, update 21-24.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.renderables.digits import Digits as DigitsRenderable
from textual.widgets import Digits, Input

from bpdbg.engine.cursor import Position
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.commands import commands
from bpdbg.tui.format import number
from bpdbg.tui.keymap import display_key, key_sequence
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.help import DETAILS
from bpdbg.tui.screens.lecture import Lecture
from bpdbg.tui.screens.main import ScenarioLoaded
from bpdbg.tui.sessions import SessionStore
from bpdbg.tui.themes import DARK, PRESENT

from .conftest import make_app, screen_text, wait_until

SIZE = (80, 24)
LOSS, BACKWARD, LAST = 6, 9, 24


def lecture_app(scenario: str | Path = "two_neurons", **options: Any) -> DebuggerApp:
    """On the whole tape (the named view off): these tests count every operation."""
    return DebuggerApp(open_scenario(resolve(str(scenario))), Lecture(**options), named_view=False)


def where(app: DebuggerApp) -> Position:
    return app.debugger.cursor.position


def status(app: DebuggerApp) -> str:
    return "\n".join(screen_text(app).splitlines()[:2])


def large(app: DebuggerApp, which: str) -> str:
    return app.debugger.query_one(f"#present-{which}", Digits).value


class TestPresenterMode:
    async def test_z_shows_the_value_and_the_loss_in_large_digits_black_on_white(self) -> None:
        app = lecture_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("1", "2", "n")  # step 13: ∂L/∂z2, after the loss
            await pilot.press("z")
            screen = app.debugger
            assert screen.has_class("-present")
            assert app.theme == PRESENT.name
            assert app.current_theme.background == "#FFFFFF" and app.current_theme.foreground == "#000000"
            snapshot = screen.snapshot
            assert snapshot is not None and snapshot.loss is not None
            assert large(app, "value") == number(float(snapshot.value)).replace("−", "-")
            assert large(app, "loss") == number(snapshot.loss)
            await pilot.press("n")  # the digits follow the cursor
            assert large(app, "value") == number(float(app.debugger.snapshot.value)).replace("−", "-")

    async def test_the_chain_rule_takes_the_room_of_the_loss_plot_and_the_parameters(self) -> None:
        app = lecture_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            chain = app.debugger.query_one("#chain")
            height = chain.region.height
            await pilot.press("z")
            await pilot.pause()
            assert not app.debugger.query_one("#loss").display and not app.debugger.query_one("#views").display
            assert chain.region.height > height

    async def test_z_again_restores_the_theme_and_the_panels(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("z", "z")
            await pilot.pause()
            assert app.theme == DARK
            assert not app.debugger.has_class("-present")
            assert app.debugger.query_one("#views").display and not app.debugger.query_one("#presenter").display

    async def test_present_on_the_command_line_starts_in_presenter_mode(self) -> None:
        app = lecture_app(present=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.presenting and app.debugger.has_class("-present") and app.theme == PRESENT.name
            assert large(app, "value") == number(float(app.debugger.snapshot.value))

    async def test_before_the_loss_is_computed_its_digits_say_so(self) -> None:
        app = lecture_app(present=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert large(app, "loss") == ""
            assert "not computed yet" in screen_text(app)

    async def test_an_array_step_shows_its_first_entry_large_and_says_which(self) -> None:
        app = make_app("moons_relu")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("z")
            await wait_until(pilot, lambda: large(app, "value") != "", "the digits to be drawn")
            snapshot = app.debugger.snapshot
            assert snapshot is not None and snapshot.step.label == "Z1"
            assert large(app, "value") == number(float(snapshot.value[0, 0])).replace("−", "-")
            assert "[0,0] of 200×4" in screen_text(app)

    @pytest.mark.parametrize(("scenario", "keys"), [("two_neurons", "20n"), ("gd_x2", "G")])
    async def test_a_number_too_long_for_its_box_is_rounded_to_fit_never_cut(self, scenario: str, keys: str) -> None:
        """At 80×24 each box holds about six large digits: two_neurons' ∂L/∂w1 = −0.002537 was cut
        to read −0.0025, and gd_x2's last loss, 2.194e−8, to 2.194e−. A number that does not fit
        is shown with fewer figures, rounded, in powers of ten where that says more."""
        app = lecture_app(scenario)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press(*keys, "z")
            await wait_until(pilot, lambda: app.debugger.busy is None, "the keys' work")
            await pilot.pause()
            snapshot = app.debugger.snapshot
            assert snapshot is not None and snapshot.value is not None and snapshot.loss is not None
            rounded = 0
            for which, value in (("value", float(snapshot.value)), ("loss", snapshot.loss)):
                digits = app.debugger.query_one(f"#present-{which}", Digits)
                shown, whole = digits.value, number(value).replace("−", "-")
                assert DigitsRenderable.get_width(shown) <= digits.content_region.width, shown
                if DigitsRenderable.get_width(whole) <= digits.content_region.width:
                    assert shown == whole
                    continue
                rounded += 1
                figures = len(shown.lstrip("-").split("e")[0].replace(".", "").lstrip("0"))
                assert float(shown) == float(f"{value:.{figures}g}"), (shown, value)
            assert rounded, "one of the two should not fit whole at 80×24"


class TestScreenshots:
    async def test_s_saves_the_screen_as_svg_where_the_user_asked_and_says_where(self, tmp_path: Path) -> None:
        app = lecture_app(screenshots=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("2", "n", "s")
            saved = tmp_path / "two_neurons-epoch1-step3.svg"
            assert saved.read_text(encoding="utf-8").startswith("<svg")
            assert "Tape" in saved.read_text(encoding="utf-8")
            assert "screenshot saved" in status(app)
            assert app.debugger.notice == f"screenshot saved: {saved}"
            await pilot.press("s")  # the same step again: a second file, the first kept
            assert (tmp_path / "two_neurons-epoch1-step3-2.svg").is_file()
            assert sorted(p.name for p in tmp_path.iterdir()) == [
                "two_neurons-epoch1-step3-2.svg",
                "two_neurons-epoch1-step3.svg",
            ]  # no temporary file left behind

    async def test_a_folder_that_cannot_be_written_is_a_message_and_the_app_stays_up(self, tmp_path: Path) -> None:
        not_a_folder = tmp_path / "notes.txt"
        not_a_folder.write_text("", encoding="utf-8")
        app = lecture_app(screenshots=not_a_folder)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("s")
            assert app.debugger.notice.startswith(f"cannot save the screenshot in {not_a_folder}: ")
            await pilot.press("n")
            assert app.is_running and where(app) == Position(1, 1)


class TestBookmarks:
    async def test_k_marks_steps_and_apostrophe_jumps_to_the_next_cycling_to_the_first(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("3", "n", "k", "e", "1", "0", "n", "k", "e")
            assert where(app) == Position(3, 0)
            assert "bookmark 1/2" not in status(app)
            await pilot.press("apostrophe")
            assert where(app) == Position(1, 3)
            assert "bookmark 1 of 2" in status(app)
            assert "step 4/25 forward  bookmark 1/2" in status(app)  # on a bookmark, the status bar says which
            await pilot.press("apostrophe")
            assert where(app) == Position(2, 10)
            await pilot.press("apostrophe")
            assert where(app) == Position(1, 3)

    async def test_k_on_a_bookmark_removes_it(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("n", "k", "k")
            assert len(app.debugger.cursor.bookmarks) == 0
            assert "removed" in status(app)

    async def test_apostrophe_without_bookmarks_says_how_to_make_one(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("n", "apostrophe")
            assert where(app) == Position(1, 1)
            assert "no bookmarks yet: k marks the current step" in status(app)

    async def test_a_saved_bookmark_far_into_the_run_is_reached_in_a_worker_the_screen_live(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bookmark from an earlier session may lie thousands of epochs beyond what this one has
        trained: `'` trains there as `G` does, in a worker, the screen's thread free (space stops it)."""
        on_screen_thread: list[int] = []  # epochs trained by the screen's own thread
        train = Trainer.run

        def watched(trainer: Trainer, epochs: int | None = None, should_stop: Any = None) -> None:
            before = trainer.epochs_done
            train(trainer, epochs, should_stop)
            if threading.current_thread() is threading.main_thread():
                on_screen_thread.append(trainer.epochs_done - before)

        monkeypatch.setattr(Trainer, "run", watched)
        store = SessionStore(tmp_path)
        path = resolve("net_221_sigmoid").resolve()
        document = {"scenario": str(path), "breakpoints": [], "bookmarks": [[10_001, 3]]}
        store.file_for(path).write_text(json.dumps(document), encoding="utf-8")
        app = lecture_app("net_221_sigmoid", sessions=store)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            on_screen_thread.clear()
            await pilot.press("apostrophe")
            await wait_until(pilot, lambda: app.debugger.busy is None, "the worker to reach the bookmark")
            assert where(app) == Position(10_001, 2)
            assert "bookmark 1 of 1: epoch 10001 step 3" in status(app)
            assert sum(on_screen_thread) < 10_000  # a moment's worth; the worker trained the rest


async def add_breakpoint(pilot: Any, condition: str) -> None:
    await pilot.press("b")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = condition
    await pilot.press("enter")
    await pilot.pause()


class TestSessions:
    async def test_breakpoints_and_bookmarks_come_back_when_the_scenario_is_opened_again(self, tmp_path: Path) -> None:
        store = tmp_path / "sessions"
        app = lecture_app(sessions=SessionStore(store))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await add_breakpoint(pilot, "loss < 0.05")
            await pilot.press("4", "n", "k")
        again = lecture_app(sessions=SessionStore(store))
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            cursor = again.debugger.cursor
            assert [c.text for c in cursor.breakpoints] == ["loss < 0.05"]
            assert cursor.bookmarks.positions == (Position(1, 4),)
            assert "breakpoints: loss < 0.05" in status(again)
        other = lecture_app("gd_x2", sessions=SessionStore(store))  # another scenario has its own session
        async with other.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert other.debugger.cursor.breakpoints == [] and len(other.debugger.cursor.bookmarks) == 0

    async def test_a_corrupt_session_file_is_a_one_line_notice_and_the_session_starts_empty(
        self, tmp_path: Path
    ) -> None:
        store = SessionStore(tmp_path)
        path = resolve("two_neurons").resolve()
        store.file_for(path).write_text("{not json", encoding="utf-8")
        app = lecture_app(sessions=SessionStore(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            notice = app.debugger.notice
            assert notice.startswith(f"ignored the saved session {store.file_for(path)}: JSONDecodeError")
            assert "\n" not in notice and "ignored the saved session" in status(app)
            assert app.debugger.cursor.breakpoints == []
            await pilot.press("k")  # the next change is saved over it
        saved = json.loads(store.file_for(path).read_text(encoding="utf-8"))
        assert saved["bookmarks"] == [[1, 1]]

    async def test_a_saved_breakpoint_that_no_longer_applies_is_named_and_the_rest_are_kept(
        self, tmp_path: Path
    ) -> None:
        store = SessionStore(tmp_path)
        path = resolve("two_neurons").resolve()
        document = {"scenario": str(path), "breakpoints": ["los < 1", "loss < 0.05"], "bookmarks": [[2, 3]]}
        store.file_for(path).write_text(json.dumps(document), encoding="utf-8")
        app = lecture_app(sessions=SessionStore(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.debugger.notice.startswith("saved breakpoint 'los < 1' no longer applies: ")
            assert [c.text for c in app.debugger.cursor.breakpoints] == ["loss < 0.05"]
            assert app.debugger.cursor.bookmarks.positions == (Position(2, 2),)

    async def test_a_scenario_opened_from_the_dialog_gets_its_own_session_back(self, tmp_path: Path) -> None:
        store = SessionStore(tmp_path)
        path = resolve("gd_x2").resolve()
        document = {"scenario": str(path), "breakpoints": ["loss < 0.5"], "bookmarks": [[1, 2]]}
        store.file_for(path).write_text(json.dumps(document), encoding="utf-8")
        app = lecture_app(sessions=SessionStore(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.debugger.post_message(ScenarioLoaded(open_scenario(path)))
            await wait_until(pilot, lambda: app.cursor.program.scenario.name == "gd_x2", "gd_x2 opened")
            await pilot.pause()
            assert [c.text for c in app.cursor.breakpoints] == ["loss < 0.5"]
            assert app.cursor.bookmarks.positions == (Position(1, 1),)

    async def test_a_session_that_cannot_be_saved_is_a_notice_once_and_the_app_stays_up(self, tmp_path: Path) -> None:
        blocked = tmp_path / "file"
        blocked.write_text("", encoding="utf-8")
        app = lecture_app(sessions=SessionStore(blocked / "sessions"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("k")
            await wait_until(pilot, lambda: "cannot save the session" in status(app), "the notice")
            await pilot.press("n")
            assert where(app) == Position(1, 1) and "cannot save" not in status(app)


class TestKeysAtStart:
    @pytest.mark.slow  # each key replayed waits for the app to go idle
    async def test_keys_replay_so_a_lecture_begins_at_a_prepared_step(self) -> None:
        keys = key_sequence("3e5n", [*DEBUGGER_BINDINGS, *APP_BINDINGS])
        app = lecture_app(keys=tuple(keys))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: where(app) == Position(4, 5), "epoch 4, step 6")
            await pilot.app.workers.wait_for_complete()
            assert where(app) == Position(4, 5)

    async def test_a_run_to_the_end_finishes_before_the_next_key(self) -> None:
        keys = key_sequence("GN", [*DEBUGGER_BINDINGS, *APP_BINDINGS])
        app = lecture_app(keys=tuple(keys))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: where(app) == Position(20, LAST - 1), "one step before the end")


class TestMouse:
    async def test_clicking_a_tape_row_goes_to_that_step(self) -> None:
        app = lecture_app()
        async with app.run_test(size=(100, 40)) as pilot:  # a tape tall enough not to scroll here
            await pilot.pause()
            await pilot.click("#tape", offset=(6, 1 + 3))  # below the border: "forward", steps 1, 2, 3
            assert where(app) == Position(1, 2)
            await pilot.click("#tape", offset=(6, 1))  # a phase's title is not a step
            assert where(app) == Position(1, 2)

    async def test_clicking_a_parameter_shows_its_whole_chain(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.click("#params", offset=(4, 1 + 1))  # below the border and the header: w1
            snapshot = app.debugger.snapshot
            assert snapshot.chain is not None and snapshot.chain.symbol == "∂L/∂w1"
            assert snapshot.step.phase == "backward"
            text = screen_text(app)
            assert "the whole chain for ∂L/∂w1" in text

    async def test_clicking_an_optimizer_state_goes_to_the_step_that_updates_it(self, tmp_path: Path) -> None:
        from bpdbg.tui.widgets.params import ParamsPanel

        text = resolve("gd_xy").read_text(encoding="utf-8").replace("[training]", '[training]\noptimizer = "adam"')
        (tmp_path / "adam.toml").write_text(text, encoding="utf-8")
        app = DebuggerApp(open_scenario(tmp_path / "adam.toml"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.debugger.post_message(ParamsPanel.Chosen("v_x"))  # as a click on its name posts it
            await wait_until(pilot, lambda: app.debugger.snapshot.step.label == "v_x", "v_x's update step")
            assert app.debugger.snapshot.step.phase == "update"
            assert "no chain rule" not in screen_text(app)

    async def test_clicking_a_key_in_the_key_bar_presses_it(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.click("#keys", offset=(1, 0))  # "n" of "n/N step", after the bar's padding
            assert where(app) == Position(1, 1)
            await pilot.click("#keys", offset=(3, 0))  # "N"
            assert where(app) == Position(1, 0)
            await pilot.click("#keys", offset=(6, 0))  # the description "step": the entry's first key, n
            assert where(app) == Position(1, 1)


class TestCommandPalette:
    def test_it_offers_every_key_but_the_counts_with_what_it_does(self) -> None:
        bindings = [*DEBUGGER_BINDINGS, *APP_BINDINGS]
        offered = commands(bindings)
        expected = [b for b in bindings if b.id != "clear_count" and not (b.id or "").startswith("count_")]
        assert [title for title, _, _ in offered] == [
            f"{b.description}  ({' '.join(display_key(k) for k in b.key.split(','))})" for b in expected
        ]
        assert all(details for _, details, _ in offered)  # each with the help's sentence
        assert ("next bookmark  (')", DETAILS["next_bookmark"], "apostrophe") in offered
        # the keys the key bar has no room for are the ones most worth finding by name
        assert ("export epoch  (S)", DETAILS["export_epoch"], "S") in offered
        assert ("quiz: predict, then reveal  (Q)", DETAILS["quiz"], "Q") in offered

    async def test_ctrl_p_finds_export_by_name_though_the_key_bar_has_no_room_for_it(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
            await pilot.press(*"export")
            await wait_until(pilot, lambda: "export epoch  (S)" in screen_text(app), "the command listed")
            await pilot.press("enter")
            await wait_until(pilot, lambda: "exported to two_neurons-epoch-1.md" in status(app), "the export")

    async def test_ctrl_p_lists_the_commands_and_runs_one_by_its_name(self) -> None:
        app = lecture_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("n", "n", "ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
            await pilot.press(*"step back")
            await wait_until(pilot, lambda: "step back  (N ←)" in screen_text(app), "the command listed")
            await pilot.press("enter")
            await wait_until(pilot, lambda: where(app) == Position(1, 1), "a step back")
            assert not isinstance(app.screen, CommandPalette)
