"""What the debugger screen does for a lecture: bookmarks, the session saved as it changes, and
the mouse (a tape row goes to its step, a parameter to the step that shows its whole chain).

The main screen derives from `LectureScreen`; the moves themselves stay the cursor's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from textual import on
from textual.binding import Binding

from bpdbg.engine.cursor import Cursor, Position, Snapshot
from bpdbg.engine.search import Found
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.background import Job, run_in_chunks, trained_at_once
from bpdbg.tui.keymap import default_keymap_file, key_sequence, load_keymap, rebound
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.debugger_part import DebuggerPart
from bpdbg.tui.sessions import SessionStore, restore, session_of
from bpdbg.tui.widgets.params import ParamsPanel
from bpdbg.tui.widgets.tape import TapePanel


@dataclass(frozen=True)
class Lecture:
    """How the command line set the debugger up for a lecture."""

    present: bool = False  # start in presenter mode
    screenshots: Path = Path()  # where `s` saves
    keys: tuple[str, ...] = ()  # pressed once the debugger has opened
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # binding id → keys
    sessions: SessionStore | None = None  # None: breakpoints and bookmarks are not kept

    @property
    def screen_bindings(self) -> list[Binding]:
        return rebound(DEBUGGER_BINDINGS, self.keymap)

    @property
    def app_bindings(self) -> list[Binding]:
        return rebound(APP_BINDINGS, self.keymap)


def set_up(present: bool, screenshots: Path, keys: str, keymap_file: Path | None) -> Lecture:
    """The command line's options, checked: raises KeymapError, one line, for a bad keymap or key.

    Without --keymap, the config folder's keymap.toml is used if there is one.
    """
    every = [*DEBUGGER_BINDINGS, *APP_BINDINGS]
    if keymap_file is None and default_keymap_file().is_file():
        keymap_file = default_keymap_file()
    keymap = load_keymap(keymap_file, every) if keymap_file is not None else {}
    pressed = key_sequence(keys, rebound(every, keymap))
    return Lecture(present, screenshots, tuple(pressed), MappingProxyType(keymap), SessionStore())


def _to_bookmark(trainer: Trainer, target: Position) -> Job:
    """Training on to a bookmark's epoch as a job: it ends at the bookmark (or where the run ends
    or was stopped short of it)."""

    def job(should_stop: Callable[[], bool], report: Callable[[int], None]) -> Found:
        stopped = run_in_chunks(trainer, should_stop, report, until=target.epoch)
        if stopped or trainer.epochs_done < target.epoch:  # short of it: said as a stop, never as arrived
            last = trainer.epochs_done
            return Found(last, trainer.steps_in(last) - 1, stopped=True)
        return Found(target.epoch, min(target.step, trainer.steps_in(target.epoch) - 1))

    return job


def place(position: Position) -> str:
    return f"epoch {position.epoch} step {position.step + 1}"


class LectureScreen(DebuggerPart):
    """The main screen's lecture features; it supplies the cursor, the notice and `show`."""

    lecture: Lecture
    sessions: SessionStore | None = None  # where the open scenario's session is kept, if anywhere

    def present(self, on: bool) -> None:
        """Presenter mode's layout (the stylesheet's `-present`): large digits, and the chain rule
        given the room of the loss plot and the parameters."""
        self.set_class(on, "-present")
        self.show(snapshot=self.busy is None)  # a worker holds the trainer: the snapshot drawn stays

    # -- the session ------------------------------------------------------------------------

    def open_session(self, cursor: Cursor, sessions: SessionStore | None) -> None:
        """Give a freshly opened cursor its scenario's saved breakpoints and bookmarks."""
        self.sessions = sessions
        if sessions is None:
            return
        session, problem = sessions.load(cursor.program.scenario.path)
        problems = [problem] if problem is not None else restore(cursor, session)
        sessions.save(cursor.program.scenario.path, session_of(cursor))  # what no longer applies is dropped
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.notice = problems[0] + more

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        """Every change of breakpoints or bookmarks ends in a new snapshot: save the session then."""
        if snapshot is None or self.sessions is None:
            return
        problem = self.sessions.save(self.cursor.program.scenario.path, session_of(self.cursor))
        if problem is not None:
            self.notice = problem
            self.call_later(self.show, False)

    # -- bookmarks --------------------------------------------------------------------------

    def action_bookmark(self) -> None:
        position = self.cursor.position
        marks = self.cursor.bookmarks
        marked = marks.toggle(position)
        if marked:
            back = self.key_for("next_bookmark")
            self.notice = f"bookmark {marks.number(position)} of {len(marks)}: {place(position)} ({back} jumps back)"
        else:
            self.notice = f"bookmark at {place(position)} removed ({len(marks)} left)"
        self.show()

    def action_next_bookmark(self) -> None:
        marks = self.cursor.bookmarks
        target = marks.after(self.cursor.position)
        if target is None:
            self.notice = f"no bookmarks yet: {self.key_for('bookmark')} marks the current step"
            self.show(snapshot=False)
            return
        self.pause()
        arrived = f"bookmark {marks.number(target)} of {len(marks)}: {place(target)}"
        trainer = self.cursor.trainer
        if not trained_at_once(trainer, target.epoch):
            # A bookmark saved in an earlier session may lie far beyond what this one has trained.
            self.start_work(f"going to {arrived}", arrived, _to_bookmark(trainer, target))
            return
        self.cursor.goto(target.epoch, target.step)
        self.notice = arrived
        self.show()

    def key_for(self, binding_id: str) -> str:
        """The key of a binding as the key bar shows it, keymap and all, for a notice to name."""
        binding = next(b for b in self.lecture.screen_bindings if b.id == binding_id)
        return binding.key_display or binding.key.split(",")[0]

    # -- the mouse --------------------------------------------------------------------------

    def _can_move(self) -> bool:
        if self.busy is None:
            return True
        self.notice = "the click is ignored: a run is using the trainer"
        self.show(snapshot=False)
        return False

    @on(TapePanel.Chosen)
    def _step_chosen(self, message: TapePanel.Chosen) -> None:
        if self._can_move():
            self.pause()
            self.cursor.goto(self.cursor.position.epoch, message.step)
            self.show()

    @on(ParamsPanel.Chosen)
    def _param_chosen(self, message: ParamsPanel.Chosen) -> None:
        """The step that completes the parameter's gradient: there the chain panel shows its whole chain.
        An optimizer's state (m_w, v_w) has no gradient: its update step, its formula with numbers."""
        if not self._can_move():
            return
        program = self.cursor.program
        param = next((p for p in program.params if p.name == message.name), None)
        state = next((p for p in program.states if p.name == message.name), None)
        slot = param.grad_slot if param is not None else state.update_slot if state is not None else None
        steps = [s.index for s in program.steps if slot is not None and s.slot == slot]
        if not steps:
            self.notice = f"{message.name} has no chain rule: the loss does not depend on it"
            self.show(snapshot=False)
            return
        self.pause()
        self.cursor.goto(self.cursor.position.epoch, steps[-1])
        self.show()
