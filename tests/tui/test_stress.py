"""The app under stress: one long random key sequence with resizes from 40×12 to 250×70.

Nothing may raise, and after every key the screen shows where the engine's cursor is. Short
sequences over every scenario, every key and every dialog are test_stateful.py's; this one
drives the richest scenario (figures, runs to the end) for long without starting again.
"""

from __future__ import annotations

import random

import pytest

from bpdbg.tui.app import DebuggerApp

from .conftest import make_app, screen_text, wait_until

KEYS = [
    "n",
    "N",
    "right",
    "left",
    "p",
    "P",
    "e",
    "E",
    "r",
    "G",
    "plus",
    "minus",
    "space",
    "d",
    "u",
    "t",
    "1",
    "2",
    "5",
    "escape",
    "B",
    "f",
    "m",
    "l",
]
SIZES = [(40, 12), (80, 24), (120, 40), (250, 70), (57, 19), (200, 30)]


def assert_shows_the_cursor(app: DebuggerApp) -> None:
    screen = app.debugger
    assert screen.snapshot is not None
    assert screen.snapshot.position == app.cursor.position


@pytest.mark.parametrize(("scenario", "seed"), [("moons_relu", 2)])
@pytest.mark.slow
async def test_random_keys_and_resizes_never_raise_and_the_screen_follows_the_cursor(scenario: str, seed: int) -> None:
    rng = random.Random(seed)
    app = make_app(scenario)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(120):
            if rng.random() < 0.15:
                await pilot.resize_terminal(*rng.choice(SIZES))
            else:
                await pilot.press(rng.choice(KEYS))
            if app.debugger.running and rng.random() < 0.5:
                before = app.cursor.position
                await wait_until(
                    pilot,
                    lambda: not app.debugger.running or app.cursor.position != before,  # noqa: B023
                    "the run to take a step or stop",
                )
            assert_shows_the_cursor(app)
        if app.debugger.running:
            await pilot.press("space")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert_shows_the_cursor(app)
        position = app.cursor.position
        status = screen_text(app).splitlines()[0]
        assert f"epoch {position.epoch}/" in status
        assert f"step {position.step + 1}/{len(app.cursor.program.steps)}" in status
