"""[[breakpoint]]: a condition the debugger opens with, misspelt or unknown, at its character.

A breakpoint in the file is checked when the scenario opens, by every command, as a
stop_when condition is: a name the model lacks is an error at that name, not a surprise
in the middle of a lecture.
"""

from __future__ import annotations

from .one_line_errors import BASE, Case, edit, one_line_at_the_exact_place

CASES: list[Case] = [
    (
        "unknown-name",
        BASE + '\n[[breakpoint]]\nwhen = "abs(grad(w)) < 1e-3 and q > 1"\n',
        "25:33: breakpoint[0].when: unknown name 'q' in the condition (known: L, b, epoch, loss, w, x, y, z)",
    ),
    (
        "syntax",
        BASE + '\n[[breakpoint]]\nwhen = "loss <"\n',
        "25:15: breakpoint[0].when: expression is incomplete in 'loss <'",
    ),
    (
        "misspelt-when",
        BASE + "\n[[breakpoint]]\nwhen_ = 1\n",
        "25:1: breakpoint[0].when_: unknown key 'when_'; did you mean 'when'?",
    ),
    (
        "no-when",
        BASE + "\n[[breakpoint]]\n",
        '24:1: breakpoint[0]: needs when, the condition to stop at, e.g. when = "loss < 0.05"',
    ),
    (
        "not-a-table",
        edit('title = "errors"', 'title = "errors"\nbreakpoint = ["loss < 1"]'),
        "2:1: breakpoint[0]: each [[breakpoint]] entry must be a table",
    ),
    (
        "single-brackets",
        BASE + '\n[breakpoint]\nwhen = "loss < 1"\n',
        "24:1: breakpoint: must be an array of tables, one [[breakpoint]] block each, not a table",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)
