"""The notes' own plain NumPy training loops: the baselines bpdbg's engine is measured against."""

from __future__ import annotations

import numpy as np

from bpdbg.engine.datasets import make_moons


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def net_221(epochs: int = 10001) -> None:
    """Notes 000: forward, backpropagation and update, as the notes write them."""
    np.random.seed(42)
    W1, b1 = np.random.rand(2, 2), np.random.rand(2, 1)
    W2, b2 = np.random.rand(1, 2), np.random.rand(1, 1)
    x, y = np.array([[0], [1]]), np.array([[1]])
    for _ in range(epochs):
        z1 = np.dot(W1, x) + b1
        v1 = _sigmoid(z1)
        z2 = np.dot(W2, v1) + b2
        y_hat = _sigmoid(z2)
        error_output = y_hat - y
        d_output = error_output * (y_hat * (1 - y_hat))
        error_hidden = np.dot(W2.T, d_output)
        d_hidden = error_hidden * (v1 * (1 - v1))
        W2 -= 0.1 * np.dot(d_output, v1.T)
        b2 -= 0.1 * d_output
        W1 -= 0.1 * np.dot(d_hidden, x.T)
        b1 -= 0.1 * d_hidden


def moons(epochs: int = 1000) -> None:
    """Notes 001: forward, loss, backward and update on make_moons(200, 0.2, 42)."""
    X, y = make_moons(200, 0.2, 42)
    y = y.reshape(-1, 1)
    np.random.seed(42)
    W1, b1 = np.random.randn(2, 4) * 0.01, np.zeros((1, 4))
    W2, b2 = np.random.randn(4, 1) * 0.01, np.zeros((1, 1))
    m = X.shape[0]
    for _ in range(epochs):
        Z1 = np.dot(X, W1) + b1
        A1 = np.maximum(0, Z1)
        Z2 = np.dot(A1, W2) + b2
        A2 = _sigmoid(Z2)
        -np.mean(y * np.log(A2 + 1e-8) + (1 - y) * np.log(1 - A2 + 1e-8))
        dZ2 = A2 - y
        dW2 = np.dot(A1.T, dZ2) / m
        db2 = np.sum(dZ2, axis=0, keepdims=True) / m
        dZ1 = np.dot(dZ2, W2.T) * (Z1 > 0).astype(float)
        dW1 = np.dot(X.T, dZ1) / m
        db1 = np.sum(dZ1, axis=0, keepdims=True) / m
        W1 -= 0.1 * dW1
        b1 -= 0.1 * db1
        W2 -= 0.1 * dW2
        b2 -= 0.1 * db2
