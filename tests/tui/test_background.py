"""Long work runs in a worker: the screen stays live, shows progress, and can stop it.

`G` on a long run trains in chunks off the event loop; space or esc stops it at the end of
an epoch, `q` quits at once, and keys that would move the cursor wait with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from bpdbg.engine.cursor import Position, Snapshot
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.open import OpenScreen

from .conftest import make_app, screen_text

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


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the app run until the condition holds (bounded, so a broken app fails rather than hangs)."""
    for _ in range(5000):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the condition never held")


def status(app: DebuggerApp) -> str:
    return "\n".join(screen_text(app).splitlines()[:2])


class TestRunToTheEnd:
    @pytest.mark.parametrize("key", ["space", "escape"])
    async def test_a_long_run_shows_progress_and_stops_at_the_last_finished_epoch(
        self, tmp_path: Path, key: str
    ) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await until(pilot, lambda: "running to the end: epoch" in status(app))
            trainer = app.cursor.trainer
            await until(pilot, lambda: trainer.epochs_done > 100)
            assert f"/{LONG:,} — space/esc to stop" in status(app)
            await pilot.press(key)
            await until(pilot, lambda: app.debugger.busy is None)
            done = trainer.epochs_done
            assert 100 < done < LONG
            assert app.cursor.position == Position(done, app.cursor.last_step(done))
            assert f"stopped at epoch {done:,}" in status(app)
            assert f"epoch {done}/{LONG}" in status(app)

    @pytest.mark.slow
    async def test_keys_that_move_the_cursor_wait_with_a_message_while_it_runs(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await until(pilot, lambda: app.debugger.busy is not None)
            await pilot.press("n", "r", "g", "b", "B", "o")
            assert app.screen is app.debugger  # no dialog opened either
            assert app.cursor.position == Position(1, 0)
            assert "— space/esc to stop ('o' waits)" in status(app)
            taken_while_busy = []
            snapshot = app.cursor.snapshot

            def spy() -> Snapshot:
                taken_while_busy.append(app.debugger.busy is not None)
                return snapshot()

            app.cursor.snapshot = spy  # type: ignore[method-assign]
            await pilot.press("b", "B")  # breakpoints change what the snapshot shows: they wait too
            assert not any(taken_while_busy)
            await pilot.press("t", "plus")  # keys that leave the engine alone still work
            assert app.theme == "textual-light"
            await pilot.press("space")
            await until(pilot, lambda: app.debugger.busy is None)

    async def test_q_quits_at_once_while_it_runs(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await until(pilot, lambda: app.cursor.trainer.epochs_done > 10)
            await pilot.press("q")
        assert app.return_code == 0
        assert app.cursor.trainer.epochs_done < LONG

    async def test_a_short_run_ends_where_the_run_ends(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await until(pilot, lambda: app.debugger.busy is None and app.cursor.at_end)
            assert "end: ran all 20 epochs" in status(app)


class TestOpenInAWorker:
    async def test_a_scenario_loads_in_a_worker_and_replaces_the_one_shown(self, tmp_path: Path) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await until(pilot, lambda: isinstance(app.screen, OpenScreen))
            app.screen.query_one(Input).value = str(long_scenario(tmp_path))
            await pilot.press("enter")
            await until(pilot, lambda: app.cursor.program.scenario.title == "long")
            await pilot.pause()
            assert app.screen is app.debugger
            assert f"epoch 1/{LONG}" in status(app)

    async def test_the_scenario_opened_keeps_the_memory_budget_the_debugger_was_given(self) -> None:
        app = DebuggerApp(open_scenario(resolve("two_neurons"), memory=2**20))  # bpdbg --memory 1MiB
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await until(pilot, lambda: isinstance(app.screen, OpenScreen))
            app.screen.query_one(Input).value = "gd_x2"
            await pilot.press("enter")
            await until(pilot, lambda: app.cursor.program.scenario.path.stem == "gd_x2")
            assert app.cursor.trainer.memory == 2**20

    async def test_a_file_that_cannot_load_is_reported_in_the_dialog(self, tmp_path: Path) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o")
            await until(pilot, lambda: isinstance(app.screen, OpenScreen))
            dialog = app.screen
            dialog.query_one(Input).value = str(tmp_path / "missing.toml")
            await pilot.press("enter")
            error = dialog.query_one("#error", Static)
            await until(pilot, lambda: "no such file" in str(error.render()))
            assert app.screen is dialog
