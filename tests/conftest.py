"""Shared helpers: the shipped scenarios, and a trainer for one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SHIPPED = sorted(path.stem for path in SCENARIOS.glob("*.toml"))


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first: with -n, a long test that starts last would leave one worker idle."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
