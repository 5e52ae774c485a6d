"""Numerical faults: a run that overflows stops at its first non-finite value, named; saturating maths stays finite.

No NumPy warning escapes: the tests turn warnings into errors.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.ops import sigmoid
from bpdbg.engine.session import open_scenario

from .conftest import SCENARIOS
from .one_line_errors import cli, edit


def diverging(tmp_path: Path, name: str = "gd_xy", rate: str = "100") -> Path:
    """A shipped scenario with its learning rate raised until the parameters overflow."""
    text = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    lines = [
        f"learning_rate = {rate}"
        if line.startswith("learning_rate")
        else "epochs = 1000"
        if line.startswith("epochs")
        else line
        for line in text.splitlines()
    ]
    path = tmp_path / f"{name}_diverging.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_diverging_run_stops_at_the_first_non_finite_value_naming_epoch_step_and_quantity(tmp_path: Path) -> None:
    trainer = open_scenario(diverging(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy overflow warning would fail the test
        trainer.run()
    stop = trainer.stop
    assert stop is not None and stop.reason == "non-finite"
    assert stop.epoch == 57 and stop.step == 1
    assert stop.message == "non-finite value at epoch 57, step 2 (loss): y²"
    assert np.isinf(trainer.losses[56]) and np.isfinite(trainer.losses[:56]).all()
    assert all(np.isfinite(trainer.row(epoch)).all() for epoch in range(58))  # no non-finite parameters are kept


def test_the_stop_epoch_can_be_replayed_and_the_cursor_can_rewind(tmp_path: Path) -> None:
    trainer = open_scenario(diverging(tmp_path, "neuron_identity"))
    trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "non-finite"
    cursor = Cursor(trainer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cursor.to_end()
        end = cursor.snapshot().position
        assert end.epoch == trainer.stop.epoch and end.step == trainer.stop.step
        assert not np.isfinite(cursor.snapshot().value).all()
        assert cursor.rewind()
    start = cursor.snapshot().position
    assert (start.epoch, start.step) == (1, 0)


def test_run_reports_a_non_finite_stop_on_stderr_and_exits_1(tmp_path: Path) -> None:
    path = diverging(tmp_path)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "bpdbg", "run", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr == f"{path}: non-finite value at epoch 57, step 2 (loss): y²\n"
    assert "Warning" not in done.stderr and done.stdout.splitlines()[0].startswith("Iteration 1: x =")


def test_run_json_ends_with_the_non_finite_stop(tmp_path: Path) -> None:
    import json

    status, out, err = cli("run", "--json", str(diverging(tmp_path)))
    assert status == 1 and "non-finite value at epoch 57" in err
    last = json.loads(out.splitlines()[-1], parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert last["epoch"] == 57 and last["stop"] == "non-finite"
    assert last["loss"] is None  # strict JSON: a non-finite number is written as null


@pytest.mark.parametrize("name", ["two_neurons", "moons_relu"])
def test_a_huge_learning_rate_on_saturating_networks_stays_finite_and_quiet(tmp_path: Path, name: str) -> None:
    """Sigmoids saturate instead of overflowing, and the moons loss guards its logs with 1e-8."""
    trainer = open_scenario(diverging(tmp_path, name, "1e6"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason in ("epochs", "early")
    assert np.isfinite(trainer.losses[: trainer.epochs_done]).all()


def test_sigmoid_of_large_inputs_is_exactly_0_or_1_without_a_warning() -> None:
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0]))
    assert values.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


@pytest.mark.parametrize(
    ("expression", "z", "expected"),
    [
        ("sigmoid(z)", -1000.0, 0.0),
        ("sigmoid(z)", 1000.0, 1.0),
        ("exp(z)", -1000.0, 0.0),
        ("tanh(z)", 1000.0, 1.0),
        ("log(exp(z))", 700.0, 700.0),
    ],
)
def test_activations_of_large_inputs_are_finite_in_a_scenario(
    tmp_path: Path, expression: str, z: float, expected: float
) -> None:
    path = tmp_path / "large.toml"
    path.write_text(
        f'title = "large"\n[data]\nz = {z}\n[params]\nw = 1.0\n[model]\na = "{expression}"\n'
        '[loss]\nL = "w * a"\n[training]\nlearning_rate = 0.1\nepochs = 1\n',
        encoding="utf-8",
    )
    trainer = open_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "epochs"
    assert trainer.losses[0] == expected


def test_log_fields_on_whole_numbers_never_wrap_around_or_warn(tmp_path: Path) -> None:
    path = tmp_path / "ints.toml"
    big = " * ".join(["999999999999999"] * 30)
    path.write_text(
        edit("{loss:.4f}", "{epoch - 1} {epoch ** -1:.2f} {epoch / 0} {epoch:.2} {" + big + "}"), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "bpdbg", "run", str(path)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "Epoch 1: loss = 0 1.00 inf 1.0 inf"


def test_gradcheck_of_a_run_that_overflows_at_once_says_so(tmp_path: Path) -> None:
    path = tmp_path / "overflow.toml"
    path.write_text(edit("x = 0.5", "x = 1e200"), encoding="utf-8")
    status, out, err = cli("gradcheck", str(path))
    assert status == 1 and err == ""
    assert out == ("overflow: cannot check, non-finite value at epoch 1, step 4 (loss): (z − y)²\n")
