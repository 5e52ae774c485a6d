"""Shared helpers: the shipped scenarios, and a trainer for one of them."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SHIPPED = sorted(path.stem for path in SCENARIOS.glob("*.toml"))

WIDE = """
title = "One wide layer"
seed = 1
[params]
W = { randn = [50, 100], scale = 0.5 }
[loss]
L = "mean(W * W * W)"
[training]
learning_rate = 0.1
epochs = 2
"""
"""One parameter of 5,000 numbers: too large to check every coordinate of, or at once."""


def pytest_configure(config: pytest.Config) -> None:
    """No test reads or writes the user's real config folder (sessions, keymap): the run has its own."""
    folder = tempfile.mkdtemp(prefix="bpdbg-test-config-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["BPDBG_CONFIG_DIR"] = folder


@pytest.fixture
def config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A test's own config folder, for tests of what is kept there."""
    folder = tmp_path / "config"
    monkeypatch.setenv("BPDBG_CONFIG_DIR", str(folder))
    return folder


def trainer_for(name: str) -> Trainer:
    return open_scenario(SCENARIOS / f"{name}.toml")


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario file from text and return its path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_collection_finish(session: pytest.Session) -> None:
    """Collect garbage a hundredth as often as Python's default, and never walk what collection made.

    A debugger test makes tens of thousands of objects (an app, its widgets, styles and strips)
    and few cycles, and the default threshold of 700 new objects ran the collector thousands
    of times a module, its full passes walking everything the session had made: a sixth of the
    suite's CPU. Peak memory per test process grows by about a seventh."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slow tests first, shared out among the test processes.

    With -n, a long test that starts last would leave the other processes idle at the end. And
    pytest-xdist first hands each process an equal stretch of this list, in order, and only
    then moves what is left between them: with every slow test at the front, the first
    process ran them one after another while the others ran through the quick ones, and the
    run waited for it. So each stretch starts with its share of the slow tests.
    """
    slow = [item for item in items if item.get_closest_marker("slow")]
    quick = [item for item in items if not item.get_closest_marker("slow")]
    processes = getattr(config, "workerinput", {}).get("workercount", 1)
    ordered: list[pytest.Item] = []
    left = len(items)
    for k in range(processes):
        stretch = left // (processes - k)  # as pytest-xdist's worksteal cuts the list
        share = slow[k::processes]
        ordered += share + quick[: max(stretch - len(share), 0)]
        del quick[: max(stretch - len(share), 0)]
        left -= stretch
    items[:] = ordered + quick


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two test processes a core. A debugger test spends about a third of its time
    waiting, not computing: Textual's test pilot sleeps until the app is idle after each key.
    With one process a core those waits leave the cores idle; with two, another test runs in
    them (the suite took 154 s instead of 180 s on 2 cores)."""
    return 2 * len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2 * (os.cpu_count() or 1)
