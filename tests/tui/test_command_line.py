"""The debugger's command line: without a terminal it says so at once, and ctrl-c ends a
headless run with one line and status 130, never a traceback.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

BPDBG = [sys.executable, "-m", "bpdbg"]


def long_scenario(tmp_path: Path) -> Path:
    """A million epochs of a slow descent: far longer than any test waits for."""
    path = tmp_path / "long.toml"
    path.write_text(
        'title = "long"\n\n[params]\nx = 4.0\n\n[loss]\nf = "x ** 2"\n\n'
        "[training]\nlearning_rate = 1e-9\nepochs = 1000000\n",
        encoding="utf-8",
    )
    return path


def test_without_a_terminal_the_debugger_says_so_and_exits_2() -> None:
    result = subprocess.run(
        [*BPDBG, "two_neurons"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "needs a terminal" in result.stderr and "bpdbg run" in result.stderr


def test_ctrl_c_during_a_run_prints_where_it_stopped_and_exits_130(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*BPDBG, "run", "--json", str(long_scenario(tmp_path))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the run has started: its first epochs are out
        assert first.startswith('{"epoch": 1,')
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err.startswith("interrupted at epoch ") and err.count("\n") == 1
    assert int(err.split()[-1]) >= 1
