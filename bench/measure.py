"""What every benchmark module shares: timing by turns, a training run's time, and the table's rows.

A row is one figure: what was measured, its value, the baseline measured in the same run,
the ratio to it (if the target is one), the target, and whether it is met. Every module
builds its rows with `ratio_row`, `limit_row` or `context_row`, and `print_table` prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bpdbg.engine.session import open_scenario

Row = dict[str, object]


def best_of(repeats: int, *runs: Callable[[], float]) -> list[float]:
    """Run each function `repeats` times, taking turns; the best time of each."""
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            best[i] = min(best[i], run())
    return best


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """A function that runs `fn` and returns how long it took."""

    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def training_time(path: Path) -> float:
    """How long training a scenario to its end takes headless (loading and compiling not counted)."""
    trainer = open_scenario(path)
    start = time.perf_counter()
    trainer.run()
    return time.perf_counter() - start


def ratio_row(figure: str, value: str, baseline: str, ratio: float, target: float, agrees: bool = True) -> Row:
    """A figure against a baseline of the same run: met when the ratio is at most `target`
    (and what the two computed `agrees`)."""
    return {
        "figure": figure,
        "baseline": baseline,
        "value": value,
        "ratio": ratio,
        "target": f"≤ {target:g}×",
        "ok": ratio <= target and agrees,
    }


def limit_row(figure: str, value: str, target: str, ok: bool, baseline: str = "-") -> Row:
    """A figure against a fixed limit (milliseconds, megabytes), written out in `target`."""
    return {"figure": figure, "baseline": baseline, "value": value, "ratio": None, "target": target, "ok": ok}


def context_row(figure: str, value: str, baseline: str = "-") -> Row:
    """A figure with no target of its own, measured to read another against (ok: None, shown as -)."""
    return {"figure": figure, "baseline": baseline, "value": value, "ratio": None, "target": "-", "ok": None}


def print_table(rows: list[Row]) -> None:
    print(f"{'figure':<58} {'value':<44} {'ratio':>6}  {'target':<9} ok")
    for row in rows:
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "-"
        print(f"{row['figure']:<58} {row['value']!s:<44} {ratio:>6}  {row['target']!s:<9} {_verdict(row['ok'])}")
        if row["baseline"] != "-":
            print(f"{'':<58} baseline: {row['baseline']}")


def _verdict(ok: object) -> str:
    return "-" if ok is None else "yes" if ok else "NO"
