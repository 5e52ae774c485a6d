"""A plot read off plotext's cells is the Text that plotext's ANSI output decodes to, span for span:
loss curves at the end of a run (a metric on a second axis, a log scale, a diverged run, a short
run), and the figures (the filled regions of a classifier, and contour lines)."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual_plotext import PlotextPlot

from bpdbg.tui.widgets.figure import FigurePanel
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.plot import CachedPlot

from .conftest import make_app
from .test_snapshots import DIVERGING, to_end


def through_ansi(panel: CachedPlot) -> Text:
    """The plot as textual-plotext renders it: plotext's ANSI text, decoded by rich."""
    text = PlotextPlot.render(panel)
    assert isinstance(text, Text)
    return text


def assert_same_as_through_ansi(panel: CachedPlot) -> None:
    """Read without the panel's own mends to plotext's cells (the figure's regions under its
    points), which plotext's ANSI text does not have."""
    panel._mend = lambda grid: None  # type: ignore[method-assign]
    read_off = panel._plotted()
    assert isinstance(read_off, Text)
    assert read_off.plain.count("\n") == panel.size.height  # a line per row, and rich's empty last one
    decoded = through_ansi(panel)
    assert read_off == decoded  # the same characters and the same spans
    assert read_off.spans  # a plot has colours: the comparison compared styles too


@pytest.mark.parametrize("scenario", ["moons_relu", "gd_xy", str(DIVERGING), "two_neurons"])
async def test_the_loss_plot_at_the_end_of_a_run(scenario: str) -> None:
    app = make_app(scenario)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_end(pilot)
        assert_same_as_through_ansi(app.debugger.query_one(LossPanel))


@pytest.mark.parametrize("scenario", ["gd_xy", "moons_relu"])
async def test_a_figure_after_some_epochs(scenario: str) -> None:
    app = make_app(scenario)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "5", "e")  # the figure, five epochs on: a path or regions that moved
        await pilot_settled(pilot)
        panel = app.debugger.query_one(FigurePanel)
        assert panel.display and app.debugger.cursor.position.epoch == 6
        assert_same_as_through_ansi(panel)


async def pilot_settled(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
