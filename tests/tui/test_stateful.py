"""The debugger driven at random, as a restless person would drive it, checked after every action.

A Hypothesis state machine presses the debugger's own keys (tui/keys.py), types anything into
every dialog (go to, breakpoint, open: Rich markup, huge numbers, nothing at all), resizes the
terminal down to 40×12, and opens shipped scenarios, broken files and paths that do not exist.
After every action:

- the app is still running: nothing it did raised;
- the screen shows the cursor: the status bar's epoch and step are the cursor's, and the
  snapshot on screen is the cursor's position;
- at the end of every example, the whole screen is the one a fresh app shows when sent
  straight to the same step, at the same size, with the same speed, count, breakpoints,
  bookmarks, notice, presenter mode, theme and quiz: however the debugger came to a step, it
  shows the same screen.

The status bar is read after every action from the bar's own lines; the whole screen, which
costs a fresh app and an SVG export, is compared once per example.

The app runs under `run_test()` in an event loop of its own, in one task that takes the
machine's actions one at a time from a queue; each rule waits for its action to finish.
"""

from __future__ import annotations

import asyncio
import copy
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input

from bpdbg.engine.bookmarks import Bookmarks
from bpdbg.engine.conditions import parse_breakpoint
from bpdbg.engine.figures import parse_entry
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.keys import APP_BINDINGS, DEBUGGER_BINDINGS
from bpdbg.tui.screens.lecture import Lecture
from bpdbg.tui.screens.main import MainScreen
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.status import StatusBar

from .conftest import SCENARIOS, make_app, screen_text, wait_until

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
Job = Callable[[Pilot[None]], Awaitable[Any]]
ACTION_TIMEOUT = 120.0  # seconds; far above any honest action, it only turns a hang into a failure

# Every key bound in the debugger and the app, by every name it is bound to, except quitting.
KEYS = sorted({key for binding in [*DEBUGGER_BINDINGS, *APP_BINDINGS] for key in binding.key.split(",")} - {"q"})
SIZES = [(40, 12), (57, 19), (80, 24), (120, 40), (200, 30), (250, 70)]
LIGHT_SCENARIOS = [s for s in SCENARIOS if s != "net_221_sigmoid"]  # 10,001 epochs: reached by `o` instead

MARKUP = ["[/foo]", "[@click=app.quit]", "[bold]x[/bold]", "loss < [/foo]", "[", "\\["]
HUGE = ["9" * 30, "9" * 5000, "1e999", "-1", "0", "nan"]
PLAIN = ["", " ", "loss < 0.05", "abs(grad(w1)) < 1e-3", "epoch == 3", "los < 0.05", "3"]
# What a keyboard or a paste can put into one line: markup, huge numbers, ordinary input, anything.
typed_text = st.one_of(
    st.sampled_from(MARKUP),
    st.sampled_from(HUGE),
    st.sampled_from(PLAIN),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
)

BROKEN_TOML = [
    'title = "broken"\n[params]\nw = 1\n[loss]\nL = "w *"\n[training]\nlearning_rate = 0.1\nepochs = 3\n',
    'title = "[/foo]"\n[params\n',
    'title = "[@click=app.quit]"\n[params]\n"[/x]" = 1\n',
    "\x00\x01\x02",
    "",
]


class AppDriver:
    """One app under `run_test()` in its own event loop, driven from synchronous code one job at a time."""

    def __init__(self, app: DebuggerApp, size: tuple[int, int]) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.jobs: asyncio.Queue[tuple[Job | None, asyncio.Future[Any]]] = asyncio.Queue()
        self.task = self.loop.create_task(self._serve(size))
        self.closed = False

    async def _serve(self, size: tuple[int, int]) -> None:
        async with self.app.run_test(size=size) as pilot:
            while True:
                job, done = await self.jobs.get()
                if job is None:
                    done.set_result(None)
                    return
                try:
                    result = await job(pilot)
                except Exception as error:
                    if not self.app.is_running:
                        return  # leaving run_test() re-raises what stopped the app
                    done.set_exception(error)
                    continue
                if not self.app.is_running:
                    return
                done.set_result(result)

    def do(self, job: Job) -> Any:
        """Run `job(pilot)` in the app's task and return its result; an error of the app's is raised here."""
        done: asyncio.Future[Any] = self.loop.create_future()
        self.jobs.put_nowait((job, done))
        finished, _ = self.loop.run_until_complete(
            asyncio.wait({done, self.task}, timeout=ACTION_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        )
        if self.task in finished:
            self.closed = True
            self.task.result()  # the app stopped: re-raise what stopped it
            raise AssertionError("the app stopped on its own")
        assert done in finished, f"an action took longer than {ACTION_TIMEOUT:.0f} s"
        return done.result()

    def close(self) -> None:
        """Shut the app down; `run_test()` re-raises anything the app raised on the way."""
        if self.closed:
            return
        self.closed = True
        try:
            if not self.task.done():
                done: asyncio.Future[Any] = self.loop.create_future()
                self.jobs.put_nowait((None, done))
            self.loop.run_until_complete(asyncio.wait_for(self.task, ACTION_TIMEOUT))
        finally:
            self.loop.close()


def fresh_screen(reference: DebuggerApp, size: tuple[int, int]) -> str:
    """The screen of a new app on the same scenario, sent straight to the reference's step and state."""
    main = reference.debugger
    path = main.cursor.program.scenario.path
    position = main.cursor.position  # read before the fresh cursor's view is set: that moves it
    conditions = [condition.text for condition in main.cursor.breakpoints]
    bookmarks = main.cursor.bookmarks.positions
    scroll = main.query_one(ChainPanel).scroll_y
    axes = [entry.name for entry in main.cursor.figures.entries]
    # The arrangement of the panels (m, f, l and the panel clicked last) is the debugger's state too.
    maximized = main.maximized.id if main.maximized is not None else None
    current, log = main.current_panel, main.query_one(LossPanel).log_scale
    view = main.query_one("#views", ContentSwitcher).current or "params"
    quiz = copy.deepcopy(main.cursor.checks.quiz)
    answer = main.query_one("#quiz-answer", Input).value

    async def render() -> str:
        app = make_app(path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.debugger
            app.present(reference.presenting)
            app.theme = reference.theme
            screen.speed_index, screen.count, screen.notice = main.speed_index, main.count, main.notice
            screen.cursor.breakpoints[:] = [parse_breakpoint(screen.cursor.program, text) for text in conditions]
            screen.cursor.bookmarks = Bookmarks(bookmarks)
            screen.cursor.figures.choose([parse_entry(screen.cursor.program, name) for name in axes])
            screen.cursor.set_named_view(main.cursor.named_view)
            screen.cursor.checks.quiz = quiz
            screen.cursor.goto(position.epoch, position.step)
            screen.show_view(view)
            screen._make_current(current)
            screen.query_one(LossPanel).use_log(log)
            if maximized is not None:
                screen.maximize(screen.query_one(f"#{maximized}"), container=False)
            screen.show()
            screen.query_one("#quiz-answer", Input).value = answer
            await app.workers.wait_for_complete()  # finite differences, for a large network
            await wait_until(pilot, lambda: not screen.figure_waits, "the figure being made")
            await pilot.pause()
            screen.query_one(ChainPanel).scroll_to(y=scroll, animate=False)
            await pilot.pause()
            return screen_text(app)

    return asyncio.run(render())


class DebuggerMachine(RuleBasedStateMachine):
    tmp: Path  # a folder for files the machine writes, set per test

    def __init__(self) -> None:
        super().__init__()
        self.driver: AppDriver | None = None
        self.size = (80, 24)

    @property
    def app(self) -> DebuggerApp:
        assert self.driver is not None
        return self.driver.app

    def on_debugger(self) -> bool:
        return self.driver is not None and isinstance(self.app.screen, MainScreen)

    @initialize(scenario=st.sampled_from(LIGHT_SCENARIOS), size=st.sampled_from(SIZES))
    def open_the_debugger(self, scenario: str, size: tuple[int, int]) -> None:
        self.size = size
        self.driver = AppDriver(make_app(scenario, Lecture(screenshots=self.tmp)), size)
        self.driver.do(lambda pilot: pilot.pause())

    # -- actions ------------------------------------------------------------------------------

    @rule(keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4))
    def press(self, keys: list[str]) -> None:
        self.driver.do(lambda pilot: pilot.press(*keys))  # type: ignore[union-attr]

    @precondition(lambda self: self.on_debugger())
    @rule()
    def run_a_little(self) -> None:
        """Start a run and let it take a step or end, whichever comes first."""

        async def job(pilot: Pilot[None]) -> None:
            main = self.app.debugger
            before = main.cursor.position
            if not main.running:
                await pilot.press("space")
            for _ in range(10_000):
                if not main.running or main.cursor.position != before:
                    return
                await pilot.pause()

        self.driver.do(job)  # type: ignore[union-attr]

    @rule(size=st.sampled_from(SIZES))
    def resize(self, size: tuple[int, int]) -> None:
        self.size = size
        self.driver.do(lambda pilot: pilot.resize_terminal(*size))  # type: ignore[union-attr]

    @precondition(lambda self: self.on_debugger())
    @rule(epoch=typed_text, step=typed_text)
    def go_to(self, epoch: str, step: str) -> None:
        self.fill_dialog("g", {"#epoch": epoch, "#step": step})

    @precondition(lambda self: self.on_debugger())
    @rule(condition=typed_text)
    def add_a_breakpoint(self, condition: str) -> None:
        self.fill_dialog("b", {"#condition": condition})

    @precondition(lambda self: self.on_debugger())
    @rule(
        choice=st.one_of(
            st.sampled_from(MARKUP + HUGE),
            st.sampled_from(SCENARIOS),
            typed_text,
            st.sampled_from(BROKEN_TOML).map(lambda text: ("file", text)),
            st.binary(max_size=80).map(lambda data: ("file", data.decode("latin-1"))),
            st.just(("missing", "")),
        )
    )
    def open_a_scenario(self, choice: str | tuple[str, str]) -> None:
        """By name (shipped, or anything typed), a broken file written for the purpose, or a missing path."""
        if isinstance(choice, str):
            name = choice
        elif choice[0] == "file":
            path = self.tmp / "broken.toml"
            path.write_text(choice[1], encoding="utf-8")
            name = str(path)
        else:
            name = str(self.tmp / "no" / "such.toml")
        self.fill_dialog("o", {"#path": name})

    def fill_dialog(self, key: str, fields: dict[str, str]) -> None:
        """Open a dialog, fill its fields, submit; close it if it is still open (its error shown)."""

        async def job(pilot: Pilot[None]) -> None:
            await pilot.press(key)
            dialog = self.app.screen
            for selector, text in fields.items():
                dialog.query_one(selector, Input).value = text
            await pilot.press("enter")
            if self.app.screen is dialog:
                await pilot.press("escape")

        self.driver.do(job)  # type: ignore[union-attr]

    # -- what must hold after every action ----------------------------------------------------

    @invariant()
    def nothing_raised_and_the_screen_shows_the_cursor(self) -> None:
        if self.driver is None:
            return

        async def check(pilot: Pilot[None]) -> tuple[str, Any, Any, bool]:
            main = self.app.debugger
            bar = main.query_one(StatusBar)
            first_line = bar.render_lines(Region(0, 0, bar.size.width, 1))[0].text
            return first_line, main.snapshot, main.cursor.position, main.running

        status, snapshot, position, running = self.driver.do(check)
        assert self.app.is_running
        assert snapshot is not None
        if not running:  # a run moves between reading the screen and reading the cursor
            assert snapshot.position == position
            if self.on_debugger() and self.size[0] >= 80:
                assert f"epoch {position.epoch}/" in status, status
                assert f"step {position.step + 1}/" in status, status

    def assert_same_screen_as_a_fresh_app(self) -> None:
        async def settle(pilot: Pilot[None]) -> str:
            for _ in range(10_000):  # a search, run or export in a worker (c, C, G, S) ends first
                if self.app.debugger.busy is None:
                    break
                await pilot.pause()
            self.app.debugger.pause()
            self.app.debugger.show()
            await wait_until(pilot, lambda: not self.app.debugger.figure_waits, "the figure being made")
            await pilot.pause()
            return screen_text(self.app)

        shown = self.driver.do(settle)  # type: ignore[union-attr]
        assert shown == fresh_screen(self.app, self.size)

    def teardown(self) -> None:
        if self.driver is None:
            return
        try:
            if self.app.is_running and self.on_debugger():
                self.assert_same_screen_as_a_fresh_app()
        finally:
            self.driver.close()


@pytest.fixture
def machine(tmp_path: Path) -> type[DebuggerMachine]:
    DebuggerMachine.tmp = tmp_path
    return DebuggerMachine


@pytest.mark.slow
def test_the_debugger_survives_anything_a_person_does_and_always_shows_the_cursor(
    machine: type[DebuggerMachine],
) -> None:
    settings(
        max_examples=8,
        stateful_step_count=15,
        deadline=None,
        derandomize=True,  # the same examples on every run, so CI is reproducible
        database=None,
        # Shrinking replays the app hundreds of times; set BPDBG_SHRINK=1 to shrink a failure locally.
        phases=PHASES if os.environ.get("BPDBG_SHRINK") else PHASES[:-1],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(machine).TestCase().runTest()
