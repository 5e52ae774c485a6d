"""The tape: one iteration's steps in order, grouped by phase, the current one marked.

In the named view only the named steps have rows; a sub-expression step the cursor
stands on marks the named step it folds into.

Rows persist for the whole run and their text is kept; a step re-formats only the rows
whose value or mark changed, and `LinesView` repaints only those.
"""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar

from textual import events
from textual.message import Message

from bpdbg.engine.cursor import Snapshot
from bpdbg.engine.derivation_marks import DerivationMark
from bpdbg.engine.tape import Step
from bpdbg.tui.format import compact
from bpdbg.tui.widgets.lines import Line, LinesView

PHASE_TITLES = {"forward": "forward", "loss": "loss", "metric": "metrics", "backward": "backward", "update": "update"}
MARK = "▶"
NOT_REACHED = "not reached"


def wrap_label(label: str, first: int, rest: int) -> list[str]:
    """A label in its column, and what does not fit on rows below (broken at spaces where it can)."""
    if len(label) <= first:
        return [label]
    head = textwrap.wrap(label, first, break_on_hyphens=False)[0]
    tail = textwrap.wrap(label[len(head) :].strip(), max(rest, 8), break_on_hyphens=False)
    return [head, *tail]


def scroll_top(row: int, height: int) -> int:
    """Where the tape scrolls to show `row`: in half-panel jumps, so most steps do not scroll.

    It depends only on the row and the panel's height, never on where the tape was before,
    so a step is shown scrolled the same way however it was reached.
    """
    half = max(height // 2, 1)
    return max(0, (row - height // 4) // half * half)


class TapePanel(LinesView):
    """A phase title before each phase, then one row per step: index, label and value."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tape--current",
        "tape--phase",
        "tape--pending",
        "tape--right",
        "tape--wrong",
    }
    DEFAULT_CSS = """
    TapePanel > .tape--current { background: $accent 40%; text-style: bold; }
    TapePanel > .tape--phase { color: $text-secondary; text-style: bold italic; }
    TapePanel > .tape--pending { color: $text-muted; }
    TapePanel > .tape--right { color: $success; }
    TapePanel > .tape--wrong { color: $error; text-style: bold; }
    """

    class Chosen(Message):
        """A step's row was clicked: the screen goes to that step of the epoch shown."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

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
        self._named = False
        self._shown: list[Step] = []  # the steps with rows of their own
        self._wrapped: list[list[str]] = []  # per step: its label, as it is spread over its rows
        self._marked: tuple[tuple[int, str], ...] = ()  # the derivation entries placed, by step and name
        self._mark_rows: list[int] = []  # the row of each, in the snapshot's order

    def show(self, snapshot: Snapshot) -> None:
        """Scroll to the current step, and bring the rows in line with the snapshot."""
        self._snapshot = snapshot
        marked = tuple((m.step, m.name) for m in snapshot.marks)
        if snapshot.steps is not self._steps or snapshot.named_view != self._named or marked != self._marked:
            self._named, self._marked = snapshot.named_view, marked
            self._place(snapshot.steps, snapshot.stops if snapshot.named_view else None)
        width = self.scrollable_content_region.width or 40  # before the first layout: any width, redone once known
        if width != self._built_width:
            self._columns(width)  # rows depend on the width, as long labels wrap
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
        current = self._row_of[snapshot.position.step]
        same_epoch = snapshot.available == self._available
        for step in self._shown:
            i = step.index
            kind = "current" if self._row_of[i] == current else ("pending" if snapshot.values[i] is None else "")
            if same_epoch and self._values[i] is snapshot.values[i] and self._kind[i] == kind:
                continue
            self._kind[i] = kind
            style = f"tape--{kind}" if kind else ""
            first, *rest = self._wrapped[i]
            self._rows[self._row_of[i]] = (
                self._line(step, first, snapshot.values[i], i < snapshot.available, kind),
                style,
            )
            for n, part in enumerate(rest, 1):  # a long label goes on below, never cut off
                self._rows[self._row_of[i] + n] = (f"      {part}", style)
        self._values, self._available = snapshot.values, snapshot.available
        for mark, row in zip(snapshot.marks, self._mark_rows, strict=True):
            self._rows[row] = mark_line(mark, self._value_width)
        return self._rows

    def _line(self, step: Step, label: str, value: object, reached: bool, kind: str) -> str:
        shown = compact(value, self._value_width) if reached else NOT_REACHED
        mark = MARK if kind == "current" else " "
        return f"{mark}{step.index + 1:>3} {label:<{self._label_width}} {shown}"

    def _place(self, steps: tuple[Step, ...], stops: tuple[int, ...] | None) -> None:
        """The steps that get rows: all of them, or in the named view the named ones."""
        self._steps = steps
        shown = set(stops) if stops is not None else None
        self._shown = [s for s in steps if shown is None or s.index in shown]
        self._built_width = -1

    def _columns(self, width: int) -> None:
        """The index, the label and the value share a row, labels a bit more than half of it; a
        phase title before each phase; a label too long for its column wraps onto rows below."""
        self._built_width = width
        room = max(width - 7, 12)  # less the mark, the index, two spaces and a spare column
        self._label_width = room * 11 // 20
        self._value_width = room - self._label_width
        self._rows, self._row_of = [], [-1] * len(self._steps)
        self._wrapped = [[""]] * len(self._steps)
        owner = self._owners()
        self._mark_rows = [-1] * len(self._marked)
        phase = None
        for step in self._shown:
            if step.phase != phase:
                phase = step.phase
                self._rows.append((f"     {PHASE_TITLES.get(phase, phase)}", "tape--phase"))
            self._row_of[step.index] = len(self._rows)
            self._wrapped[step.index] = wrap_label(step.label, self._label_width, width - 7)
            self._rows.extend(("", "") for _ in self._wrapped[step.index])
            for n, (claimed, _) in enumerate(self._marked):  # a derivation entry under the step it claims
                if owner[claimed] == step.index:
                    self._mark_rows[n] = len(self._rows)
                    self._rows.append(("", ""))
        for step in self._steps:  # a folded step is marked on the named step after it
            self._row_of[step.index] = self._row_of[owner[step.index]]
        self._kind = ["?"] * len(self._steps)  # every step row is formatted again
        self._values, self._available = (), -1

    def _owners(self) -> list[int]:
        """Per step, the shown step whose row stands for it: itself, or the named step it folds into."""
        shown = {s.index for s in self._shown}
        later = self._shown[-1].index  # a step after the last named one: the last named one
        owner = [later] * len(self._steps)
        for step in reversed(self._steps):
            if step.index in shown:
                later = step.index
            owner[step.index] = later
        return owner

    def on_resize(self, event: events.Resize) -> None:
        """The scroll follows the panel's height."""
        if self._snapshot is not None:
            self.show(self._snapshot)

    def on_click(self, event: events.Click) -> None:
        """A click on a step's row (or the rows its label wraps onto) goes to that step."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + int(self.scroll_offset.y)
        for step in self._shown:
            start = self._row_of[step.index]
            if start <= row < start + len(self._wrapped[step.index]):
                self.post_message(self.Chosen(step.index))
                return


def mark_line(mark: DerivationMark, width: int) -> Line:
    """A derivation entry under the step it claims: ✓ or ✗ with its value (and backprop's, where
    they differ), then its formula; values first, so that a narrow tape still shows them."""
    if mark.verdict == "?":
        return f"    ? {mark.name}: {mark.note}", "tape--wrong"
    if mark.verdict == "·":
        return f"    · {mark.name} = {mark.formula}", "tape--pending"
    value = compact(mark.value, width)  # as many figures as the step's own value: 0.2060, not 0.3003
    if mark.wrong:
        return f"    ✗ {mark.name} = {value}, not {compact(mark.true, width)} · {mark.formula}", "tape--wrong"
    return f"    ✓ {mark.name} = {value} · {mark.formula}", "tape--right"
