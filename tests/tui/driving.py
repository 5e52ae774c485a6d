"""How the key tests drive the debugger: two_neurons over its whole tape, where the cursor is,
and what the status bar says."""

from __future__ import annotations

from textual.pilot import Pilot

from bpdbg.engine.cursor import Position
from bpdbg.tui.app import DebuggerApp

from .conftest import make_app as open_app
from .conftest import screen_text


def make_app(scenario: str) -> DebuggerApp:
    """These keys are specified over every operation of the tape, the named view off (`v`)."""
    return open_app(scenario, whole_tape=True)


SIZE = (80, 24)
# two_neurons: 25 steps an epoch: forward 0-5, loss 6-8, backward 9-20, update 21-24.
FORWARD, LOSS, BACKWARD, UPDATE, LAST = 0, 6, 9, 21, 24


def where(app: DebuggerApp) -> Position:
    return app.debugger.cursor.position


async def started(app: DebuggerApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    assert where(app) == Position(1, 0)


def status(app: DebuggerApp) -> str:
    """The status bar's two lines."""
    return "\n".join(screen_text(app).splitlines()[:2])
