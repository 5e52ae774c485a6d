"""The figure that follows the cursor: the loss surface and the descent path, or a classifier's regions.

Everything drawn is the engine's (snapshot.figure, made once per epoch); this panel only
places it on a plotext canvas, and builds that canvas again only when the figure, its
size or the theme changed, so a step within an epoch costs it nothing. While a slow figure
is being made (snapshot.figure_pending), the panel keeps the figure it drew last, its title
saying "computing…".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from textual.app import RenderResult

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import number
from bpdbg.tui.widgets.axes import apart, decade, scaled, ticks
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.plot import CachedPlot

if TYPE_CHECKING:  # the engine's figure module loads when it makes the first figure
    from bpdbg.engine.figures import Curve, Figure, Regions, Surface

# Contour levels from low to high, viridis as the notes' matplotlib draws them.
VIRIDIS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
           (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37)]  # fmt: skip
PATH = "red"
POINT = {True: (255, 255, 255), False: (0, 0, 0)}  # where the cursor stands: by the theme's darkness
CLASS_COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
                 (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]  # fmt: skip
REGION_MARK, DATA_MARK = "█", "●"  # a cell of a region, and a data point on it
REGION_SHADE = 0.35  # a region is its class's colour faded towards the background, so the data stand out


def _shade(colour: tuple[int, int, int], light: bool) -> tuple[int, int, int]:
    """A region's colour: its class's, darkened on a dark theme and lightened on a light one
    (darkened on white, the blue points vanished into a navy region)."""
    r, g, b = colour
    if light:
        return (
            255 - int((255 - r) * REGION_SHADE),
            255 - int((255 - g) * REGION_SHADE),
            255 - int((255 - b) * REGION_SHADE),
        )
    return (int(r * REGION_SHADE), int(g * REGION_SHADE), int(b * REGION_SHADE))


class FigurePanel(CachedPlot):
    """A plotext canvas of snapshot.figure; a step that keeps the same figure repaints nothing."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._figure: Figure | None = None
        self._waiting = False  # the snapshot waits for its figure: the last one stays, marked

    def on_mount(self) -> None:
        super().on_mount()
        self.border_title = "Figure"

    def show(self, snapshot: Snapshot) -> None:
        waiting = snapshot.figure is None and snapshot.figure_pending is not None
        figure = self._figure if waiting else snapshot.figure
        if figure is not self._figure or waiting != self._waiting:
            self._figure, self._waiting = figure, waiting
            self.border_title, self.border_subtitle = _titles(figure, waiting)
            self.refresh()

    def shown_key(self) -> int:
        return id(self._figure)  # the engine makes a figure once per epoch and point, and keeps it

    def _build(self) -> RenderResult:
        from bpdbg.engine.figures import NoFigure  # loaded: the figure shown was made by it

        figure = self._figure
        if self.failure is not None:
            return self._line(self.failure)
        if figure is None:
            return self._line("")
        if isinstance(figure, NoFigure):
            return self._line(figure.reason)
        try:
            self._draw(figure)
            return self._plotted()
        except Exception as error:  # any fault in plotting is shown, not raised
            return self._line(drawing_failed(error))

    def _mend(self, grid: Any) -> None:
        from bpdbg.engine.figures import Regions  # loaded: the figure shown was made by it

        if isinstance(self._figure, Regions):
            _fill_under_points(grid)

    def _draw(self, figure: Curve | Surface | Regions) -> None:
        from bpdbg.engine.figures import Curve, Surface

        plt = self.plt
        point = POINT[self.app.current_theme.dark]  # white on the light theme's white would vanish
        plt.clear_data()
        plt.clear_figure()
        if isinstance(figure, Curve):
            drawn = np.concatenate([figure.losses, figure.path_losses, [figure.point_loss]])
            drawn = drawn[np.isfinite(drawn)]
            low, high = (float(drawn.min()), float(drawn.max())) if drawn.size else (0.0, 1.0)
            x = (float(figure.xs[0]), float(figure.xs[-1]))
            px, py = power = (decade(list(x)), decade([low, high]))
            finite = np.isfinite(figure.losses)  # a loss beyond the largest float has no place on the plot
            xs, losses = figure.xs[finite].tolist(), figure.losses[finite].tolist()
            plt.plot(scaled(xs, px), scaled(losses, py), marker="braille", color=VIRIDIS[4])
            _path(plt, figure.path, figure.path_losses, power)
            if np.isfinite(figure.point_loss):
                plt.scatter(scaled([figure.point], px), scaled([figure.point_loss], py), marker="◆", color=point)
            plt.xlabel(figure.name)
            _axes(plt, x, (low, high), self.size.height, power)
            return
        x, y = (float(figure.xs[0]), float(figure.xs[-1])), (float(figure.ys[0]), float(figure.ys[-1]))
        if isinstance(figure, Surface):  # a diverged descent's grid reaches far: its axes are scaled
            px, py = power = (decade(list(x)), decade(list(y)))
            for index, line in figure.lines:
                colour = VIRIDIS[round(index * (len(VIRIDIS) - 1) / max(len(figure.levels) - 1, 1))]
                plt.plot(
                    scaled(line[:, 0].tolist(), px), scaled(line[:, 1].tolist(), py), marker="braille", color=colour
                )
            _path(plt, figure.path[:, 0], figure.path[:, 1], power)
            plt.scatter(scaled([figure.point[0]], px), scaled([figure.point[1]], py), marker="◆", color=point)
            plt.xlabel(figure.names[0])
            plt.ylabel(figure.names[1])
        else:
            power = (0, 0)  # the data's inputs, which a run never changes
            _regions(plt, figure, *self.size, light=not self.app.current_theme.dark)
        _axes(plt, x, y, self.size.height, power)  # a grid's axes are the grid's


def _axes(plt: object, x: tuple[float, float], y: tuple[float, float], height: int, power: tuple[int, int]) -> None:
    """Both axes at these limits, with ticks at the ends and the middle, labelled as bpdbg writes
    numbers (plotext's own labels have an ASCII hyphen for a minus).

    Each axis is plotted divided by its power of ten (`decade`: plotext's arithmetic overflows
    near the largest float, where a diverged run's loss ends); its labels are the values themselves.
    """
    (x_low, x_high), (y_low, y_high), (px, py) = x, y, power
    rows = max(height - 4, 1)  # the plot's own rows: less its frame, the x ticks and the x label
    left, right = scaled([x_low, x_high], px)
    bottom, top = scaled([y_low, y_high], py)
    if x_high > x_low:
        plt.xlim(left, right)  # type: ignore[attr-defined]
    if y_high > y_low:
        plt.ylim(bottom, top)  # type: ignore[attr-defined]
    places, labels = ticks(x_low, x_high, False)
    plt.xticks(scaled(places, px), labels)  # type: ignore[attr-defined]
    places, labels = ticks(y_low, y_high, False)
    plt.yticks(*apart(scaled(places, py), labels, bottom, top, rows))  # type: ignore[attr-defined]


def _path(plt: object, xs: np.ndarray, ys: np.ndarray, power: tuple[int, int]) -> None:
    """The descent so far: a line through the parameters entering each epoch, each marked."""
    finite = np.isfinite(xs) & np.isfinite(ys)
    across, up = scaled(xs[finite].tolist(), power[0]), scaled(ys[finite].tolist(), power[1])
    if len(across) > 1:
        plt.plot(across, up, marker="·", color=PATH)  # type: ignore[attr-defined]
    plt.scatter(across, up, marker="●", color=PATH)  # type: ignore[attr-defined]


def _regions(plt: object, figure: Regions, width: int, height: int, light: bool) -> None:
    """Each class's region in its colour, dimmed; the data on it in full colour, by label.

    The regions are drawn as one mark per grid point; on a canvas wider or taller than the
    grid (the figure maximized on a wide terminal) that would leave columns and rows bare, so
    the engine's grid is drawn at a point in every cell of the panel, each its nearest grid
    point's class."""
    xs, ys, classes = figure.covering(width, height)
    gx, gy = np.meshgrid(xs, ys)
    for c in np.unique(classes):
        where = classes == c
        colour = CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]
        plt.scatter(gx[where].tolist(), gy[where].tolist(), marker=REGION_MARK, color=_shade(colour, light))  # type: ignore[attr-defined]
    for c in np.unique(figure.labels):
        where = figure.labels == c
        colour = CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]
        points = figure.points[where]
        plt.scatter(points[:, 0].tolist(), points[:, 1].tolist(), marker=DATA_MARK, color=colour)  # type: ignore[attr-defined]
    plt.xlabel(figure.inputs[0])  # type: ignore[attr-defined]
    plt.ylabel(figure.inputs[1])  # type: ignore[attr-defined]


def _fill_under_points(grid: Any) -> None:
    """plotext draws a data point over its cell's region mark and leaves the canvas's colour around
    it, a hole in the region (white on the light theme); the cell takes instead the colour of the
    nearest region mark on its row."""
    for row, markers in enumerate(grid.marker):
        regions = [col for col, marker in enumerate(markers) if marker == REGION_MARK]
        for col, marker in enumerate(markers):
            if regions and marker == DATA_MARK and grid.in_canvas(col, row):
                nearest = min(regions, key=lambda region: abs(region - col))
                grid.background[row][col] = grid.fullground[row][nearest]


def _titles(figure: Figure | None, waiting: bool = False) -> tuple[str, str]:
    """The panel's title and subtitle: what is drawn, and where the cursor stands on it; while the
    next figure is being made, the title says so first (a long title is cut at its end)."""
    title = "Figure · computing…" if waiting else "Figure"
    if figure is None:
        return title, ""
    from bpdbg.engine.figures import Curve, Regions, Surface  # loaded: the figure was made by it

    if isinstance(figure, Curve):
        return f"{title} · {figure.loss} over {figure.name}", f"{figure.name} = {number(figure.point)}"
    if isinstance(figure, Surface):
        x, y = figure.names
        held = f" · slice, {figure.held}" if figure.held else ""
        return f"{title} · {figure.loss} over {x}, {y}{held}", f"({number(figure.point[0])}, {number(figure.point[1])})"
    if isinstance(figure, Regions):
        return (
            f"{title} · decision regions, epoch {figure.epoch}",
            f"accuracy {100 * figure.accuracy:.1f}% ({figure.rule})",
        )
    return title, ""
