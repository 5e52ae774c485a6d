"""The loss per epoch so far, the epochs to come, the metrics, and the current epoch marked.

The plot never breaks: its axes and the whole run's epochs are there from the first frame,
its labels are short, a curve over more than two decades is drawn on a log scale (or on `l`),
a non-finite loss ends the curve with a mark, and a fault in plotting shows as one line.
It is rebuilt only when the curve, the epoch, the size or the scale changed.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from textual import events
from textual.app import RenderResult

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import labelled, number, short
from bpdbg.tui.widgets.axes import LABEL, apart, decade, scaled, ticks
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.plot import CachedPlot

AUTO_LOG = 100.0  # a curve whose largest value is over this many times its smallest is drawn on a log scale
MARK = "✗"  # where a non-finite loss ended the curve


def downsample(losses: np.ndarray, width: int) -> tuple[list[int], list[float]]:
    """At most about two points per column: each bucket's lowest and highest, in epoch order.

    Presentation only: it picks points of the engine's curve, it never computes new ones.
    A non-finite loss (a diverged run) ends the curve, as a plot cannot place it. The buckets
    are `np.array_split`'s, taken as two blocks of equal rows, so a long curve costs a few
    NumPy calls rather than a few per column.
    """
    bad = np.flatnonzero(~np.isfinite(losses))
    count = int(bad[0]) if bad.size else losses.size
    columns = max(width, 1)
    if count <= 2 * columns:
        return list(range(1, count + 1)), losses[:count].tolist()
    size, longer = divmod(count, columns)  # the first `longer` buckets hold one epoch more
    split = longer * (size + 1)
    lows, highs = [], []
    for start, stop, length in ((0, split, size + 1), (split, count, size)):
        rows = losses[start:stop].reshape(-1, length)
        firsts = start + length * np.arange(rows.shape[0])
        lows.append(firsts + rows.argmin(axis=1))
        highs.append(firsts + rows.argmax(axis=1))
    low, high = np.concatenate(lows), np.concatenate(highs)
    pairs = np.stack([np.minimum(low, high), np.maximum(low, high)], axis=1).ravel()
    index = pairs[np.repeat(low != high, 2) | (np.arange(pairs.size) % 2 == 0)]  # one point where they coincide
    return (index + 1).tolist(), losses[index].tolist()


def wants_log(values: list[float]) -> bool:
    """A positive curve spanning more than two decades reads better on a log scale."""
    return bool(values) and min(values) > 0 and max(values) / min(values) > AUTO_LOG


class LossPanel(CachedPlot):
    """A plotext plot of snapshot.losses and snapshot.metrics that ignores steps which change neither."""

    ALLOW_MAXIMIZE: ClassVar[bool | None] = True  # `m` fills the screen with it (scroll views may already)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[int, int, int] | None = None  # (epochs on the curve, epoch marked, on the metric's)
        self._snapshot: Snapshot | None = None
        self.log_scale: bool | None = None  # None: chosen by the curve's range; else as `l` set it
        self.on_log = False  # the scale the plot is drawn on
        self.power = 0  # on a linear scale, the power of ten the curve is divided by
        self._title: tuple[int, float | None] = (0, None)  # the epoch and its loss, for the title
        self._notes: list[str] = []  # under the plot: the scale, a non-finite end
        self._metric: tuple[str, float] | None = None  # and the metric's last value

    def on_mount(self) -> None:
        super().on_mount()  # subscribes first: the new theme is registered with plotext before the rebuild below
        self.border_title = "Loss"
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: object) -> None:
        """Build the plot again: one drawn between the switch and its theme's registration has plotext's colours."""
        self._built = None
        self.refresh()

    def show(self, snapshot: Snapshot) -> None:
        metric = len(snapshot.metrics[0][1]) if snapshot.metrics else 0  # its epoch's metric comes after the loss
        key = (len(snapshot.losses), snapshot.position.epoch, metric)
        if key != self._shown or self._snapshot is None or snapshot.max_epochs != self._snapshot.max_epochs:
            self._shown, self._snapshot = key, snapshot
            self._title = (snapshot.position.epoch, snapshot.loss)
            self._choose_scale(snapshot)
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._label()

    def _label(self) -> None:
        """The title and the notes under the plot, each number rounded to what the border has room
        for (Textual would cut it: 0.08502 read 0.08…, an MSE of 0.0002881 read 0.000…)."""
        width = self.outer_size.width
        room = width - 6 if width else 1 << 16  # the border's corners, lines and spaces either side
        epoch, loss = self._title
        title = f"Loss · epoch {epoch}"
        self.border_title = "Loss" if loss is None else labelled(f"{title}: ", loss, room) or title
        notes = list(self._notes)
        if self._metric is not None:
            name, value = self._metric
            left = room - sum(len(n) + 2 for n in notes if n)
            notes.append(labelled(f"green: {name} ", value, left) or f"green: {name}")
        self.border_subtitle = "  ".join(n for n in notes if n)

    def shown_key(self) -> tuple[object, ...]:
        return (self._shown, self.log_scale)

    def toggle_log(self) -> None:
        """`l`: the other scale from the one shown; it stays until pressed again."""
        self.use_log(not self.on_log)

    def use_log(self, choice: bool | None) -> None:
        """A log scale (True), a linear one (False), or the one the curve's range suggests (None)."""
        self.log_scale = choice
        if self._snapshot is not None:
            self._choose_scale(self._snapshot)
        self.refresh()

    def _choose_scale(self, snapshot: Snapshot) -> None:
        """Log or linear, and the power of ten, from the curve's range; the notes under the plot.

        Decided here rather than while drawing, so the border shows them in the same frame.
        """
        losses, loss = snapshot.losses, snapshot.loss
        ended = np.flatnonzero(~np.isfinite(losses))
        curve = losses[: ended[0]] if ended.size else losses
        ends = [float(curve.min()), float(curve.max())] if curve.size else []  # the curve's, in two calls
        shown = ends + ([loss] if loss is not None and math.isfinite(loss) else [])
        extremes = [min(shown), max(shown)] if shown else []
        chosen = wants_log(extremes) if self.log_scale is None else self.log_scale
        self.on_log = chosen and bool(extremes) and extremes[0] > 0
        self.power = 0 if self.on_log else decade(extremes)
        notes = ["log scale" if self.on_log else (f"×1e{self.power}" if self.power else "")]
        if ended.size:
            notes.append(f"{MARK} epoch {int(ended[0]) + 1}: {number(float(losses[ended[0]]))}")
        self._notes, self._metric = notes, None
        for name, values in snapshot.metrics[:1]:
            finite = values[np.isfinite(values)]
            if finite.size:
                self._metric = (name, float(finite[-1]))
        self._label()

    def _build(self) -> RenderResult:
        """The plot, or one line in its place: a plot that cannot be drawn never ends the app."""
        if self.failure is not None:
            return self._line(self.failure)
        try:
            if self._snapshot is not None:
                self._draw(self._snapshot)
            return self._plotted()
        except Exception as error:  # any fault in plotting is shown, not raised
            return self._line(drawing_failed(error))

    def _draw(self, snapshot: Snapshot) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        epoch, losses, loss = snapshot.position.epoch, snapshot.losses, snapshot.loss
        xs, ys = downsample(losses, self.size.width - 8)
        marked = loss is not None and math.isfinite(loss)
        shown = [*ys, float(loss)] if marked and loss is not None else ys
        log, power = self.on_log, self.power
        rows = max(self.size.height - 3, 1)  # the plot's own rows: less its frame and the x labels

        def place(values: list[float]) -> list[float]:
            return [math.log10(v) for v in values] if log else scaled(values, power)

        if xs:
            plt.plot(xs, place(ys), marker="braille")
        low, high = (min(place(shown)), max(place(shown))) if shown else (0.0, 1.0)
        ended = np.flatnonzero(~np.isfinite(losses))
        if ended.size:  # the run diverged: its curve ends here, at the top of the plot
            plt.scatter([int(ended[0]) + 1], [high], marker=MARK, color="red")
        if marked and loss is not None:
            plt.vline(epoch, "red")
            plt.scatter([epoch], place([float(loss)]), marker="●", color="red")
        if not xs and not ended.size:  # nothing yet: the axes, at the range of the epochs to come
            plt.scatter([1, snapshot.max_epochs], [low, high], marker=" ")
        for _, values in snapshot.metrics[:1]:  # the first metric, on its own axis at the right
            mx, my = downsample(values, self.size.width - 8)
            if mx:  # divided by its own power of ten, as the loss is; its labels are its values
                least, most = min(my), max(my)
                power = decade([least, most])
                plt.plot(mx, scaled(my, power), marker="braille", color="green", yside="right")
                bottom, top = scaled([least, most], power)
                if most > least:
                    plt.ylim(bottom, top, yside=2)
                places, labels = ticks(least, most, False)
                plt.yticks(*apart(scaled(places, power), labels, bottom, top, rows), yside=2)
        last = max(snapshot.max_epochs, 2)
        epochs: list[float] = sorted({1, (1 + last) // 2, last})
        plt.xlim(1, last)
        plt.xticks(epochs, [str(e) if len(str(e)) <= LABEL else short(e, LABEL) for e in epochs])
        if shown and high > low:
            plt.ylim(low, high)
        plt.yticks(*(apart(*ticks(low, high, log), low, high, rows) if shown else ([], [])))
