"""Presenter mode's large digits: the current step's value and the loss, readable from the back
of a lecture hall. Shown only in presenter mode (`z`, or `--present`)."""

from __future__ import annotations

import numpy as np
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.renderables.digits import Digits as DigitsRenderable
from textual.widgets import Digits

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import MINUS, number, shape, tidy
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.panel import SnapshotView

DIGIT_CHARACTERS = frozenset("0123456789+-.e")  # what `Digits` draws large, of what `number` writes


def large(value: object, room: int | None = None) -> tuple[str, str]:
    """(digits, note): a finite scalar in large digits, an array's first entry with a note saying
    which; a value digits cannot draw (NaN, ∞) as a short note instead. Given the `room` (cells)
    of its box, a number too long for it is rounded to fit (`fitted`), or, where not even one
    figure fits, written in the note."""
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
    if room is not None and DigitsRenderable.get_width(text) > room:
        fits = fitted(float(array), room)
        if fits is None:
            return "", f"{note}: {text}" if note else text
        text = fits
    return text, note


def fitted(x: float, room: int) -> str | None:
    """x in at most `room` cells of large digits: with fewer significant figures than `number`'s
    four, rounded (Digits would cut it: −0.002537 read as −0.0025 at best, 2.194e−8 as 2.194e−),
    plainly or in powers of ten, whichever fits with more; None where not even one figure fits."""
    for figures in (4, 3, 2, 1):
        mantissa, exponent = f"{x:.{figures - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        for text in (f"{x:.{figures}g}", f"{mantissa}e{exponent}"):
            text = tidy(text).replace(MINUS, "-")
            if DigitsRenderable.get_width(text) <= room:
                return text
    return None


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

    _shown: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        self._shown = snapshot
        if not self.screen.has_class("-present"):  # drawn in presenter mode only, not on every step of a run
            return
        step = snapshot.step
        value, loss = self.query_one("#present-value", Digits), self.query_one("#present-loss", Digits)
        value.border_title = f"step {step.index + 1} · {step.label}"
        shown, note = large(snapshot.value, _room(value))
        value.update(shown)
        value.border_subtitle = note
        loss.border_title = f"loss · epoch {snapshot.position.epoch}"
        shown, note = large(snapshot.loss, _room(loss))
        loss.update(shown)
        loss.border_subtitle = note or ""

    def on_resize(self, event: events.Resize) -> None:
        """Shown (presenter mode on) or resized: the numbers are fitted to their boxes' new room."""
        if self._shown is not None:
            self.show(self._shown)

    def fail(self, error: Exception) -> None:
        value = self.query_one("#present-value", Digits)
        value.update("")
        value.border_subtitle = drawing_failed(error)


def _room(digits: Digits) -> int | None:
    """The cells a box has for its digits; None before it is laid out (it is shown again then)."""
    width = digits.content_region.width
    return width if width > 0 else None
