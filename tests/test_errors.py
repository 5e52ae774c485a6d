"""Bad scenario files: every problem is one line `FILE:LINE:COL: where: what (expected)`, exit status 2.

Each case starts from a small valid scenario, breaks one thing, and states the exact
line the user sees. LINE:COL are checked exactly: they point at the key, or into the
expression or log format at the offending character, on the right line.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import numpy as np
import pytest
from click.testing import CliRunner

import bpdbg.engine
from bpdbg.cli import main
from bpdbg.engine import limits
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.loader import load_scenario
from bpdbg.engine.ops import sigmoid
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

from .conftest import SCENARIOS

ROOT = SCENARIOS.parent

BASE = """\
title = "errors"

[data]
x = 0.5
y = 1.0

[params]
w = 0.3
b = 0.1

[model]
z = "w * x + b"

[loss]
L = "0.5 * (z - y) ** 2"

[training]
learning_rate = 0.1
epochs = 3

[[log]]
format = "Epoch {epoch}: loss = {loss:.4f}"
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def the_error(path: Path, command: str = "check") -> str:
    """The one line `bpdbg COMMAND path` writes, after checking it is the only output and exit 2."""
    status, out, err = cli(command, str(path))
    assert status == 2, (status, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.rstrip("\n")


# -- each problem, and exactly where it is reported -------------------------------------------------

CASES: list[tuple[str, str | bytes, str]] = [
    (
        "toml-syntax",
        edit("epochs = 3", "epochs = = 3"),
        '19:10: TOML: Invalid value (expected a number, a "quoted string", true or false, an [array] or an '
        "{ inline table })",
    ),
    (
        "toml-unclosed-string",
        edit('z = "w * x + b"', 'z = "w * x + b'),
        '12:15: TOML: Illegal character \'\\n\' (a "string" ends on its own line; use """ … """ for several lines)',
    ),
    (
        "toml-key-twice",
        edit('z = "w * x + b"', 'z = "w * x + b"\nz = "x"'),
        "13:8: TOML: Cannot overwrite a value (each key may be set only once in a table)",
    ),
    ("empty", "", "1:1: file: file is empty (a scenario needs at least title, params, loss and training)"),
    ("only-comments", "# nothing here\n\n", "1:1: title: missing: the scenario needs a title"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "1:1: file: is a binary file, not TOML text"),
    ("not-utf8", 'title = "caf\xe9"\n'.encode("latin-1"), "1:1: file: is not UTF-8 text (bad byte at offset 12)"),
    (
        "unknown-top-key",
        edit('title = "errors"\n', 'title = "errors"\ntitel = "again"\n'),
        "2:1: titel: unknown key 'titel'; did you mean 'title'?",
    ),
    (
        "key-with-a-line-break",
        edit("y = 1.0", 'y = 1.0\n"a\\nb" = 2.0'),
        "6:1: data.a\\nb: 'a\\nb' is not a usable name (letters, digits and _, not starting with a digit or __)",
    ),
    (
        "unknown-table",
        edit("[training]", "[trainig]"),
        "17:1: trainig: unknown key 'trainig'; did you mean 'training'?",
    ),
    (
        "unknown-training-key",
        edit("epochs = 3", "epochs = 3\nlearnig_rate = 0.2"),
        "20:1: training.learnig_rate: unknown key 'learnig_rate'; did you mean 'learning_rate'?",
    ),
    (
        "unknown-log-key",
        edit("[[log]]\n", "[[log]]\nfromm = 2\n"),
        "22:1: log[0].fromm: unknown key 'fromm'; did you mean 'from'?",
    ),
    (
        "unknown-data-table-key",
        edit("x = 0.5", 'x = { make_moons = { n_samples = 4, random_state = 0 }, take = "X", shaep = [4, 2] }'),
        "4:1: data.x: unknown key 'shaep'; did you mean 'shape'?",
    ),
    ("missing-training", BASE.split("[training]")[0], "1:1: training: missing: the scenario needs a [training] table"),
    (
        "missing-loss",
        edit('[loss]\nL = "0.5 * (z - y) ** 2"\n', ""),
        "1:1: loss: missing: the scenario needs a [loss] table",
    ),
    ("missing-learning-rate", edit("learning_rate = 0.1\n", ""), "17:1: training: missing learning_rate"),
    (
        "wrong-type-rate",
        edit("learning_rate = 0.1", "learning_rate = true"),
        "18:1: training.learning_rate: must be an integer, a number or a string, not a boolean",
    ),
    (
        "rate-names-more-than-epoch",
        edit("learning_rate = 0.1", 'learning_rate = "0.1 / w"'),
        "18:24: training.learning_rate: a learning rate may name only epoch, not 'w'",
    ),
    (
        "unknown-optimizer",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "rmsprop"'),
        '19:1: training.optimizer: optimizer must be "sgd", "momentum" or "adam" (got \'rmsprop\')',
    ),
    (
        "setting-of-another-optimizer",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "momentum"\nbeta1 = 0.8'),
        '20:1: training.beta1: beta1 is a setting of optimizer = "adam"',
    ),
    (
        "momentum-out-of-range",
        edit("learning_rate = 0.1", 'learning_rate = 0.1\noptimizer = "momentum"\nmomentum = 1.5'),
        "20:1: training.momentum: momentum must be from 0 to below 1 (got 1.5)",
    ),
    (
        "wrong-type-epochs",
        edit("epochs = 3", "epochs = 3.5"),
        "19:1: training.epochs: must be an integer, not a number",
    ),
    ("wrong-type-title", edit('title = "errors"', "title = 3"), "1:1: title: must be a string, not an integer"),
    (
        "wrong-type-model",
        edit('z = "w * x + b"', "z = 3"),
        '12:1: model.z: must be an expression in quotes, e.g. z = "w * x + b", not an integer',
    ),
    (
        "wrong-type-data",
        edit("x = 0.5", 'x = "half"'),
        "4:1: data.x: must be a number or an array of numbers, not a string",
    ),
    (
        "moons-huge-noise",
        edit(
            "x = 0.5",
            "x = { make_moons = { n_samples = 4, noise = 1" + "0" * 400 + ', random_state = 0 }, take = "X" }',
        ),
        "4:1: data.x: make_moons: a number is too large (at most about 1.8e308)",
    ),
    (
        "ragged-data",
        edit("x = 0.5", "x = [[1.0], [1.0, 2.0]]"),
        "4:1: data.x: must be a number or a rectangular array of numbers (rows of equal length, numbers only)",
    ),
    ("parse-error", edit('z = "w * x + b"', 'z = "w * x + * b"'), "12:14: model.z: unexpected '*' in 'w * x + * b'"),
    (
        "parse-error-multiline",
        edit('z = "w * x + b"', 'z = """\nw * x\n  + * b"""'),
        "14:5: model.z: unexpected '*' in 'w * x\\n  + * b'",
    ),
    (
        "parse-error-after-escape",
        edit('z = "w * x + b"', 'z = "w * \\u0078 + * b"'),
        "12:19: model.z: unexpected '*' in 'w * x + * b'",
    ),
    (
        "parse-error-literal-string",
        edit('z = "w * x + b"', "z   =   'w * x + * b'"),
        "12:18: model.z: unexpected '*' in 'w * x + * b'",
    ),
    (
        "parse-error-in-loss",
        edit('L = "0.5 * (z - y) ** 2"', 'L = "0.5 * (z - y ** 2"'),
        "15:23: loss.L: expected ')' but found 'end of expression' in '0.5 * (z - y ** 2'",
    ),
    (
        "unknown-name",
        edit('z = "w * x + b"', 'z = "w * xx + b"'),
        "12:10: model.z: unknown name 'xx'; did you mean 'x'?",
    ),
    (
        "unknown-function",
        edit('z = "w * x + b"', 'z = "softplus(w * x + b)"'),
        "12:6: model.z: unknown function 'softplus' (known: abs, exp, log, log_softmax, max, maximum, mean, min, "
        "minimum, onehot, relu, sigmoid, softmax, sum, tanh, transpose) in 'softplus(w * x + b)'",
    ),
    (
        "used-before-defined",
        edit('z = "w * x + b"', 'z = "w * x + q"\nq = "b"'),
        "12:14: model.z: 'q' is used before it is defined (define it above 'z')",
    ),
    ("defined-twice", edit('z = "w * x + b"', 'x = "w * 2"'), "12:1: model.x: 'x' is defined twice (first at line 4)"),
    (
        "reserved-name",
        edit('z = "w * x + b"', 'sigmoid = "w * x + b"'),
        "12:1: model.sigmoid: 'sigmoid' is a reserved word; choose another name",
    ),
    (
        "shapes-broadcast",
        edit("w = 0.3", "w = [[1.0, 2.0, 3.0]]", edit("x = 0.5", "x = [[1.0, 2.0]]")),
        "12:6: model.z: shapes (1, 3) and (1, 2) do not fit in 'w * x': they cannot be broadcast together",
    ),
    (
        "shapes-matmul",
        edit(
            'z = "w * x + b"',
            'z = "sum(x @ w) + b"',
            edit("w = 0.3", "w = [[1.0, 2.0, 3.0]]", edit("x = 0.5", "x = [[1.0, 2.0]]")),
        ),
        "12:10: model.z: shapes (1, 2) and (1, 3) do not fit in 'x @ w': inner sizes differ (2 and 1)",
    ),
    (
        "loss-not-scalar",
        edit("x = 0.5", "x = [1.0, 2.0]"),
        "15:6: loss.L: the loss must be a single number, but '0.5 * (z - y) ** 2' has shape (2,); wrap it in "
        "sum(…) or mean(…)",
    ),
    (
        "axis-of-scalar",
        edit('z = "w * x + b"', 'z = "sum(w * x + b, 0)"'),
        "12:21: model.z: sum() of a single number has no axis to reduce; write sum(…) without one",
    ),
    ("nan-data", edit("x = 0.5", "x = nan"), "4:1: data.x: contains a non-finite number (nan or inf)"),
    ("inf-in-array", edit("x = 0.5", "x = [1.0, -inf]"), "4:1: data.x: contains a non-finite number (nan or inf)"),
    (
        "huge-integer-data",
        edit("x = 0.5", "x = 1" + "0" * 400),
        "4:1: data.x: a number is too large (at most about 1.8e308)",
    ),
    (
        "huge-integer-literal",
        edit('z = "w * x + b"', 'z = "w * x + 1' + "0" * 400 + '"'),
        "12:14: model.z: number 100000000000…(401 characters) is too large (at most about 1.8e308) in "
        "'w * x + 10000000000000000000000000000000000000000000000000000000… (409 characters)",
    ),
    (
        "huge-float-literal",
        edit('z = "w * x + b"', 'z = "w * x + 1e999"'),
        "12:14: model.z: number 1e999 is too large (at most about 1.8e308) in 'w * x + 1e999'",
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
        "22:39: log[0].format: format spec '>>10' in {loss} is not supported (use e.g. .4f, ' .4f', .6g)",
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
        "stop-unknown-name",
        edit("epochs = 3", 'epochs = 3\nstop_when = "los < 0.1"'),
        "20:14: training.stop_when: unknown name 'los' in the condition",
    ),
    (
        "stop-shapes",
        edit("epochs = 3", 'epochs = 3\nstop_when = "sum(w, 1) < 0.1"'),
        "20:14: training.stop_when: sum() of a single number has no axis to reduce; write sum(…) without one",
    ),
    (
        "rate-zero",
        edit("learning_rate = 0.1", "learning_rate = 0"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got 0.0)",
    ),
    (
        "rate-too-large",
        edit("learning_rate = 0.1", "learning_rate = 1e7"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got 10000000.0)",
    ),
    (
        "rate-nan",
        edit("learning_rate = 0.1", "learning_rate = nan"),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got nan)",
    ),
    (
        "rate-huge-integer",
        edit("learning_rate = 0.1", "learning_rate = 1" + "0" * 400),
        "18:1: training.learning_rate: learning_rate must be above 0 and at most 1e6 (got inf)",
    ),
    (
        "epochs-zero",
        edit("epochs = 3", "epochs = 0"),
        "19:1: training.epochs: epochs must be from 1 to 1000000 (got 0)",
    ),
    (
        "epochs-too-many",
        edit("epochs = 3", "epochs = 1_000_001"),
        "19:1: training.epochs: epochs must be from 1 to 1000000 (got 1000001)",
    ),
    (
        "param-too-large",
        edit("w = 0.3", "w = { zeros = [100000, 100000] }"),
        "8:1: params.w: shape [100000, 100000] holds 10000000000 numbers (at most 2000000)",
    ),
    (
        "broadcast-too-large",
        edit(
            'L = "0.5 * (z - y) ** 2"',
            'L = "sum(0.5 * (z - y) ** 2)"',
            edit("b = 0.1", "b = { zeros = [1, 2000] }", edit("w = 0.3", "w = { zeros = [2000, 1] }")),
        ),
        "12:6: model.z: 'w * x + b' would have shape (2000, 2000) (4000000 numbers; at most 2000000)",
    ),
    (
        "nested-too-deeply",
        edit("x = 0.5", "x = " + "[" * 3000 + "]" * 3000),
        "1:1: TOML: arrays or tables nested too deeply (a scenario needs at most 2 levels)",
    ),
    (
        "integer-too-long-to-convert",
        edit("x = 0.5", "x = 1" + "0" * 4300),
        "4:5: TOML: an integer of 4301 digits is too long to read (at most 4300 digits; a number is at most about "
        "1.8e308)",
    ),
    (
        "dotted-key-section",
        edit(
            '[loss]\nL = "0.5 * (z - y) ** 2"\n', "", edit('title = "errors"\n', 'title = "errors"\nloss.L = "z + q"\n')
        ),
        "2:15: loss.L: unknown name 'q'",
    ),
    (
        "inline-table-section",
        edit(
            '[loss]\nL = "0.5 * (z - y) ** 2"\n',
            "",
            edit('title = "errors"\n', 'title = "errors"\nloss = { L = "z + q" }\n'),
        ),
        "2:19: loss.L: unknown name 'q'",
    ),
    (
        "literal-quotes-inside-a-multiline-string",
        edit(
            'z = "w * x + b"',
            'z = "w * xx + b"',
            edit('title = "errors"\n', 'title = "errors"\ndescription = """it\'s \'\'\'\nquoted"""\n'),
        ),
        "14:10: model.z: unknown name 'xx'; did you mean 'x'?",
    ),
    (
        "parse-error-multiline-crlf",
        edit('z = "w * x + b"', 'z = """\nw * x\n  + * b"""').replace("\n", "\r\n"),
        "14:5: model.z: unexpected '*' in 'w * x\\n  + * b'",
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
        "expected-as-a-string",
        edit('title = "errors"\n', 'title = "errors"\nexpected = "x"\n'),
        "2:1: expected: must be a table, not a string",
    ),
    (
        "stop-not-a-condition",
        edit("epochs = 3", 'epochs = 3\nstop_when = "loss"'),
        "20:14: training.stop_when: not a condition: compare it with < <= > >= == or != (e.g. loss < 0.01) in 'loss'",
    ),
    (
        "stop-joins-a-number",
        edit("epochs = 3", 'epochs = 3\nstop_when = "loss < 1 and epoch"'),
        "20:27: training.stop_when: not a condition: compare it with < <= > >= == or != (e.g. loss < 0.01) in "
        "'loss < 1 and epoch'",
    ),
    (
        "moons-noise-overflows",
        edit("x = 0.5", 'x = { make_moons = { n_samples = 4, noise = 1e308, random_state = 0 }, take = "X" }'),
        "4:1: data.x: make_moons contains a non-finite number (nan or inf)",
    ),
    (
        "draw-scale-overflows",
        edit(
            "w = 0.3",
            "w = { randn = [1, 50], scale = 1e308 }",
            edit('title = "errors"\n', 'title = "errors"\nseed = 0\n'),
        ),
        "9:1: params.w: the draw contains a non-finite number (nan or inf)",
    ),
    (
        "chain-too-long",
        edit('z = "w * x + b"', 'z = "' + " + ".join(["x"] * 300) + '"'),
        # The 101st term is where the chain goes deeper than 200 operations.
        "12:406: model.z: expression has more than 200 operations inside one another; split it into named nodes in "
        "'x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + … (1197 characters)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_problem_is_one_line_at_the_exact_place(tmp_path: Path, text: str | bytes, expected: str) -> None:
    path = tmp_path / "bad.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    assert the_error(path) == f"{path}:{expected}"


def test_the_base_scenario_of_these_cases_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "good.toml"
    path.write_text(BASE, encoding="utf-8")
    status, out, err = cli("run", str(path))
    assert (status, err) == (0, "")
    assert out.splitlines() == ["Epoch 1: loss = 0.2812", "Epoch 2: loss = 0.2153", "Epoch 3: loss = 0.1649"]


@pytest.mark.parametrize("command", ["run", "check", "gradcheck", "open"])
def test_every_command_reports_a_bad_scenario_the_same_way(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edit('z = "w * x + b"', 'z = "w * xx + b"'), encoding="utf-8")
    assert the_error(path, command) == f"{path}:12:10: model.z: unknown name 'xx'; did you mean 'x'?"


def test_an_unknown_quantity_in_the_log_is_found_before_anything_runs(tmp_path: Path) -> None:
    """No [expected] table: `check` would not print the log, yet the scenario is refused on loading."""
    path = tmp_path / "bad.toml"
    path.write_text(edit("{loss:.4f}", "{w2:.4f}"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown name 'w2' in the log format; did you mean 'w'"):
        load_scenario(path)
    assert the_error(path, "check").startswith(f"{path}:22:34: log[0].format:")


# -- files that cannot be read ------------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert the_error(path) == f"{path}:1:1: file: no such file"


def test_a_file_name_longer_than_the_system_allows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a" * 300 + ".toml", "a" * 300):  # a path, and what could be a shipped scenario's name
        assert the_error(Path(name), "run") == f"{name}:1:1: file: cannot read the file (File name too long)"


def test_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.toml"
    path.mkdir()
    assert the_error(path, "run") == f"{path}:1:1: file: is a directory, not a scenario file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    """/dev/zero never ends: reading it whole would hang and fill memory."""
    assert the_error(Path("/dev/zero")) == (
        "/dev/zero:1:1: file: is not a regular file (a device, pipe or socket), not a scenario file"
    )


def test_a_file_too_large_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(BASE + "#" * limits.MAX_FILE_BYTES, encoding="utf-8")
    assert the_error(path) == f"{path}:1:1: file: file is larger than 1000000 bytes (the limit for a scenario file)"


CSV_CASES: list[tuple[str, str, str | bytes | None, str]] = [
    (
        "boolean-column",
        'x = { csv = "d.csv", columns = [true] }',
        "1,2\n3,4\n",
        "columns must list column numbers from 0 to 1",
    ),
    ("non-finite", 'x = { csv = "d.csv" }', "1\nnan\n", "csv 'd.csv' contains a non-finite number (nan or inf)"),
    ("overflowing", 'x = { csv = "d.csv" }', "1\n1e999\n", "csv 'd.csv' contains a non-finite number (nan or inf)"),
    ("missing", 'x = { csv = "gone.csv" }', "1\n", "csv 'gone.csv': no such file"),
    ("directory", 'x = { csv = "d.csv" }', None, "csv 'd.csv': is a directory, not a CSV file"),
    ("not-utf8", 'x = { csv = "d.csv" }', b"1\n\xe9\n", "csv 'd.csv': is not UTF-8 text (bad byte at offset 2)"),
    ("binary", 'x = { csv = "d.csv" }', b"1\n\x00\n", "csv 'd.csv': is a binary file, not CSV text"),
    (
        "words",
        'x = { csv = "d.csv" }',
        "a,b\n1,2\n",
        "csv 'd.csv' line 1: not all cells are numbers (use skip_rows = 1 to skip a header)",
    ),
    (
        "outside-the-folder",
        'x = { csv = "../d.csv" }',
        "1\n",
        "csv '../d.csv': must be a file in the scenario's folder or below (no absolute paths, no '..')",
    ),
    (
        "absolute",
        'x = { csv = "/etc/passwd" }',
        "1\n",
        "csv '/etc/passwd': must be a file in the scenario's folder or below (no absolute paths, no '..')",
    ),
]


@pytest.mark.parametrize(("entry", "content", "expected"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES])
def test_csv_problems_are_reported_at_the_data_entry(
    tmp_path: Path, entry: str, content: str | bytes | None, expected: str
) -> None:
    csv = tmp_path / "d.csv"
    if content is None:
        csv.mkdir()
    elif isinstance(content, bytes):
        csv.write_bytes(content)
    else:
        csv.write_text(content, encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(edit("x = 0.5", entry), encoding="utf-8")
    assert the_error(path) == f"{path}:4:1: data.x: {expected}"


def test_a_csv_reached_through_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "d.csv").write_text("1\n2\n", encoding="utf-8")
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "root").symlink_to(outside)
    path = folder / "bad.toml"
    path.write_text(edit("x = 0.5", 'x = { csv = "root/d.csv" }'), encoding="utf-8")
    assert the_error(path) == (
        f"{path}:4:1: data.x: csv 'root/d.csv': must be a file in the scenario's folder or below "
        "(a symbolic link on the way leads outside it)"
    )


def test_a_csv_reached_through_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "points").mkdir()
    (tmp_path / "points" / "d.csv").write_text("1\n2\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "points")
    path = tmp_path / "good.toml"
    path.write_text(edit("x = 0.5", 'x = { csv = "link/d.csv" }'), encoding="utf-8")
    assert load_scenario(path).data["x"].tolist() == [[1.0], [2.0]]


# -- sizes that would exhaust memory ---------------------------------------------------------------


def test_data_too_large_together_is_refused_with_the_limit_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_TAPE_ELEMENTS", 2000)
    moons = '{ make_moons = { n_samples = 600, noise = 0.1, random_state = 0 }, take = "X" }'
    path = tmp_path / "big.toml"
    path.write_text(edit("y = 1.0", f"y = 1.0\nX1 = {moons}\nX2 = {moons}"), encoding="utf-8")
    assert the_error(path) == (
        f"{path}:7:1: data.X2: the data hold more than 2000 numbers together (0 MiB, the limit for one iteration)"
    )


def test_an_iteration_too_large_is_refused_at_the_expression_that_crosses_the_limit(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TAPE_ELEMENTS", 50)
    path = tmp_path / "big.toml"
    text = edit("w = 0.3", "w = { zeros = [20, 1] }", edit('L = "0.5 * (z - y) ** 2"', 'L = "sum((z - y) ** 2)"'))
    path.write_text(text, encoding="utf-8")
    assert the_error(path).startswith(f"{path}:")
    assert "one iteration would hold more than 50 numbers" in the_error(path)


def lines_run_to_load(tmp_path: Path, nodes: int) -> int:
    """How many lines of the engine's Python run to load a scenario with `nodes` more model nodes."""
    model = "".join(f'\nn{i} = "w * x + {i}"' for i in range(nodes))
    path = tmp_path / f"nodes_{nodes}.toml"
    path.write_text(edit('z = "w * x + b"', 'z = "w * x + b"' + model), encoding="utf-8")
    engine = str(Path(bpdbg.engine.__file__).parent)  # wherever it is installed from
    count = 0

    def line(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        count += event == "line"
        return line

    def call(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        return line if frame.f_code.co_filename.startswith(engine) else None

    sys.settrace(call)
    try:
        load_scenario(path)
    finally:
        sys.settrace(None)
    return count


def test_loading_takes_work_in_proportion_to_the_file_not_its_square(tmp_path: Path) -> None:
    """Every key's place is looked up in an index built once, not by reading the file again per key."""
    small, large = lines_run_to_load(tmp_path, 200), lines_run_to_load(tmp_path, 800)
    assert small > 0, "no line of the engine was counted"
    assert large < 5 * small, (small, large)  # four times the nodes: about four times the work


# -- the engine fails cleanly too ------------------------------------------------------------------------


def test_scenario_errors_carry_their_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edit('z = "w * x + b"', 'z = "w * x +"'), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    place = caught.value.place
    assert (place.line, place.column, place.where) == (12, 13, "model.z")
    assert caught.value.message == "expression is incomplete in 'w * x +'"


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(edit("x = 0.5", "x = " + "[" * 3000 + "]" * 3000), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bpdbg", "run", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"{path}:1:1: TOML: arrays or tables nested too deeply (a scenario needs at most 2 levels)\n"


# -- numerical faults ------------------------------------------------------------------------------------


def diverging(tmp_path: Path, name: str = "gd_xy", rate: str = "100") -> Path:
    """A shipped scenario with its learning rate raised until the parameters overflow."""
    text = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    lines = [
        f"learning_rate = {rate}"
        if line.startswith("learning_rate")
        else "epochs = 1000"
        if line.startswith("epochs")
        else line
        for line in text.splitlines()
    ]
    path = tmp_path / f"{name}_diverging.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_diverging_run_stops_at_the_first_non_finite_value_naming_epoch_step_and_quantity(tmp_path: Path) -> None:
    trainer = open_scenario(diverging(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy overflow warning would fail the test
        trainer.run()
    stop = trainer.stop
    assert stop is not None and stop.reason == "non-finite"
    assert stop.epoch == 57 and stop.step == 1
    assert stop.message == "non-finite value at epoch 57, step 2 (loss): y²"
    assert np.isinf(trainer.losses[56]) and np.isfinite(trainer.losses[:56]).all()
    assert all(np.isfinite(trainer.row(epoch)).all() for epoch in range(58))  # no non-finite parameters are kept


def test_the_stop_epoch_can_be_replayed_and_the_cursor_can_rewind(tmp_path: Path) -> None:
    trainer = open_scenario(diverging(tmp_path, "neuron_identity"))
    trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "non-finite"
    cursor = Cursor(trainer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cursor.to_end()
        end = cursor.snapshot().position
        assert end.epoch == trainer.stop.epoch and end.step == trainer.stop.step
        assert not np.isfinite(cursor.snapshot().value).all()
        assert cursor.rewind()
    start = cursor.snapshot().position
    assert (start.epoch, start.step) == (1, 0)


def test_run_reports_a_non_finite_stop_on_stderr_and_exits_1(tmp_path: Path) -> None:
    path = diverging(tmp_path)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "bpdbg", "run", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr == f"{path}: non-finite value at epoch 57, step 2 (loss): y²\n"
    assert "Warning" not in done.stderr and done.stdout.splitlines()[0].startswith("Iteration 1: x =")


def test_run_json_ends_with_the_non_finite_stop(tmp_path: Path) -> None:
    import json

    status, out, err = cli("run", "--json", str(diverging(tmp_path)))
    assert status == 1 and "non-finite value at epoch 57" in err
    last = json.loads(out.splitlines()[-1], parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert last["epoch"] == 57 and last["stop"] == "non-finite"
    assert last["loss"] is None  # strict JSON: a non-finite number is written as null


@pytest.mark.parametrize("name", ["two_neurons", "moons_relu"])
def test_a_huge_learning_rate_on_saturating_networks_stays_finite_and_quiet(tmp_path: Path, name: str) -> None:
    """Sigmoids saturate instead of overflowing, and the moons loss guards its logs with 1e-8."""
    trainer = open_scenario(diverging(tmp_path, name, "1e6"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason in ("epochs", "early")
    assert np.isfinite(trainer.losses[: trainer.epochs_done]).all()


def test_sigmoid_of_large_inputs_is_exactly_0_or_1_without_a_warning() -> None:
    with warnings.catch_warnings(), np.errstate(over="ignore"):
        warnings.simplefilter("error")
        values = sigmoid(np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0]))
    assert values.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


@pytest.mark.parametrize(
    ("expression", "z", "expected"),
    [
        ("sigmoid(z)", -1000.0, 0.0),
        ("sigmoid(z)", 1000.0, 1.0),
        ("exp(z)", -1000.0, 0.0),
        ("tanh(z)", 1000.0, 1.0),
        ("log(exp(z))", 700.0, 700.0),
    ],
)
def test_activations_of_large_inputs_are_finite_in_a_scenario(
    tmp_path: Path, expression: str, z: float, expected: float
) -> None:
    path = tmp_path / "large.toml"
    path.write_text(
        f'title = "large"\n[data]\nz = {z}\n[params]\nw = 1.0\n[model]\na = "{expression}"\n'
        '[loss]\nL = "w * a"\n[training]\nlearning_rate = 0.1\nepochs = 1\n',
        encoding="utf-8",
    )
    trainer = open_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "epochs"
    assert trainer.losses[0] == expected


def test_log_fields_on_whole_numbers_never_wrap_around_or_warn(tmp_path: Path) -> None:
    path = tmp_path / "ints.toml"
    big = " * ".join(["999999999999999"] * 30)
    path.write_text(
        edit("{loss:.4f}", "{epoch - 1} {epoch ** -1:.2f} {epoch / 0} {epoch:.2} {" + big + "}"), encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "bpdbg", "run", str(path)], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[0] == "Epoch 1: loss = 0 1.00 inf 1.0 inf"


def test_the_readme_shows_real_error_lines(tmp_path: Path, monkeypatch) -> None:
    """The two examples in the README's Errors section are what bpdbg prints for those edits."""
    readme = (SCENARIOS.parent / "README.md").read_text(encoding="utf-8")
    shipped = (SCENARIOS / "two_neurons.toml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("two_neurons.toml").write_text(edit('z2 = "w2 * a1 + b2"', 'z2 = "w2 * a + b2"', shipped), encoding="utf-8")
    Path("typo.toml").write_text(
        edit("learning_rate = 0.1\n", "learning_rate = 0.1\nepoch = 20\n", shipped), encoding="utf-8"
    )
    for command, name in (("check", "two_neurons.toml"), ("run", "typo.toml")):
        line = the_error(Path(name), command)
        assert f"$ bpdbg {command} {name}" in readme
        assert f"\n{line}\n" in readme, line


def test_a_negative_after_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["gradcheck", "two_neurons", "--after", "-5"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Invalid value for '--after': -5 is not in the range x>=0." in result.stderr


def test_gradcheck_of_a_run_that_overflows_at_once_says_so(tmp_path: Path) -> None:
    path = tmp_path / "overflow.toml"
    path.write_text(edit("x = 0.5", "x = 1e200"), encoding="utf-8")
    status, out, err = cli("gradcheck", str(path))
    assert status == 1 and err == ""
    assert out == ("overflow: cannot check, non-finite value at epoch 1, step 4 (loss): (z − y)²\n")
