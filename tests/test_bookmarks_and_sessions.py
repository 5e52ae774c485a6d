"""Bookmarks keep timeline order and cycle; a session file is written only when it changed, and a
file that is not a session of this scenario is a one-line notice, never an exception."""

from __future__ import annotations

import json
from pathlib import Path

from bpdbg.engine.bookmarks import Bookmarks
from bpdbg.engine.cursor import Position
from bpdbg.tui.config import config_dir
from bpdbg.tui.sessions import Session, SessionStore


def test_bookmarks_are_kept_in_timeline_order_and_the_next_one_cycles() -> None:
    marks = Bookmarks([Position(3, 0), Position(1, 5)])
    assert marks.toggle(Position(2, 7)) is True
    assert marks.positions == (Position(1, 5), Position(2, 7), Position(3, 0))
    assert marks.after(Position(1, 0)) == Position(1, 5)
    assert marks.after(Position(2, 7)) == Position(3, 0)
    assert marks.after(Position(9, 9)) == Position(1, 5)  # past the last: the first
    assert marks.number(Position(3, 0)) == 3 and marks.number(Position(4, 0)) == 0
    assert marks.toggle(Position(2, 7)) is False and len(marks) == 2
    assert Bookmarks().after(Position(1, 0)) is None


def test_the_config_folder_follows_the_environment(config_folder: Path) -> None:
    assert config_dir() == config_folder
    assert SessionStore().folder == config_folder / "sessions"


def test_a_session_is_written_only_when_it_changed(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    store = SessionStore(tmp_path / "sessions")
    assert store.load(scenario) == (Session(), None)
    assert store.save(scenario, Session()) is None
    assert not store.folder.exists()  # nothing to keep, nothing written
    session = Session(("loss < 0.1",), (Position(2, 4),))
    assert store.save(scenario, session) is None
    saved = json.loads(store.file_for(scenario.resolve()).read_text(encoding="utf-8"))
    assert saved == {"scenario": str(scenario.resolve()), "breakpoints": ["loss < 0.1"], "bookmarks": [[2, 5]]}
    store.file_for(scenario.resolve()).unlink()
    assert store.save(scenario, session) is None
    assert not store.file_for(scenario.resolve()).exists()  # unchanged since saved: not written again
    assert SessionStore(store.folder).load(scenario) == (Session(), None)


def test_a_file_that_is_not_this_scenarios_session_is_a_one_line_notice(tmp_path: Path) -> None:
    scenario = (tmp_path / "s.toml").resolve()
    store = SessionStore(tmp_path)
    bad = {
        "[1, 2]": "not a JSON object",
        json.dumps({"scenario": "/elsewhere.toml"}): "it is for '/elsewhere.toml'",
        json.dumps({"scenario": str(scenario), "bookmarks": [[1, 0]]}): "bookmarks: expected a list of [epoch, step]",
        json.dumps({"scenario": str(scenario), "breakpoints": "loss < 1"}): "breakpoints: expected a list",
        "x" * (2 << 20): "larger than any session",
    }
    for text, reason in bad.items():
        store.file_for(scenario).write_text(text, encoding="utf-8")
        session, notice = store.load(scenario)
        assert session == Session()
        assert notice is not None and notice.startswith(f"ignored the saved session {store.file_for(scenario)}: ")
        assert reason in notice and "\n" not in notice
