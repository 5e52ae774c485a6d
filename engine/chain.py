"""The chain rule for one parameter, written the way the notes write it.

∂L/∂w11 = ∂L/∂ŷ · ∂ŷ/∂z3 · ∂z3/∂a1 · ∂a1/∂z1 · ∂z1/∂w11: one factor per named quantity
on the way from the loss down to the parameter, each the product of the local
derivatives of the primitive steps inside that quantity's expression. Where the
parameter is reached along several paths, the gradient is the sum of their products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compiler import BackwardInfo, Program, Step, grad_symbol, quantity
from .limits import MAX_PATHS


@dataclass(frozen=True)
class ChainFactor:
    symbol: str  # ∂z3/∂a1
    formula: str  # w21
    value: np.ndarray | None  # None where a matrix product makes it no single factor


@dataclass(frozen=True)
class Chain:
    symbol: str  # ∂L/∂w11
    paths: tuple[tuple[ChainFactor, ...], ...]
    total: np.ndarray  # the engine's gradient, which the paths' products add up to
    truncated: bool = False


def _paths(program: Program, start: int, goal: int) -> tuple[list[list[BackwardInfo]], bool]:
    """Every route of backward edges from the loss's slot down to the parameter's slot."""
    edges: dict[int, list[BackwardInfo]] = {}
    for step in program.steps:
        if step.backward is not None:
            edges.setdefault(step.backward.output_slot, []).append(step.backward)
    found: list[list[BackwardInfo]] = []

    def walk(slot: int, path: list[BackwardInfo]) -> None:
        if len(found) > MAX_PATHS:
            return
        if slot == goal:
            found.append(path)
            return
        for edge in edges.get(slot, []):
            walk(edge.target_slot, [*path, edge])

    walk(start, [])
    return found[:MAX_PATHS], len(found) > MAX_PATHS


def _factor(segment: list[BackwardInfo], values: list[object]) -> ChainFactor:
    top, bottom = segment[0].output, segment[-1].target
    formulas = [e.local_formula for e in segment if e.local_formula != "1"]
    value: object = np.float64(1.0)
    for edge in segment:
        if edge.local is None:
            value = None
            break
        value = value * np.asarray(edge.local(values))
    return ChainFactor(
        f"∂{quantity(top)}/∂{quantity(bottom)}",
        " · ".join(formulas) or "1",
        None if value is None else np.asarray(value),
    )


def chain_for(program: Program, step: Step, record: object) -> Chain | None:
    """The whole chain for the parameter whose gradient or update `step` is; else None."""
    params = {p.slot: p for p in program.params}
    updates = {p.update_slot: p for p in program.params}
    if step.backward is not None and step.backward.target_slot in params:
        param = params[step.backward.target_slot]
    elif step.slot in updates:
        param = updates[step.slot]
    else:
        return None
    if param.grad_slot is None:
        return None
    values = list(record.values)  # type: ignore[attr-defined]
    named = set(program.named.values())
    routes, truncated = _paths(program, program.loss_slot, param.slot)
    paths = []
    for route in routes:
        factors, segment = [], []
        for edge in route:
            segment.append(edge)
            if edge.target_slot in named:
                factors.append(_factor(segment, values))
                segment = []
        paths.append(tuple(factors))
    loss = program.scenario.loss.name
    return Chain(grad_symbol(loss, param.name), tuple(paths), np.asarray(values[param.grad_slot]), truncated)
