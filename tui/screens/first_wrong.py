"""The `x` key: jump to the derivation's first ✗, found in a worker (a long run has many epochs to replay).

A mixin of the debugger screen, kept apart so that the screen's own module stays about moving.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import work
from textual.message import Message

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.derivation_marks import FirstWrong, first_wrong
from bpdbg.engine.messages import one_line
from bpdbg.tui.screens.debugger_part import DebuggerPart


@dataclass(eq=False)
class FirstWrongFound(Message):
    """Where the first ✗ is and why it differs, or None; or why the search failed."""

    found: FirstWrong | None
    searched: int
    error: str | None = None


class FirstWrongKey(DebuggerPart):
    """The `x` key, mixed into the debugger screen, which supplies its stop event for workers."""

    _stop_work: threading.Event

    def action_first_wrong(self) -> None:
        self.pause()
        derivation = self.cursor.derivation
        if derivation is None:
            self.notice = "this scenario has no [derivation] to check"
            self.show(snapshot=False)
            return
        self.busy = "looking for the derivation's first ✗ — esc to stop"
        self._stop_work.clear()
        self.show(snapshot=False)
        self._find_first_wrong(self.cursor)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _find_first_wrong(self, cursor: Cursor) -> None:
        """The only code that touches the trainer until it posts FirstWrongFound."""
        trainer, derivation = cursor.trainer, cursor.derivation
        assert derivation is not None
        try:
            found = first_wrong(trainer, derivation, self._stop_work.is_set)
        except Exception as error:  # the engine's fault is reported on screen; the app stays up
            self.post_message(FirstWrongFound(None, trainer.epochs_done, one_line(error)))
        else:
            self.post_message(FirstWrongFound(found, trainer.epochs_done))

    def on_first_wrong_found(self, message: FirstWrongFound) -> None:
        self.busy = None
        if message.error is not None:
            self.notice = f"the search failed: {message.error}"
        elif message.found is None and self._stop_work.is_set():
            self.notice = "stopped looking for the first ✗"
        elif message.found is None:
            self.notice = f"no ✗: every derivation entry agrees in the epochs run so far (1 to {message.searched})"
        elif message.found is not None:
            self.cursor.goto(*message.found.position())
            self.notice = message.found.text
        self.show()
