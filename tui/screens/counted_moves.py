"""A move with a count (`50e`, `999999n`): made at once while it is quick, else in a worker.

A count can train thousands of epochs, or step a million times through a short tape: seconds
of work that would freeze the screen. The moves are made on the screen's thread for a few
hundredths of a second, enough for every count a lecture types on a small network; what is
left then goes to a worker, as a run to the end does, with its progress in the status bar,
and `space` or `esc` stops it where it has got to.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.search import Found
from bpdbg.tui.background import AT_ONCE_SECONDS, throttled
from bpdbg.tui.screens.debugger_part import DebuggerPart


class CountedMoves(DebuggerPart):
    """n N p P e E, each as many times as the count typed before it, or until it cannot go on."""

    def action_step(self, direction: int) -> None:
        forward = direction > 0
        self.make_move(Cursor.forward if forward else Cursor.back, self.take_count(), _way("steps", forward))

    def action_phase(self, direction: int) -> None:
        forward = direction > 0
        self.make_move(Cursor.next_phase if forward else Cursor.prev_phase, self.take_count(), _way("phases", forward))

    def action_epoch(self, direction: int) -> None:
        forward = direction > 0
        self.make_move(Cursor.next_epoch if forward else Cursor.prev_epoch, self.take_count(), _way("epochs", forward))

    def make_move(self, move: Callable[[Cursor], bool], count: int, what: str) -> None:
        """`count` of `move`; `what` names them for the status bar (`steps forward`)."""
        self.pause()
        cursor = self.cursor
        due = time.perf_counter() + AT_ONCE_SECONDS
        left = count
        while left > 0 and move(cursor):
            left -= 1
            if left > 0 and time.perf_counter() > due:
                self._move_in_a_worker(move, left, f"moving {count} {what}")
                return
        self.show()

    def _move_in_a_worker(self, move: Callable[[Cursor], bool], count: int, doing: str) -> None:
        cursor = self.cursor

        def job(should_stop: Callable[[], bool], report: Callable[[int], None]) -> Found:
            return cursor.repeated(move, count, should_stop, throttled(report))

        self.start_work(doing, "", job)


def _way(moves: str, forward: bool) -> str:
    return f"{moves} {'forward' if forward else 'back'}"
