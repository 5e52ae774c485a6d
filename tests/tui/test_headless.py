"""The engine and the headless commands never load Textual: they run where no terminal UI can."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
{code}
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "textual_plotext")))
assert not loaded, loaded
"""

CLI = """
from bpdbg.cli import main
try:
    main({args!r}, standalone_mode=False)
except SystemExit:
    pass
"""


def run_probe(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_engine_does_not_import_textual() -> None:
    run_probe(
        "import bpdbg.engine, bpdbg.engine.cursor, bpdbg.engine.session, bpdbg.engine.trainer, "
        "bpdbg.engine.chain, bpdbg.engine.check, bpdbg.engine.report"
    )


@pytest.mark.parametrize(
    "args",
    [["list"], ["run", "two_neurons"], ["check", "gd_x2"], ["gradcheck", "two_neurons"], ["run", "--json", "gd_xy"]],
)
def test_headless_commands_do_not_import_textual(args: list[str]) -> None:
    run_probe(CLI.format(args=args))
