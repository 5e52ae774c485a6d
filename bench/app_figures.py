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
from pathlib import Path
from typing import ClassVar

import textual_floor
from measure import Row, context_row, limit_row, ratio_row
from rich.console import RenderableType
from textual.binding import Binding, BindingType
from textual.screen import Screen

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp

SIZE = textual_floor.SIZE  # the terminal every app figure is measured in


class _BenchApp(DebuggerApp):
    """The real app plus one key bound to nothing, the baseline for a key's cost; it notes when
    the first frame showing a key's answer is drawn."""

    BINDINGS: ClassVar[list[BindingType]] = [*DebuggerApp.BINDINGS, Binding("w", "nothing", "nothing", show=False)]
    answered: float | None = None

    def action_nothing(self) -> None:
        return None

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        """Every frame the compositor hands the terminal (none is written under the test pilot)."""
        if renderable is not None and not self._batch_count and "ignored" in self.debugger.notice:
            self.answered = self.answered or time.perf_counter()
        super()._display(screen, renderable)


async def _first_key_after_g(path: Path) -> float:
    """Wall time from pressing a step key while `G` trains in its worker until a frame shows the answer
    (a key that would move the cursor waits while the worker holds the trainer, and says so)."""
    app = _BenchApp(open_scenario(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G")
        trainer = app.cursor.trainer
        while trainer.epochs_done < 3:  # the worker is well under way
            await asyncio.sleep(0.01)
        start = time.perf_counter()
        await pilot.press("n")
        while app.answered is None:
            await asyncio.sleep(0.001)
        answered = app.answered - start
        await pilot.press("space")
        while app.debugger.busy is not None:
            await asyncio.sleep(0.01)
        return answered


async def _cpu_per_key(name: str, key: str, presses: int, before: str = "") -> float:
    """CPU per press of `key` on a shipped scenario, after the keys in `before` (e.g. f: the figure shown)."""
    return await textual_floor.cpu_per_press(_BenchApp(open_scenario(shipped()[name])), key, presses, before)


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


# What the first complete frame of two_neurons holds: every panel's title, the status bar's step
# (the named view opens on z1, step 2 of the tape), and the chain rule's numbers, drawn last.
FIRST_FRAME_MARKERS = (b"Tape", b"Chain rule", b"Parameters", b"Loss", b"step 2/25", "0.3·0.5 + 0.1".encode())


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


def _per_key(repeats: int, presses: int, before: str = "") -> tuple[float, float]:
    """CPU per step key and per do-nothing key on moons (after the keys `before`), best of several."""
    step = nothing = float("inf")
    for _ in range(max(5, repeats // 2)):
        step = min(step, asyncio.run(_cpu_per_key("moons_relu", "n", presses, before)))
        nothing = min(nothing, asyncio.run(_cpu_per_key("moons_relu", "w", presses, before)))
    return step, nothing


def figures(repeats: int) -> list[Row]:
    rows: list[Row] = []
    for shown, before in (("", ""), (", the figure shown", "f")):  # f: the figure in place of the parameters
        step, nothing = _per_key(repeats, 60, before)
        extra = (step - nothing) * 1e3
        rows.append(
            limit_row(
                f"CPU per step key, moons at 120×40{shown}",
                f"{step * 1e3:.2f} ms (+{extra:.2f} ms)",
                "≤ +5 ms",
                extra <= 5,
                f"do-nothing key {nothing * 1e3:.2f} ms",
            )
        )
    step, nothing = textual_floor.per_key(repeats, 60)
    rows.append(
        context_row(
            "Textual's floor: a bare app repainting a status line and one panel the chain rule's size",
            f"{step * 1e3:.2f} ms (+{(step - nothing) * 1e3:.2f} ms)",
            f"its do-nothing key {nothing * 1e3:.2f} ms",
        )
    )
    for name in ("moons_relu", "net_221_sigmoid"):
        app = headless = float("inf")
        for _ in range(max(5, repeats // 2)):
            headless = min(headless, _headless(name))
            app = min(app, asyncio.run(_to_end_in_app(name)))
        baseline = f"headless run {headless * 1e3:.1f} ms CPU"
        figure = f"running to the end in the app, {name}"
        rows.append(ratio_row(figure, f"{app * 1e3:.1f} ms CPU", baseline, app / headless, 1.3))
    scenario = Path(__file__).resolve().parent / "softmax_784.toml"
    answers = [asyncio.run(_first_key_after_g(scenario)) for _ in range(max(3, repeats // 2))]
    worst = f"{max(answers) * 1e3:.0f} ms (worst of {len(answers)}; best {min(answers) * 1e3:.0f} ms)"
    figure = "first key answered after G, 784 softmax net (worker running)"
    rows.append(limit_row(figure, worst, "≤ 50 ms", max(answers) <= 0.050))
    command = [sys.executable, "-c", "import textual.app, numpy"]
    debugger = [sys.executable, "-m", "bpdbg", "two_neurons"]
    bare = [sys.executable, "-c", textual_floor.PLOT_APP]
    _wall(command)  # once each first, so all start from compiled bytecode, as after an install
    _first_frame(debugger, FIRST_FRAME_MARKERS)
    _first_frame(bare, textual_floor.PLOT_APP_MARKERS)
    base = ours = floor = float("inf")
    for _ in range(repeats):
        base = min(base, _wall(command))
        ours = min(ours, _first_frame(debugger, FIRST_FRAME_MARKERS))
        floor = min(floor, _first_frame(bare, textual_floor.PLOT_APP_MARKERS))
    figure = "cold start to the first complete frame (two_neurons, a 120×40 terminal)"
    baseline = f"python -c 'import textual.app, numpy' {base * 1e3:.0f} ms"
    rows.append(ratio_row(figure, f"{ours * 1e3:.0f} ms", baseline, ours / base, 1.2))
    figure = "Textual's floor: a bare app's first frame with one plotext plot, NumPy imported"
    rows.append(context_row(figure, f"{floor * 1e3:.0f} ms, {floor / base:.2f}× the baseline", baseline))
    return rows
