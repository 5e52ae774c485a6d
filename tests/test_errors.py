"""Bad scenario files: every problem is one line `FILE:LINE:COL: where: what (expected)`, exit status 2.

The problems themselves are catalogued by the part of the file they are in, one module
each (test_errors_file, _tables, _data, _expressions, _training, _log); each case starts
from the small valid scenario of one_line_errors.py, breaks one thing, and states the
exact line the user sees. This module specifies what holds for all of them: the base
scenario is valid, every command and the engine report a problem alike, a real process
prints no traceback, and the README's examples are what bpdbg prints.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

from .conftest import SCENARIOS
from .one_line_errors import BASE, cli, edit, the_error


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
