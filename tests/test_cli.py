"""The headless command line: run, check, gradcheck, list, help and version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdbg import __version__
from bpdbg.cli import main

from .conftest import SCENARIOS, SHIPPED


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_run_prints_the_log_the_way_the_notes_print_it() -> None:
    result = invoke("run", str(SCENARIOS / "gd_x2.toml"))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Iteration 1: x =  2.4000, f(x) =  5.7600"
    assert lines[14] == "Iteration 15: x =  0.0019, f(x) =  0.0000"
    assert lines[-1] == "Optimal value of x:  0.0019"


def test_a_shipped_scenario_can_be_named_without_its_path() -> None:
    assert invoke("run", "neuron_identity").output == invoke("run", str(SCENARIOS / "neuron_identity.toml")).output


def test_run_json_gives_one_object_per_epoch_and_the_stop_reason_last() -> None:
    result = invoke("run", "neuron_identity", "--json")
    assert result.exit_code == 0
    objects = [json.loads(line) for line in result.output.splitlines()]
    assert [o["epoch"] for o in objects] == [1, 2, 3, 4, 5, 6]
    first = objects[0]
    assert set(first) == {"epoch", "loss", "params", "grads", "metrics"}
    assert first["loss"] == 4.5 and first["params"] == {"w": 1.1, "b": 1.3}
    assert first["grads"] == {"w": -6.0, "b": -3.0}
    assert objects[-1]["stop"] == "early" and objects[-1]["grads"] == {}  # stopped before its backward pass
    assert all("stop" not in o for o in objects[:-1])


def test_run_json_writes_matrices_as_nested_lists_and_metrics_by_name() -> None:
    objects = [json.loads(line) for line in invoke("run", "net_221_sigmoid", "--json").output.splitlines()[:2]]
    # The notes print W1 after the first update as [[0.37454012 0.95075702] [0.73199394 0.59940052]].
    w1 = objects[0]["params"]["W1"]
    assert [[round(v, 8) for v in row] for row in w1] == [[0.37454012, 0.95075702], [0.73199394, 0.59940052]]
    assert objects[1]["metrics"]["mse"] == 0.050200055006009915  # the notes' "Epoch 1, Loss"


def test_check_exits_0_when_the_notes_agree_and_1_naming_where_they_differ() -> None:
    # Every shipped scenario's table and derivation are checked at every epoch in test_notes.py
    # and test_derivation.py; here, what the command says and how it exits.
    agree = invoke("check", "gd_x2", "neuron_sigmoid")
    assert agree.exit_code == 0
    assert "neuron_sigmoid: agrees with the notes (20 printed lines)" in agree.output
    differ = invoke("check", "gd_x2", "two_neurons")
    assert differ.exit_code == 1
    assert (
        "two_neurons: DIFFERS from the notes at epoch 1, w1: the notes print 0.2060, the engine computes 0.3003"
    ) in differ.output
    assert "finite differences confirm the engine's gradients there" in differ.output


@pytest.mark.slow
def test_gradcheck_passes_for_every_shipped_scenario() -> None:
    # At the first epoch: test_notes checks every shipped scenario at later epochs too.
    result = invoke("gradcheck", "--after", "0", *SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok, worst relative error") == len(SHIPPED)


def test_list_names_every_shipped_scenario_on_one_line_each() -> None:
    lines = invoke("list").output.splitlines()
    assert [line.split()[0] for line in lines] == SHIPPED
    assert any("Two sigmoid neurons in a chain" in line for line in lines)


def test_help_and_version() -> None:
    assert invoke("--version").output.strip() == f"bpdbg, version {__version__}"
    help_text = invoke("--help").output
    for command in ("run", "check", "gradcheck", "list"):
        assert command in help_text


def test_an_unknown_scenario_is_one_line_and_exit_status_2() -> None:
    result = CliRunner().invoke(main, ["run", "no_such_scenario"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no shipped scenario of that name" in result.output


def complete(shell: str, line: str) -> list[str]:
    """What `bpdbg` offers the shell for the last word of `line` (empty after a trailing space)."""
    words = line.split()
    incomplete = "" if line.endswith(" ") else words[-1]
    cword = len(words) - (0 if line.endswith(" ") else 1)
    env = {"_BPDBG_COMPLETE": f"{shell}_complete", "COMP_WORDS": line}
    env["COMP_CWORD"] = incomplete if shell == "fish" else str(cword)  # fish passes the word itself
    result = CliRunner().invoke(main, [], env=env, prog_name="bpdbg")
    assert result.exit_code == 0, result.output
    if shell == "zsh":  # type, value, help: three lines per item
        return result.output.splitlines()[1::3]
    # bash: "plain,value" per line; fish: the same, then a tab and the help
    return [line.split(",", 1)[1].split("\t")[0] for line in result.output.splitlines()]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_completes_command_names(shell: str) -> None:
    assert complete(shell, "bpdbg ch") == ["check"]
    assert complete(shell, "bpdbg gr") == ["gradcheck", "graph"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_completes_shipped_scenario_names_for_every_command(shell: str) -> None:
    for line in ("bpdbg run two", "bpdbg check two", "bpdbg gradcheck gd_x2 two", "bpdbg open two", "bpdbg two"):
        assert complete(shell, line) == ["two_neurons", "two_neurons_layer"], line


def test_the_shell_completes_toml_files_and_folders_but_not_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "xor.toml").write_text("")
    (tmp_path / "lessons" / "notes.txt").write_text("")
    monkeypatch.chdir(tmp_path)
    assert complete("bash", "bpdbg check less") == ["lessons/"]
    assert complete("bash", "bpdbg check lessons/") == ["lessons/xor.toml"]
    assert complete("bash", f"bpdbg run {tmp_path}/lessons/x") == [f"{tmp_path}/lessons/xor.toml"]


def test_the_installed_command_completes_in_bash() -> None:
    bpdbg = Path(sys.executable).with_name("bpdbg")
    env = {**os.environ, "_BPDBG_COMPLETE": "bash_complete", "COMP_WORDS": "bpdbg ch", "COMP_CWORD": "1"}
    done = subprocess.run([str(bpdbg)], env=env, capture_output=True, text=True, check=False)
    assert (done.stdout.split(), done.returncode) == (["plain,check"], 0)
    env["_BPDBG_COMPLETE"] = "bash_source"
    script = subprocess.run([str(bpdbg)], env=env, capture_output=True, text=True, check=False).stdout
    assert "complete -o nosort -F _bpdbg_completion bpdbg" in script


def run_into(stdout: int, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpdbg", *args], stdout=stdout, stderr=subprocess.PIPE, text=True, check=False
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_one_line_on_stderr_and_a_non_zero_exit() -> None:
    with open("/dev/full", "w") as full:
        for args in (["run", "two_neurons"], ["run", "gd_x2", "--json"], ["check", "gd_x2"], ["list"]):
            done = run_into(full.fileno(), *args)
            assert done.returncode != 0, args
            assert done.stderr == "bpdbg: cannot write the output: No space left on device\n", args


def test_a_closed_pipe_is_one_line_on_stderr_and_a_non_zero_exit() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -1` does once it has its line; here before the first one
    try:
        done = run_into(write_end, "run", "net_221_sigmoid")
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert done.stderr == "bpdbg: cannot write the output: Broken pipe\n"
