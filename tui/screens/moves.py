"""The keys that move the cursor forward and back: a step, a phase, an epoch (each with a count
typed before it), and `g`, go to an epoch and step.

A move that needs epochs not trained yet, more than a key can wait for (`99999e`, `g` to a far
epoch), trains them in a worker first, as `G` runs to the end: the screen stays live and shows
how far it got, `space` or `esc` stops it at the last finished epoch, and the move is made once
they are trained.
"""

from __future__ import annotations

from collections.abc import Callable

from bpdbg.engine.reach import outside_run
from bpdbg.tui.background import LONG_WORK, to_epoch
from bpdbg.tui.screens.debugger_part import DebuggerPart


class MovesTheCursor(DebuggerPart):
    """n/N, p/P, e/E and g."""

    def _take_count(self) -> int:
        raise NotImplementedError  # the screen's own: the count typed before the key

    def _moved(self) -> None:
        raise NotImplementedError  # the screen's own: show where the cursor went

    def _trained_first(self, epoch: int, move: Callable[[], None]) -> bool:
        """Train up to `epoch` in a worker and make `move` once it is trained, when that training
        would hold up the key; False (nothing done) when it would not."""
        trainer = self.cursor.trainer
        if trainer.seconds_to(epoch) <= LONG_WORK:
            return False
        self.start_work(f"training to epoch {min(epoch, trainer.max_epochs)}", "", to_epoch(trainer, epoch), move)
        return True

    def action_step(self, direction: int) -> None:
        count = self._take_count()
        self.pause()

        def move() -> None:
            if direction > 0:
                self.cursor.forward(count)
            else:
                self.cursor.back(count)
            self._moved()

        if direction < 0 or not self._trained_first(self.cursor.reach("step", count), move):
            move()

    def _repeat(self, direction: int, forward: Callable[[], bool], back: Callable[[], bool], unit: str) -> None:
        """Make a move as many times as the count typed before its key, or until it cannot go on."""
        count = self._take_count()
        self.pause()

        def move() -> None:
            step = forward if direction > 0 else back
            for _ in range(count):
                if not step():
                    break
            self._moved()

        reach = self.cursor.reach("phase" if unit == "phase" else "epoch", count)
        if direction < 0 or not self._trained_first(reach, move):
            move()

    def action_phase(self, direction: int) -> None:
        self._repeat(direction, self.cursor.next_phase, self.cursor.prev_phase, "phase")

    def action_epoch(self, direction: int) -> None:
        self._repeat(direction, self.cursor.next_epoch, self.cursor.prev_epoch, "epoch")

    # The dialog's module loads when it first opens: the first frame does not wait for it.

    def action_goto(self, error: str = "", asked: tuple[int, int] | None = None) -> None:
        from bpdbg.tui.screens.goto import GoToScreen

        self.pause()
        epoch, step = asked or (self.cursor.position.epoch, self.cursor.position.step + 1)

        def go(target: tuple[int, int] | None) -> None:
            if target is None:
                return
            epoch, step = target

            def arrive() -> None:  # the epoch is trained by now: nothing is left to train to know
                refused = outside_run(self.cursor.trainer, epoch, step + 1)
                if refused is not None:  # asked again, as the dialog asks when it knows at once
                    self.show(snapshot=False)  # the status bar no longer says it is training
                    self.action_goto(refused, (epoch, step + 1))
                    return
                self.cursor.goto(epoch, step)
                self._moved()

            if not self._trained_first(epoch, arrive):
                arrive()

        self.app.push_screen(GoToScreen(epoch, step, self.cursor.trainer, error), go)
