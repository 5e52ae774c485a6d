"""A scenario's session: its breakpoints and bookmarks, saved as they change and restored when it
is opened again, so a lecture prepared the day before starts where it was left.

One small JSON file per scenario, in the config folder's `sessions/`, named by a hash of the
scenario's resolved path (the path itself is inside, and checked). Breakpoints are kept as the
text typed, and go back through the cursor's own parser, so a scenario edited since then gives a
one-line notice for a condition that no longer applies, never a crash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from bpdbg.engine.bookmarks import Bookmarks
from bpdbg.engine.conditions import parse_breakpoint
from bpdbg.engine.cursor import Cursor, Position
from bpdbg.engine.expr import ExprError
from bpdbg.engine.messages import one_line
from bpdbg.engine.scenario import ScenarioError
from bpdbg.tui.config import config_dir, write_atomically

MAX_SESSION_BYTES = 1 << 20  # a session holds a few lines of text; anything larger is not one


@dataclass(frozen=True)
class Session:
    breakpoints: tuple[str, ...] = ()
    bookmarks: tuple[Position, ...] = ()


def session_of(cursor: Cursor) -> Session:
    return Session(tuple(c.text for c in cursor.breakpoints), cursor.bookmarks.positions)


class SessionStore:
    """Reads and writes sessions in one folder; a write happens only when a session changed."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else config_dir() / "sessions"
        self._saved: dict[Path, Session] = {}

    def file_for(self, scenario: Path) -> Path:
        return self.folder / f"{hashlib.sha256(str(scenario).encode()).hexdigest()[:24]}.json"

    def load(self, scenario: Path) -> tuple[Session, str | None]:
        """The saved session (empty if none), and a one-line notice if the file could not be used."""
        scenario = scenario.resolve()
        path = self.file_for(scenario)
        self._saved[scenario] = Session()
        try:
            with path.open("rb") as file:
                raw = file.read(MAX_SESSION_BYTES + 1)
            if len(raw) > MAX_SESSION_BYTES:
                raise ValueError("larger than any session")
            import json  # only once a session was saved: most scenarios open without one

            session = _parse(json.loads(raw.decode("utf-8")), scenario)
        except FileNotFoundError:
            return Session(), None
        except (OSError, ValueError, TypeError, KeyError) as error:  # JSONDecodeError is a ValueError
            return Session(), f"ignored the saved session {path}: {one_line(error)}"
        self._saved[scenario] = session
        return session, None

    def save(self, scenario: Path, session: Session) -> str | None:
        """Save the session if it changed since it was loaded or saved; a one-line notice if it could not be."""
        scenario = scenario.resolve()
        if self._saved.get(scenario, Session()) == session:
            return None
        self._saved[scenario] = session  # tried once: a folder that cannot be written is reported once
        document = {
            "scenario": str(scenario),
            "breakpoints": list(session.breakpoints),
            "bookmarks": [[p.epoch, p.step + 1] for p in session.bookmarks],  # steps from 1, as shown
        }
        import json

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.file_for(scenario), json.dumps(document, indent=2) + "\n")
        except OSError as error:
            return f"cannot save the session in {self.folder}: {error.strerror or one_line(error)}"
        return None


def _parse(document: object, scenario: Path) -> Session:
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    if document.get("scenario") != str(scenario):
        raise ValueError(f"it is for {document.get('scenario')!r}")
    breakpoints = document.get("breakpoints", [])
    bookmarks = document.get("bookmarks", [])
    if not (isinstance(breakpoints, list) and all(isinstance(b, str) for b in breakpoints)):
        raise ValueError("breakpoints: expected a list of conditions")
    if not (isinstance(bookmarks, list) and all(_is_place(b) for b in bookmarks)):
        raise ValueError("bookmarks: expected a list of [epoch, step] pairs of positive integers")
    return Session(tuple(breakpoints), tuple(Position(epoch, step - 1) for epoch, step in bookmarks))


def _is_place(item: object) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in item)
    )


def restore(cursor: Cursor, session: Session) -> list[str]:
    """Put a saved session back on a fresh cursor; one line per part that no longer applies."""
    problems: list[str] = []
    for text in session.breakpoints:
        if any(condition.text == text for condition in cursor.breakpoints):
            continue  # the scenario file sets it already
        try:
            cursor.breakpoints.append(parse_breakpoint(cursor.program, text))
        except ScenarioError as error:
            problems.append(f"saved breakpoint {text!r} no longer applies: {error.message}")
        except ExprError as error:
            problems.append(f"saved breakpoint {text!r} no longer applies: {error.message}")
    steps, epochs = len(cursor.program.steps), cursor.trainer.max_epochs
    kept = [p for p in session.bookmarks if p.epoch <= epochs and p.step < steps]
    past = [p for p in session.bookmarks if p not in kept]
    problems += [f"saved bookmark at epoch {p.epoch} step {p.step + 1} is past the run" for p in past]
    cursor.bookmarks = Bookmarks(kept)
    return problems
