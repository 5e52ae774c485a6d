"""bpdbg's speed and memory figures, each a ratio against a baseline measured in the same run.

    python bench/run.py            # everything
    python bench/run.py --quick    # fewer repeats
    python bench/run.py --no-784   # without the 784-128-10 net (minutes: 2,000 epochs, twice)

Shared machines are noisy, so every timing is the best of several runs, and the
baseline and bpdbg take turns within one loop so both see the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import breakpoint_figures  # noqa: E402
import notes_loops  # noqa: E402
import softmax_figures  # noqa: E402

from bpdbg.engine.cursor import Cursor  # noqa: E402
from bpdbg.engine.session import open_scenario  # noqa: E402
from bpdbg.scenarios import shipped  # noqa: E402


def best_of(repeats: int, *runs: Callable[[], float]) -> list[float]:
    """Run each function `repeats` times, taking turns; the best time of each."""
    best = [float("inf")] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            best[i] = min(best[i], run())
    return best


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def training(repeats: int) -> list[dict[str, object]]:
    rows = []
    cases = [("net_221_sigmoid", notes_loops.net_221, 1.5), ("moons_relu", notes_loops.moons, 1.5)]
    for name, baseline, target in cases:
        path = shipped()[name]

        def engine_run(path: Path = path) -> float:
            trainer = open_scenario(path)  # load and compile are not part of training
            start = time.perf_counter()
            trainer.run()
            return time.perf_counter() - start

        notes, ours = best_of(repeats, timed(baseline), engine_run)
        load = best_of(repeats, timed(lambda path=path: open_scenario(path)))[0]
        rows.append(
            {
                "figure": f"headless training, {name}",
                "baseline": f"notes' NumPy loop {notes * 1e3:.1f} ms",
                "value": f"{ours * 1e3:.1f} ms (+ {load * 1e3:.1f} ms to load and compile)",
                "ratio": ours / notes,
                "target": f"≤ {target:g}×",
                "ok": ours / notes <= target,
            }
        )
    return rows


def jumps(repeats: int) -> list[dict[str, object]]:
    trainer = open_scenario(shipped()["moons_relu"])
    trainer.run()
    steps = trainer.program.steps
    fifth_backward = [s.index for s in steps if s.phase == "backward"][4]
    worst_there = worst_back = 0.0
    for _ in range(repeats):
        cursor = Cursor(trainer)
        cursor.to_end()
        cursor.snapshot()
        start = time.perf_counter()
        cursor.goto(3, fifth_backward)
        cursor.snapshot()
        middle = time.perf_counter()
        cursor.to_end()
        cursor.snapshot()
        end = time.perf_counter()
        worst_there, worst_back = max(worst_there, middle - start), max(worst_back, end - middle)
    return [
        {
            "figure": "jump to moons epoch 3, backward step 5 (after a full run)",
            "baseline": "-",
            "value": f"{worst_there * 1e3:.2f} ms (worst of {repeats})",
            "ratio": None,
            "target": "≤ 20 ms",
            "ok": worst_there <= 0.020,
        },
        {
            "figure": "jump back to the end",
            "baseline": "-",
            "value": f"{worst_back * 1e3:.2f} ms (worst of {repeats})",
            "ratio": None,
            "target": "≤ 20 ms",
            "ok": worst_back <= 0.020,
        },
    ]


_MEMORY_PROBE = """
import json, sys, tracemalloc
import numpy
import bpdbg.engine.session, bpdbg.engine.cursor
from bpdbg.scenarios import shipped

def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

before = rss()
tracemalloc.start()
trainer = bpdbg.engine.session.open_scenario(shipped()[sys.argv[1]])
trainer.run()
cursor = bpdbg.engine.cursor.Cursor(trainer)
cursor.to_end(); cursor.snapshot(); cursor.goto(3, 5); cursor.snapshot()
current, peak = tracemalloc.get_traced_memory()
print(json.dumps({"before": before, "after": rss(), "peak": peak}))
"""


def memory() -> list[dict[str, object]]:
    """Peak memory allocated during a full run (tracemalloc sees NumPy's buffers too)."""
    rows = []
    for name, limit in [("moons_relu", 100), ("net_221_sigmoid", 80)]:
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, name], capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout)
        peak = figures["peak"] / 2**20
        rss = (figures["after"] - figures["before"]) / 1024
        rows.append(
            {
                "figure": f"peak memory of a full run, {name}",
                "baseline": f"interpreter + numpy + engine: {figures['before'] / 1024:.0f} MB resident",
                "value": f"+{peak:.2f} MB peak allocated (resident +{rss:.1f} MB)",
                "ratio": None,
                "target": f"≤ +{limit} MB",
                "ok": peak <= limit and rss <= limit,
            }
        )
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    print(f"{'figure':<58} {'value':<44} {'ratio':>6}  {'target':<9} ok")
    for row in rows:
        ratio = f"{row['ratio']:.2f}×" if row["ratio"] is not None else "-"
        print(
            f"{row['figure']:<58} {row['value']!s:<44} {ratio:>6}  {row['target']!s:<9} {'yes' if row['ok'] else 'NO'}"
        )
        if row["baseline"] != "-":
            print(f"{'':<58} baseline: {row['baseline']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--no-784", action="store_true", help="skip the 784-128-10 softmax net's figures")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    print(f"bpdbg benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}; best of {repeats}\n")
    rows = training(repeats) + jumps(repeats) + memory()
    rows += breakpoint_figures.figures(best_of, repeats)
    if not args.no_784:
        rows += softmax_figures.figures()
    try:
        import app_figures
    except ImportError as error:  # the TUI's figures need Textual installed
        print(f"(app figures skipped: {error})")
    else:
        rows += app_figures.figures(repeats)
    print_table(rows)
    if args.json:
        print(json.dumps(rows, default=str, indent=1))


if __name__ == "__main__":
    main()
