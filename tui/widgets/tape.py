"""The tape: one iteration's steps in order, grouped by phase, the current one marked.

Rows persist for the whole run and their text is kept; a step re-formats only the rows
whose value or mark changed, and `LinesView` repaints only those.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events

from bpdbg.engine.cursor import Snapshot
from bpdbg.engine.tape import Step
from bpdbg.tui.format import clip, compact
from bpdbg.tui.widgets.lines import Line, LinesView

PHASE_TITLES = {"forward": "forward", "loss": "loss", "metric": "metrics", "backward": "backward", "update": "update"}
MARK = "▶"
NOT_REACHED = "not reached"


def scroll_top(row: int, height: int) -> int:
    """Where the tape scrolls to show `row`: in half-panel jumps, so most steps do not scroll.

    It depends only on the row and the panel's height, never on where the tape was before,
    so a step is shown scrolled the same way however it was reached.
    """
    half = max(height // 2, 1)
    return max(0, (row - height // 4) // half * half)


class TapePanel(LinesView):
    """A phase title before each phase, then one row per step: index, label and value."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tape--current", "tape--phase", "tape--pending"}
    DEFAULT_CSS = """
    TapePanel > .tape--current { background: $accent 40%; text-style: bold; }
    TapePanel > .tape--phase { color: $text-secondary; text-style: bold italic; }
    TapePanel > .tape--pending { color: $text-muted; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Tape"
        self._steps: tuple[Step, ...] = ()
        self._rows: list[Line] = []
        self._row_of: list[int] = []  # step index → row
        self._kind: list[str] = []  # per step: "current", "pending" or "" (plain)
        self._values: tuple[object, ...] = ()
        self._available = -1
        self._built_width = -1
        self._label_width = 0
        self._value_width = 0
        self._snapshot: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        """Scroll to the current step, and bring the rows in line with the snapshot."""
        self._snapshot = snapshot
        if snapshot.steps is not self._steps:
            self._place(snapshot.steps)
        top = scroll_top(self._row_of[snapshot.position.step], self.scrollable_content_region.height)
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        self.show_lines()

    def lines_for(self, width: int) -> list[Line]:
        """Re-format only the rows whose value or mark changed since the last call at this width."""
        snapshot = self._snapshot
        if snapshot is None:
            return []
        if width != self._built_width:
            self._columns(width)
        current = snapshot.position.step
        same_epoch = snapshot.available == self._available
        for step in snapshot.steps:
            i = step.index
            kind = "current" if i == current else ("pending" if snapshot.values[i] is None else "")
            if same_epoch and self._values[i] is snapshot.values[i] and self._kind[i] == kind:
                continue
            self._kind[i] = kind
            self._rows[self._row_of[i]] = (
                self._line(step, snapshot.values[i], i < snapshot.available, kind),
                f"tape--{kind}" if kind else "",
            )
        self._values, self._available = snapshot.values, snapshot.available
        return self._rows

    def _line(self, step: Step, value: object, reached: bool, kind: str) -> str:
        shown = compact(value, self._value_width) if reached else NOT_REACHED
        mark = MARK if kind == "current" else " "
        return f"{mark}{step.index + 1:>3} {clip(step.label, self._label_width):<{self._label_width}} {shown}"

    def _place(self, steps: tuple[Step, ...]) -> None:
        """A phase title before each phase, then a row per step (its text comes later)."""
        self._steps = steps
        self._rows, self._row_of = [], []
        phase = None
        for step in steps:
            if step.phase != phase:
                phase = step.phase
                self._rows.append((f"     {PHASE_TITLES.get(phase, phase)}", "tape--phase"))
            self._row_of.append(len(self._rows))
            self._rows.append(("", ""))
        self._built_width = -1

    def _columns(self, width: int) -> None:
        """The index, the label and the value share the row; labels get a bit more than half."""
        self._built_width = width
        room = max(width - 7, 12)  # less the mark, the index, two spaces and a spare column
        self._label_width = room * 11 // 20
        self._value_width = room - self._label_width
        self._kind = ["?"] * len(self._steps)  # every step row is formatted again
        self._values, self._available = (), -1

    def on_resize(self, event: events.Resize) -> None:
        """The scroll follows the panel's height."""
        if self._snapshot is not None:
            self.show(self._snapshot)
