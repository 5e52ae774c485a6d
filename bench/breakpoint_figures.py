"""Running to the end with a breakpoint that never holds, against running to the end without one.

A breakpoint is checked after every step that sets one of its quantities, so a run to the
end with one costs its evaluations on top of training: one per epoch for a gradient, checked
on the values training leaves; a condition on the loss alone is checked for whole chunks of
epochs at once, from the losses the trainer keeps.
"""

from __future__ import annotations

import time
from pathlib import Path

from measure import Row, best_of, print_table, ratio_row, training_time

from bpdbg.engine.conditions import parse_breakpoint
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped

CASES = [
    ("net_221_sigmoid", "abs(grad(W1)) < 0", 1.5),  # never holds: every epoch is checked
    ("net_221_sigmoid", "loss < 0", 1.1),
    ("moons_relu", "max(A1) < 0", 1.5),
]


def figures(repeats: int) -> list[Row]:
    rows = []
    for name, condition, target in CASES:
        path = shipped()[name]

        def watched(path: Path = path, condition: str = condition) -> float:
            cursor = Cursor(open_scenario(path))
            cursor.breakpoints.append(parse_breakpoint(cursor.program, condition))
            start = time.perf_counter()
            found = cursor.search(forward=True)
            took = time.perf_counter() - start
            assert found.condition is None and cursor.trainer.finished
            return took

        without, with_one = best_of(repeats, lambda path=path: training_time(path), watched)
        figure = f"run to the end with breakpoint {condition}, {name}"
        baseline = f"the same run without one {without * 1e3:.1f} ms"
        rows.append(ratio_row(figure, f"{with_one * 1e3:.1f} ms", baseline, with_one / without, target))
    return rows


if __name__ == "__main__":
    print_table(figures(5))
