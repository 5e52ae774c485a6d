"""The tape: one iteration's steps in order, grouped by phase, the current one marked.

A Line-API scroll view rather than a DataTable: a step changes two or three rows of
the tape, and a DataTable repaints every visible cell on any change. Here each row's
text is kept, and only rows whose text changed are drawn again.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bpdbg.engine.compiler import Step
from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import clip, compact

PHASE_TITLES = {"forward": "forward", "loss": "loss", "metric": "metrics", "backward": "backward",
                "update": "update"}
MARK = "▶"
NOT_REACHED = "not reached"


def scroll_top(row: int, height: int) -> int:
    """Where the tape scrolls to show `row`: in half-panel jumps, so most steps do not scroll.

    It depends only on the row and the panel's height, never on where the tape was before,
    so a step is shown scrolled the same way however it was reached.
    """
    half = max(height // 2, 1)
    return max(0, (row - height // 4) // half * half)


class TapePanel(ScrollView, can_focus=False):
    """Rows persist for the whole run; a step only redraws the rows whose text changed."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tape--current", "tape--phase", "tape--pending"}
    DEFAULT_CSS = """
    TapePanel > .tape--current { background: $accent 40%; text-style: bold; }
    TapePanel > .tape--phase { color: $text-secondary; text-style: bold italic; }
    TapePanel > .tape--pending { color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "Tape"
        self._steps: tuple[Step, ...] = ()
        self._rows: list[tuple[str, int]] = []  # ("phase" | "step", step index)
        self._row_of: list[int] = []  # step index → row
        self._text: list[str] = []  # per row: its text as drawn
        self._kind: list[str] = []  # per row: "phase", "current", "pending" or "" (plain)
        self._values: tuple[object, ...] = ()
        self._available = -1
        self._built_width = -1
        self._label_width = 0
        self._value_width = 0
        self._strips: dict[tuple[str, str, Style], Strip] = {}
        self._snapshot: Snapshot | None = None

    # -- what the rows say ------------------------------------------------------------------

    def show(self, snapshot: Snapshot) -> None:
        """Bring the rows in line with a snapshot, redrawing only those that differ."""
        self._snapshot = snapshot
        if snapshot.steps is not self._steps or self._built_width != self.size.width:
            self._build(snapshot.steps)
        current = snapshot.position.step
        same_epoch = snapshot.available == self._available
        changed: list[int] = []
        for step in snapshot.steps:
            i = step.index
            row = self._row_of[i]
            kind = "current" if i == current else ("pending" if snapshot.values[i] is None else "")
            if same_epoch and self._values[i] is snapshot.values[i] and self._kind[row] == kind:
                continue
            text = self._line(step, snapshot.values[i], i < snapshot.available)
            if text != self._text[row] or kind != self._kind[row]:
                self._text[row], self._kind[row] = text, kind
                changed.append(row)
        self._values, self._available = snapshot.values, snapshot.available
        top = scroll_top(self._row_of[current], self.scrollable_content_region.height)
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        if changed:
            self.refresh()  # rows whose text did not change come from the strip cache

    def _line(self, step: Step, value: object, reached: bool) -> str:
        shown = compact(value, self._value_width) if reached else NOT_REACHED
        return f"{step.index + 1:>3} {clip(step.label, self._label_width):<{self._label_width}} {shown}"

    def _build(self, steps: tuple[Step, ...]) -> None:
        self._steps = steps
        self._built_width = self.size.width
        # The index, the label and the value share the row; labels get a bit more than half.
        room = max(self.size.width - 1 - 2 - 4 - 1, 24)
        self._label_width = room * 11 // 20
        self._value_width = room - self._label_width
        self._rows, self._row_of, self._text, self._kind = [], [], [], []
        phase = None
        for step in steps:
            if step.phase != phase:
                phase = step.phase
                self._rows.append(("phase", step.index))
                self._text.append(f"    {PHASE_TITLES.get(phase, phase)}")
                self._kind.append("phase")
            self._row_of.append(len(self._rows))
            self._rows.append(("step", step.index))
            self._text.append("")
            self._kind.append("?")  # never drawn as is: show() sets every step row
        self._values, self._available = (), -1
        self.virtual_size = Size(self.size.width, len(self._rows))

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= len(self._rows):
            return Strip.blank(width, base)
        kind = self._kind[row]
        style = base + self.get_component_rich_style(f"tape--{kind}") if kind in (
            "current", "phase", "pending") else base
        text = self._text[row]
        key = (text, kind, style)
        strip = self._strips.get(key)
        if strip is None or strip.cell_length != width:
            mark = MARK if kind == "current" else " "
            strip = Strip([Segment(f"{mark}{text}", style)]).crop_extend(0, width, style)
            if len(self._strips) > 4 * len(self._rows) + 64:
                self._strips.clear()
            self._strips[key] = strip
        return strip

    def on_resize(self, event: events.Resize) -> None:
        """Column widths follow the panel's width; lay the rows out again for the same snapshot."""
        self._strips.clear()
        if self._snapshot is not None:
            self.show(self._snapshot)

