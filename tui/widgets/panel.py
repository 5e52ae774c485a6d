"""What every panel shares: the screen hands it each new snapshot, and a fault stays in the panel.

Panels never ask the engine for anything. The screen holds the one current `Snapshot`
in a reactive attribute, each panel is data-bound to it (memray's TUI works this way),
and a panel's watcher draws it; a panel that cannot shows why, in its own place.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widget import Widget

from bpdbg.engine.cursor import Snapshot


class SnapshotView:
    """Mixed into a widget: `snapshot` is bound to the screen's, and `show` draws each one."""

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True, init=False, layout=False, repaint=False)
    failure: str | None = None  # why the last snapshot could not be shown, if it could not

    def show(self, snapshot: Snapshot) -> None:
        raise NotImplementedError

    def fail(self, error: Exception) -> None:
        raise NotImplementedError

    def watch_snapshot(self, snapshot: Snapshot | None) -> None:
        if snapshot is None or (isinstance(self, Widget) and not self.display):
            return  # a hidden view draws when it is shown again (it is then handed the snapshot)
        self.failure = None
        try:
            self.show(snapshot)
        except Exception as error:  # any fault in showing is shown, not raised
            self.fail(error)
