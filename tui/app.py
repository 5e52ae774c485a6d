"""The stepping debugger's app: a cursor over the trainer, and the screens that show it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import BindingType

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.messages import one_line
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.help import HelpScreen
from bpdbg.tui.screens.main import MainScreen

DARK, LIGHT = "textual-dark", "textual-light"


class DebuggerApp(App[None]):
    """Owns the cursor; the main screen moves it and shows its snapshots."""

    CSS_PATH = Path(__file__).parent / "bpdbg.tcss"  # absolute, so subclasses elsewhere find it too
    TITLE = "bpdbg"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)

    def __init__(self, trainer: Trainer, named_view: bool | None = None) -> None:
        """`named_view` None: the named view wherever it is shorter than the whole tape."""
        super().__init__()
        self._first = Cursor(trainer)
        self._first.set_named_view(self._first.named_is_shorter if named_view is None else named_view)
        self.theme = DARK

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self._first)

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
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen([*DEBUGGER_BINDINGS, *APP_BINDINGS]))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
