"""The 784-128-10 softmax figures: training against a plain NumPy loop, memory, and jumps after the run.

A run is 2,000 epochs of a 101,770-parameter net, so each side trains once, in a process of
its own (taking turns: the plain loop, then bpdbg), and reports its time and its peak
resident memory.

    python bench/softmax_figures.py plain|bpdbg    # one side, as JSON (run.py calls it)
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

SCENARIO = Path(__file__).resolve().parent / "softmax_784.toml"
EPOCHS, SAMPLES, FEATURES, CLASSES, HIDDEN, RATE = 2000, 1000, 784, 10, 128, 0.01


def _resident_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def plain_loop(epochs: int = EPOCHS) -> float:
    """The same network as a lecturer writes it in NumPy; returns the loss of the last epoch."""
    from bpdbg.engine.datasets import make_blobs

    X, labels = make_blobs(SAMPLES, centers=CLASSES, n_features=FEATURES, random_state=0)
    Y = np.eye(CLASSES)[labels.astype(np.intp)]
    np.random.seed(0)
    W1, b1 = np.random.randn(FEATURES, HIDDEN) * 0.01, np.zeros((1, HIDDEN))
    W2, b2 = np.random.randn(HIDDEN, CLASSES) * 0.01, np.zeros((1, CLASSES))
    loss = float("nan")
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
    return float(loss)


def _plain() -> dict[str, float]:
    before = _resident_mb()
    start = time.perf_counter()
    loss = plain_loop()
    return {"seconds": time.perf_counter() - start, "loss": loss, "before_mb": before, "peak_mb": _peak_mb()}


def _bpdbg() -> dict[str, object]:
    """Train the scenario, then jump to steps whose epochs lie furthest from a checkpoint."""
    from bpdbg.engine.cursor import Cursor
    from bpdbg.engine.session import open_scenario

    before = _resident_mb()
    trainer = open_scenario(SCENARIO)
    start = time.perf_counter()
    trainer.run()
    seconds = time.perf_counter() - start
    k = trainer.spacing
    # The dearest epochs to show: the last before a checkpoint (k − 1 epochs trained on, then replayed).
    targets = [(e, s) for e, s in [(k - 1, 5), (5 * k - 1, 20), (EPOCHS // 2 + k - 2, 0), (EPOCHS - 1, 12)] if e > 0]
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
        "seconds": seconds,
        "loss": float(trainer.losses[-1]),
        "before_mb": before,
        "peak_mb": _peak_mb(),
        "spacing": k,
        "checkpoint_mb": trainer.checkpoints.nbytes / 2**20,
        "jumps": jumps,
    }


def _side(name: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def figures() -> list[dict[str, object]]:
    from bpdbg.engine.limits import CHECKPOINT_BYTES, MAX_RECORD_CACHE_BYTES, RECENT_ROW_BYTES

    plain, ours = _side("plain"), _side("bpdbg")
    seconds, base = ours["seconds"], plain["seconds"]
    agree = abs(ours["loss"] - plain["loss"]) <= 1e-6 * abs(plain["loss"])  # the same network, trained alike
    # What the engine may keep: checkpoints, rows found by training on, and the debugger's replayed epochs.
    budgets = (CHECKPOINT_BYTES + RECENT_ROW_BYTES + MAX_RECORD_CACHE_BYTES) / 2**20
    grown = ours["peak_mb"] - ours["before_mb"]
    jumps: list[float] = ours["jumps"]
    return [
        {
            "figure": f"headless training, 784-128-10 softmax, {EPOCHS:,} epochs",
            "baseline": f"plain NumPy loop {base:.1f} s (last loss {plain['loss']:.6g}; bpdbg's {ours['loss']:.6g})",
            "value": f"{seconds:.1f} s",
            "ratio": seconds / base,
            "target": "≤ 1.5×",
            "ok": seconds / base <= 1.5 and agree,
        },
        {
            "figure": "peak memory of that run and the jumps after it",
            "baseline": f"plain loop +{plain['peak_mb'] - plain['before_mb']:.0f} MB resident at its peak",
            "value": f"+{grown:.0f} MB resident (every {ours['spacing']} epochs kept: {ours['checkpoint_mb']:.0f} MB)",
            "ratio": None,
            "target": f"≤ +{budgets:.0f} MB",
            "ok": grown <= budgets and ours["checkpoint_mb"] <= CHECKPOINT_BYTES / 2**20,
        },
        {
            "figure": "jump to a step k−1 epochs past a checkpoint, 784 net",
            "baseline": "-",
            "value": f"{max(jumps) * 1e3:.0f} ms (worst of {len(jumps)})",
            "ratio": None,
            "target": "≤ 50 ms",
            "ok": max(jumps) <= 0.050,
        },
    ]


if __name__ == "__main__":
    print(json.dumps(_plain() if sys.argv[1] == "plain" else _bpdbg()))
