"""Rewind is exact: coming back to a step shows exactly what was shown the first time.

The screen is compared whole, every character with its colours and style, not just its text.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from bpdbg.tui.app import DebuggerApp

from .conftest import make_app, screen_cells, screen_text


async def shot(app: DebuggerApp, pilot: Pilot[None]) -> list[list[tuple[str, str]]]:
    await pilot.pause()
    return screen_cells(app)


@pytest.mark.parametrize(("scenario", "size"), [("two_neurons", (80, 24)), ("moons_relu", (120, 40))])
async def test_n_steps_forward_then_n_back_shows_the_start_again(scenario: str, size: tuple[int, int]) -> None:
    app = make_app(scenario)
    async with app.run_test(size=size) as pilot:
        start = await shot(app, pilot)
        start_text = screen_text(app)
        await pilot.press(*["n"] * 30)
        assert await shot(app, pilot) != start
        await pilot.press("3", "0", "N")
        assert screen_text(app) == start_text
        assert await shot(app, pilot) == start


async def test_a_step_looks_the_same_after_running_to_the_end_and_going_back() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "e", "1", "6", "n")  # epoch 3, ∂L/∂a1
        first = await shot(app, pilot)
        await pilot.press("G")
        await app.workers.wait_for_complete()  # the run to the end is a worker's
        await pilot.pause()
        await pilot.press("r")
        app.debugger.cursor.goto(3, 16)
        app.debugger.show()
        assert await shot(app, pilot) == first


async def test_going_back_across_epoch_boundaries_is_exact() -> None:
    app = make_app("net_221_sigmoid")
    async with app.run_test(size=(120, 40)) as pilot:
        to_backward = ("p", "p", "p")  # forward → loss → metrics → backward
        await pilot.press(*to_backward)
        seen = [await shot(app, pilot)]
        for _ in range(2):
            await pilot.press("e", *to_backward)
            seen.append(await shot(app, pilot))
        for expected in reversed(seen[:-1]):
            await pilot.press("E", "E", *to_backward)  # this epoch's start, the previous one's
            assert await shot(app, pilot) == expected
        assert app.debugger.cursor.position.epoch == 1


@pytest.mark.parametrize("seed", [1])
async def test_every_position_looks_the_same_each_time_a_random_walk_comes_back_to_it(seed: int) -> None:
    import random

    keys = ["n", "n", "n", "N", "N", "p", "P", "e", "E", "r", "3"]
    walk = random.Random(seed).choices(keys, k=60)
    app = make_app("gd_xy")
    async with app.run_test(size=(80, 24)) as pilot:
        seen = {app.debugger.cursor.position: await shot(app, pilot)}
        revisits = 0
        for key in walk:
            await pilot.press(key)
            if key == "3":
                continue  # a count waits for its key; the status shows it
            here = app.debugger.cursor.position
            cells = await shot(app, pilot)
            if here in seen:
                revisits += 1
                assert cells == seen[here], f"{here} after {key!r} differs from its first showing"
            else:
                seen[here] = cells
        assert revisits > 10
