"""Start-up: the debugger lets the garbage collector resume once its first frame is drawn."""

from __future__ import annotations

import gc

import pytest

from bpdbg import startup

from .conftest import make_app, screen_text, wait_until


async def test_the_debugger_resumes_the_collector_the_command_held_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "_held", True)  # as `bpdbg` leaves it when it opens the debugger
    gc.disable()
    try:
        app = make_app("two_neurons")
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, gc.isenabled, "the collector to be on again")
            assert "Chain rule" in screen_text(app)
    finally:
        gc.enable()
