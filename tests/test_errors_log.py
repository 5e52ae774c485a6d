"""[[log]] blocks: unknown names, fields, format specs and braces in a log format, at the character in it.

The log format is checked when the scenario loads, before anything runs, so a typo in
it is found even by a command that never prints the log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpdbg.engine.loader import load_scenario
from bpdbg.engine.scenario import ScenarioError

from .one_line_errors import BASE, Case, edit, one_line_at_the_exact_place, the_error

CASES: list[Case] = [
    (
        "d-spec-on-a-fraction",
        edit("{loss:.4f}", "{loss:3d}"),
        "22:39: log[0].format: format spec '3d' in {loss} is for whole numbers, such as {epoch:3d} or "
        "{epoch - 1:03d}, and {loss} can be a fraction: use e.g. .4f (or .0f for a count)",
    ),
    (
        "d-spec-with-a-precision",
        edit("{loss:.4f}", "{epoch:.2d}"),
        "22:40: log[0].format: format spec '.2d' in {epoch} is not supported (use e.g. .4f, ' .4f', .6g, 3d)",
    ),
    (
        "at-lists-no-epoch",
        edit("[[log]]\n", "[[log]]\nat = []\n"),
        "22:1: log[0].at: at must list epoch numbers from 1, e.g. at = [1, 10]",
    ),
    (
        "at-and-every",
        edit("[[log]]\n", "[[log]]\nat = [1]\nevery = 2\n"),
        "23:1: log[0].every: every and at both choose the epochs: use one (at lists each epoch, e.g. at = [1, 10])",
    ),
    (
        "at-and-from",
        edit("[[log]]\n", "[[log]]\nfrom = 2\nat = [1]\n"),
        "22:1: log[0].from: from and at both choose the epochs: use one (at lists each epoch, e.g. at = [1, 10])",
    ),
    (
        "early-stop-with-every",
        edit("[[log]]\n", '[[log]]\nwhen = "early_stop"\nevery = 10\n'),
        '23:1: log[0].every: a when = "early_stop" block prints once, at the stop: remove every',
    ),
    (
        "unknown-log-key",
        edit("[[log]]\n", "[[log]]\nfromm = 2\n"),
        "22:1: log[0].fromm: unknown key 'fromm'; did you mean 'from'?",
    ),
    (
        "unknown-quantity-in-log",
        edit("{loss:.4f}", "{los:.4f}"),
        "22:34: log[0].format: {los}: unknown name 'los' in the log format; did you mean 'loss'?",
    ),
    (
        "unknown-quantity-in-multiline-log",
        edit(
            'format = "Epoch {epoch}: loss = {loss:.4f}"',
            'format = """\nEpoch {epoch}\n  w = {w:.4f}, b = {bb:.4f}\n"""',
        ),
        "24:21: log[0].format: {bb}: unknown name 'bb' in the log format; did you mean 'b'?",
    ),
    (
        "log-field-does-not-parse",
        edit("{loss:.4f}", "{loss +:.4f}"),
        "22:40: log[0].format: {loss +}: expression is incomplete",
    ),
    (
        "log-field-shapes",
        edit("{loss:.4f}", "{x @ w}"),
        "22:34: log[0].format: {x @ w}: shapes () and () do not fit in 'x @ w': @ needs two matrices (2-D arrays)",
    ),
    (
        "log-spec",
        edit("{loss:.4f}", "{loss:>>10}"),
        "22:39: log[0].format: format spec '>>10' in {loss} is not supported (use e.g. .4f, ' .4f', .6g, 3d)",
    ),
    (
        "log-brace",
        edit("{loss:.4f}", "{loss:.4f"),
        "22:33: log[0].format: '{' is never closed (write '{{' for a brace)",
    ),
    (
        "log-conversion",
        edit("{loss:.4f}", "{loss!r}"),
        "22:38: log[0].format: conversion !r is not supported in {loss}",
    ),
    (
        "log-from-zero",
        edit("[[log]]\n", "[[log]]\nfrom = 0\n"),
        "22:1: log[0].from: from must be an epoch number from 1 (got 0)",
    ),
    (
        "second-log-block",
        BASE + '\n[[log]]\nfrom = 0\nformat = "x"\n',
        "25:1: log[1].from: from must be an epoch number from 1 (got 0)",
    ),
    (
        "log-as-an-inline-array",
        edit(
            '[[log]]\nformat = "Epoch {epoch}: loss = {loss:.4f}"\n',
            "",
            edit('title = "errors"\n', 'title = "errors"\nlog = [{ format = "{loss}" }, { format = "{los}" }]\n'),
        ),
        "2:44: log[1].format: {los}: unknown name 'los' in the log format; did you mean 'loss'?",
    ),
    (
        "log-as-a-table",
        edit("[[log]]", "[log]"),
        "21:1: log: must be an array of tables, one [[log]] block each, not a table",
    ),
    (
        "grad-at-a-stop-before-the-backward-pass",
        edit(
            '[[log]]\nformat = "Epoch {epoch}: loss = {loss:.4f}"',
            '[[log]]\nwhen = "early_stop"\nformat = "Epoch {epoch}: grad = {grad(w):.4f}"',
            edit("epochs = 3\n", 'epochs = 3\nstop_when = "loss < 0.1"\nstop_check = "before_backward"\n'),
        ),
        "25:34: log[0].format: {grad(w)}: the run stops before the backward pass (stop_check = "
        '"before_backward"), so the epoch it stops at computes no gradient to print',
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)


def test_an_unknown_quantity_in_the_log_is_found_before_anything_runs(tmp_path: Path) -> None:
    """No [expected] table: `check` would not print the log, yet the scenario is refused on loading."""
    path = tmp_path / "bad.toml"
    path.write_text(edit("{loss:.4f}", "{w2:.4f}"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown name 'w2' in the log format; did you mean 'w'"):
        load_scenario(path)
    assert the_error(path, "check").startswith(f"{path}:22:34: log[0].format:")
