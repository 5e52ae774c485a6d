"""The app's figures: CPU per step key, running to the end, and cold start to the first frame."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import ClassVar

from textual.binding import Binding, BindingType

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp

SIZE = (120, 40)


class _BenchApp(DebuggerApp):
    """The real app plus one key bound to nothing, the baseline for a key's cost."""

    BINDINGS: ClassVar[list[BindingType]] = [*DebuggerApp.BINDINGS, Binding("z", "nothing", "nothing", show=False)]

    def action_nothing(self) -> None:
        return None


async def _cpu_per_key(name: str, key: str, presses: int) -> float:
    app = _BenchApp(open_scenario(shipped()[name]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
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


_FIRST_FRAME = """
import sys
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import resolve
from bpdbg.tui.app import DebuggerApp

async def first_frame(pilot):
    await pilot.pause()  # the screen is mounted and drawn
    pilot.app.exit()

DebuggerApp(open_scenario(resolve(sys.argv[1]))).run(headless=True, size=(120, 40), auto_pilot=first_frame)
"""


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def figures(repeats: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    presses = 60
    step = nothing = float("inf")
    for _ in range(max(3, repeats // 3)):
        step = min(step, asyncio.run(_cpu_per_key("moons_relu", "n", presses)))
        nothing = min(nothing, asyncio.run(_cpu_per_key("moons_relu", "z", presses)))
    extra = (step - nothing) * 1e3
    rows.append({"figure": "CPU per step key, moons at 120×40", "baseline": f"do-nothing key {nothing * 1e3:.2f} ms",
                 "value": f"{step * 1e3:.2f} ms (+{extra:.2f} ms)", "ratio": None, "target": "≤ +10 ms",
                 "ok": extra <= 10})
    for name in ("moons_relu", "net_221_sigmoid"):
        app = headless = float("inf")
        for _ in range(max(3, repeats // 3)):
            headless = min(headless, _headless(name))
            app = min(app, asyncio.run(_to_end_in_app(name)))
        rows.append({"figure": f"running to the end in the app, {name}",
                     "baseline": f"headless run {headless * 1e3:.1f} ms CPU",
                     "value": f"{app * 1e3:.1f} ms CPU",
                     "ratio": app / headless, "target": "≤ 1.3×", "ok": app / headless <= 1.3})
    base = ours = float("inf")
    for _ in range(repeats):
        base = min(base, _wall([sys.executable, "-c", "import textual.app, numpy"]))
        ours = min(ours, _wall([sys.executable, "-c", _FIRST_FRAME, "two_neurons"]))
    rows.append({"figure": "cold start to the first frame (two_neurons)",
                 "baseline": f"python -c 'import textual.app, numpy' {base * 1e3:.0f} ms",
                 "value": f"{ours * 1e3:.0f} ms", "ratio": ours / base, "target": "≤ 1.2×", "ok": ours / base <= 1.2})
    return rows
