"""Start-up: `bpdbg` holds the garbage collector off while it loads, and lets it resume before work.

Each probe runs the command in a fresh interpreter, as a user's shell does, so the collector's
state is the command's own and no other test's.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from bpdbg import startup

# Prints, as the interpreter exits, whether the collector is on.
PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("enabled" if gc.isenabled() else "disabled", file=sys.stderr))
sys.argv = ["bpdbg", *{args!r}]
from bpdbg.startup import main
main()
"""


def _collector_after(args: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=120
    )
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [["list"], ["run", "gd_x2"]], ids=" ".join)
def test_a_command_that_is_not_the_debugger_runs_with_the_collector_on(args: list[str]) -> None:
    assert _collector_after(args) == "enabled"


def test_a_debugger_that_cannot_open_ends_without_waiting_for_a_frame() -> None:
    # Not a terminal: the debugger refuses, with its one line, and the process ends as usual.
    result = subprocess.run(
        [sys.executable, "-m", "bpdbg", "two_neurons"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert result.stderr.startswith("bpdbg: the debugger needs a terminal")


def test_resuming_does_nothing_unless_the_command_held_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "_held", False)
    gc.disable()
    try:
        startup.resume_collection()
        assert not gc.isenabled()  # a test run, or an embedding program, keeps its own setting
    finally:
        gc.enable()


def test_resuming_after_a_hold_turns_the_collector_on_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "_held", True)
    gc.disable()
    try:
        startup.resume_collection()
        assert gc.isenabled()
        gc.disable()
        startup.resume_collection()  # a second screen mounting later changes nothing
        assert not gc.isenabled()
    finally:
        gc.enable()
