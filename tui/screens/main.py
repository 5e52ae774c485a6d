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

from bpdbg.engine.cursor import Cursor, Snapshot
from bpdbg.engine.search import Found
from bpdbg.engine.trainer import Trainer
from bpdbg.startup import resume_collection
from bpdbg.tui.background import Job, RunEnded, RunProgress, perform, to_the_end
from bpdbg.tui.checking import ChecksTheStep
from bpdbg.tui.export import ExportsTheEpoch
from bpdbg.tui.figuring import MakesTheFigure
from bpdbg.tui.keys import DEBUGGER_BINDINGS, cursor_keys
from bpdbg.tui.screens.breakpoint_keys import BreakpointKeys
from bpdbg.tui.screens.first_wrong import FirstWrongKey
from bpdbg.tui.screens.lecture import Lecture, LectureScreen
from bpdbg.tui.screens.views import HEIGHT_CLASSES, WIDTH_CLASSES, PanelActions, ViewSwitcher, lower_right_views
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.checks import CheckStrip
from bpdbg.tui.widgets.keybar import KeyBar
from bpdbg.tui.widgets.loss import LossPanel
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


class MainScreen(
    ExportsTheEpoch, FirstWrongKey, ChecksTheStep, MakesTheFigure, LectureScreen, PanelActions, BreakpointKeys
):
    """The one screen a lecture lives on."""

    # Textual declares these on Screen without ClassVar; they are read as class defaults.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = WIDTH_CLASSES  # type: ignore[misc]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = HEIGHT_CLASSES  # type: ignore[misc]
    ALLOW_IN_MAXIMIZED_VIEW = "#status, #keys"  # a maximized panel keeps the status and the keys
    BINDINGS: ClassVar[list[BindingType]] = list(DEBUGGER_BINDINGS)

    # No repaint of their own: the panels bound to them repaint just the lines that changed.
    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False, repaint=False)
    controls: reactive[Controls] = reactive(Controls, always_update=True, init=False, repaint=False)

    def __init__(self, cursor: Cursor, lecture: Lecture | None = None) -> None:
        super().__init__()
        self.lecture = lecture or Lecture()
        self.cursor_keys = cursor_keys(self.lecture.screen_bindings)
        self.digit_keys = {  # the keys a count is typed with, as bound (a keymap may rebind them)
            key: int(b.id.removeprefix("count_"))
            for b in self.lecture.screen_bindings
            if b.id is not None and b.id.startswith("count_")
            for key in b.key.split(",")
        }
        self.set_class(self.lecture.present, "-present")
        self.cursor = cursor
        cursor.defer_figures = True  # a slow figure is made in a worker (figuring.py)
        self.count = ""  # digits typed so far, for the next key
        self._count_for_key = ""  # the count the key being handled was typed with
        self.busy: str | None = None  # what a worker is doing with the trainer, if one is
        self.notice = ""  # a one-line message, until the next key
        self._stop_work = threading.Event()
        self._doing = self._none_found = ""  # what a worker is doing, and what to say if its search finds nothing
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
                yield TapePanel(id="tape", classes=self.panel_classes("tape")).data_bind(snapshot)
                yield LossPanel(id="loss", classes=self.panel_classes("loss")).data_bind(snapshot)
            with Vertical(id="right"):
                yield PresenterPanel(id="presenter").data_bind(snapshot)
                yield ChainPanel(id="chain", classes=self.panel_classes("chain")).data_bind(snapshot)
                views = lower_right_views()
                with ViewSwitcher(id="views", initial=views[0].id, classes=self.panel_classes("views")):
                    for view in views:
                        yield view.data_bind(snapshot)
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
        self._make_current(self.current_panel)
        self.show()
        self.call_after_refresh(resume_collection)  # held off while `bpdbg` started (startup.py)

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
                if self.figure_waits:  # made in a worker, once the key's answer is drawn
                    self.call_after_refresh(self.make_figure)
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
        digit = self.digit_keys.get(event.key)
        if digit is not None:
            # Counted here, not by the binding's action: that runs after the key has bubbled up to
            # the app, and the next key of a burst ("20n", typed fast or pasted) may come first.
            event.stop()
            event.prevent_default()
            self.action_digit(digit)
            return
        self._count_for_key, self.count = self.count, ""
        if self.busy is not None and event.key in self.cursor_keys:
            event.stop()
            event.prevent_default()
            self.notice = f"'{event.character or event.key}' ignored"
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

    def action_toggle_view(self) -> None:
        """The named view (named quantities only, sub-expressions folded in) or the whole tape."""
        self.cursor.set_named_view(not self.cursor.named_view)
        self._moved()

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
        self.start_work("running to the end", "", to_the_end(self.cursor.trainer))

    def start_work(self, doing: str, none_found: str, job: Job) -> None:
        """Long engine work in a worker; until it ends, keys that would move the cursor are ignored."""
        self._doing, self._none_found, self.busy = doing, none_found, doing
        self._stop_work.clear()
        trainer = self.cursor.trainer
        self._run_progress(RunProgress(trainer.epochs_done, trainer.max_epochs))
        self._work(job)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _work(self, job: Job) -> None:
        """The only code that touches the trainer until it posts RunEnded."""
        worker = get_current_worker()
        max_epochs = self.cursor.trainer.max_epochs
        perform(job, lambda: self._stop_work.is_set() or worker.is_cancelled, self.post_message, max_epochs)

    @on(RunProgress)
    def _run_progress(self, message: RunProgress) -> None:
        if self.busy is not None and not self._stop_work.is_set():
            done, total = message.epochs_done, message.max_epochs
            self.busy = f"{self._doing}: epoch {done}/{total} — space/esc to stop"  # as the position is written
            self.show(snapshot=False)

    @on(RunEnded)
    def _run_ended(self, message: RunEnded) -> None:
        """The trainer is the screen's again: stand where the work ended."""
        self.busy = None
        found = message.found
        if found is None:
            self.notice = f"the run failed: {message.error}"
            last = self.cursor.trainer.epochs_done
            found = Found(last, self.cursor.last_step(last))
        elif found.stopped:
            self.notice = f"stopped at epoch {found.epoch}"
        elif found.condition is None and self._none_found:
            self.notice = self._none_found
        self.cursor.arrive(found)
        self._moved()

    def _stop_worker(self) -> bool:
        """Ask a running worker to stop after its current epoch; False if none is running."""
        if self.busy is None:
            return False
        self._stop_work.set()
        self.busy = "stopping…"
        self.show(snapshot=False)
        return True

    def on_unmount(self) -> None:
        self._stop_work.set()  # quitting: a worker stops after its current epoch

    # The dialogs' modules load when a dialog first opens: the first frame does not wait for them.

    def action_goto(self) -> None:
        from bpdbg.tui.screens.goto import GoToScreen

        self.pause()
        position = self.cursor.position

        def go(target: tuple[int, int] | None) -> None:
            if target is not None:
                self.cursor.goto(*target)
                self._moved()

        self.app.push_screen(GoToScreen(position.epoch, position.step + 1, self.cursor.trainer), go)

    def action_open(self) -> None:
        """Another scenario; a bad file is reported in the dialog and this one stays."""
        from bpdbg.tui.screens.open import OpenScreen

        self.pause()

        def load(trainer: Trainer | None) -> None:
            if trainer is not None:
                self.post_message(ScenarioLoaded(trainer))

        self.app.push_screen(OpenScreen(self.cursor.trainer.memory), load)

    @on(ScenarioLoaded)
    async def _scenario_loaded(self, message: ScenarioLoaded) -> None:
        """Fresh panels for the new scenario (nothing of the old one lingers), built by this screen."""
        self.cursor = Cursor(message.trainer)
        self.cursor.defer_figures = True
        self.open_session(self.cursor, self.lecture.sessions)
        self.cursor.set_named_view(self.cursor.named_is_shorter)
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

    # -- running ----------------------------------------------------------------------------

    def action_toggle_run(self) -> None:
        if self._stop_worker():
            return
        if self.running:
            self.pause()
        elif self.cursor.at_end:  # a run would stop before its first step: say why nothing moves
            self.notice = "at the end of the run: r rewinds"
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
        if not self.cursor.advance(steps) or self.cursor.at_end:  # a breakpoint hit pauses it
            self.pause()
        self.show()
