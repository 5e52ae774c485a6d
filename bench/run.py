"""bpdbg's speed and memory figures, each a ratio against a baseline measured in the same run.

    python bench/run.py            # everything
    python bench/run.py --quick    # fewer repeats
    python bench/run.py --no-784   # without the 784-128-10 net (minutes: 2,000 epochs, twice)
    python bench/run.py --only training --match net_221    # one group, one scenario

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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import breakpoint_figures  # noqa: E402
import notes_loops  # noqa: E402
import softmax_figures  # noqa: E402
from measure import Row, best_of, limit_row, print_table, ratio_row, timed, training_time  # noqa: E402

from bpdbg.engine.cursor import Cursor  # noqa: E402
from bpdbg.engine.session import open_scenario  # noqa: E402
from bpdbg.scenarios import shipped  # noqa: E402


def training(repeats: int, only: str = "") -> list[Row]:
    """Headless training against the notes' own loops (`only`: just the scenarios whose name has it)."""
    rows = []
    cases = [("net_221_sigmoid", notes_loops.net_221, 1.5), ("moons_relu", notes_loops.moons, 1.5)]
    for name, baseline, target in cases:
        if only not in name:
            continue
        path = shipped()[name]
        notes, ours = best_of(repeats, timed(baseline), lambda path=path: training_time(path))
        load = best_of(repeats, timed(lambda path=path: open_scenario(path)))[0]
        value = f"{ours * 1e3:.1f} ms (+ {load * 1e3:.1f} ms to load and compile)"
        baseline_text = f"notes' NumPy loop {notes * 1e3:.1f} ms"
        rows.append(ratio_row(f"headless training, {name}", value, baseline_text, ours / notes, target))
    return rows


def jumps(repeats: int) -> list[Row]:
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
    there, back = f"{worst_there * 1e3:.2f} ms (worst of {repeats})", f"{worst_back * 1e3:.2f} ms (worst of {repeats})"
    return [
        limit_row("jump to moons epoch 3, backward step 5 (after a full run)", there, "≤ 20 ms", worst_there <= 0.020),
        limit_row("jump back to the end", back, "≤ 20 ms", worst_back <= 0.020),
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


def memory() -> list[Row]:
    """Peak memory allocated during a full run (tracemalloc sees NumPy's buffers too)."""
    rows = []
    for name, limit in [("moons_relu", 100), ("net_221_sigmoid", 80)]:
        out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, name], capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout)
        peak = figures["peak"] / 2**20
        rss = (figures["after"] - figures["before"]) / 1024
        rows.append(
            limit_row(
                f"peak memory of a full run, {name}",
                f"+{peak:.2f} MB peak allocated (resident +{rss:.1f} MB)",
                f"≤ +{limit} MB",
                peak <= limit and rss <= limit,
                f"interpreter + numpy + engine: {figures['before'] / 1024:.0f} MB resident",
            )
        )
    return rows


GROUPS = ("training", "jumps", "memory", "breakpoints", "784", "app")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON too")
    parser.add_argument("--no-784", action="store_true", help="skip the 784-128-10 softmax net's figures")
    parser.add_argument("--only", action="append", choices=GROUPS, help="just these groups of figures (repeatable)")
    parser.add_argument("--match", default="", help="headless training: just the scenarios whose name has this")
    args = parser.parse_args()
    groups = set(args.only or GROUPS) - ({"784"} if args.no_784 else set())
    repeats = 3 if args.quick else 9
    print(f"bpdbg benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}; best of {repeats}\n")
    rows = training(repeats, args.match) if "training" in groups else []
    rows += jumps(repeats) if "jumps" in groups else []
    rows += memory() if "memory" in groups else []
    rows += breakpoint_figures.figures(repeats) if "breakpoints" in groups else []
    rows += softmax_figures.figures() if "784" in groups else []
    if "app" in groups:
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
