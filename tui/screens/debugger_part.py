"""What each part of the debugger screen may use of the whole, declared once: the cursor, the
notice and busy lines, and `show` and `pause`, which the screen itself (screens/main.py) defines.

The parts (export's `S`, the `x` key, the checks, the lecture features, the panel keys) are
mixins of the one screen, each kept in its own module so that the screen's stays about moving.
"""

from __future__ import annotations

from textual.screen import Screen

from bpdbg.engine.cursor import Cursor
from bpdbg.tui.background import Job


class DebuggerPart(Screen[None]):
    """A part of the debugger screen; the screen supplies what is declared here."""

    cursor: Cursor
    busy: str | None  # what a worker is doing with the trainer, if one is
    notice: str  # a one-line message, until the next key

    def show(self, snapshot: bool = True) -> None:
        """Take a new snapshot from the cursor (unless snapshot=False) and draw it: the screen's own."""
        raise NotImplementedError

    def pause(self) -> None:
        """Stop a run in progress: the screen's own."""
        raise NotImplementedError

    def start_work(self, doing: str, none_found: str, job: Job) -> None:
        """Long engine work in a worker, keys that would move the cursor waiting: the screen's own."""
        raise NotImplementedError
