"""How the debugger's panels are arranged and looked into: the switchable lower-right view,
maximizing a panel, the loss plot's scale, the figure's axes and the inspector.

The lower-right panel is a ContentSwitcher of views (parameters, the figure, the graph); `f`
cycles them. Adding a view is one line in `lower_right_views`. A hidden view is handed no
snapshots (it would draw for nobody); it is handed the current one when it comes into view.
The figure and the graph are made by the engine only while they are shown (the cursor's
show_figure and show_graph), so a debugger that never shows them never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.screens.debugger_part import DebuggerPart
from bpdbg.tui.widgets.figure import FigurePanel
from bpdbg.tui.widgets.graph import GraphPanel
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.params import InspectParam, ParamsPanel

if TYPE_CHECKING:
    from bpdbg.engine.batched import Entry
    from bpdbg.engine.summary import Inspection

PANELS = ("tape", "loss", "chain", "views")  # what `m` can maximize, by id
# The screen's size classes, which the stylesheet lays the panels out by (bpdbg.tcss).
WIDTH_CLASSES = [(0, "-cramped"), (80, "-narrow"), (110, "-wide"), (160, "-huge")]
HEIGHT_CLASSES = [(0, "-short"), (34, "-tall"), (50, "-towering")]


def lower_right_views() -> list[Widget]:
    """The views `f` cycles through, in order; the first is shown at start. One line per view."""
    return [
        ParamsPanel(id="params"),
        FigurePanel(id="figure"),
        GraphPanel(id="graph"),
    ]


class ViewSwitcher(ContentSwitcher):
    """The lower-right panel: one view at a time, and it can be maximized like any panel."""

    ALLOW_MAXIMIZE = True


class PanelActions(DebuggerPart):
    """The keys and clicks that arrange panels; the debugger screen inherits them."""

    snapshot: Snapshot | None
    current_panel = "views"  # what `m` maximizes: the panel clicked last, at first the lower right

    def action_cycle_view(self) -> None:
        switcher = self.query_one("#views", ViewSwitcher)
        ids = [child.id for child in switcher.children if child.id is not None]
        self.show_view(ids[(ids.index(switcher.current or ids[0]) + 1) % len(ids)])

    def show_view(self, view: str) -> None:
        """Show one view; the engine makes what it shows from now on, in a new snapshot."""
        switcher = self.query_one("#views", ViewSwitcher)
        switcher.current = view
        self.set_class(view != "params", "-drawing")
        self.cursor.show_figure = view == "figure"
        self.cursor.show_graph = view == "graph"
        self.show()
        shown = switcher.query_one(f"#{view}")
        if self.snapshot is not None and hasattr(shown, "snapshot"):
            shown.snapshot = self.snapshot  # it missed the steps taken while hidden

    def action_figure_axes(self) -> None:
        """Ask for the figure's two numbers; the figure is shown on them."""
        from bpdbg.tui.screens.figure_axes import FigureAxesScreen  # dialogs load when first opened

        self.pause()
        figures = self.cursor.figures

        def chosen(entries: list[Entry] | None) -> None:
            if entries is not None:
                self.cursor.figures.choose(entries or None)
                self.show_view("figure")

        self.app.push_screen(FigureAxesScreen(self.cursor.program, figures.entries or figures.suggested()), chosen)

    def action_maximize(self) -> None:
        """Maximize the current panel, or restore it (esc restores too)."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.query_one(f"#{self.current_panel}"), container=False)

    def action_toggle_log(self) -> None:
        self.query_one(LossPanel).toggle_log()

    def action_inspect(self) -> None:
        from bpdbg.engine.summary import inspect_step

        if self.snapshot is not None:
            self._inspect(inspect_step(self.snapshot))

    @on(InspectParam)
    def _inspect_param(self, message: InspectParam) -> None:
        from bpdbg.engine.summary import inspect_param

        if self.snapshot is not None:
            self._inspect(inspect_param(self.snapshot, message.name, message.field))

    def _inspect(self, seen: Inspection) -> None:
        from bpdbg.tui.screens.inspector import InspectorScreen  # dialogs load when first opened

        self.app.push_screen(InspectorScreen(seen))

    def on_click(self, event: events.Click) -> None:
        """The panel clicked becomes the current one, the one `m` maximizes."""
        widget = event.widget
        while widget is not None and widget is not self:
            if widget.id in PANELS:
                self._make_current(widget.id)
                return
            widget = widget.parent if isinstance(widget.parent, Widget) else None

    def panel_classes(self, panel: str) -> str:
        """The current panel's class as the panels are made: added once they are mounted, it would
        style the screen a second time before its first frame."""
        return "-current" if panel == self.current_panel else ""

    def _make_current(self, panel: str) -> None:
        for name in PANELS:
            self.query_one(f"#{name}").set_class(name == panel, "-current")
        self.current_panel = panel
