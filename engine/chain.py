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
from typing import Any

import numpy as np

from .limits import MAX_PATHS
from .lines import Line, compose
from .named import distinct_labels
from .notation import grad_symbol, local_symbol
from .tape import BackwardInfo, ParamInfo, Program, Step


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: ∂z3/∂a1, how it is written (w21), and its value."""

    symbol: str
    formula: str
    value: np.ndarray | None  # None where a matrix product makes it no single factor


@dataclass(frozen=True)
class Path:
    """One route from the loss down to the parameter."""

    label: str  # what sets it apart from the others: "through y ⊙ log(A2 + 1e-8)"; "" if it is the only one
    factors: tuple[Factor, ...]  # one per named quantity on the way: ∂L/∂y_hat · ∂y_hat/∂z2 · …
    product: np.ndarray | None  # the factors multiplied out, where each is a single number
    steps: tuple[Line, ...]  # the same route as the notes' matrix code goes: one line per named quantity


@dataclass(frozen=True)
class Chain:
    symbol: str  # ∂L/∂w11
    paths: tuple[Path, ...]  # at most MAX_PATHS of them
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
    """The local factors of one segment multiplied out, entry by entry, where that is what they are.

    A local factor lives in the shape of its op's output. Below a broadcast (a bias added to
    every row, a scalar penalty added to every sample's loss) the next factor lives in the
    smaller shape of what was broadcast, and the gradient passing between them is a sum over
    the broadcast axes, not a product entry by entry: the segment then has no single value,
    as across a matrix product.
    """
    top, bottom = segment[0].output, segment[-1].target
    formulas = [e.local_formula for e in segment if e.local_formula != "1"]
    value: object = np.float64(1.0)
    for n, edge in enumerate(segment):
        if edge.local is None or (edge.summed_axes and n < len(segment) - 1):
            value = None
            break
        value = value * np.asarray(edge.local(list(values)))
    return Factor(local_symbol(top, bottom), " · ".join(formulas) or "1", None if value is None else np.asarray(value))


def chain_param(program: Program, step: Step) -> ParamInfo | None:
    """The parameter whose gradient or update `step` is (a state's update: its parameter's), if it has a gradient."""
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
    return None if param.grad_slot is None else param


def param_chain(program: Program, param: ParamInfo, values: Sequence[object]) -> Chain:
    """A parameter's whole chain rule on one epoch's values: the same at every step that shows it."""
    assert param.grad_slot is not None  # chain_param gives only parameters with a gradient
    named = set(program.named.values())
    edges = _edges(program)
    counts = path_counts(edges, program.loss_slot, param.slot)
    loss = program.scenario.loss.name
    routes = first_paths(edges, counts, program.loss_slot, param.slot, MAX_PATHS)
    labels = distinct_labels([[edge.output for edge in route] for route in routes]) if len(routes) > 1 else [""]
    paths = []
    for route, label in zip(routes, labels, strict=True):
        factors, steps, segment = [], [], []
        for edge in route:
            segment.append(edge)
            if edge.target_slot in named:
                factors.append(_factor(segment, values))
                steps.append(compose(segment, values, loss))
                segment = []
        paths.append(Path(label, tuple(factors), _multiplied(factors), tuple(steps)))
    total = np.asarray(values[param.grad_slot])
    return Chain(grad_symbol(loss, param.name), tuple(paths), total, counts[program.loss_slot])


def _multiplied(factors: Sequence[Factor]) -> np.ndarray | None:
    """(−0.4225)(0.244)(0.2)(0.2461)(0.5): the product, where every factor is a single number."""
    if not factors or any(f.value is None or np.ndim(f.value) > 0 for f in factors):
        return None
    product: Any = np.float64(1.0)
    for factor in factors:
        product = product * factor.value
    return np.asarray(product)
