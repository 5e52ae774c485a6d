"""The lower-right panel's views: parameters, the figure and the graph, cycled with `f`.

The figure and the graph are made by the engine only while they are shown (the cursor's
show_figure and show_graph), so a debugger that never shows them never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import ContentSwitcher

from bpdbg.engine.batched import Entry
from bpdbg.tui.screens.figure_axes import FigureAxesScreen
from bpdbg.tui.widgets.figure import FigurePanel
from bpdbg.tui.widgets.graph import GraphPanel
from bpdbg.tui.widgets.params import ParamsPanel

if TYPE_CHECKING:
    from bpdbg.tui.screens.main import MainScreen

VIEWS = ("params", "figure", "graph")


def views_switcher(screen: type[MainScreen]) -> ContentSwitcher:
    """The three panels, each bound to the screen's snapshot; parameters first. Called inside compose."""
    snapshot = screen.snapshot
    return ContentSwitcher(
        ParamsPanel(id="params").data_bind(snapshot),
        FigurePanel(id="figure").data_bind(snapshot),
        GraphPanel(id="graph").data_bind(snapshot),
        id="views",
        initial="params",
    )


def cycle_view(screen: MainScreen) -> None:
    """The next view; the engine makes what it shows from now on, and the screen takes a new snapshot."""
    switcher = screen.query_one("#views", ContentSwitcher)
    shown = VIEWS[(VIEWS.index(switcher.current or VIEWS[0]) + 1) % len(VIEWS)]
    show_view(screen, shown)


def show_view(screen: MainScreen, shown: str) -> None:
    screen.query_one("#views", ContentSwitcher).current = shown
    screen.cursor.show_figure = shown == "figure"
    screen.cursor.show_graph = shown == "graph"
    screen.show()


def pick_figure_axes(screen: MainScreen) -> None:
    """Ask for the figure's two numbers; the figure is shown on them."""
    cursor = screen.cursor

    def chosen(entries: list[Entry] | None) -> None:
        if entries is None:
            return
        screen.cursor.figures.choose(entries or None)
        show_view(screen, "figure")

    figures = cursor.figures
    shown = figures.entries or figures.suggested()
    screen.app.push_screen(FigureAxesScreen(cursor.program, shown), chosen)
