"""What every headless command does alike, whichever it is: ctrl-c is one line and status 130,
and a mistake on its command line is one line and status 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.trainer import Trainer


@pytest.mark.parametrize(
    ("command", "scenario"),
    [
        (["run"], "two_neurons"),
        (["check"], "gd_x2"),
        (["gradcheck"], "two_neurons"),
        (["gradcheck", "--after", "9"], "two_neurons"),
        (["graph", "--epoch", "10"], "two_neurons"),
        (["export", "--format", "csv"], "two_neurons"),
        (["export", "--format", "md", "--epoch", "10"], "two_neurons"),
    ],
)
def test_ctrl_c_while_a_command_trains_is_one_line_and_status_130(
    command: list[str], scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = Trainer.run

    def run_then_interrupt(self: Trainer, epochs: int | None = None, should_stop: object = None) -> None:
        real_run(self, 3)
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "run", run_then_interrupt)
    result = CliRunner().invoke(main, [command[0], scenario, *command[1:]])
    assert (result.exit_code, result.stderr) == (130, "interrupted at epoch 3\n")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["run"], "bpdbg run: Missing argument 'SCENARIO'."),
        (["run", "two_neurons", "--jsn"], "bpdbg run: No such option '--jsn'. Did you mean '--json'?"),
        (["run", "two_neurons", "extra"], "bpdbg run: Got unexpected extra argument (extra)"),
        (["check"], "bpdbg check: Missing argument 'SCENARIOS...'."),
        (
            ["gradcheck", "two_neurons", "--after", "-1"],
            "bpdbg gradcheck: Invalid value for '--after': -1 is not in the range x>=0.",
        ),
        (["graph", "gd_x2", "--epoch", "0"], "bpdbg graph: Invalid value for '--epoch': 0 is not in the range x>=1."),
        (
            ["graph", "gd_x2", "--step", "x"],
            "bpdbg graph: Invalid value for '--step': 'x' is not a valid integer range.",
        ),
        (["list", "two_neurons"], "bpdbg list: Got unexpected extra argument (two_neurons)"),
        (
            ["run", ""],
            "bpdbg run: Invalid value for 'SCENARIO': the name is empty: give a scenario file or a shipped name",
        ),
        (
            ["check", "gd_x2", ""],
            "bpdbg check: Invalid value for 'SCENARIOS...': the name is empty: give a scenario file or a shipped name",
        ),
        (["two_neurons", "--presnt"], "bpdbg open: No such option '--presnt'. Did you mean '--present'?"),
        (["two_neurons", "--keymap", ""], "bpdbg open: Invalid value for '--keymap': the file name is empty"),
        (
            ["export", "two_neurons", "--format", "md", "-o", ""],
            "bpdbg export: Invalid value for '-o' / '--output': the file name is empty",
        ),
    ],
)
def test_a_mistake_on_the_command_line_is_one_line_and_status_2(args: list[str], line: str) -> None:
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", line + "\n")


@pytest.mark.parametrize("command", ["open", "run", "check", "gradcheck", "graph", "export", "serve"])
def test_every_command_taking_a_scenario_says_in_its_help_what_one_is(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "a file, or a shipped name" in " ".join(result.output.split()), result.output


def test_graph_step_help_says_where_steps_count_from() -> None:
    result = CliRunner().invoke(main, ["graph", "--help"])
    assert "The step of that epoch, counted from 1." in " ".join(result.output.split()), result.output


@pytest.mark.parametrize(
    "command", [["export", "--format", "md", "--epoch", "1"], ["export", "--format", "tex", "--epoch", "1"], ["graph"]]
)
def test_control_characters_in_a_title_never_reach_the_terminal_raw(command: list[str], write_scenario) -> None:  # type: ignore[no-untyped-def]
    path = write_scenario(
        'title = "T\\u001b]0;pwned\\u0007\\u001b[2Jx"\n[params]\nw = 0.5\n[loss]\nL = "(w - 1) ** 2"\n'
        "[training]\nlearning_rate = 0.1\nepochs = 1\n"
    )
    result = CliRunner().invoke(main, [command[0], str(path), *command[1:]])
    assert result.exit_code == 0, result.output
    assert "pwned" in result.stdout
    assert not any(ord(c) < 32 and c not in "\n\t" for c in result.stdout), repr(result.stdout[:300])
