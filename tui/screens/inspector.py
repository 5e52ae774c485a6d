"""The inspector: one value in full, every row and column at full precision, with its statistics.

It shows what the engine handed over (the array and its summary) as it stood when the
inspector opened; it computes nothing itself.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from bpdbg.engine.summary import Inspection, Summary
from bpdbg.tui.format import shape
from bpdbg.tui.widgets.grid import NumberGrid, full


def statistics(summary: Summary) -> Text:
    """shape · min · max · mean · norm, at full precision, and how many entries they leave out."""
    text = Text(no_wrap=False)
    parts = [
        ("shape", shape(summary.shape)),
        ("min", full(summary.min)),
        ("max", full(summary.max)),
        ("mean", full(summary.mean)),
        ("norm", full(summary.norm)),
    ]
    for n, (name, value) in enumerate(parts):
        text.append("   " if n else "")
        text.append(f"{name} ", style="dim")
        text.append(value, style="bold")
    if summary.non_finite:
        text.append(f"   ({summary.non_finite:,} of {summary.size:,} not finite, left out)", style="bold red")
    return text


class InspectorScreen(ModalScreen[None]):
    """Arrows, PgUp/PgDn, Home/End scroll; esc, i or enter closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,enter", "close", "close", id="close_inspector"),
    ]

    def __init__(self, inspection: Inspection) -> None:
        super().__init__()
        self.inspection = inspection

    def compose(self) -> ComposeResult:
        seen = self.inspection
        with Vertical(classes="dialog inspector"):
            yield Label(Text(seen.title, style="bold"), classes="dialog-title", id="what")
            if seen.detail:
                yield Static(Text(seen.detail), id="detail")
            yield Static(Text(seen.where, style="dim"), id="where")
            if seen.value is None or seen.summary is None:
                yield Static(Text("not computed yet at this step"), id="stats")
            else:
                yield Static(statistics(seen.summary), id="stats")
                scale = max(abs(seen.summary.min), abs(seen.summary.max), 0.0)
                yield NumberGrid(seen.value, scale if scale == scale else 0.0, id="grid")
            yield Label("arrows, PgUp/PgDn, Home/End: scroll   esc: close", classes="hint")

    def on_mount(self) -> None:
        grids = self.query(NumberGrid)
        if grids:
            grids.first().focus()

    def action_close(self) -> None:
        self.dismiss(None)
