"""How far a headless run (or gradcheck) has got, on stderr, and only when stderr is a terminal.

One line, rewritten in place a few times a second once the run has taken a moment, and
erased before anything else is written: the log on stdout never sees it, and neither does
a file or pipe that stderr goes to.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from bpdbg.engine.trainer import Trainer

AFTER = 0.2  # seconds before the first report: a short run shows nothing
EVERY = 0.1  # seconds between reports
CLEAR = "\r\x1b[K"  # back to the start of the line, and erase it


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    """Reports `label: epoch N/M` for a trainer; does nothing at all unless `stream` is a terminal."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream)
        self.clock = clock
        self.shown = False

    def watching(self, trainer: Trainer, label: str) -> Callable[[], bool] | None:
        """A `should_stop` for `trainer.run` that never stops it but reports, when it is due, how far
        it got; None (so the run is not slowed at all) when stderr is not a terminal."""
        count = self.counting(label, "epoch")
        if count is None:
            return None

        def report() -> bool:
            count(trainer.epochs_done, trainer.max_epochs)
            return False

        return report

    def counting(self, label: str, unit: str) -> Callable[[int, int], None] | None:
        """A `report(done, total)` for long work of any unit (gradcheck's coordinates) that writes
        `label: unit done/total` when it is due; None when stderr is not a terminal."""
        if not self.enabled:
            return None
        due = self.clock() + AFTER

        def report(done: int, total: int) -> None:
            nonlocal due
            now = self.clock()
            if now >= due:
                due = now + EVERY
                self._write(f"{CLEAR}{label}: {unit} {done:,}/{total:,}")

        return report

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
            self.shown = True
        except OSError:  # a terminal that went away is no reason to stop the run
            self.enabled = False

    def clear(self) -> None:
        """Erase the progress line, so that what comes next starts on a clean line."""
        if self.shown:
            self.shown = False
            self._write(CLEAR)
            self.shown = False
