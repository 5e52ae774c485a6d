"""The loss per epoch so far, current epoch marked; redrawn only when the curve or the epoch changes."""

from __future__ import annotations

import numpy as np
from textual.app import RenderResult

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import number
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.plot import CachedPlot

PLAIN = (1e-3, 1e6)  # magnitudes plotted as they are; outside, the axis is scaled by a power of ten


def decade(values: list[float]) -> int:
    """The power of ten to divide the curve by, so plotext's axis arithmetic stays far from overflow.

    plotext rounds tick labels with 10**digits, which overflows near 1e308 and below 1e-300;
    plotted as mantissas of one common decade, any finite curve has ticks it can compute.
    """
    biggest = max((abs(v) for v in values), default=0.0)
    if biggest == 0.0 or PLAIN[0] <= biggest < PLAIN[1]:
        return 0
    return int(np.floor(np.log10(biggest)))


def scaled(values: list[float], power: int) -> list[float]:
    """Values divided by 10**power in two steps, since 10**±power alone may not be a finite float."""
    half = power // 2
    return [float(np.float64(v) / 10.0**half / 10.0 ** (power - half)) for v in values]


def downsample(losses: np.ndarray, width: int) -> tuple[list[int], list[float]]:
    """At most about two points per column: each bucket's lowest and highest, in epoch order.

    Presentation only: it picks points of the engine's curve, it never computes new ones.
    A non-finite loss (a diverged run) ends the curve, as a plot cannot place it.
    """
    bad = np.flatnonzero(~np.isfinite(losses))
    epochs = np.arange(bad[0] if bad.size else losses.size)
    if epochs.size <= 2 * max(width, 1):
        return (epochs + 1).tolist(), losses[epochs].tolist()
    buckets = np.array_split(epochs, max(width, 1))
    picked: list[int] = []
    for bucket in buckets:
        values = losses[bucket]
        picked.extend(sorted({int(bucket[np.argmin(values)]), int(bucket[np.argmax(values)])}))
    index = np.asarray(picked)
    return (index + 1).tolist(), losses[index].tolist()


class LossPanel(CachedPlot):
    """A plotext plot of snapshot.losses that ignores steps which change neither curve nor epoch."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[int, int] | None = None  # (epochs on the curve, epoch marked)
        self._snapshot: Snapshot | None = None

    def on_mount(self) -> None:
        super().on_mount()  # subscribes first: the new theme is registered with plotext before the rebuild below
        self.border_title = "Loss"
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: object) -> None:
        """Build the plot again: one drawn between the switch and its theme's registration has plotext's colours."""
        self._built = None
        self.refresh()

    def show(self, snapshot: Snapshot) -> None:
        key = (len(snapshot.losses), snapshot.position.epoch)
        if key != self._shown:
            self._shown, self._snapshot = key, snapshot
            loss, epoch = snapshot.loss, snapshot.position.epoch
            self.border_title = f"Loss · epoch {epoch}: {number(loss)}" if loss is not None else "Loss"
            self.refresh()

    def shown_key(self) -> tuple[int, int] | None:
        return self._shown

    def _build(self) -> RenderResult:
        """The plot, or one line in its place: a plot that cannot be drawn never ends the app."""
        snapshot = self._snapshot
        if self.failure is not None:
            return self._line(self.failure)
        try:
            if snapshot is not None:
                losses = snapshot.losses
                if losses.size and not np.isfinite(losses[0]):
                    return self._line(f"no plot: loss {number(float(losses[0]))} at epoch 1")
                self._draw(snapshot)
            return self._plotted()
        except Exception as error:  # any fault in plotting is shown, not raised
            self.border_subtitle = ""
            return self._line(drawing_failed(error))

    def _draw(self, snapshot: Snapshot) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        epoch = snapshot.position.epoch
        losses = snapshot.losses
        loss = snapshot.loss
        xs, ys = downsample(losses, self.size.width - 8)
        marked = loss is not None and np.isfinite(loss)
        power = decade([*ys, float(loss)] if marked and loss is not None else ys)
        self.border_subtitle = f"×1e{power}" if power else ""
        if xs:
            plt.plot(xs, scaled(ys, power), marker="braille")
        if marked and loss is not None:
            plt.vline(epoch, "red")
            plt.scatter([epoch], scaled([float(loss)], power), marker="●", color="red")
        last = max(len(losses), 2)
        plt.xlim(1, last)
        plt.xticks(sorted({1, (1 + last) // 2, last}))
        plt.yfrequency(3)
