"""What each shipped scenario looks like: at its start, in the middle of the first backward
pass, and at the end of its run, in an 80×24 terminal and in a 120×40 one.

Baselines live in __snapshots__/ and are made with `pytest --snapshot-update`.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from .conftest import SCENARIOS, make_app

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


async def middle_of_backward(pilot: Pilot[None]) -> None:
    await pilot.pause()
    screen = pilot.app.debugger  # type: ignore[attr-defined]
    backward = [step.index for step in screen.cursor.program.steps if step.phase == "backward"]
    screen.cursor.goto(1, backward[len(backward) // 2])
    screen.show()
    await pilot.pause()


async def end(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("G")
    await pilot.app.workers.wait_for_complete()  # the run to the end is a worker's
    await pilot.pause()


async def start(pilot: Pilot[None]) -> None:
    await pilot.pause()


PLACES = {"start": start, "backward": middle_of_backward, "end": end}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_screen(snap_compare, scenario: str, place: str, size: str) -> None:
    assert snap_compare(make_app(scenario), terminal_size=SIZES[size], run_before=PLACES[place])
