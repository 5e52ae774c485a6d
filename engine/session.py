"""The one-way pipeline from a scenario file to a trainer ready to step."""

from __future__ import annotations

from pathlib import Path

from .compiler import compile_scenario
from .conditions import file_breakpoints
from .limits import CHECKPOINT_BYTES
from .loader import load_scenario
from .trainer import Trainer


def open_scenario(path: str | Path, memory: int = CHECKPOINT_BYTES) -> Trainer:
    """Load, validate and compile a scenario, its checkpoints spaced to fit `memory` bytes;
    nothing has run yet. Raises ScenarioError, for a [[breakpoint]] that cannot be evaluated too."""
    program = compile_scenario(load_scenario(path))
    file_breakpoints(program)
    return Trainer(program, memory)
