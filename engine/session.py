"""The one-way pipeline from a scenario file to a trainer ready to step."""

from __future__ import annotations

from pathlib import Path

from .compiler import compile_scenario
from .limits import CHECKPOINT_BYTES
from .loader import load_scenario
from .trainer import Trainer


def open_scenario(path: str | Path, memory: int = CHECKPOINT_BYTES) -> Trainer:
    """Load, validate and compile a scenario, its checkpoints spaced to fit `memory` bytes;
    nothing has run yet. Raises ScenarioError."""
    return Trainer(compile_scenario(load_scenario(path)), memory)
