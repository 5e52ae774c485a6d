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
from bpdbg.tui.widgets.status import BAR, Controls, render_status

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


def test_the_progress_bar_fills_with_the_part_of_the_epochs_trained() -> None:
    snapshot = make_app("two_neurons").cursor.snapshot()
    for done, filled in ((0.0, 0), (0.5, 6), (0.99, 12), (1.0, 12)):
        line = render_status(snapshot, Controls(busy="running to the end", done=done)).split("\n")[1]
        parts = [part for part in (("━" * filled, "bold green"), ("━" * (BAR - filled) + " ", "dim")) if part[0]]
        spans = [(line.plain[span.start : span.end], str(span.style)) for span in line.spans]
        assert spans[: len(parts) + 1] == [*parts, ("running to the end", "bold")], done


def test_the_progress_bar_takes_only_the_room_its_line_leaves() -> None:
    snapshot = make_app("two_neurons").cursor.snapshot()

    def second_line(busy: str) -> str:
        return render_status(snapshot, Controls(busy=busy, done=0.5), width=80).split("\n")[1].plain

    assert second_line("x" * 60).startswith("━" * BAR + " x")
    assert second_line("x" * 70).startswith("━" * 8 + " x")  # 80 cells: the bar, a space, the text, a cut's …
    assert second_line("x" * 75).startswith("x")  # no room for a bar worth drawing


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
            assert status(app).splitlines()[1].startswith(" ━━━━━━━━━━━━ running to the end")  # the bar first
            done = app.debugger.controls.done
            assert done is not None and 0 < done < 1
            await press(pilot, key, lambda: app.debugger.busy is None)
            done = trainer.epochs_done
            assert 1000 < done < LONG
            assert app.cursor.position == Position(done, app.cursor.last_step(done))
            assert f"epoch {done}/{LONG}" in status(app)
            assert f"stopped at epoch {done}  " in status(app)  # 4957 beside 4957, not 4,957
            assert "━" not in status(app) and app.debugger.controls.done is None

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
            for key in ("b", "B", "k"):  # breakpoints and bookmarks change what the snapshot shows: they wait too
                await press(pilot, key, lambda: main.notice == f"'{key}' ignored")  # noqa: B023
            await press(pilot, "z", lambda: main.has_class("-present"))  # presenter mode: the snapshot it has
            await press(pilot, "z", lambda: not main.has_class("-present"))
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

    async def test_a_name_that_is_neither_file_nor_shipped_lists_the_shipped_ones_once(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenScreen), "the open dialog")
            assert screen_text(app).count("gd_x2") == 1  # the hint, before anything is typed
            app.screen.query_one(Input).value = "nosuch"
            await pilot.press("enter")
            error = app.screen.query_one("#error", Static)
            await wait_until(pilot, lambda: "no shipped scenario" in str(error.render()), "the error in the dialog")
            await pilot.pause()
            assert screen_text(app).count("gd_x2") == 1  # in the error, which names them all


class TestLongCountsInAWorker:
    @pytest.mark.parametrize("key", ["space", "escape"])
    async def test_a_long_count_moves_in_a_worker_with_progress_and_stops_where_it_has_got_to(
        self, tmp_path: Path, key: str
    ) -> None:
        app = DebuggerApp(open_scenario(long_scenario(tmp_path)), named_view=False)  # 3 steps an epoch
        async with app.run_test(size=SIZE) as pilot:
            for digit in "999999":
                await press(pilot, digit, lambda: app.debugger.count.endswith(digit))  # noqa: B023
            await press(pilot, "n", lambda: "moving 999999 steps forward: epoch" in status(app))
            assert app.debugger.busy is not None
            await wait_until(pilot, lambda: app.cursor.trainer.epochs_done > 1000, "a thousand epochs")
            await press(pilot, key, lambda: app.debugger.busy is None)
            reached = app.cursor.position
            assert 1000 < reached.epoch < 333_334  # where 999,999 steps would end
            assert reached.epoch <= app.cursor.trainer.epochs_done
            assert f"stopped at epoch {reached.epoch}  " in status(app)
            await press(pilot, "n", lambda: app.cursor.position != reached)  # the keys move it again
            assert app.cursor.position.step == (reached.step + 1) % 3

    @pytest.mark.parametrize(
        ("keys", "expected"),
        [("50n", Position(3, 0)), ("50n50N", Position(1, 0)), ("3e", Position(4, 0)), ("3e2E", Position(2, 0))],
    )
    async def test_a_count_ends_in_a_worker_exactly_where_it_ends_at_once(
        self, monkeypatch: pytest.MonkeyPatch, keys: str, expected: Position
    ) -> None:
        from bpdbg.tui.screens import counted_moves

        monkeypatch.setattr(counted_moves, "AT_ONCE_SECONDS", 0.0)  # everything after the first move: a worker
        app = make_app("two_neurons", whole_tape=True)  # 25 steps an epoch
        async with app.run_test(size=SIZE) as pilot:
            main = app.debugger
            workers: list[str] = []
            start_work = main.start_work
            main.start_work = lambda doing, none, job: (workers.append(doing), start_work(doing, none, job))[1]  # type: ignore[method-assign]
            for key in keys:
                if key.isdigit():
                    await press(pilot, key, lambda: main.count.endswith(key))  # noqa: B023
                else:
                    started = len(workers)
                    await press(pilot, key, lambda: len(workers) > started and main.busy is None)  # noqa: B023
            assert app.cursor.position == expected
            assert workers[0] in ("moving 50 steps forward", "moving 3 epochs forward")


class TestGoToInAWorker:
    async def test_going_to_a_far_epoch_trains_in_a_worker_with_progress_and_esc_stops_it(self, tmp_path: Path) -> None:
        from bpdbg.tui.screens.goto import GoToScreen

        app = DebuggerApp(open_scenario(long_scenario(tmp_path)), named_view=False)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "g", lambda: isinstance(app.screen, GoToScreen))
            app.screen.query_one("#epoch", Input).value = "900000"
            await press(pilot, "enter", lambda: "training to epoch 900000: epoch" in screen_text(app))
            trainer = app.cursor.trainer
            await wait_until(pilot, lambda: trainer.epochs_done > 1000, "a thousand epochs")
            await press(pilot, "escape", lambda: app.screen is app.debugger)
            assert 1000 < trainer.epochs_done < 900_000
            assert app.cursor.position == Position(1, 0)  # stopped, it goes nowhere
            await press(pilot, "n", lambda: app.cursor.position == Position(1, 1))  # the trainer is the screen's again

    @pytest.mark.parametrize(
        ("epoch", "step", "expected", "refused"),
        [
            ("3", "17", Position(3, 16), None),
            ("99", "1", None, "epoch 99 is not in the run: it has epochs 1 to 20 (ran all 20 epochs)"),
        ],
    )
    async def test_a_go_to_trained_for_in_a_worker_goes_or_is_refused_as_one_made_at_once(
        self, monkeypatch: pytest.MonkeyPatch, epoch: str, step: str, expected: Position | None, refused: str | None
    ) -> None:
        from bpdbg.tui import background
        from bpdbg.tui.screens import goto

        monkeypatch.setattr(background, "AT_ONCE_SECONDS", 0.0)  # any training it needs: a worker
        app = make_app("two_neurons", whole_tape=True)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "g", lambda: isinstance(app.screen, goto.GoToScreen))
            dialog = app.screen
            dialog.query_one("#epoch", Input).value = epoch
            dialog.query_one("#step", Input).value = step
            error = dialog.query_one("#error", Static)
            if expected is not None:
                await press(pilot, "enter", lambda: app.screen is app.debugger)
                assert app.cursor.position == expected
            else:
                await press(pilot, "enter", lambda: str(error.render()) == refused)
                assert app.screen is dialog and app.cursor.position == Position(1, 0)
