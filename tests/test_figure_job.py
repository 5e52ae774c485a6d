"""A figure's making from an immutable copy: what lets the debugger make a slow one in a worker.

Headless (the CLI, exports, tests) a snapshot always holds its figure. The app asks for a slow
figure to be deferred: its snapshot then holds the job that makes it, and that job reads only
what was copied into it, so training on and moving the cursor while it is made change nothing
it makes.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.figures import Figure, Surface
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped


def cursor_for(name: str, *, defer: bool) -> Cursor:
    cursor = Cursor(open_scenario(shipped()[name]))
    cursor.show_figure = True
    cursor.defer_figures = defer
    return cursor


def surface_parts(figure: Figure | None) -> tuple[object, ...]:
    assert isinstance(figure, Surface)
    lines = [(i, line.tolist()) for i, line in figure.lines]
    return (figure.names, figure.held, figure.point, figure.levels, figure.xs.tolist(), figure.path.tolist(), lines)


def test_headless_every_snapshot_holds_its_figure_however_slow() -> None:
    cursor = cursor_for("digits_softmax", defer=False)
    snapshot = cursor.snapshot()
    assert isinstance(snapshot.figure, Surface) and snapshot.figure_pending is None


@pytest.mark.parametrize("name", ["gd_xy", "moons_relu", "net_221_sigmoid"])
def test_deferred_a_quick_figure_is_still_made_at_once(name: str) -> None:
    snapshot = cursor_for(name, defer=True).snapshot()
    assert snapshot.figure is not None and snapshot.figure_pending is None


def test_deferred_a_slow_figure_is_a_job_whose_figure_is_the_one_made_at_once() -> None:
    deferred, headless = cursor_for("digits_softmax", defer=True), cursor_for("digits_softmax", defer=False)
    snapshot = deferred.snapshot()
    job = snapshot.figure_pending
    assert snapshot.figure is None and job is not None and job.slow and job.epoch == 1
    assert deferred.snapshot().figure_pending is job  # asked again before it is made: the same job
    made = job.make()
    assert surface_parts(made) == surface_parts(headless.snapshot().figure)
    deferred.figures.keep(job, made)
    again = deferred.snapshot()
    assert again.figure is made and again.figure_pending is None  # kept: the next snapshot has it


def test_a_job_reads_only_its_copy_so_training_on_and_moving_change_nothing_it_makes() -> None:
    cursor = cursor_for("digits_softmax", defer=True)
    cursor.goto(3, 0)
    job = cursor.snapshot().figure_pending
    assert job is not None
    for value in job.carried:  # copies, not views of the trainer's rows, and read-only
        assert not value.flags.writeable and not np.shares_memory(value, cursor.trainer.checkpoints)
    headless = cursor_for("digits_softmax", defer=False)
    headless.goto(3, 0)
    expected = surface_parts(headless.snapshot().figure)
    cursor.trainer.run(3)  # what a run to the end does meanwhile
    cursor.goto(5, 4)  # and the screen's moves
    cursor.snapshot()
    assert surface_parts(job.make()) == expected


def test_with_its_figure_a_snapshot_is_the_same_snapshot_no_longer_waiting() -> None:
    cursor = cursor_for("digits_softmax", defer=True)
    snapshot = cursor.snapshot()
    assert snapshot.figure_pending is not None
    done = snapshot.with_figure(snapshot.figure_pending.make())
    assert isinstance(done.figure, Surface) and done.figure_pending is None
    assert done.position == snapshot.position and done.values is snapshot.values
    np.testing.assert_array_equal(done.losses, snapshot.losses)
