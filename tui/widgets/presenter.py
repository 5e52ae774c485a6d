"""Presenter mode's large digits: the current step's value and the loss, readable from the back
of a lecture hall. Shown only in presenter mode (`z`, or `--present`)."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Digits

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import MINUS, number, shape
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.panel import SnapshotView

DIGIT_CHARACTERS = frozenset("0123456789+-.e")  # what `Digits` draws large, of what `number` writes


def large(value: object) -> tuple[str, str]:
    """(digits, note): a finite scalar in large digits, an array's first entry with a note saying
    which; a value digits cannot draw (NaN, ∞) as a short note instead."""
    if value is None:
        return "", "not computed yet"
    array = np.asarray(value)
    note = ""
    if array.ndim != 0:
        if array.size == 0:
            return "", f"{shape(array.shape)} array, empty"
        note = f"[{','.join('0' * array.ndim)}] of {shape(array.shape)}"
        array = array.reshape(-1)[0]
    text = number(float(array)).replace(MINUS, "-")
    if not set(text) <= DIGIT_CHARACTERS:
        return "", f"{note}: {text}" if note else text  # NaN, ∞
    return text, note


class PresenterPanel(SnapshotView, Horizontal):
    """Two bordered `Digits`: the step's value (titled with its label) and this epoch's loss."""

    DEFAULT_CSS = """
    PresenterPanel { height: auto; display: none; }
    PresenterPanel Digits {
        width: 1fr;
        border: round $primary;
        border-title-style: bold;
        border-title-color: $text;
        border-subtitle-color: $text;
        padding: 0 1;
        text-style: bold;
    }
    """

    def compose(self) -> ComposeResult:
        yield Digits(id="present-value")
        yield Digits(id="present-loss")

    def show(self, snapshot: Snapshot) -> None:
        if not self.screen.has_class("-present"):  # drawn in presenter mode only, not on every step of a run
            return
        step = snapshot.step
        value, loss = self.query_one("#present-value", Digits), self.query_one("#present-loss", Digits)
        value.border_title = f"step {step.index + 1} · {step.label}"
        value.update(large(snapshot.value)[0])
        value.border_subtitle = large(snapshot.value)[1]
        loss.border_title = f"loss · epoch {snapshot.position.epoch}"
        shown, note = large(snapshot.loss)
        loss.update(shown)
        loss.border_subtitle = note or ""

    def fail(self, error: Exception) -> None:
        value = self.query_one("#present-value", Digits)
        value.update("")
        value.border_subtitle = drawing_failed(error)
