"""The status bar: where the cursor stands, how the run ended, and the debugger's own state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.widgets.lines import Line, LinesView


@dataclass(frozen=True)
class Controls:
    """The debugger's state that is not the engine's: running or not, speed, pending count."""

    running: bool = False
    speed: int = 10  # steps per second while running
    count: str = ""  # digits typed before a step key
    busy: str | None = None  # what a worker is doing, e.g. running to the end, and how far it got
    notice: str = ""  # a one-line message: a key refused, a run stopped
    done: float | None = None  # the part of its epochs a run in a worker has trained, drawn as a bar


BAR, MIN_BAR = 12, 4  # cells of the progress bar, and the fewest worth drawing where the line is full


class StatusBar(LinesView):
    """Always two lines: where the cursor stands, then what needs attention and the scenario's title.

    A fixed height keeps the panels still when a run stops or a breakpoint is added, and
    a change of the bar's height would lay out and repaint the whole screen.
    """

    DEFAULT_CSS = """
    StatusBar { overflow: hidden hidden; }
    """

    controls: reactive[Controls] = reactive(Controls, always_update=True, init=False, layout=False, repaint=False)

    _drawn_with: Controls | None = None  # the controls the lines were last made with
    _told = ""  # the notice last shown whole in a notification
    _told_missed = ""  # and the breakpoints' trouble (snapshot.missed)

    def show(self, snapshot: Snapshot) -> None:
        self.show_lines()
        if snapshot.missed and snapshot.missed != self._told_missed:
            self._told_missed = snapshot.missed
            width = self.scrollable_content_region.width
            line = render_status(snapshot, self.controls, width).split("\n")[1].plain
            at = line.find(snapshot.missed)  # absent where a breakpoint's hit takes its place
            if at >= 0 and at + cell_len(snapshot.missed) > width:
                self.notify(snapshot.missed, timeout=12)  # why a breakpoint was not checked, whole

    def watch_controls(self, controls: Controls) -> None:
        """The screen hands over its controls with every snapshot, mostly as they were: the lines
        just made for the snapshot already show them."""
        if controls != self._drawn_with:
            self.show_lines()
        self._tell_in_full(controls)

    def _tell_in_full(self, controls: Controls) -> None:
        """A notice the bar must cut (why `x` stopped where it did, at 80 columns) is shown whole
        in a notification too, once: the bar's line is all the reader would otherwise get."""
        notice = controls.notice
        if notice and notice != self._told:
            shown = f"{controls.busy} ({notice})" if controls.busy is not None else notice
            if cell_len(shown) > self.size.width:
                self.notify(notice, timeout=12)
        self._told = notice

    def lines_for(self, width: int) -> list[Line]:
        if self.snapshot is None:
            return []
        self._drawn_with = self.controls
        lines: list[Line] = []
        for line in render_status(self.snapshot, self.controls, width).split("\n"):
            line.truncate(width, overflow="ellipsis")
            lines.append((line, ""))
        return lines


def render_status(snapshot: Snapshot, controls: Controls, width: int | None = None) -> Text:
    """The bar's two lines; a progress bar takes only the room its line leaves in `width` cells."""
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
    if snapshot.bookmark[0]:
        text.append(f"  bookmark {snapshot.bookmark[0]}/{snapshot.bookmark[1]}", style="bold")
    if controls.count:
        text.append(f"  count {controls.count}", style="bold reverse")
    text.append("\n")
    if controls.busy is not None:  # the progress first, a refused key's note after it
        said = cell_len(controls.busy) + (cell_len(controls.notice) + 3 if controls.notice else 0)
        bar = BAR if width is None else min(BAR, width - said - 2)  # its space, and the cut line's …
        if controls.done is not None and bar >= MIN_BAR:
            filled = min(round(controls.done * bar), bar)
            text.append("━" * filled, style="bold green")
            text.append("━" * (bar - filled) + " ", style="dim")
        text.append(controls.busy, style="bold")
        if controls.notice:
            text.append(f" ({controls.notice})", style="bold yellow")
        text.append("  │  ")
    elif controls.notice:
        text.append(controls.notice, style="bold yellow")
        text.append("  │  ")
    if snapshot.stop is not None:
        style = "bold red" if snapshot.stop.reason == "non-finite" else "bold"
        label = "STOPPED" if snapshot.stop.reason == "non-finite" else "end"
        text.append(f"{label}: {snapshot.stop.message}", style=style)
        text.append("  │  ")
    if snapshot.hit is not None:
        text.append(f"breakpoint holds here: {snapshot.hit}", style="bold magenta")
        text.append("  │  ")
    elif snapshot.missed is not None:
        text.append(snapshot.missed, style="magenta")
        text.append("  │  ")
    elif snapshot.breakpoints:
        text.append(f"breakpoints: {'; '.join(snapshot.breakpoints)}", style="magenta")
        text.append("  │  ")
    text.append(snapshot.title, style="italic")
    return text
