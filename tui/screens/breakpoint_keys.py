"""The breakpoint keys: b adds one, B lists them to delete, c and C search for the next and the
previous hit in a worker, as a run to the end does."""

from __future__ import annotations

from collections.abc import Callable

from bpdbg.engine.conditions import Condition
from bpdbg.engine.search import Found
from bpdbg.tui.background import throttled
from bpdbg.tui.screens.debugger_part import DebuggerPart


class BreakpointKeys(DebuggerPart):
    """b, B, c and C."""

    def action_add_breakpoint(self) -> None:
        from bpdbg.tui.screens.breakpoint import BreakpointScreen

        def add(condition: Condition | None) -> None:
            if condition is not None:
                self.cursor.breakpoints.append(condition)
            self.show()

        self.app.push_screen(BreakpointScreen(self.cursor.program), add)

    def action_list_breakpoints(self) -> None:
        from bpdbg.tui.screens.breakpoints import BreakpointListScreen

        self.pause()
        self.app.push_screen(BreakpointListScreen(self.cursor.breakpoints), lambda _: self.show())

    def action_continue(self, direction: int) -> None:
        """c: on to the next step where a breakpoint holds; C: back to the previous one (gdb's
        reverse-continue). A search can be long, so it runs in a worker, as a run to the end does."""
        self.pause()
        cursor = self.cursor
        if not cursor.breakpoints:
            self.notice = "no breakpoints: b adds one"
            self.show(snapshot=False)
            return
        forward = direction > 0
        doing = f"finding the {'next' if forward else 'previous'} hit"
        none = "no later breakpoint hit: at the end of the run" if forward else "no earlier hit: at the start"

        def job(should_stop: Callable[[], bool], report: Callable[[int], None]) -> Found:
            return cursor.search(forward, should_stop, throttled(report))

        self.start_work(doing, none, job)
