"""Every worked example of the notes, run by the engine and compared with the printed tables.

Where the notes' code is right, bpdbg reproduces the printed table to the printed digit.
Where it is wrong, `check` names the first place and finite differences side with the engine.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.check import compare_log, gradient_check
from bpdbg.engine.report import Log

from .conftest import SHIPPED, trainer_for

AGREE = ["gd_x2", "gd_xy", "neuron_identity", "neuron_sigmoid", "two_neurons_layer", "net_221_sigmoid", "moons_relu"]


def test_every_worked_example_ships() -> None:
    # digits_softmax is not from the notes: tests/test_digits.py holds it to a plain NumPy loop.
    assert set(SHIPPED) == set(AGREE) | {"two_neurons", "neuron_batch", "digits_softmax"}


@pytest.mark.parametrize("name", AGREE)
def test_tables_the_notes_computed_correctly_are_reproduced_to_the_printed_digit(name: str) -> None:
    trainer = trainer_for(name)
    trainer.run()
    result = compare_log(trainer, trainer.program.scenario.expected_text or "")
    assert result.divergence is None, result.divergence.describe()
    assert result.lines >= 7


@pytest.mark.parametrize(
    ("name", "quantity", "notes", "engine"),
    [
        # The notes update w1 from the *new* w2: `w1 = w2 - learning_rate * dL_dw1`.
        ("two_neurons", "w1", "0.2060", "0.3003"),
        # The notes reuse a stale scalar z and x from an earlier cell inside the batch loop.
        ("neuron_batch", "w", "0.3046", "0.3109"),
    ],
)
def test_check_names_the_first_place_where_the_notes_are_wrong(
    name: str, quantity: str, notes: str, engine: str
) -> None:
    trainer = trainer_for(name)
    trainer.run()
    found = compare_log(trainer, trainer.program.scenario.expected_text or "").divergence
    assert found is not None
    assert (found.epoch, found.quantity, found.notes) == (1, quantity, notes)
    assert found.engine.startswith(engine)
    assert gradient_check(trainer, 1).passed  # the engine's gradients are right there


def test_the_loss_printed_before_the_early_stop_is_checked_before_the_backward_pass() -> None:
    trainer = trainer_for("neuron_identity")
    trainer.run()
    assert trainer.stop is not None and (trainer.stop.reason, trainer.stop.epoch) == ("early", 6)
    # No update at the stopping epoch: the parameters are those after epoch 5.
    assert trainer.params_after(6) == pytest.approx(trainer.params_after(5))
    assert Log(trainer).lines()[-1].text == "Loss = 0.0044, w = 1.6625, b = 1.5813"


def test_gradient_descent_tests_the_gradient_after_the_update() -> None:
    trainer = trainer_for("gd_x2")
    trainer.run()
    assert trainer.stop is not None and (trainer.stop.reason, trainer.stop.epoch) == ("early", 15)
    assert trainer.stop.step is None  # epoch 15 ran to its end: the update happened


def _notes_000_loop(epochs: int) -> dict[str, np.ndarray]:
    """Notes 000's own NumPy code, verbatim in substance: one update, then `epochs` more."""

    def sigmoid(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))

    np.random.seed(42)
    W1, b1, W2, b2 = np.random.rand(2, 2), np.random.rand(2, 1), np.random.rand(1, 2), np.random.rand(1, 1)
    x, y = np.array([[0], [1]]), np.array([[1]])
    for _ in range(epochs + 1):
        v1 = sigmoid(np.dot(W1, x) + b1)
        y_hat = sigmoid(np.dot(W2, v1) + b2)
        d_output = (y_hat - y) * (y_hat * (1 - y_hat))
        d_hidden = np.dot(W2.T, d_output) * (v1 * (1 - v1))
        W2 -= 0.1 * np.dot(d_output, v1.T)
        b2 -= 0.1 * d_output
        W1 -= 0.1 * np.dot(d_hidden, x.T)
        b1 -= 0.1 * d_hidden
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def test_net_221_matches_the_notes_code_bit_for_bit_after_10001_updates() -> None:
    trainer = trainer_for("net_221_sigmoid")
    trainer.run()
    assert trainer.epochs_done == 10001
    ours, theirs = trainer.params_after(10001), _notes_000_loop(10000)
    for name in theirs:
        assert np.array_equal(ours[name], theirs[name]), name


FROM_THE_NOTES = sorted(set(AGREE) | {"two_neurons", "neuron_batch"})


@pytest.mark.parametrize("name", FROM_THE_NOTES)  # digits_softmax: test_cli's gradcheck of every shipped scenario
def test_every_gradient_agrees_with_finite_differences(name: str) -> None:
    trainer = trainer_for(name)
    trainer.run(4)
    for epoch in sorted({1, trainer.epochs_done}):
        result = gradient_check(trainer, epoch)
        assert result.passed, (epoch, result.where, result.worst)
