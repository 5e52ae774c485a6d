"""The chain rule for one parameter, written the way the notes write it.

∂L/∂w11 = ∂L/∂ŷ · ∂ŷ/∂z3 · ∂z3/∂a1 · ∂a1/∂z1 · ∂z1/∂w11: one factor per named quantity
on the way from the loss down to the parameter, each the product of the local
derivatives of the primitive steps inside that quantity's expression. Where the
parameter is reached along several paths, the gradient is the sum of their products.

Paths can be exponentially many (a node used twice at each of forty levels has 2^40),
so they are counted, not listed: at most MAX_PATHS are spelled out, and the panel says
how many more the engine's summed gradient includes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .limits import MAX_PATHS
from .notation import grad_symbol, local_symbol
from .tape import BackwardInfo, Program, Step


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: ∂z3/∂a1, how it is written (w21), and its value."""

    symbol: str
    formula: str
    value: np.ndarray | None  # None where a matrix product makes it no single factor


@dataclass(frozen=True)
class Chain:
    symbol: str  # ∂L/∂w11
    paths: tuple[tuple[Factor, ...], ...]  # at most MAX_PATHS of them
    total: np.ndarray  # the engine's gradient, which all the paths' products add up to
    count: int  # how many paths there are in all

    @property
    def left_out(self) -> int:
        return self.count - len(self.paths)


def _edges(program: Program) -> dict[int, list[BackwardInfo]]:
    """For each value's slot, the backward edges that leave it towards its inputs."""
    edges: dict[int, list[BackwardInfo]] = {}
    for step in program.steps:
        if step.backward is not None:
            edges.setdefault(step.backward.output_slot, []).append(step.backward)
    return edges


def path_counts(edges: dict[int, list[BackwardInfo]], start: int, goal: int) -> dict[int, int]:
    """For every value below `start`, how many routes lead from it down to `goal`, without listing them.

    Each value's count is the sum of its inputs' counts, worked out in an order where every
    input comes first (an explicit stack, so a long chain cannot exhaust the recursion).
    """
    counts: dict[int, int] = {goal: 1}
    stack = [(start, False)]
    while stack:
        slot, expanded = stack.pop()
        if slot in counts:
            continue
        below = [edge.target_slot for edge in edges.get(slot, [])]
        if expanded:
            counts[slot] = sum(counts[s] for s in below)
            continue
        stack.append((slot, True))
        stack.extend((s, False) for s in below if s not in counts)
    return counts


def first_paths(
    edges: dict[int, list[BackwardInfo]], counts: dict[int, int], start: int, goal: int, limit: int
) -> list[list[BackwardInfo]]:
    """The first `limit` routes from `start` to `goal`, depth first, never into a dead end."""
    found: list[list[BackwardInfo]] = []
    stack: list[tuple[int, list[BackwardInfo]]] = [(start, [])]
    while stack and len(found) < limit:
        slot, path = stack.pop()
        if slot == goal:
            found.append(path)
            continue
        stack.extend((e.target_slot, [*path, e]) for e in reversed(edges.get(slot, [])) if counts.get(e.target_slot))
    return found


def _factor(segment: list[BackwardInfo], values: Sequence[object]) -> Factor:
    top, bottom = segment[0].output, segment[-1].target
    formulas = [e.local_formula for e in segment if e.local_formula != "1"]
    value: object = np.float64(1.0)
    for edge in segment:
        if edge.local is None:
            value = None
            break
        value = value * np.asarray(edge.local(list(values)))
    return Factor(local_symbol(top, bottom), " · ".join(formulas) or "1", None if value is None else np.asarray(value))


def chain_for(program: Program, step: Step, values: Sequence[object]) -> Chain | None:
    """The whole chain for the parameter whose gradient or update `step` is; else None."""
    params = {p.slot: p for p in program.params}
    by_name = {p.name: p for p in program.params}
    updates = {p.update_slot: p for p in program.params}
    updates |= {s.update_slot: by_name[s.of] for s in program.states if s.of is not None}  # a state uses ∂L/∂w
    if step.backward is not None and step.backward.target_slot in params:
        param = params[step.backward.target_slot]
    elif step.slot in updates:
        param = updates[step.slot]
    else:
        return None
    if param.grad_slot is None:
        return None
    named = set(program.named.values())
    edges = _edges(program)
    counts = path_counts(edges, program.loss_slot, param.slot)
    paths = []
    for route in first_paths(edges, counts, program.loss_slot, param.slot, MAX_PATHS):
        factors, segment = [], []
        for edge in route:
            segment.append(edge)
            if edge.target_slot in named:
                factors.append(_factor(segment, values))
                segment = []
        paths.append(tuple(factors))
    total = np.asarray(values[param.grad_slot])
    return Chain(grad_symbol(program.scenario.loss.name, param.name), tuple(paths), total, counts[program.loss_slot])
