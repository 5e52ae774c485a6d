"""What `bpdbg run` prints: each log line as the notes' print() writes it, and, for a scenario
without a [[log]] of its own, every epoch's loss and where the run stopped."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from bpdbg.cli import main

SCENARIO = '''\
title = "layout"

[data]
x = [[0.5, 1.0], [0.2, 0.1]]
y = [[1.0], [0.0]]

[params]
W = [[0.3], [0.2]]

[model]
z = "x @ W"

[loss]
L = "mean((z - y) ** 2)"

[training]
learning_rate = 0.1
epochs = 1

[[log]]
format = """
Updated W:
 {W}
{loss:8.4f}
"""
'''


def test_run_keeps_numpy_row_layout_and_leading_spaces(write_scenario) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["run", str(write_scenario(SCENARIO))])
    assert result.exit_code == 0, result.output
    x, y, w = np.array([[0.5, 1.0], [0.2, 0.1]]), np.array([[1.0], [0.0]]), np.array([[0.3], [0.2]])
    loss = float(np.mean((x @ w - y) ** 2))
    w = w - 0.1 * (x.T @ (2 * (x @ w - y) / 2))
    assert result.stdout == f"Updated W:\n {w}\n{loss:8.4f}\n"


def test_without_a_log_an_early_stop_is_printed_not_silent(write_scenario) -> None:  # type: ignore[no-untyped-def]
    text = SCENARIO.split("[[log]]")[0].replace("epochs = 1", 'epochs = 5\nstop_when = "loss < 1"')
    result = CliRunner().invoke(main, ["run", str(write_scenario(text))])
    assert result.exit_code == 0, result.output
    assert result.stdout == "stopped early at epoch 1: loss = 0.21445\n"


def test_without_a_log_every_epoch_prints_its_loss_then_the_stop(write_scenario) -> None:  # type: ignore[no-untyped-def]
    text = SCENARIO.split("[[log]]")[0].replace(
        "epochs = 1", 'epochs = 5\nstop_when = "loss < 0.2"\nstop_check = "after_update"'
    )
    result = CliRunner().invoke(main, ["run", str(write_scenario(text))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "epoch 1: loss = 0.21445"
    assert lines[-1].startswith(f"stopped early at epoch {len(lines) - 1}: loss = ")


def test_a_whole_number_prints_with_d_as_in_python(write_scenario) -> None:  # type: ignore[no-untyped-def]
    text = SCENARIO.split("[[log]]")[0].replace("epochs = 1", "epochs = 10")
    text += '[[log]]\nat = [9]\nformat = "Epoch {epoch:3d} | {epoch - 1:03d} | {2 * epoch + 1:d}"\n'
    result = CliRunner().invoke(main, ["run", str(write_scenario(text))])
    assert result.exit_code == 0, result.output
    epoch = 9
    assert result.stdout == f"Epoch {epoch:3d} | {epoch - 1:03d} | {2 * epoch + 1:d}\n"
