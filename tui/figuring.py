"""The figure made in a worker: a slow figure (a large model's loss slice) never holds up a key.

When the cursor reaches an epoch whose figure is slow to make, its snapshot comes without it
(the figure panel keeps its last figure, marked "computing…") and with the job that makes it
(`Snapshot.figure_pending`); a worker makes it, and the screen then shows it. The job reads
only its own copy of the parameters and the program (engine/figure_job.py), never the
trainer or the cursor, so moving on, or a run to the end holding the trainer, never races it.

One figure is made at a time. A figure that arrives for a point the cursor has left is
dropped, and the newest point's figure is made next, so holding down a key makes no queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.screens.debugger_part import DebuggerPart

if TYPE_CHECKING:  # the engine's figure modules load when the first figure is made
    from bpdbg.engine.figures import Figure, FigureJob


@dataclass(eq=False)
class FigureMade(Message):
    """The figure a job made (a NoFigure if it could not be made)."""

    job: FigureJob
    figure: Figure


class MakesTheFigure(DebuggerPart):
    """Mixed into the debugger screen, which supplies the cursor and the snapshot."""

    snapshot: Snapshot | None
    _figuring: FigureJob | None = None  # the figure a worker is making, if any

    @property
    def figure_waits(self) -> bool:
        """The snapshot on screen waits for its figure."""
        return self.snapshot is not None and self.snapshot.figure_pending is not None

    def make_figure(self) -> None:
        """Start making the figure the snapshot waits for, unless a worker is making one already."""
        snapshot = self.snapshot
        job = snapshot.figure_pending if snapshot is not None else None
        if job is not None and self._figuring is None:
            self._figuring = job
            self._make(job)

    def settle_figure(self) -> None:
        """Make the awaited figure here and now (a screenshot shows the screen whole)."""
        snapshot = self.snapshot
        if snapshot is not None and snapshot.figure_pending is not None:
            job = snapshot.figure_pending
            self.snapshot = snapshot.with_figure(self.cursor.figures.keep(job, job.make()))

    @work(thread=True, exclusive=True, group="figure", exit_on_error=False)
    def _make(self, job: FigureJob) -> None:
        """Reads the job alone. Its figure is always posted, even if it is no longer wanted: the
        screen drops it there, and learns that the worker is free."""
        self.post_message(FigureMade(job, job.make()))  # make() never raises: a failure is a NoFigure

    @on(FigureMade)
    def _figure_made(self, message: FigureMade) -> None:
        """Show the figure if the screen still waits for it; else drop it and make the one it waits for."""
        self._figuring = None
        job, snapshot = message.job, self.snapshot
        wanted = snapshot.figure_pending if snapshot is not None else None
        if snapshot is not None and wanted is not None and wanted.key == job.key and job.program is self.cursor.program:
            # No new snapshot is taken (the engine is not asked anything, so this holds while a
            # run to the end has the trainer): the one on screen, with its figure.
            figure = self.cursor.figures.keep(job, message.figure)
            with self.app.batch_update():
                self.snapshot = snapshot.with_figure(figure)
        self.make_figure()
