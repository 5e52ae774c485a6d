"""The loss per epoch so far, current epoch marked; redrawn only when the curve or the epoch changes."""

from __future__ import annotations

import numpy as np
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import number


def downsample(losses: np.ndarray, width: int) -> tuple[list[int], list[float]]:
    """At most about two points per column: each bucket's lowest and highest, in epoch order.

    Presentation only: it picks points of the engine's curve, it never computes new ones.
    Non-finite losses (a diverged run) are left out, as a plot cannot place them.
    """
    epochs = np.flatnonzero(np.isfinite(losses))
    if epochs.size <= 2 * max(width, 1):
        return (epochs + 1).tolist(), losses[epochs].tolist()
    buckets = np.array_split(epochs, max(width, 1))
    picked: list[int] = []
    for bucket in buckets:
        values = losses[bucket]
        picked.extend(sorted({int(bucket[np.argmin(values)]), int(bucket[np.argmax(values)])}))
    index = np.asarray(picked)
    return (index + 1).tolist(), losses[index].tolist()


class LossPanel(PlotextPlot):
    """A plotext plot of snapshot.losses that ignores steps which change neither curve nor epoch."""

    can_focus = False

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: tuple[int, int] | None = None  # (epochs on the curve, epoch marked)
        self._snapshot: Snapshot | None = None
        self._built: tuple[object, RenderResult] | None = None  # (what it was built from, the plot)

    def on_mount(self) -> None:
        super().on_mount()
        self.border_title = "Loss"

    def show(self, snapshot: Snapshot) -> None:
        key = (len(snapshot.losses), snapshot.position.epoch)
        if key != self._shown:
            self._shown, self._snapshot = key, snapshot
            loss, epoch = snapshot.loss, snapshot.position.epoch
            self.border_title = f"Loss · epoch {epoch}: {number(loss)}" if loss is not None else "Loss"
            self.refresh()

    def render(self) -> RenderResult:
        """Build the plot only when its curve, size or theme changed, at the size it is drawn.

        Textual repaints the panels around a step, and this one with them; plotext takes
        milliseconds to build a plot, which every step key would otherwise pay.
        """
        key = (self._shown, self.size, self.app.theme)
        if self._built is None or self._built[0] != key:
            if self._snapshot is not None:
                self._draw(self._snapshot)
            self._built = (key, super().render())
        return self._built[1]

    def _draw(self, snapshot: Snapshot) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        epoch = snapshot.position.epoch
        losses = snapshot.losses
        loss = snapshot.loss
        xs, ys = downsample(losses, self.size.width - 8)
        if xs:
            plt.plot(xs, ys, marker="braille")
        if loss is not None and np.isfinite(loss):
            plt.vline(epoch, "red")
            plt.scatter([epoch], [float(loss)], marker="●", color="red")
        last = max(len(losses), 2)
        plt.xlim(1, last)
        plt.xticks(sorted({1, (1 + last) // 2, last}))
        plt.yfrequency(3)
