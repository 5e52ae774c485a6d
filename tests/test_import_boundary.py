"""The import boundary: the engine and the headless commands never load Textual (nor the plot it draws
with), and the debugger loads the figure, the graph and their dialogs only when they are first shown.

The headless commands run where no terminal UI can, and start without paying for one; the debugger's
first frame waits for nothing it does not show. Each probe runs in a fresh interpreter, so nothing
another test imported can hide or cause a breach.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

UI_PACKAGES = ("textual", "textual_plotext", "plotext")

PROBE = """
import sys
{code}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {packages!r})
assert not loaded, loaded
"""

ENGINE = """
import bpdbg.engine, bpdbg.engine.cursor, bpdbg.engine.session, bpdbg.engine.trainer
import bpdbg.engine.chain, bpdbg.engine.check, bpdbg.engine.report
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
trainer = open_scenario(shipped()["two_neurons"])
trainer.run()
Cursor(trainer).snapshot()
import bpdbg.cli
"""

CLI = """
from bpdbg.cli import main
try:
    main({args!r}, standalone_mode=False)
except SystemExit:
    pass
"""


def assert_loads_no_ui(code: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code, packages=UI_PACKAGES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_engine_and_the_cli_module_load_no_ui() -> None:
    assert_loads_no_ui(ENGINE)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["run", "two_neurons"],
        ["run", "--json", "gd_xy"],
        ["check", "gd_x2"],
        ["gradcheck", "two_neurons"],
        ["export", "two_neurons", "--epoch", "1", "--format", "tex"],
        ["export", "gd_xy", "--format", "csv"],
    ],
    ids=" ".join,
)
def test_each_headless_command_loads_no_ui(args: list[str]) -> None:
    assert_loads_no_ui(CLI.format(args=args))


# What the debugger's first frame does not show: it loads these only when they are first shown
# (the summary with the inspector, the help's details with the help or the command palette,
# click's completion when the shell asks for it).
SHOWN_LATER = (
    "bpdbg.engine.figures",
    "bpdbg.engine.batched",
    "bpdbg.engine.graph",
    "bpdbg.tui.screens.figure_axes",
    "bpdbg.tui.screens.inspector",
    "bpdbg.engine.summary",
    "bpdbg.tui.screens.help",
    "click.shell_completion",
)

DEBUGGER_START = """
import sys
import bpdbg.cli
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp
app = DebuggerApp(open_scenario(shipped()["moons_relu"]))
app.cursor.snapshot()
loaded = [m for m in {later!r} if m in sys.modules]
assert not loaded, loaded
app.cursor.show_figure = app.cursor.show_graph = True
app.cursor.snapshot()
assert "bpdbg.engine.figures" in sys.modules and "bpdbg.engine.graph" in sys.modules
"""


def test_the_debugger_starts_without_what_its_first_frame_does_not_show() -> None:
    result = subprocess.run(
        [sys.executable, "-c", DEBUGGER_START.format(later=SHOWN_LATER)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
