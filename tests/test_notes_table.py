"""The log as the debugger renders it: only the epochs that print are asked, and the run's end is
compared with the notes from the lines already rendered, with `bpdbg check`'s verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bpdbg.engine.check import compare_log
from bpdbg.engine.notes_table import NotesTable
from bpdbg.engine.report import Log
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

from .conftest import trainer_for

# x² from x = 4, stopping after the update at epoch 15; three blocks print at different epochs.
BLOCKS = """
title = "Three blocks print at different epochs"
[params]
x = 4.0
[loss]
f = "x ** 2"
[training]
learning_rate = 0.2
epochs = 40
stop_when = "grad(x) < 0.01"
stop_check = "after_update"
[[log]]
from = 3
every = 4
format = "Iteration {epoch}: x = {x:.4f}"
[[log]]
at = [2, 7, 90]
format = "at {epoch}: f = {x ** 2:.4f}"
[[log]]
when = "early_stop"
format = "Stopping early: x = {x:.4f}"
"""

TABLE = """
at 2: f = 2.0736
Iteration 3: x = 0.8640
Iteration 7: x = 0.1120
at 7: f = 0.0125
Iteration 11: x = 0.0145
Iteration 15: x = 0.0019
Stopping early: x = 0.0019
"""


def blocks_run(write_scenario: Callable[..., Path], table: str = TABLE) -> Trainer:
    trainer = open_scenario(write_scenario(f'{BLOCKS}[expected]\ntext = """{table}"""\n'))
    trainer.run()
    return trainer


def test_the_epochs_that_print_are_the_blocks_epochs_and_the_early_stop(write_scenario: Callable[..., Path]) -> None:
    trainer = blocks_run(write_scenario)
    log = Log(trainer)
    assert trainer.epochs_done == 15
    assert log.printing_epochs(1, 15) == [2, 3, 7, 11, 15]
    assert log.printing_epochs(4, 11) == [7, 11]
    assert log.printing_epochs(12, 14) == []


def test_no_other_epoch_prints_and_the_log_is_every_epochs_lines(write_scenario: Callable[..., Path]) -> None:
    trainer = blocks_run(write_scenario)
    log = Log(trainer)
    every_epoch = [line for epoch in range(1, 16) for line in log.lines_in(epoch)]
    assert {line.epoch for line in every_epoch} == set(log.printing_epochs(1, 15))
    assert log.lines() == every_epoch
    assert [line.text for line in every_epoch] == TABLE.split("\n")[1:-1]


@pytest.mark.parametrize(
    "table",
    [
        TABLE,  # agrees
        TABLE + "Iteration 19: x = 0.0002\n",  # the notes print a line the log does not
        TABLE.replace("Stopping early: x = 0.0019\n", ""),  # the log prints a line the notes do not
        TABLE.replace("0.1120", "0.1121"),  # a number differs
    ],
    ids=["agrees", "notes-longer", "log-longer", "a-number-differs"],
)
def test_the_verdict_at_the_end_is_bpdbg_checks(write_scenario: Callable[..., Path], table: str) -> None:
    trainer = blocks_run(write_scenario, table)
    notes = NotesTable(trainer, table)
    assert notes.first_difference(trainer.epochs_done) == (compare_log(trainer, table).divergence, True)


def test_the_end_is_compared_without_rendering_any_epoch_again(monkeypatch: pytest.MonkeyPatch) -> None:
    trainer = trainer_for("moons_relu")  # the notes print every 100th of 1,000 epochs
    trainer.run()
    rendered: list[int] = []
    lines_in = Log.lines_in

    def counted(log: Log, epoch: int) -> list[object]:
        rendered.append(epoch)
        return lines_in(log, epoch)  # type: ignore[return-value]

    monkeypatch.setattr(Log, "lines_in", counted)
    notes = NotesTable(trainer, trainer.program.scenario.expected_text or "")
    assert notes.first_difference(1000) == (None, True)
    assert rendered == list(range(1, 1001, 100))
