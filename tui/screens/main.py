"""The debugger screen: the panels, the keys that move the cursor, and the run timer.

Every move ends in `show()`, which asks the cursor for ONE immutable snapshot and hands
it to each panel. Panels keep no state of their own that the snapshot does not decide,
so coming back to a step shows exactly what was shown the first time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.worker import get_current_worker

from bpdbg.engine.conditions import Condition
from bpdbg.engine.cursor import Cursor, Snapshot
from bpdbg.engine.messages import one_line
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.background import RunEnded, RunProgress, run_in_chunks
from bpdbg.tui.checking import ChecksTheStep
from bpdbg.tui.export import ExportsTheEpoch
from bpdbg.tui.keys import DEBUGGER_BINDINGS, cursor_keys
from bpdbg.tui.screens.breakpoint import BreakpointScreen
from bpdbg.tui.screens.goto import GoToScreen
from bpdbg.tui.screens.lecture import Lecture, LectureScreen
from bpdbg.tui.screens.open import OpenScreen
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.checks import CheckStrip
from bpdbg.tui.widgets.keybar import KeyBar
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.params import ParamsPanel
from bpdbg.tui.widgets.presenter import PresenterPanel
from bpdbg.tui.widgets.status import Controls, StatusBar
from bpdbg.tui.widgets.tape import TapePanel

FPS = 30  # the most repaints per second while running
SPEEDS = (1, 2, 5, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000)  # steps per second
DEFAULT_SPEED = SPEEDS.index(10)
MAX_COUNT = 6  # digits in a count prefix


class ScenarioLoaded(Message):
    """A scenario opened from the dialog, ready to replace the one shown."""

    def __init__(self, trainer: Trainer) -> None:
        super().__init__()
        self.trainer = trainer


class MainScreen(ExportsTheEpoch, ChecksTheStep, LectureScreen):
    """The one screen a lecture lives on."""

    # Textual declares these on Screen without ClassVar; they are read as class defaults.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]  # type: ignore[misc]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (34, "-tall")]  # type: ignore[misc]
    BINDINGS: ClassVar[list[BindingType]] = list(DEBUGGER_BINDINGS)

    # No repaint of their own: the panels bound to them repaint just the lines that changed.
    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False, repaint=False)
    controls: reactive[Controls] = reactive(Controls, always_update=True, init=False, repaint=False)

    def __init__(self, cursor: Cursor, lecture: Lecture | None = None) -> None:
        super().__init__()
        self.lecture = lecture or Lecture()
        self.cursor_keys = cursor_keys(self.lecture.screen_bindings)
        self.set_class(self.lecture.present, "-present")
        self.cursor = cursor
        self.count = ""  # digits typed so far, for the next key
        self._count_for_key = ""  # the count the key being handled was typed with
        self.busy: str | None = None  # what a worker is doing with the trainer, if one is
        self.notice = ""  # a one-line message, until the next key
        self._stop_work = threading.Event()
        self.speed_index = DEFAULT_SPEED
        self.running = False
        self._credit = 0.0  # steps owed to the run since the last tick
        self._timer: Timer | None = None
        self.open_session(cursor, self.lecture.sessions)

    def compose(self) -> ComposeResult:
        self._size_classes()
        snapshot = MainScreen.snapshot
        yield StatusBar(id="status").data_bind(snapshot, MainScreen.controls)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield TapePanel(id="tape").data_bind(snapshot)
                yield LossPanel(id="loss").data_bind(snapshot)
            with Vertical(id="right"):
                yield PresenterPanel(id="presenter").data_bind(snapshot)
                yield ChainPanel(id="chain").data_bind(snapshot)
                yield ParamsPanel(id="params").data_bind(snapshot)
        yield CheckStrip(id="check").data_bind(snapshot)
        yield KeyBar([*self.lecture.screen_bindings, *self.lecture.app_bindings], id="keys")

    def _size_classes(self) -> None:
        """The terminal's -narrow/-wide and -short/-tall classes before the first layout.

        Textual sets them on the first resize, after a first layout; set here, the screen
        is styled and laid out once at start, not twice.
        """
        width, height = self.app.size
        for value, table in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            names = [name for threshold, name in sorted(table) if value >= threshold]
            for _, name in table:
                self.set_class(bool(names) and name == names[-1], name)

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FPS, self._tick, pause=True)
        self.show()

    # -- showing ----------------------------------------------------------------------------

    @property
    def speed(self) -> int:
        return SPEEDS[self.speed_index]

    def show(self, snapshot: bool = True) -> None:
        """Take one new snapshot from the cursor (unless snapshot=False: the debugger's own state
        changed, not the engine's); the panels bound to it draw it."""
        with self.app.batch_update():
            if snapshot or self.snapshot is None:
                self.snapshot = self.cursor.snapshot()
                self.check_step()
            self.controls = Controls(self.running, self.speed, self.count, self.busy, self.notice)

    def _take_count(self) -> int:
        """The count typed before the key being handled (1 if none)."""
        return max(int(self._count_for_key or "1"), 1)

    def on_key(self, event: events.Key) -> None:
        """Runs before the key's binding: a count is for the one key after it, whatever that does.

        While a worker holds the trainer, keys that would move the cursor are refused here,
        with a message, so that only the worker touches the engine.
        """
        shown = bool(self.notice or self.count)
        self.notice = ""
        if not (event.character or "").isdigit():
            self._count_for_key, self.count = self.count, ""
        if self.busy is not None and event.key in self.cursor_keys:
            event.stop()
            event.prevent_default()
            self.notice = f"'{event.character or event.key}' waits"
        if shown or self.notice:  # the status bar no longer shows what it showed
            self.show(snapshot=False)

    def _moved(self) -> None:
        self.show()

    # -- moving -----------------------------------------------------------------------------

    def action_step(self, direction: int) -> None:
        count = self._take_count()
        self.pause()
        if direction > 0:
            self.cursor.forward(count)
        else:
            self.cursor.back(count)
        self._moved()

    def _repeat(self, direction: int, forward: Callable[[], bool], back: Callable[[], bool]) -> None:
        """Make a move as many times as the count typed before its key, or until it cannot go on."""
        count = self._take_count()
        self.pause()
        move = forward if direction > 0 else back
        for _ in range(count):
            if not move():
                break
        self._moved()

    def action_phase(self, direction: int) -> None:
        self._repeat(direction, self.cursor.next_phase, self.cursor.prev_phase)

    def action_epoch(self, direction: int) -> None:
        self._repeat(direction, self.cursor.next_epoch, self.cursor.prev_epoch)

    def action_rewind(self) -> None:
        self.pause()
        self.cursor.rewind()
        self._moved()

    def action_to_end(self) -> None:
        """Train to the end in a worker; the screen stays live and shows how far it got."""
        self.pause()
        if self.cursor.trainer.finished:
            self.cursor.to_end()
            self._moved()
            return
        trainer = self.cursor.trainer
        self.busy = f"running to the end: epoch {trainer.epochs_done:,}/{trainer.max_epochs:,} — space/esc to stop"
        self._stop_work.clear()
        self.show(snapshot=False)
        self._run_to_end(trainer)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _run_to_end(self, trainer: Trainer) -> None:
        """The only code that touches the trainer until it posts RunEnded."""
        worker = get_current_worker()

        def should_stop() -> bool:
            return self._stop_work.is_set() or worker.is_cancelled

        try:

            def report(done: int) -> None:
                self.post_message(RunProgress(done, trainer.max_epochs))

            stopped = run_in_chunks(trainer, should_stop, report)
        except Exception as error:  # the engine's fault is reported on screen; the app stays up
            self.post_message(RunEnded(stopped=False, error=one_line(error)))
        else:
            self.post_message(RunEnded(stopped=stopped))

    @on(RunProgress)
    def _run_progress(self, message: RunProgress) -> None:
        if self.busy is not None and not self._stop_work.is_set():
            self.busy = f"running to the end: epoch {message.epochs_done:,}/{message.max_epochs:,} — space/esc to stop"
            self.show(snapshot=False)

    @on(RunEnded)
    def _run_ended(self, message: RunEnded) -> None:
        """The trainer is the screen's again: stand at the last step of the last epoch run."""
        self.busy = None
        if message.error is not None:
            self.notice = f"the run failed: {message.error}"
        elif message.stopped:
            self.notice = f"stopped at epoch {self.cursor.trainer.epochs_done:,}"
        last = self.cursor.trainer.epochs_done
        self.cursor.goto(last, self.cursor.last_step(last))
        self._moved()

    def _stop_worker(self) -> bool:
        """Ask a running worker to stop after its current chunk; False if none is running."""
        if self.busy is None:
            return False
        self._stop_work.set()
        self.busy = "stopping the run…"
        self.show(snapshot=False)
        return True

    def on_unmount(self) -> None:
        self._stop_work.set()  # quitting: a worker stops after its current chunk

    def action_goto(self) -> None:
        self.pause()
        position = self.cursor.position

        def go(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.cursor.goto(*target)
                self._moved()

        self.app.push_screen(GoToScreen(position.epoch, position.step + 1, self.cursor.trainer.max_epochs), go)

    def action_open(self) -> None:
        """Another scenario; a bad file is reported in the dialog and this one stays."""
        self.pause()

        def load(trainer: Trainer | None) -> None:
            if trainer is not None:
                self.post_message(ScenarioLoaded(trainer))

        self.app.push_screen(OpenScreen(), load)

    @on(ScenarioLoaded)
    async def _scenario_loaded(self, message: ScenarioLoaded) -> None:
        """Fresh panels for the new scenario (nothing of the old one lingers), built by this screen."""
        self.cursor = Cursor(message.trainer)
        self.open_session(self.cursor, self.lecture.sessions)
        self.show()
        await self.recompose()

    def action_scroll_chain(self, direction: int) -> None:
        """Read a long chain rule; the next move starts it at the top again."""
        chain = self.query_one(ChainPanel)
        chain.scroll_to(
            y=chain.scroll_y + direction * max(chain.scrollable_content_region.height - 1, 1), animate=False
        )

    # -- counts -----------------------------------------------------------------------------

    def action_digit(self, digit: int) -> None:
        if digit == 0 and not self.count:
            return
        self.count = (self.count + str(digit))[:MAX_COUNT]
        self.show(snapshot=False)

    def action_clear_count(self) -> None:
        """Escape: drop a typed count (on_key already has), or stop a run to the end."""
        if not self._stop_worker():
            self.show(snapshot=False)

    # -- breakpoints ------------------------------------------------------------------------

    def action_add_breakpoint(self) -> None:
        def add(condition: Condition | None) -> None:
            if condition is not None:
                self.cursor.breakpoints.append(condition)
            self.show()

        self.app.push_screen(BreakpointScreen(self.cursor.program), add)

    def action_clear_breakpoints(self) -> None:
        self.cursor.breakpoints.clear()
        self.show()

    # -- running ----------------------------------------------------------------------------

    def action_toggle_run(self) -> None:
        if self._stop_worker():
            return
        if self.running:
            self.pause()
        else:
            self.running = True
            self._credit = 1.0  # the first step shows at once
            if self._timer is not None:
                self._timer.resume()
        self.show(snapshot=False)

    def pause(self) -> None:
        """Stop the run now: the timer will not fire again until resumed."""
        if self.running:
            self.running = False
            if self._timer is not None:
                self._timer.pause()

    def action_speed(self, change: int) -> None:
        self.speed_index = min(max(self.speed_index + change, 0), len(SPEEDS) - 1)
        self.show(snapshot=False)

    def _tick(self) -> None:
        if not self.running:
            return
        self._credit += self.speed / FPS
        steps = int(self._credit)
        if steps == 0:
            return
        self._credit -= steps
        if not self._advance(steps) or self.cursor.at_end:
            self.pause()
        self.show()

    def _advance(self, steps: int) -> bool:
        """Move up to `steps` forward; False when the run must stop (its end, or a breakpoint)."""
        cursor = self.cursor
        if not cursor.breakpoints:
            return cursor.forward(steps)
        for _ in range(steps):
            if not cursor.forward(1):
                return False
            epoch, step = cursor.position.epoch, cursor.position.step
            if step == cursor.last_step(epoch) and cursor.breakpoint_at(epoch) is not None:
                return False
        return True
