"""`bpdbg run` and `check` show how far they got on stderr, only when stderr is a terminal; and
`--memory` sets the budget the parameters kept for replaying are spaced to fit."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.check import gradient_check
from bpdbg.engine.limits import CHECKPOINT_BYTES, parse_memory
from bpdbg.engine.session import open_scenario
from bpdbg.progress import CLEAR, Progress
from bpdbg.scenarios import resolve


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TestProgress:
    def test_on_a_terminal_it_reports_the_epoch_once_the_run_has_taken_a_moment_and_erases_it_after(self) -> None:
        trainer = open_scenario(resolve("two_neurons"))
        stream, clock = Terminal(), Clock()
        progress = Progress(stream, clock)
        report = progress.watching(trainer, "two_neurons")
        assert report is not None
        trainer.run(5, should_stop=report)
        assert stream.getvalue() == ""  # a short run shows nothing
        clock.now = 1.0
        trainer.run(1, should_stop=report)
        assert stream.getvalue() == f"{CLEAR}two_neurons: epoch 5/20"
        progress.clear()
        assert stream.getvalue().endswith(CLEAR)

    def test_gradcheck_counts_the_coordinates_it_has_compared_once_it_has_taken_a_moment(self) -> None:
        trainer = open_scenario(resolve("two_neurons"))  # w1, b1, w2, b2: four coordinates
        trainer.run(1)
        stream, clock = Terminal(), Clock()
        report = Progress(stream, clock).counting("two_neurons, epoch 1", "coordinate")
        assert report is not None

        def tick(done: int, total: int) -> None:
            clock.now += 0.15  # each coordinate takes a while: reports are due 0.2 s in, then 0.1 s apart
            report(done, total)

        assert gradient_check(trainer, 1, progress=tick).passed
        lines = stream.getvalue().split(CLEAR)[1:]
        assert lines == [f"two_neurons, epoch 1: coordinate {done}/4" for done in (1, 2, 3)]

    def test_elsewhere_it_writes_nothing_and_does_not_touch_the_run(self) -> None:
        stream = io.StringIO()
        progress = Progress(stream)
        assert progress.watching(open_scenario(resolve("two_neurons")), "two_neurons") is None
        progress.clear()
        assert stream.getvalue() == ""

    def test_without_a_terminal_the_commands_print_only_their_output(self) -> None:
        result = CliRunner().invoke(main, ["run", "moons_relu"])
        assert result.exit_code == 0
        assert "epoch" not in result.stderr and "\r" not in result.output

    @pytest.mark.slow
    # Each long enough to report: net_221's 10,001 epochs, and moons' derivation checked at 1,000.
    @pytest.mark.parametrize(("command", "scenario"), [("run", "net_221_sigmoid"), ("check", "moons_relu")])
    def test_on_a_terminal_progress_shows_on_stderr_and_never_on_stdout(self, command: str, scenario: str) -> None:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "bpdbg", command, scenario],
            stdout=subprocess.PIPE,
            stderr=follower,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closes when the command ends
                break
            if not chunk:
                break
            shown += chunk
        stdout, _ = process.communicate()
        os.close(leader)
        assert process.returncode == 0
        assert re.search(rf"{scenario}: epoch [\d,]+/[\d,]+".encode(), shown)
        assert shown.endswith(CLEAR.encode())  # erased before the command ends
        assert stdout.decode() == CliRunner().invoke(main, [command, scenario]).stdout  # the output alone


class TestMemoryBudget:
    @pytest.mark.parametrize(
        ("text", "size"),
        [("64MB", 64_000_000), ("256 MiB", 256 * 2**20), ("1.5G", int(1.5 * 2**30)), ("2gb", 2 * 10**9)],
    )
    def test_a_size_is_written_as_a_person_writes_it(self, text: str, size: int) -> None:
        assert parse_memory(text) == size

    @pytest.mark.parametrize(("text", "why"), [("64XB", "not a size"), ("lots", "not a size"), ("10kB", "outside")])
    def test_a_bad_size_is_refused_saying_why(self, text: str, why: str) -> None:
        with pytest.raises(ValueError, match=why):
            parse_memory(text)

    @pytest.mark.parametrize("command", [["run", "two_neurons"], ["check", "two_neurons"], ["gradcheck", "gd_x2"]])
    def test_a_bad_value_is_one_line_and_exit_status_2(self, command: list[str]) -> None:
        result = CliRunner().invoke(main, [*command, "--memory", "64XB"])
        assert result.exit_code == 2
        assert result.stderr == "bpdbg: --memory: '64XB' is not a size: write it like 64MB, 512MiB or 1GB\n"

    def test_a_small_budget_spaces_the_checkpoints_and_gives_the_very_same_numbers(self, write_scenario) -> None:
        weights = [[(i * j % 7 - 3) / 100 for j in range(100)] for i in range(200)]  # 160 kB a checkpoint
        path = write_scenario(
            f'title = "wide"\n[data]\nx = {[[1.0] * 200]}\n[params]\nW = {weights}\n'
            '[loss]\nL = "mean((x @ W) ** 2)"\n[training]\nlearning_rate = 0.01\nepochs = 30\n'
            '[[log]]\nformat = "{epoch} {L:.17g} {sum(W):.17g}"\n'
        )
        assert open_scenario(path, parse_memory("1MiB")).spacing > 1
        assert open_scenario(path).spacing == 1 and open_scenario(path).memory == CHECKPOINT_BYTES
        default = CliRunner().invoke(main, ["run", str(path)])
        small = CliRunner().invoke(main, ["run", str(path), "--memory", "1MiB"])
        assert small.exit_code == default.exit_code == 0 and small.output == default.output
        assert len(small.output.splitlines()) == 30

    @pytest.mark.parametrize("command", ["run", "check", "gradcheck"])
    def test_a_budget_larger_than_the_machine_can_reserve_is_one_line_not_a_traceback(
        self, write_scenario, monkeypatch, command: str
    ) -> None:
        """--memory 1TiB is a valid size, and the checkpoints of a long run of a large model may then
        want more than the machine has: NumPy refuses them (here: anything over 1 GB)."""
        path = write_scenario(
            'title = "big"\n[data]\nx = 1.0\n[params]\nw = { zeros = [1000, 100] }\n'
            '[model]\nz = "w * x"\n[loss]\nL = "sum(z * z)"\n[training]\nlearning_rate = 0.1\nepochs = 100000\n'
        )
        import numpy as np

        from bpdbg.engine import trainer

        real_empty = np.empty

        def empty(shape, *args, **kwargs):  # type: ignore[no-untyped-def]
            if np.prod(shape) * 8 > 10**9:
                raise MemoryError(f"Unable to allocate an array with shape {shape}")
            return real_empty(shape, *args, **kwargs)

        monkeypatch.setattr(trainer.np, "empty", empty)
        result = CliRunner().invoke(main, [command, str(path), "--memory", "1TiB"])
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == (
            f"{path}:1:1: --memory: 1 TiB of checkpoints, as asked, would hold 100,001 rows of 100,000 "
            "parameters (74.5 GiB), more than this machine can reserve: give a smaller --memory, such as "
            "the default 256MiB\n"
        )

    @pytest.mark.parametrize("args", [["--memory", "64XB", "two_neurons"], ["two_neurons", "--memory", "64XB"]])
    def test_the_debugger_takes_the_budget_too_before_or_after_the_scenario(self, args: list[str]) -> None:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and result.stderr.startswith("bpdbg: --memory: '64XB' is not a size")
