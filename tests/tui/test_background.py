"""Long work runs in a worker: the screen stays live, shows progress, and can stop it.

`G` on a long run trains in chunks off the event loop; space or esc stops it at the end of
an epoch, `q` quits at once, and keys that would move the cursor wait with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from bpdbg.engine.cursor import Position, Snapshot
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.open import OpenScreen

from .conftest import make_app, screen_text, wait_until

SIZE = (80, 24)
LONG = 1_000_000


def long_scenario(tmp_path: Path) -> Path:
    """A million epochs of a slow descent: no test waits for its end."""
    path = tmp_path / "long.toml"
    path.write_text(
        'title = "long"\n\n[params]\nx = 4.0\n\n[loss]\nf = "x ** 2"\n\n'
        f"[training]\nlearning_rate = 1e-9\nepochs = {LONG}\n",
        encoding="utf-8",
    )
    return path


async def press(pilot: Pilot[None], key: str, handled: Callable[[], bool]) -> None:
    """Press a key while a worker trains, and wait until `handled` says the app has dealt with it.

    `pilot.press()` waits for the process to go idle after each key (a second while a worker
    trains); a key sent as the terminal sends it, then a condition, keeps the test's pace.
    """
    pilot.app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))
    await wait_until(pilot, handled, f"'{key}' to be handled")


CHARACTERS = {"space": " ", "escape": "\x1b", "plus": "+"}


def status(app: DebuggerApp) -> str:
    return "\n".join(screen_text(app).splitlines()[:2])


class TestRunToTheEnd:
    @pytest.mark.parametrize("key", ["space", "escape"])
    async def test_a_long_run_shows_progress_and_stops_at_the_last_finished_epoch(
        self, tmp_path: Path, key: str
    ) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "G", lambda: "running to the end: epoch" in status(app))
            trainer = app.cursor.trainer
            await wait_until(pilot, lambda: trainer.epochs_done > 1000, "a thousand epochs")
            assert f"/{LONG} — space/esc to stop" in status(app)  # numbers written as the position writes them
            await press(pilot, key, lambda: app.debugger.busy is None)
            done = trainer.epochs_done
            assert 1000 < done < LONG
            assert app.cursor.position == Position(done, app.cursor.last_step(done))
            assert f"epoch {done}/{LONG}" in status(app)
            assert f"stopped at epoch {done}  " in status(app)  # 4957 beside 4957, not 4,957

    @pytest.mark.slow
    async def test_keys_that_move_the_cursor_are_ignored_with_a_message_while_it_runs(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            main = app.debugger
            await press(pilot, "G", lambda: main.busy is not None)
            for key in ("n", "r", "g", "b", "B", "o"):
                await press(pilot, key, lambda: main.notice == f"'{key}' ignored")  # noqa: B023
            assert app.screen is main  # no dialog opened either
            assert app.cursor.position == Position(1, 0)
            assert "— space/esc to stop ('o' ignored)" in status(app)
            taken_while_busy = []
            snapshot = app.cursor.snapshot

            def spy() -> Snapshot:
                taken_while_busy.append(main.busy is not None)
                return snapshot()

            app.cursor.snapshot = spy  # type: ignore[method-assign]
            for key in ("b", "B"):  # breakpoints change what the snapshot shows: they wait too
                await press(pilot, key, lambda: main.notice == f"'{key}' ignored")  # noqa: B023
            assert not any(taken_while_busy)
            speed = main.speed
            await press(pilot, "t", lambda: app.theme == "bpdbg-light")  # keys that leave the engine alone work
            await press(pilot, "plus", lambda: main.speed > speed)
            await press(pilot, "space", lambda: main.busy is None)

    async def test_q_quits_at_once_while_it_runs(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "G", lambda: app.cursor.trainer.epochs_done > 10)
            await press(pilot, "q", lambda: not app.is_running)
        assert app.return_code == 0
        assert app.cursor.trainer.epochs_done < LONG

    async def test_a_short_run_ends_where_the_run_ends(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await wait_until(pilot, lambda: app.debugger.busy is None and app.cursor.at_end, "the run to end")
            assert "end: ran all 20 epochs" in status(app)


class TestOpenInAWorker:
    async def test_a_scenario_loads_in_a_worker_and_replaces_the_one_shown(self, tmp_path: Path) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenScreen), "the open dialog")
            app.screen.query_one(Input).value = str(long_scenario(tmp_path))
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.cursor.program.scenario.title == "long", "the scenario to load")
            await pilot.pause()
            assert app.screen is app.debugger
            assert f"epoch 1/{LONG}" in status(app)

    async def test_the_scenario_opened_keeps_the_memory_budget_the_debugger_was_given(self) -> None:
        app = DebuggerApp(open_scenario(resolve("two_neurons"), memory=2**20))  # bpdbg --memory 1MiB
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenScreen), "the open dialog")
            app.screen.query_one(Input).value = "gd_x2"
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.cursor.program.scenario.path.stem == "gd_x2", "gd_x2 to load")
            assert app.cursor.trainer.memory == 2**20

    async def test_a_file_that_cannot_load_is_reported_in_the_dialog(self, tmp_path: Path) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenScreen), "the open dialog")
            dialog = app.screen
            dialog.query_one(Input).value = str(tmp_path / "missing.toml")
            await pilot.press("enter")
            error = dialog.query_one("#error", Static)
            await wait_until(pilot, lambda: "no such file" in str(error.render()), "the error in the dialog")
            assert app.screen is dialog
