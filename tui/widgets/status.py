"""The status bar: where the cursor stands, how the run ended, and the debugger's own state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from bpdbg.engine.cursor import Snapshot


@dataclass(frozen=True)
class Controls:
    """The debugger's state that is not the engine's: running or not, speed, pending count, breakpoints."""

    running: bool = False
    speed: int = 10  # steps per second while running
    count: str = ""  # digits typed before a step key
    breakpoints: tuple[str, ...] = ()
    hit: str | None = None  # the breakpoint that holds at the end of this epoch, if the cursor stands there


class StatusBar(Static):
    """Two lines at most: position first, then whatever needs attention (a stop, breakpoints)."""

    _lines = 0

    def show(self, snapshot: Snapshot, controls: Controls) -> None:
        """Lay the screen out again only when the bar gains or loses its second line."""
        text = render_status(snapshot, controls)
        lines = text.plain.count("\n") + 1
        self.update(text, layout=lines != self._lines)
        self._lines = lines


def render_status(snapshot: Snapshot, controls: Controls) -> Text:
    p = snapshot.position
    step = snapshot.step
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("▶ running" if controls.running else "paused", style="bold")
    text.append(f" {controls.speed}/s", style="dim")
    text.append("  epoch ", style="dim")
    text.append(f"{p.epoch}/{snapshot.max_epochs}", style="bold")
    text.append("  step ", style="dim")
    text.append(f"{p.step + 1}/{len(snapshot.steps)}", style="bold")
    text.append(f" {step.phase}", style="bold")
    if controls.count:
        text.append(f"  count {controls.count}", style="bold reverse")
    text.append(f"  {snapshot.title}", style="italic")
    notes = []
    if snapshot.stop is not None:
        style = "bold red" if snapshot.stop.reason == "non-finite" else "bold"
        label = "STOPPED" if snapshot.stop.reason == "non-finite" else "end"
        notes.append((f"{label}: {snapshot.stop.message}", style))
    if controls.hit is not None:
        notes.append((f"breakpoint holds here: {controls.hit}", "bold magenta"))
    elif controls.breakpoints:
        notes.append((f"breakpoints: {'; '.join(controls.breakpoints)}", "magenta"))
    for n, (note, style) in enumerate(notes):
        text.append("\n" if n == 0 else "  │  ")
        text.append(note, style=style)
    return text
