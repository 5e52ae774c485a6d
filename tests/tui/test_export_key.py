"""`S` writes the epoch on screen, its whole derivation, to a Markdown file; the status bar says where."""

from __future__ import annotations

from pathlib import Path

from bpdbg.tui.screens.main import MainScreen

from .conftest import make_app, screen_text


async def test_S_writes_the_epoch_on_screen_and_says_where_in_the_status_bar(tmp_path: Path) -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e", "e", "n", "S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        written = Path.cwd() / "two_neurons-epoch-3.md"  # the working folder, a temporary one in tests
        assert written.read_text(encoding="utf-8").startswith("# Two sigmoid neurons in a chain: epoch 3 of 20")
        status = screen_text(app).splitlines()[1]
        assert status.startswith(f" epoch 3 exported to two_neurons-epoch-3.md (in {str(Path.cwd())[:20]}")
        assert app.cursor.position.epoch == 3 and app.cursor.position.step == 1  # the cursor stayed put
        await pilot.press("n")
        assert "exported" not in screen_text(app).splitlines()[1]  # a message lasts until the next key


async def test_a_file_that_cannot_be_written_is_a_message_and_the_debugger_stays_up(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.export_folder = tmp_path / "file"  # a file where a folder should be
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = screen_text(app).splitlines()[1]
        assert status.startswith(" cannot export epoch 1 to two_neurons-epoch-1.md: Not a directory (in ")
        await pilot.press("n")
        assert app.cursor.position.step == 1 and screen.busy is None
