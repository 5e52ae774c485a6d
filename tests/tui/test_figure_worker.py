"""A slow figure never holds up a key: digits_softmax's loss slice is made in a worker.

A step across an epoch boundary answers at once (the status bar and the tape show the new
step) while the figure panel keeps its last figure, marked "computing…"; the new figure is
drawn once made, and it is the engine's own for that point. A figure made for a point the
cursor has already left is dropped, never drawn, and one that arrives while a run to the end
holds the trainer is drawn without asking the engine anything. Here the figure's making
waits on a gate the test opens, so "before it is made" is a fact, not a race.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot

from bpdbg.engine.cursor import Cursor, Position
from bpdbg.engine.figure_job import FigureJob
from bpdbg.engine.figures import Figure, Surface
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.widgets.figure import FigurePanel

from .conftest import make_app, screen_text, wait_until

SIZE = (120, 40)
GATE_CAP = 60.0  # seconds; far above any honest wait, it only turns a hang into a failure


class Gate:
    """Holds the making of every figure from `epoch` on until opened; notes each job begun."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.open = threading.Event()
        self.begun: list[FigureJob] = []

    def make(self, job: FigureJob, make: object) -> Figure:
        self.begun.append(job)
        if job.epoch >= self.epoch:
            assert self.open.wait(GATE_CAP), "the test never opened the gate"
        return make(job)  # type: ignore[operator, no-any-return]


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate(epoch=2)
    original = FigureJob.make
    monkeypatch.setattr(FigureJob, "make", lambda job: gate.make(job, original))
    yield gate
    gate.open.set()  # a worker still held lets go before the app closes


def engines_figure(position: Position) -> Figure:
    """The figure a fresh, headless cursor shows at `position` (made at once, on its own thread)."""
    cursor = Cursor(open_scenario(shipped()["digits_softmax"]))
    cursor.show_figure = True
    cursor.goto(position.epoch, position.step)
    figure = cursor.snapshot().figure
    assert figure is not None
    return figure


def assert_same_surface(shown: Figure | None, expected: Figure) -> None:
    assert isinstance(shown, Surface) and isinstance(expected, Surface)
    seen, wanted = (
        (shown.names, shown.held, shown.point, shown.levels),
        (expected.names, expected.held, expected.point, expected.levels),
    )
    assert seen == wanted
    for got, want in ((shown.xs, expected.xs), (shown.ys, expected.ys), (shown.path, expected.path)):
        np.testing.assert_array_equal(got, want)
    assert [(i, line.tolist()) for i, line in shown.lines] == [(i, line.tolist()) for i, line in expected.lines]


async def stepped_into_epoch_2(app: DebuggerApp, pilot: Pilot[None], gate: Gate) -> tuple[FigurePanel, Figure | None]:
    """From the last step of epoch 1, its figure drawn, `n` into epoch 2, whose figure is held at the gate.
    Returns the figure panel and the figure it drew before the key."""
    await pilot.pause()
    await pilot.press("f")
    screen = app.debugger
    screen.cursor.goto(1, screen.cursor.last_step(1))
    screen.show()
    await wait_until(pilot, lambda: not screen.figure_waits, "epoch 1's figure")
    panel = screen.query_one(FigurePanel)
    before = panel._figure
    assert isinstance(before, Surface) and "computing" not in screen_text(app)
    await pilot.press("n")
    await wait_until(pilot, lambda: bool(gate.begun) and gate.begun[-1].epoch == 2, "epoch 2's figure begun")
    return panel, before


async def test_a_step_into_the_next_epoch_answers_before_its_figure_is_made(gate: Gate) -> None:
    app = make_app("digits_softmax")
    async with app.run_test(size=SIZE) as pilot:
        panel, before = await stepped_into_epoch_2(app, pilot, gate)
        screen = app.debugger
        # The key has answered while the figure is still held at the gate: the cursor, the status
        # bar and the tape's marked row are at epoch 2's first step.
        assert not gate.open.is_set()
        position = screen.cursor.position
        assert position.epoch == 2 and screen.snapshot.position == position  # type: ignore[union-attr]
        text = screen_text(app)
        assert f"epoch 2/{screen.cursor.trainer.max_epochs}  step {position.step + 1}/" in text
        assert f"▶ {position.step + 1:>2} {screen.snapshot.step.label} " in text  # type: ignore[union-attr]
        # The panel keeps epoch 1's figure, and says the next is on its way.
        assert screen.figure_waits and panel._figure is before
        assert "Figure · computing… · L over" in text
        gate.open.set()
        await wait_until(pilot, lambda: not screen.figure_waits, "epoch 2's figure")
        assert_same_surface(screen.snapshot.figure, engines_figure(position))  # type: ignore[union-attr]
        assert panel._figure is screen.snapshot.figure  # type: ignore[union-attr]
        assert "computing…" not in screen_text(app) and "as they enter epoch 2" in str(panel.border_title)


async def test_a_figure_for_an_epoch_the_cursor_has_left_is_dropped(gate: Gate) -> None:
    app = make_app("digits_softmax")
    async with app.run_test(size=SIZE) as pilot:
        panel, _ = await stepped_into_epoch_2(app, pilot, gate)
        screen = app.debugger
        drawn: list[Figure | None] = []
        show = panel.show
        panel.show = lambda snapshot: (show(snapshot), drawn.append(panel._figure))  # type: ignore[method-assign, func-returns-value]
        await pilot.press("e")  # on to epoch 3 while epoch 2's figure is being made
        assert screen.cursor.position.epoch == 3 and screen.figure_waits
        gate.open.set()
        await wait_until(pilot, lambda: not screen.figure_waits, "epoch 3's figure")
        assert [job.epoch for job in gate.begun[-2:]] == [2, 3]  # epoch 2's was made, then epoch 3's
        assert_same_surface(screen.snapshot.figure, engines_figure(screen.cursor.position))  # type: ignore[union-attr]
        held = [figure.held for figure in drawn if isinstance(figure, Surface)]
        assert any("epoch 3" in str(h) for h in held), held  # the panel drew epoch 3's figure
        assert not any("epoch 2" in str(h) for h in held), held  # and never epoch 2's
        assert "computing…" not in screen_text(app) and "as they enter epoch 3" in str(panel.border_title)


async def test_a_screenshot_taken_while_the_figure_is_being_made_shows_the_figure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    held = threading.Event()  # a worker never gets past it: only the screenshot's own making does
    original = FigureJob.make

    def make(job: FigureJob) -> Figure:
        if threading.current_thread() is not threading.main_thread():
            held.wait(GATE_CAP)
        return original(job)

    monkeypatch.setattr(FigureJob, "make", make)
    app = make_app("digits_softmax")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("f")
            assert app.debugger.figure_waits
            await pilot.press("s")
            await pilot.pause()
            (saved,) = tmp_path.glob("*.svg")
            svg = html.unescape(saved.read_text(encoding="utf-8")).replace("\xa0", " ")
            assert "Figure · L over" in svg and "computing…" not in svg
            assert isinstance(app.debugger.snapshot.figure, Surface)  # type: ignore[union-attr]
    finally:
        held.set()


async def test_a_figure_made_while_a_run_to_the_end_holds_the_trainer_is_drawn_without_asking_the_engine(
    gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app("digits_softmax")
    async with app.run_test(size=SIZE) as pilot:
        panel, _ = await stepped_into_epoch_2(app, pilot, gate)
        screen = app.debugger
        trainer, position = screen.cursor.trainer, screen.cursor.position
        training = threading.Event()  # the run to the end trains only once the figure is drawn
        train = trainer.run

        def run_when_let(*args: object, **kwargs: object) -> None:
            if threading.current_thread() is not threading.main_thread():
                assert training.wait(GATE_CAP), "the test never let the run train"
            train(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(trainer, "run", run_when_let)
        snapshots = []
        take = screen.cursor.snapshot
        monkeypatch.setattr(screen.cursor, "snapshot", lambda: snapshots.append(1) or take())
        await pilot.press("G")
        try:
            assert screen.busy is not None
            gate.open.set()
            await wait_until(pilot, lambda: not screen.figure_waits, "epoch 2's figure, during the run")
            assert screen.busy is not None and not snapshots  # drawn while the run holds the trainer, no snapshot taken
            assert screen.snapshot.position == position  # type: ignore[union-attr]
            assert_same_surface(screen.snapshot.figure, engines_figure(position))  # type: ignore[union-attr]
            assert panel._figure is screen.snapshot.figure  # type: ignore[union-attr]
        finally:
            training.set()
        await pilot.press("space")  # stop the run
        await wait_until(pilot, lambda: screen.busy is None, "the run to stop")
