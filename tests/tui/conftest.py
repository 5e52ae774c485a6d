"""Shared helpers: a debugger app on a shipped scenario, and plain-text views of its screen.

The screen is read through Textual's public screenshot, `App.export_screenshot()`: an SVG
with one `<text>` element per run of styled characters and one `<rect>` per run of
background colour, each placed on a grid of cells. Reading the grid back gives the screen
as a person sees it, dialogs over the debugger included.

Async tests run under pytest-asyncio (`asyncio_mode = "auto"` in pyproject.toml).
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from rich.cells import cell_len
from syrupy.assertion import SnapshotAssertion
from textual.geometry import Region
from textual.pilot import Pilot
from textual.worker import WorkerState

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve, shipped
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.lecture import Lecture
from bpdbg.tui.screens.main import MainScreen

SCENARIOS = sorted(shipped())

# Rich's SVG export: cells are 0.61 × 20 wide and 1.22 × 20 high; text sits 20 below its line's top.
CELL_WIDTH, LINE_HEIGHT, BASELINE = 20 * 0.61, 20 * 1.22, 20
TEXT = re.compile(r'<text class="[\w-]+-(r\d+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')
BACKGROUND = re.compile(r'<rect fill="(#[0-9a-fA-F]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"[^>]*crispEdges')
STYLE = re.compile(r"\.[\w-]+-(r\d+) \{ ([^}]*) \}")


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`S` writes into the working folder: in tests, a temporary one, never the checkout."""
    monkeypatch.chdir(tmp_path)


def make_app(scenario: str | Path, lecture: Lecture | None = None, whole_tape: bool = False) -> DebuggerApp:
    """The debugger as it opens (in the named view where that is shorter), or on the whole tape."""
    return DebuggerApp(open_scenario(resolve(str(scenario))), lecture, named_view=False if whole_tape else None)


def screen_grid(app: DebuggerApp) -> list[list[tuple[str, str, str]]]:
    """Per line, per cell: (character, its foreground style as CSS, its background colour)."""
    width, height = app.size
    svg = app.export_screenshot()
    styles = dict(STYLE.findall(svg))
    grid = [[(" ", "", "") for _ in range(width)] for _ in range(height)]
    for fill, x, y, span in BACKGROUND.findall(svg):
        row, column = round((float(y) - 1.5) / LINE_HEIGHT), round(float(x) / CELL_WIDTH)
        for at in range(column, min(column + round(float(span) / CELL_WIDTH), width)):
            grid[row][at] = (" ", "", fill)
    for name, x, y, content in TEXT.findall(svg):
        row, column = round((float(y) - BASELINE) / LINE_HEIGHT), round(float(x) / CELL_WIDTH)
        for character in html.unescape(content).replace("\xa0", " ").replace("\n", ""):
            if cell_len(character) == 0 and column > 0:  # a combining mark joins the cell before it
                before = grid[row][column - 1]
                grid[row][column - 1] = (before[0] + character, *before[1:])
                continue
            background = grid[row][column][2]
            grid[row][column] = (character, styles[name] if character != " " else "", background)
            for covered in range(1, cell_len(character)):  # a wide character covers the cells after it
                grid[row][column + covered] = ("", "", background)
            column += max(cell_len(character), 1)
    return grid


def screen_text(app: DebuggerApp) -> str:
    """What a person sees: the screen as plain text, without colours, one line per terminal row."""
    return "\n".join("".join(character for character, _, _ in line) for line in screen_grid(app))


def region_text(app: DebuggerApp, region: Region) -> list[str]:
    """What a person sees inside `region` of the screen (a panel's, say): one line per row."""
    return [line[region.x : region.right] for line in screen_text(app).splitlines()[region.y : region.bottom]]


def screen_cells(app: DebuggerApp) -> list[list[tuple[str, str]]]:
    """What a person sees, colours included: per line, runs of text with their style.

    The style is the foreground's CSS (colour, weight, slant, decoration) and the background
    colour. How text happens to be split into segments is left out, since it never shows;
    any difference that remains is one a person could see.
    """
    lines = []
    for line in screen_grid(app):
        runs: list[tuple[str, str]] = []
        for character, foreground, background in line:
            style = f"{foreground} on {background}"
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + character, style)
            else:
                runs.append((character, style))
        lines.append(runs)
    return lines


def debugger(app: DebuggerApp) -> MainScreen:
    return app.debugger


async def wait_until(pilot: Pilot[None], holds: Callable[[], bool], what: str, *, cap: float = 60.0) -> None:
    """Let the app process messages and timers until `holds()` is true; fail naming `what` if it never is.

    Each round lets the screen process what it has been sent and yields to the event loop once
    (`pilot.pause(0)`), so the wait is on the condition, however slow the machine. Not
    `pilot.pause()`, which also waits for the whole process to go idle: while a worker trains it
    never is, and each round would take that wait's one-second limit. Once the condition holds,
    the screen draws what made it hold: after the process goes idle, or at once while a worker
    keeps it busy (a worker that trains on would make that wait its whole limit, and the test
    pay for a second of training). The cap, far above any honest wait, only turns a hang into
    a clear failure.
    """
    if holds():
        return
    give_up = time.monotonic() + cap
    while not holds():
        if time.monotonic() > give_up:
            raise AssertionError(f"still waiting after {cap:.0f} s for: {what}")
        await pilot.pause(0)
    working = any(worker.state == WorkerState.RUNNING for worker in pilot.app.workers)
    await pilot.pause(0 if working else None)


@pytest.fixture
def app_for() -> Callable[[str | Path], DebuggerApp]:
    return make_app


Moment = Callable[[Pilot[None]], Awaitable[None]]
SnapScreens = Callable[[DebuggerApp, tuple[int, int], Mapping[str, Moment]], list[str]]


@pytest.fixture
def snap_screens(snapshot: SnapshotAssertion, tmp_path: Path) -> SnapScreens:
    """Several screens of one app, each compared with its own baseline, `TEST[name].svg`.

    `snap_compare` starts an app for each screen, and an app's start is most of what a
    snapshot costs; here one app goes through the moments in order. Each screen is taken as
    `snap_compare` takes it (a headless run, the animations finished, the app's title), so
    baselines are interchangeable. Returns the screens that differ, each named with the file
    it was written to, to be looked at; `--snapshot-update` rewrites the baselines instead.
    A figure the app makes in a worker (a large model's) is waited for before each screen.
    """
    baseline = snapshot.use_extension(SVGImageExtension)

    def compare(app: DebuggerApp, size: tuple[int, int], moments: Mapping[str, Moment]) -> list[str]:
        screens: dict[str, str] = {}

        async def take_them(pilot: Pilot[None]) -> None:
            for name, moment in moments.items():
                await moment(pilot)
                await wait_until(pilot, lambda: not app.debugger.figure_waits, "the figure being made")
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
                await pilot.pause()
                await pilot.pause()
                await pilot.wait_for_scheduled_animations()
                screens[name] = app.export_screenshot(title=app.title, simplify=True)
            app.exit()

        app.run(headless=True, size=size, auto_pilot=take_them)
        assert list(screens) == list(moments), "the app ended before every screen was taken"
        differ = [name for name, screen in screens.items() if not baseline(name=name) == screen]
        for name in differ:
            (tmp_path / f"{name}.svg").write_text(screens[name], encoding="utf-8")
        return [f"{name}: {tmp_path / name}.svg" for name in differ]

    return compare
