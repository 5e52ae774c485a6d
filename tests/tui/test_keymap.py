"""A lecturer's keymap, by binding id, and the command line that sets a lecture up: a bad keymap,
an unknown key or a bad option is one line and exit status 2, before the debugger opens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.cursor import Position
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.keymap import KeymapError, key_sequence, load_keymap
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.help import HelpScreen
from bpdbg.tui.screens.lecture import set_up

from .conftest import screen_text

EVERY = [*DEBUGGER_BINDINGS, *APP_BINDINGS]
SIZE = (80, 24)


def keymap_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keymap.toml"
    path.write_text(text, encoding="utf-8")
    return path


def key_bar(app: DebuggerApp) -> str:
    region = app.debugger.query_one("#keys").region
    return "\n".join(screen_text(app).splitlines()[region.y : region.bottom])


class TestKeymapFile:
    def test_keys_are_rebound_by_binding_id(self, tmp_path: Path) -> None:
        path = keymap_file(tmp_path, 'step_forward = "j"\nstep_back = ["K", "left"]\nhelp = "h"\n')
        assert load_keymap(path, EVERY) == {"step_forward": "j", "step_back": "K,left", "help": "h"}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('step_fwd = "j"', "keymap.toml:1:1: step_fwd: no binding has this id; did you mean 'step_forward'?"),
            ('run = "j"\nstep_forward = 3', "keymap.toml:2:1: step_forward: expected a key in quotes"),
            ('run = "frobnicate"', "keymap.toml:1:1: run: 'frobnicate' is not a key"),
            ('step_forward = "b"', "keymap.toml: the key 'b' is bound to both step_forward and add_breakpoint"),
            ('step_forward = "j', "keymap.toml:1:"),
        ],
        ids=["unknown id", "not a key string", "not a key", "two bindings", "bad TOML"],
    )
    def test_a_bad_keymap_is_one_line_naming_the_file_and_the_place(
        self, tmp_path: Path, text: str, message: str
    ) -> None:
        path = keymap_file(tmp_path, text)
        with pytest.raises(KeymapError) as raised:
            load_keymap(path, EVERY)
        assert str(raised.value).startswith(str(path.parent)) and message in str(raised.value)
        assert "\n" not in str(raised.value)

    def test_a_key_moved_away_frees_it_for_another_binding(self, tmp_path: Path) -> None:
        path = keymap_file(tmp_path, 'step_forward = "b"\nadd_breakpoint = "ctrl+b"\n')
        assert load_keymap(path, EVERY) == {"step_forward": "b", "add_breakpoint": "ctrl+b"}

    async def test_the_rebound_keys_work_and_the_key_bar_and_the_help_show_them(self, tmp_path: Path) -> None:
        lecture = set_up(False, tmp_path, "", keymap_file(tmp_path, 'step_forward = "j"\nbookmark = "w"\n'))
        app = DebuggerApp(open_scenario(resolve("two_neurons")), lecture, named_view=False)
        async with app.run_test(size=(220, 50)) as pilot:  # a key bar wide enough for every key
            await pilot.pause()
            await pilot.press("n")
            assert app.debugger.cursor.position == Position(1, 0)  # n is no longer a key
            await pilot.press("j", "j")
            assert app.debugger.cursor.position == Position(1, 2)
            bar = key_bar(app)
            assert "j/N step" in bar and "w/' bookmark" in bar and "n/N" not in bar
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert re.search(r"█  j +step forward: one named quantity", screen_text(app))

    def test_the_config_folders_keymap_is_used_without_the_option(self, config_folder: Path) -> None:
        config_folder.mkdir(parents=True)
        (config_folder / "keymap.toml").write_text('step_forward = "j"\n', encoding="utf-8")
        assert dict(set_up(False, Path(), "", None).keymap) == {"step_forward": "j"}


def test_the_readme_names_every_binding_id_a_keymap_can_use() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    ids = [b.id for b in EVERY if b.id is not None and not b.id.startswith("count_")]
    assert [i for i in ids if f"`{i}`" not in readme] == []


class TestKeySequence:
    def test_characters_are_the_debuggers_keys_and_names_go_in_angle_brackets(self) -> None:
        assert key_sequence("3e5n", EVERY) == ["3", "e", "5", "n"]
        assert key_sequence("g<tab><enter>'+", EVERY) == ["g", "tab", "enter", "apostrophe", "plus"]

    @pytest.mark.parametrize(
        ("keys", "message"),
        [
            ("3ew", "--keys: unknown key 'w' at character 3 (no binding uses it)"),
            ("n<frob>", "--keys: unknown key name '<frob>' at character 2"),
        ],
    )
    def test_an_unknown_key_is_one_line_naming_it(self, keys: str, message: str) -> None:
        with pytest.raises(KeymapError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
            key_sequence(keys, EVERY)


class TestCommandLine:
    def test_the_lecture_options_are_accepted_before_the_scenario_too(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(
            main, ["--present", "two_neurons", "--screenshots", str(tmp_path), "--keys", "3e5n"]
        )
        assert result.exit_code == 2
        assert "needs a terminal" in result.output  # every option was read; only the terminal is missing

    def test_an_unknown_key_in_keys_is_one_line_headed_bpdbg_as_every_option_error_and_status_2(self) -> None:
        result = CliRunner().invoke(main, ["two_neurons", "--keys", "3w"])
        assert result.exit_code == 2
        assert result.output == "bpdbg: --keys: unknown key 'w' at character 2 (no binding uses it)\n"

    def test_a_bad_keymap_is_one_line_and_status_2(self, tmp_path: Path) -> None:
        path = keymap_file(tmp_path, 'step_fwd = "j"\n')
        result = CliRunner().invoke(main, ["two_neurons", "--keymap", str(path)])
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and result.output.startswith(f"{path}:1:1: step_fwd:")

    def test_a_missing_keymap_is_one_line_and_status_2(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, ["two_neurons", "--keymap", str(tmp_path / "missing.toml")])
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and "missing.toml" in result.output
