"""The shipped digits scenario: a 64-32-10 softmax network on scikit-learn's copy of the UCI 8×8 digits.

The engine's run is held to a plain NumPy loop written here from the scenario's
formulas (the same seeded draws, the usual hand-derived gradients), so the accuracy
it reports is the network's, not an artefact of the tape.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from bpdbg.engine.report import Log
from bpdbg.engine.trainer import Trainer

from .conftest import SCENARIOS, trainer_for

EPOCHS = 200


@pytest.fixture(scope="module")
def trainer() -> Trainer:
    trainer = trainer_for("digits_softmax")
    trainer.run()
    return trainer


def digits() -> tuple[np.ndarray, np.ndarray]:
    with np.load(SCENARIOS / "digits.npz", allow_pickle=False) as archive:
        return archive["X"], archive["y"]


def plain_numpy_loop() -> tuple[list[float], list[float]]:
    """The scenario's network trained by hand: the loss and the accuracy of every epoch, before its update."""
    X, y = digits()
    Y = np.eye(10)[y[:, 0].astype(int)]
    n = len(X)
    state = np.random.RandomState(0)
    W1, b1 = state.randn(64, 32) * 0.01, np.zeros((1, 32))
    W2, b2 = state.randn(32, 10) * 0.01, np.zeros((1, 10))
    losses, accuracies = [], []
    for _ in range(EPOCHS):
        A1 = np.tanh(X @ W1 + b1)
        Z2 = A1 @ W2 + b2
        shifted = Z2 - Z2.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses.append(float(-np.mean(np.sum(Y * log_p, axis=1))))
        accuracies.append(float(np.mean(np.sum(Y * (Z2 == Z2.max(axis=1, keepdims=True)), axis=1))))
        dZ2 = (np.exp(log_p) - Y) / n
        dZ1 = (dZ2 @ W2.T) * (1 - A1**2)
        W2, b2 = W2 - 1.0 * (A1.T @ dZ2), b2 - 1.0 * dZ2.sum(axis=0, keepdims=True)
        W1, b1 = W1 - 1.0 * (X.T @ dZ1), b1 - 1.0 * dZ1.sum(axis=0, keepdims=True)
    return losses, accuracies


def test_the_data_file_is_the_1797_digits_scaled_to_0_1() -> None:
    X, y = digits()
    assert (X.shape, X.dtype, y.shape, y.dtype) == ((1797, 64), np.float64, (1797, 1), np.float64)
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(X * 16, np.round(X * 16))  # pixel counts 0 … 16, divided by 16
    assert np.bincount(y[:, 0].astype(int)).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert hashlib.sha256(X.tobytes()).hexdigest() == "23a53393488b04f92efc45ebc92767e2dcfdf206ba37a928f497d261e42267d2"
    assert hashlib.sha256(y.tobytes()).hexdigest() == "061ad6ef55db43219297185e36e289bb03a3645efcf351c452b19739ecdfb900"


def test_its_licence_ships_beside_it() -> None:
    licence = (SCENARIOS / "DIGITS_LICENSE.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "Alpaydin" in licence


def test_the_engine_trains_as_a_plain_numpy_loop_does(trainer: Trainer) -> None:
    losses, accuracies = plain_numpy_loop()
    assert trainer.epochs_done == EPOCHS
    np.testing.assert_allclose(trainer.losses[:EPOCHS], losses, rtol=1e-12, atol=0)
    slot = trainer.program.named["accuracy"]
    for epoch in (1, 100, EPOCHS):
        assert float(trainer.record(epoch).value(slot)) == accuracies[epoch - 1], epoch


def test_it_trains_to_98_5_percent_of_the_digits_right(trainer: Trainer) -> None:
    assert [line.text for line in Log(trainer).lines()] == [
        "Epoch 1, Loss: 2.3020, Accuracy: 0.1224",
        "Epoch 51, Loss: 0.3452, Accuracy: 0.9321",
        "Epoch 101, Loss: 0.1562, Accuracy: 0.9672",
        "Epoch 151, Loss: 0.1073, Accuracy: 0.9766",
        "Epoch 200, Loss: 0.0829, Accuracy: 0.9850",
    ]
    slot = trainer.program.named["accuracy"]
    assert float(trainer.record(EPOCHS).value(slot)) * 1797 == 1770  # digits right out of 1,797
