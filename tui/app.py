"""The stepping debugger's app: a cursor over the trainer, and the screens that show it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.messages import one_line
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.commands import KeyCommands
from bpdbg.tui.keys import APP_BINDINGS
from bpdbg.tui.screens.lecture import Lecture
from bpdbg.tui.screens.main import MainScreen
from bpdbg.tui.screenshots import save_svg, screenshot_name
from bpdbg.tui.themes import DARK, LIGHT, PRESENT


class DebuggerApp(App[None]):
    """Owns the cursor; the main screen moves it and shows its snapshots."""

    CSS_PATH = Path(__file__).parent / "bpdbg.tcss"  # absolute, so subclasses elsewhere find it too
    TITLE = "bpdbg"
    COMMANDS: ClassVar = {KeyCommands}
    COMMAND_PALETTE_DISPLAY = "ctrl+p"

    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)

    def __init__(self, trainer: Trainer, lecture: Lecture | None = None, named_view: bool | None = None) -> None:
        """`named_view` None: the named view wherever it is shorter than the whole tape."""
        super().__init__()
        self.lecture = lecture or Lecture()
        self._first = Cursor(trainer)
        self._first.set_named_view(self._first.named_is_shorter if named_view is None else named_view)
        self.register_theme(LIGHT)
        self.register_theme(PRESENT)
        self.presenting = self.lecture.present  # the screen starts in presenter mode's layout too
        self._theme_before = DARK  # the theme presenter mode came from, and goes back to
        self.theme = PRESENT.name if self.presenting else DARK  # before any panel is drawn
        if self.lecture.keymap:
            self.set_keymap(dict(self.lecture.keymap))

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self._first, self.lecture)

    def on_mount(self) -> None:
        if self.lecture.keys:
            self.run_worker(self._replay(self.lecture.keys), group="replay")

    async def _replay(self, keys: tuple[str, ...]) -> None:
        """`--keys`: each key pressed as if typed, once the one before it has done its work.

        Textual's own pilot presses them (its public way to type into a running app), and waits
        for the screen to settle after each.
        """
        from textual.pilot import Pilot

        pilot = Pilot(self)
        for key in keys:
            await pilot.press(key)
            engine = [w for w in self.workers if w.group == "engine"]
            if engine:  # (an empty list would mean every worker, this one included)
                await self.workers.wait_for_complete(engine)

    @property
    def cursor(self) -> Cursor:
        """The cursor on screen: the debugger screen owns it, as opening a scenario replaces it."""
        return self.debugger.cursor if self.screen_stack else self._first

    @property
    def debugger(self) -> MainScreen:
        """The debugger screen, even while a dialog is on top of it."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    @property
    def palette_bindings(self) -> list[Binding]:
        """What the command palette offers: every key, as a keymap binds it."""
        return [*self.lecture.screen_bindings, *self.lecture.app_bindings]

    def _fatal_error(self) -> None:
        """An unexpected error ends the app with one line on stderr, not a traceback (exit status 1)."""
        error = self._exception
        if self._exit_renderables:  # the first error is the one to report
            return
        self._exit_renderables.append(
            Text(f"bpdbg: internal error: {one_line(error) if error is not None else 'error'}")
        )
        self._close_messages_no_wait()

    def action_help(self) -> None:
        from bpdbg.tui.screens.help import HelpScreen  # a dialog's module loads when it first opens

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.palette_bindings))

    def action_toggle_theme(self) -> None:
        light = PRESENT.name if self.presenting else LIGHT.name
        self.theme = light if self.theme == DARK else DARK

    # -- a lecture --------------------------------------------------------------------------

    def action_present(self) -> None:
        self.present(not self.presenting)

    def present(self, on: bool) -> None:
        """Presenter mode: large digits, the chain rule given the room, black on white."""
        if on == self.presenting:
            return
        self.presenting = on
        if on:
            self._theme_before, self.theme = self.theme, PRESENT.name
        elif self.theme == PRESENT.name:
            self.theme = self._theme_before if self._theme_before != PRESENT.name else LIGHT.name
        self.debugger.present(on)

    def action_save_svg(self) -> None:
        """The screen as it is now, dialogs included, as an SVG; the status bar says where it went."""
        debugger = self.debugger
        debugger.settle_figure()  # a figure still being made is made now: the screenshot shows it
        position = debugger.cursor.position
        name = screenshot_name(debugger.cursor.program.scenario.path, position.epoch, position.step)
        folder = self.lecture.screenshots
        try:
            path = save_svg(folder, name, self.export_screenshot())
        except OSError as error:
            debugger.notice = f"cannot save the screenshot in {folder}: {error.strerror or one_line(error)}"
        else:
            debugger.notice = f"screenshot saved: {path}"
        debugger.show(snapshot=False)
