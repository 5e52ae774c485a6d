"""Training as the derivation writes it: its own updates in place of backprop's.

The tape stays the same — forward, loss and backward steps alike — except that each
parameter the derivation updates takes its new value from the derivation's entry
(evaluated in order on the epoch's values, earlier updates included, as the notes'
code runs), so a scenario reproduces the notes' printed table even where the notes
are wrong, and each update step names the formula that produced it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from .derivation import Derivation
from .scenario import DerivationEntry, ScenarioError
from .tape import Program


def written_updates(derivation: Derivation) -> dict[str, DerivationEntry]:
    """The derivation's update of each parameter it updates."""
    return {e.claim.of: e for e in derivation.entries if e.claim.kind == "update" and e.claim.scale is None}


def as_written(derivation: Derivation) -> Program:
    """The program with the derivation's updates; ScenarioError if one cannot be computed or does not fit."""
    program = derivation.program
    steps, instructions = list(program.steps), list(program.instructions)
    every = tuple(range(len(program.base)))  # an entry may read any value the epoch has computed so far
    for param in program.params:
        entry = written_updates(derivation).get(param.name)
        if entry is None:
            continue
        problem = derivation.problems.get(entry.name)
        if problem is not None:
            raise ScenarioError(problem.place, f"cannot train as written: {problem.message}")
        shape = derivation.shapes[entry.name]
        if np.broadcast_shapes(shape, param.shape) != param.shape:
            raise ScenarioError(
                entry.formula.place,
                f"cannot train as written: {entry.name} has shape {shape}, the parameter {param.shape}",
            )
        index = derivation.steps[entry.name]
        assert index is not None  # every update claim sits beside its update step
        step = steps[index]
        formula = f"{param.name} ← {entry.formula.text}   (as written, derivation line {entry.formula.place.line})"
        steps[index] = dataclasses.replace(step, formula=formula)
        instructions[index] = ((step.slot, _written(derivation, entry.name, param.shape), every),)
    return dataclasses.replace(program, steps=tuple(steps), instructions=tuple(instructions))


def _written(derivation: Derivation, name: str, shape: tuple[int, ...]) -> Callable[..., Any]:
    """The update as the entry computes it, on every value of the iteration (in slot order)."""

    def update(*vals: Any) -> Any:
        value = derivation.evaluate(vals, upto=name)[name]
        if value is None:  # it cannot be computed on these values: the run stops at a non-finite value
            return np.full(shape, np.nan)
        return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), shape))

    return update
