"""The referees: finite differences, and pairing the log's printed numbers with their values."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bpdbg.engine.check import compare_log
from bpdbg.engine.report import Log
from bpdbg.engine.session import open_scenario

# -- arrays NumPy summarises with ... -------------------------------------------------------------

LONG = """
title = "A long array in the log"
[data]
x = {x}
M = {m}
[params]
w = 1.0
[model]
y_hat = "w * x"
[loss]
L = "mean((y_hat - x) ** 2)"
[training]
learning_rate = 0.1
epochs = 1
[[log]]
format = "{{y_hat:.1f}}"
[[log]]
format = "{{M:.1f}}"
[expected]
text = '''
{expected}
'''
"""


def long_scenario(write_scenario, expected: str) -> Path:
    x = (np.arange(2000) * 0.5).tolist()
    m = (np.arange(2000).reshape(40, 50) * 0.5).tolist()
    return write_scenario(LONG.format(x=x, m=m, expected=expected))


MATRIX = """[[0.0 0.5 1.0 ... 23.5 24.0 24.5]
 [25.0 25.5 26.0 ... 48.5 49.0 49.5]
 [50.0 50.5 51.0 ... 73.5 74.0 74.5]
 ...
 [925.0 925.5 926.0 ... 948.5 949.0 949.5]
 [950.0 950.5 951.0 ... 973.5 974.0 974.5]
 [975.0 975.5 976.0 ... 998.5 999.0 999.5]]"""


def test_every_number_of_a_summarised_array_carries_the_value_it_shows(write_scenario) -> None:
    trainer = open_scenario(long_scenario(write_scenario, ""))
    trainer.run()
    lines = Log(trainer).lines()
    assert lines[0].text == "[0.0 0.5 1.0 ... 998.5 999.0 999.5]"  # as NumPy, and so the notes, print it
    assert [line.text for line in lines[1:]] == [line.strip() for line in MATRIX.splitlines()]
    numbers = [n for line in lines for n in line.numbers]
    assert len(numbers) == 6 + 36
    assert all(n.value is not None and f"{n.value:.1f}" == n.text for n in numbers)


def test_check_agrees_with_a_table_that_prints_a_summarised_array(write_scenario) -> None:
    trainer = open_scenario(long_scenario(write_scenario, "[0.0 0.5 1.0 ... 998.5 999.0 999.5]\n" + MATRIX))
    trainer.run()
    assert compare_log(trainer, trainer.program.scenario.expected_text or "").agrees


def test_check_names_the_exact_value_behind_a_summarised_number(write_scenario) -> None:
    trainer = open_scenario(long_scenario(write_scenario, "[0.0 0.5 1.0 ... 998.5 999.0 999.4]\n" + MATRIX))
    trainer.run()
    found = compare_log(trainer, trainer.program.scenario.expected_text or "").divergence
    assert found is not None
    assert found.describe() == "epoch 1, y_hat: the notes print 999.4, the engine computes 999.5 (exactly 999.5)"
