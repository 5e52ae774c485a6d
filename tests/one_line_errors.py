"""The small valid scenario the error tests break one thing in, and how they read the line bpdbg writes.

Shared by the catalogue of bad scenarios (test_errors*.py) and the tests of [data]
files (test_data_*.py): one base, one way to run a command and to take its one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.loader import load_scenario

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


Case = tuple[str, str | bytes, str]
"""One problem: its id, the scenario's text (or bytes), and the line bpdbg writes after `FILE:`."""


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


def one_line_at_the_exact_place(cases: list[Case]) -> Callable[[Path, str | bytes, str], None]:
    """The catalogue's one test, over the cases of one part of the file (each module of it has its own)."""

    @pytest.mark.parametrize(("text", "expected"), [case[1:] for case in cases], ids=[case[0] for case in cases])
    def test_each_problem_is_one_line_at_the_exact_place(tmp_path: Path, text: str | bytes, expected: str) -> None:
        path = tmp_path / "bad.toml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        assert the_error(path) == f"{path}:{expected}"

    return test_each_problem_is_one_line_at_the_exact_place


# -- a [data] entry in place of x --------------------------------------------------------------------


def scenario(folder: Path, entry: str) -> Path:
    """The errors' base scenario with its `x = 0.5` replaced by `entry`, written in `folder`."""
    path = folder / "scenario.toml"
    path.write_text(edit("x = 0.5", entry), encoding="utf-8")
    return path


def loaded(folder: Path, entry: str) -> np.ndarray:
    return load_scenario(scenario(folder, entry)).data["x"]


def error(folder: Path, entry: str) -> str:
    """The one line `bpdbg check` writes for the scenario, without its file name."""
    path = scenario(folder, entry)
    line = the_error(path)
    assert line.startswith(f"{path}:")
    return line.removeprefix(f"{path}:")
