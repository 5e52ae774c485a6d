"""Textual's own floors, measured beside bpdbg's figures so that their targets can be read
against them: what a bare Textual app spends to repaint what any step must, and to show a
first frame with a loss plot.

For the step key, the bare app has bpdbg's frame at 120×40: a status line over four bordered
panels. Its key repaints the status line and one panel the chain rule's size (the chain rule
changes at every step), and computes nothing; its other key is bound to nothing, as the
bench's do-nothing key is. For the cold start, a bare app shows one line and one plotext plot.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget

SIZE = (120, 40)
CHAIN_ROWS = 16  # lines of text in the repainted panel, as many as moons' chain rule shows there


class _Panel(Widget):
    DEFAULT_CSS = "_Panel { border: round $primary; height: 1fr; }"
    step = 0

    def render(self) -> Text:
        return Text("\n".join(f"∂L/∂W1 = {self.step * 1e-3 + k:.6f}·(−0.5) + {k}" for k in range(CHAIN_ROWS)))


class _Status(Widget):
    DEFAULT_CSS = "_Status { height: 1; }"
    step = 0

    def render(self) -> Text:
        return Text(f"paused  epoch 1/1000  step {self.step}/41 forward")


class _BareApp(App[object]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "step"), Binding("w", "nothing")]

    def compose(self) -> ComposeResult:
        yield _Status()
        with Horizontal():
            with Vertical():
                yield _Panel()
                yield _Panel()
            with Vertical():
                yield _Panel(id="chain")
                yield _Panel()

    def action_step(self) -> None:
        for widget in (self.query_one("#chain", _Panel), self.query_one(_Status)):
            widget.step += 1
            widget.refresh()

    def action_nothing(self) -> None:
        return None


async def cpu_per_press(app: App[object], key: str, presses: int, before: str = "") -> float:
    """CPU per press of `key` in `app` at 120×40, after the keys in `before` and five presses to
    warm its caches (the test pilot's idle waits are not CPU)."""
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


def per_key(repeats: int, presses: int) -> tuple[float, float]:
    """CPU per repainting key and per do-nothing key in the bare app, best of several, taking turns."""
    step = nothing = float("inf")
    for _ in range(max(5, repeats // 2)):
        step = min(step, asyncio.run(cpu_per_press(_BareApp(), "n", presses)))
        nothing = min(nothing, asyncio.run(cpu_per_press(_BareApp(), "w", presses)))
    return step, nothing


# The least a first frame with a loss plot needs: Textual, NumPy and plotext, and one plot drawn.
PLOT_APP = """
import numpy
from textual.app import App
from textual.widgets import Static
from textual_plotext import PlotextPlot

class Bare(App):
    def compose(self):
        yield Static("Tape · Chain rule · Parameters")
        yield PlotextPlot()

    def on_mount(self):
        plt = self.query_one(PlotextPlot).plt
        plt.plot([1.0, 2.0, 3.0], [0.7, 0.5, 0.4])
        plt.title("Loss")

Bare().run()
"""
PLOT_APP_MARKERS = (b"Tape \xc2\xb7 Chain rule \xc2\xb7 Parameters", b"Loss")
