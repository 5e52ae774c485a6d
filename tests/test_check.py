"""The referees: finite differences, and pairing the log's printed numbers with their values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine import check
from bpdbg.engine.check import compare_log, gradient_check, last_with_gradients, no_gradients
from bpdbg.engine.report import Log
from bpdbg.engine.session import open_scenario
from bpdbg.export.epochs import csv_header

from .conftest import SCENARIOS, trainer_for

WIDE = """
title = "One wide layer"
seed = 1
[params]
W = {{ randn = {shape}, scale = 0.5 }}
[loss]
L = "mean(W * W * W)"
[training]
learning_rate = 0.1
epochs = 2
"""


def count_losses(trainer: object) -> list[int]:
    """Count the trainer's loss evaluations from here on."""
    calls = [0]
    loss_at: Callable[..., float] = trainer.loss_at  # type: ignore[attr-defined]

    def counted(row: np.ndarray) -> float:
        calls[0] += 1
        return loss_at(row)

    trainer.loss_at = counted  # type: ignore[attr-defined]
    return calls


# -- a bounded sample of a large parameter -------------------------------------------------------


def test_a_large_parameter_is_checked_at_a_bounded_sample_of_its_coordinates(write_scenario) -> None:
    trainer = open_scenario(write_scenario(WIDE.format(shape="[50, 100]")))
    trainer.run(1)
    calls = count_losses(trainer)
    result = gradient_check(trainer, 1)
    assert calls[0] == 2 * check.SAMPLE
    assert result.passed
    assert [s.describe() for s in result.sampled] == [f"sampled {check.SAMPLE} of 5,000 coordinates of W"]


def test_the_sample_is_the_same_every_time() -> None:
    grad = np.random.default_rng(7).normal(size=10_000)
    assert np.array_equal(check.coordinates(grad), check.coordinates(grad.copy()))
    assert len(set(check.coordinates(grad).tolist())) == check.SAMPLE


def test_the_largest_gradients_are_always_among_the_sample(write_scenario) -> None:
    trainer = open_scenario(write_scenario(WIDE.format(shape="[50, 100]")))
    trainer.run(1)
    grads = trainer.grads_at(1)
    wrong = np.array(grads["W"], dtype=np.float64)
    row, column = np.unravel_index(int(np.argmax(np.abs(wrong))), wrong.shape)
    wrong[row, column] *= 1.01  # one wrong number, where the gradient is largest
    trainer.grads_at = lambda epoch: {"W": wrong}  # type: ignore[method-assign]
    result = gradient_check(trainer, 1)
    assert not result.passed and result.where == f"W[{row},{column}]"


def test_gradcheck_of_a_large_parameter_says_it_sampled(write_scenario) -> None:
    # 20,000 numbers: sampled as two million are (the README's example), at a hundredth of the cost.
    path = write_scenario(WIDE.format(shape="[100, 200]"))
    result = CliRunner().invoke(main, ["gradcheck", str(path), "--after", "0"])
    assert result.exit_code == 0, result.output
    assert f"sampled {check.SAMPLE} of 20,000 coordinates of W" in result.output
    assert result.output.startswith("scenario: ok,")


def test_a_small_parameter_is_checked_at_every_coordinate() -> None:
    trainer = trainer_for("moons_relu")
    trainer.run(1)
    calls = count_losses(trainer)
    result = gradient_check(trainer, 1)
    assert result.sampled == () and calls[0] == 2 * trainer.program.n_params


# -- epochs that ended before their backward pass --------------------------------------------------


def test_an_epoch_that_stopped_before_its_backward_pass_is_skipped_not_failed() -> None:
    trainer = trainer_for("neuron_identity")
    trainer.run()
    assert trainer.epochs_done == 6
    assert no_gradients(trainer, 5) is None
    assert (
        no_gradients(trainer, 6) == "epoch 6 skipped: it stopped early before its backward pass, so it has no gradients"
    )
    assert not gradient_check(trainer, 6).passed and gradient_check(trainer, 6).skipped is not None
    assert last_with_gradients(trainer, 6) == 5


def test_gradcheck_after_an_early_stop_checks_the_epochs_that_have_gradients() -> None:
    result = CliRunner().invoke(main, ["gradcheck", "neuron_identity", "--after", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("neuron_identity: ok, ")
    assert "epochs checked: 1; epoch 6 skipped: it stopped early before its backward pass" in result.output


def test_check_of_an_early_stopped_table_uses_the_last_epoch_with_gradients(tmp_path: Path) -> None:
    text = (SCENARIOS / "neuron_identity.toml").read_text()
    path = tmp_path / "neuron_identity.toml"
    path.write_text(text.replace("        Loss = 0.0044,", "        Loss = 0.0045,"))  # a misprint at epoch 6
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert "DIFFERS from the notes at epoch 6, loss: the notes print 0.0045" in result.output
    assert "finite differences confirm the engine's gradients there (epoch 5," in result.output
    assert "epoch 6 ended before its backward pass" in result.output
    assert "DISAGREE" not in result.output


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


def test_a_nan_gradient_counts_as_the_worst_error_not_as_none(write_scenario) -> None:
    trainer = open_scenario(write_scenario(WIDE.format(shape="[2, 3]")))
    trainer.run(1)
    wrong = np.array(trainer.grads_at(1)["W"], dtype=np.float64)
    wrong[1, 2] = np.nan
    trainer.grads_at = lambda epoch: {"W": wrong}  # type: ignore[method-assign]
    result = gradient_check(trainer, 1)
    assert not result.passed and result.where == "W[1,2]"


def test_gradcheck_names_a_coordinate_by_its_full_index_as_the_csv_export_does() -> None:
    trainer = trainer_for("moons_relu")  # W2 is 4×1 and b2 1×1
    trainer.run(1)
    right = trainer.grads_at(1)
    columns = csv_header(trainer)
    for name, index, named in (("W2", (1, 0), "W2[1,0]"), ("b2", (0, 0), "b2"), ("b1", (0, 2), "b1[0,2]")):
        wrong = {k: np.array(v, dtype=np.float64) for k, v in right.items()}
        wrong[name][index] += 1.0
        trainer.grads_at = lambda epoch, wrong=wrong: wrong  # type: ignore[method-assign]
        result = gradient_check(trainer, 1)
        assert not result.passed and result.where == named
        assert named in columns and f"grad({name}){named.removeprefix(name)}" in columns
