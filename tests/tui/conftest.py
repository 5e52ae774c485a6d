"""Shared helpers: a debugger app on a shipped scenario, and plain-text views of its screen."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve, shipped
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.main import MainScreen

SCENARIOS = sorted(shipped())


def make_app(scenario: str | Path) -> DebuggerApp:
    return DebuggerApp(open_scenario(resolve(str(scenario))))


def screen_text(app: DebuggerApp) -> str:
    """What a person sees: the screen as plain text, without colours."""
    update = app.screen._compositor.render_update(full=True)
    return "\n".join("".join(strip.text for strip in line) for line in update.strips)


def screen_cells(app: DebuggerApp) -> list[list[tuple[str, str]]]:
    """What a person sees, colours included: per line, runs of text with their style.

    Empty segments and the way text happens to be split into segments are left out,
    since they never show; any difference that remains is one a person could see.
    """
    update = app.screen._compositor.render_update(full=True)
    lines = []
    for line in update.strips:
        runs: list[tuple[str, str]] = []
        for strip in line:
            for segment in strip:
                if not segment.text:
                    continue
                style = str(segment.style or "")
                if runs and runs[-1][1] == style:
                    runs[-1] = (runs[-1][0] + segment.text, style)
                else:
                    runs.append((segment.text, style))
        lines.append(runs)
    return lines


def debugger(app: DebuggerApp) -> MainScreen:
    return app.debugger


@pytest.fixture
def app_for() -> Callable[[str | Path], DebuggerApp]:
    return make_app


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (Textual's pilot is async; no plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
