"""The 784-128-10 softmax figures: training against a plain NumPy loop, memory, and jumps after the run.

A run is 2,000 epochs of a 101,770-parameter net, minutes on a shared machine, so each side
trains it once, the two taking turns a hundred epochs at a time in one process of its own,
which then reports its peak resident memory.

    python bench/softmax_figures.py          # the measurements, as JSON (run.py calls it)
    python bench/softmax_figures.py 600MB    # the same with a larger budget for the checkpoints
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from measure import Row, limit_row, ratio_row

SCENARIO = Path(__file__).resolve().parent / "softmax_784.toml"
EPOCHS, SAMPLES, FEATURES, CLASSES, HIDDEN, RATE = 2000, 1000, 784, 10, 128, 0.01


def _resident_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


class PlainLoop:
    """The same network as a lecturer writes it in NumPy, trained a stretch of epochs at a time."""

    def __init__(self) -> None:
        from bpdbg.engine.datasets import make_blobs

        self.X, labels = make_blobs(SAMPLES, centers=CLASSES, n_features=FEATURES, random_state=0)
        self.Y = np.eye(CLASSES)[labels.astype(np.intp)]
        np.random.seed(0)
        self.W1, self.b1 = np.random.randn(FEATURES, HIDDEN) * 0.01, np.zeros((1, HIDDEN))
        self.W2, self.b2 = np.random.randn(HIDDEN, CLASSES) * 0.01, np.zeros((1, CLASSES))
        self.loss = float("nan")  # of the last epoch, before its update

    def train(self, epochs: int) -> None:
        X, Y, W1, b1, W2, b2 = self.X, self.Y, self.W1, self.b1, self.W2, self.b2
        for _ in range(epochs):
            Z1 = X @ W1 + b1
            A1 = np.maximum(0, Z1)
            Z2 = A1 @ W2 + b2
            shifted = Z2 - Z2.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -np.mean(np.sum(Y * log_probs, axis=1))
            dZ2 = (np.exp(log_probs) - Y) / SAMPLES
            dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0, keepdims=True)
            dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
            dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0, keepdims=True)
            W1 -= RATE * dW1
            b1 -= RATE * db1
            W2 -= RATE * dW2
            b2 -= RATE * db2
        self.loss = float(loss)


def measure(memory: int, stretch: int = 100) -> dict[str, Any]:
    """Both train the whole run, taking turns a stretch of epochs at a time so that both see the
    same machine; then bpdbg, its checkpoints spaced to fit `memory` bytes, jumps to steps whose
    epochs lie furthest from a checkpoint."""
    from bpdbg.engine.cursor import Cursor
    from bpdbg.engine.session import open_scenario

    before = _resident_mb()
    plain, trainer = PlainLoop(), open_scenario(SCENARIO, memory)
    plain_seconds = seconds = 0.0
    for _ in range(EPOCHS // stretch):
        start = time.perf_counter()
        plain.train(stretch)
        middle = time.perf_counter()
        trainer.run(stretch)
        plain_seconds, seconds = plain_seconds + middle - start, seconds + time.perf_counter() - middle
    k = trainer.spacing
    # The dearest epochs to show: e whose parameters on entry, after e − 1, are k − 1 epochs past a
    # checkpoint, so k − 1 epochs are trained on and then e is replayed.
    targets = [(k, 5), (5 * k, 20), (EPOCHS // 2 // k * k, 0), (EPOCHS // k * k, 12)]
    jumps = []
    cursor = Cursor(trainer)
    cursor.to_end()
    cursor.snapshot()
    for epoch, step in targets:
        began = time.perf_counter()
        cursor.goto(epoch, step)
        cursor.snapshot()
        jumps.append(time.perf_counter() - began)
    return {
        "plain_seconds": plain_seconds,
        "seconds": seconds,
        "plain_loss": plain.loss,
        "loss": float(trainer.losses[-1]),
        "before_mb": before,
        "peak_mb": _peak_mb(),
        "spacing": k,
        "checkpoint_mb": trainer.checkpoints.nbytes / 2**20,
        "jumps": jumps,
    }


def _measured() -> dict[str, Any]:
    """In a process of its own, so that its peak memory is this run's."""
    out = subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def figures() -> list[Row]:
    from bpdbg.engine.limits import CHECKPOINT_BYTES, MAX_RECORD_CACHE_BYTES, RECENT_ROW_BYTES

    ours = _measured()
    seconds, base = ours["seconds"], ours["plain_seconds"]
    agree = abs(ours["loss"] - ours["plain_loss"]) <= 1e-6 * abs(ours["plain_loss"])  # the same network
    # What the engine may keep: checkpoints, rows found by training on, and the debugger's replayed epochs.
    budgets = (CHECKPOINT_BYTES + RECENT_ROW_BYTES + MAX_RECORD_CACHE_BYTES) / 2**20
    grown = ours["peak_mb"] - ours["before_mb"]
    jumps: list[float] = ours["jumps"]
    return [
        ratio_row(
            f"headless training, 784-128-10 softmax, {EPOCHS:,} epochs",
            f"{seconds:.1f} s",
            f"plain NumPy loop {base:.1f} s (last loss {ours['plain_loss']:.6g}, bpdbg {ours['loss']:.6g})",
            seconds / base,
            1.5,
            agrees=agree,
        ),
        limit_row(
            "peak memory of that run and the jumps after it",
            f"+{grown:.0f} MB resident (every {ours['spacing']} epochs kept: {ours['checkpoint_mb']:.0f} MB)",
            f"≤ +{budgets:.0f} MB",
            grown <= budgets and ours["checkpoint_mb"] <= CHECKPOINT_BYTES / 2**20,
            "the process's resident memory before either net was built (the plain loop's arrays count)",
        ),
        limit_row(
            f"jump to a step k−1 = {ours['spacing'] - 1} epochs past a checkpoint, 784 net",
            f"{max(jumps) * 1e3:.0f} ms (worst of {len(jumps)}; an epoch took {seconds / EPOCHS * 1e3:.1f} ms)",
            "≤ 50 ms",
            max(jumps) <= 0.050,
        ),
    ]


if __name__ == "__main__":
    from bpdbg.engine.limits import CHECKPOINT_BYTES, parse_memory

    print(json.dumps(measure(parse_memory(sys.argv[1]) if len(sys.argv) > 1 else CHECKPOINT_BYTES)))
