"""The app's figures: CPU per step key, running to the end, and cold start to the first frame."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from typing import ClassVar

from textual.binding import Binding, BindingType

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp

SIZE = (120, 40)
NOTHING = "w"  # a key the app binds to nothing (z was, until it became presenter mode's)


class _BenchApp(DebuggerApp):
    """The real app plus one key bound to nothing, the baseline for a key's cost."""

    BINDINGS: ClassVar[list[BindingType]] = [*DebuggerApp.BINDINGS, Binding(NOTHING, "nothing", "nothing", show=False)]

    def action_nothing(self) -> None:
        return None


async def _cpu_per_key(name: str, key: str, presses: int, before: str = "") -> float:
    """CPU per press of `key`, after pressing the keys in `before` (e.g. f: the figure shown)."""
    app = _BenchApp(open_scenario(shipped()[name]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for setup in before:
            await pilot.press(setup)
        for _ in range(5):
            await pilot.press(key)
        await pilot.pause()
        start = time.process_time()
        for _ in range(presses):
            await pilot.press(key)
        await pilot.pause()
        return (time.process_time() - start) / presses


async def _to_end_in_app(name: str) -> float:
    """CPU time from pressing G until the end is on screen (the test pilot's idle waits are not CPU)."""
    app = _BenchApp(open_scenario(shipped()[name]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        start = time.process_time()
        await pilot.press("G")
        await pilot.pause()
        elapsed = time.process_time() - start
        assert app.cursor.at_end
        return elapsed


def _headless(name: str) -> float:
    trainer = open_scenario(shipped()[name])
    start = time.process_time()
    trainer.run()
    return time.process_time() - start


# What the first complete frame of two_neurons holds: every panel's title, and the chain
# rule's first line (the named view starts at step 2), which is drawn last.
FIRST_FRAME_MARKERS = (b"Tape", b"Chain rule", b"Parameters", b"Loss", b"step 2/25")


def _environment() -> dict[str, str]:
    """As a user's shell has it: Python may keep compiled bytecode, as it does by default."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TERM"] = "xterm-256color"
    return env


def _first_frame(
    command: list[str], markers: tuple[bytes, ...], size: tuple[int, int] = SIZE, timeout: float = 30.0
) -> float:
    """Wall time from starting `command` in a terminal of `size` until its output holds every marker.

    A real pseudo-terminal, so Textual runs its own driver and writes real frames; the
    time stops at the first write that completes the frame, not when the app goes idle.
    """
    env = _environment()
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become the command
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            os.execvpe(command[0], command, env)
        finally:
            os._exit(127)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            if all(marker in seen for marker in markers):
                return time.perf_counter() - start
        raise RuntimeError(f"no complete frame from {command} within {timeout:.0f} s")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=_environment())
    return time.perf_counter() - start


def figures(repeats: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    presses = 60
    step = nothing = float("inf")
    for _ in range(max(5, repeats // 2)):
        step = min(step, asyncio.run(_cpu_per_key("moons_relu", "n", presses)))
        nothing = min(nothing, asyncio.run(_cpu_per_key("moons_relu", NOTHING, presses)))
    extra = (step - nothing) * 1e3
    rows.append(
        {
            "figure": "CPU per step key, moons at 120×40",
            "baseline": f"do-nothing key {nothing * 1e3:.2f} ms",
            "value": f"{step * 1e3:.2f} ms (+{extra:.2f} ms)",
            "ratio": None,
            "target": "≤ +5 ms",
            "ok": extra <= 5,
        }
    )
    step = nothing = float("inf")
    for _ in range(max(5, repeats // 2)):  # the figure shown in place of the parameters (f)
        step = min(step, asyncio.run(_cpu_per_key("moons_relu", "n", presses, before="f")))
        nothing = min(nothing, asyncio.run(_cpu_per_key("moons_relu", NOTHING, presses, before="f")))
    extra = (step - nothing) * 1e3
    rows.append(
        {
            "figure": "CPU per step key, moons at 120×40, the figure shown",
            "baseline": f"do-nothing key {nothing * 1e3:.2f} ms",
            "value": f"{step * 1e3:.2f} ms (+{extra:.2f} ms)",
            "ratio": None,
            "target": "≤ +5 ms",
            "ok": extra <= 5,
        }
    )
    for name in ("moons_relu", "net_221_sigmoid"):
        app = headless = float("inf")
        for _ in range(max(5, repeats // 2)):
            headless = min(headless, _headless(name))
            app = min(app, asyncio.run(_to_end_in_app(name)))
        rows.append(
            {
                "figure": f"running to the end in the app, {name}",
                "baseline": f"headless run {headless * 1e3:.1f} ms CPU",
                "value": f"{app * 1e3:.1f} ms CPU",
                "ratio": app / headless,
                "target": "≤ 1.3×",
                "ok": app / headless <= 1.3,
            }
        )
    baseline = [sys.executable, "-c", "import textual.app, numpy"]
    debugger = [sys.executable, "-m", "bpdbg", "two_neurons"]
    _wall(baseline)  # once each first, so both start from compiled bytecode, as after an install
    _first_frame(debugger, FIRST_FRAME_MARKERS)
    base = ours = float("inf")
    for _ in range(repeats):
        base = min(base, _wall(baseline))
        ours = min(ours, _first_frame(debugger, FIRST_FRAME_MARKERS))
    rows.append(
        {
            "figure": "cold start to the first complete frame (two_neurons, a 120×40 terminal)",
            "baseline": f"python -c 'import textual.app, numpy' {base * 1e3:.0f} ms",
            "value": f"{ours * 1e3:.0f} ms",
            "ratio": ours / base,
            "target": "≤ 1.2×",
            "ok": ours / base <= 1.2,
        }
    )
    return rows
