"""The named view: the tape as the notes step through it, one named quantity at a time.

z1, a1, z2, y_hat, L, then ∂L/∂y_hat, ∂L/∂z2, … and the updates: the steps that compute
a quantity the scenario names are the stops; every sub-expression step (w1·x, y_hat − y,
∂L/∂(w2·a1)) folds into the named step after it, which writes the whole of it at once
(z1 = w1·x + b1; ∂L/∂y_hat = ∂L/∂L · 0.5 · 2·(y_hat − y)) and lists them inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .lines import Line, backward_line, compose, forward_line, summary, term
from .tape import BackwardInfo, Program, Step


def stops(program: Program) -> tuple[int, ...]:
    """The steps the named view stops at: named values, the final gradient of each named
    quantity (after all its paths are added), and every update."""
    named = set(program.named.values())
    last_gradient = {s.backward.target_slot: s.index for s in program.steps if s.backward is not None}
    chosen = []
    for step in program.steps:
        if step.backward is not None:
            keep = step.backward.target_slot in named and last_gradient[step.backward.target_slot] == step.index
        else:
            keep = step.phase == "update" or step.slot in named
        if keep:
            chosen.append(step.index)
    return tuple(chosen)


def segments(program: Program, step: Step) -> list[list[Step]]:
    """For a named gradient step: per path into its quantity, the steps from the named quantity
    above down to it (∂L/∂(w2·a1), then ∂L/∂w2), in tape order."""
    assert step.backward is not None
    named = set(program.named.values())
    into = {s.backward.target_slot: s for s in program.steps if s.backward is not None and s.index <= step.index}
    found = []
    for arriving in program.steps[: step.index + 1]:
        if arriving.backward is None or arriving.backward.target_slot != step.backward.target_slot:
            continue
        chain = [arriving]
        while chain[0].backward is not None and chain[0].backward.output_slot not in named:
            chain.insert(0, into[chain[0].backward.output_slot])  # a sub-expression has one way in
        found.append(chain)
    return found


def folded_line(program: Program, step: Step, values: Sequence[Any]) -> Line | None:
    """The named step written whole: forward over named quantities; a gradient as upstream ×
    the product of the local factors inside it, and where it has several paths, each one."""
    if step.backward is None:
        return forward_line(step, values, folded=True)
    loss = program.scenario.loss.name
    paths = segments(program, step)
    lines = [compose([s.backward for s in path if s.backward is not None], values, loss) for path in paths]
    if len(lines) == 1:
        return lines[0]
    labels = distinct_labels([[_through(s.backward) for s in path if s.backward is not None] for path in paths])
    parts = tuple(replace(line, label=label) for line, label in zip(lines, labels, strict=True))
    value = values[step.slot]
    template = " + ".join(f"{{{i}}}" for i in range(len(parts)))
    terms = tuple(term(f"path {i + 1}", part.value) for i, part in enumerate(parts))
    return Line("backward", lines[0].target, template, terms, value, step.shape, summary(value), parts=parts)


def inside(program: Program, step: Step, values: Sequence[Any], stop_list: Sequence[int]) -> tuple[Line, ...]:
    """The sub-expression steps a named step folds, each as its own line, in tape order."""
    loss = program.scenario.loss.name
    if step.backward is not None:
        folded = sorted({s.index for path in segments(program, step) for s in path} - {step.index})
    else:
        earlier = [i for i in stop_list if i < step.index]
        start = earlier[-1] + 1 if earlier else 0
        folded = [i for i in range(start, step.index) if program.steps[i].phase == step.phase]
    lines = []
    for i in folded:
        sub = program.steps[i]
        line = backward_line(sub, values, loss) if sub.backward is not None else forward_line(sub, values, False)
        if line is not None:
            lines.append(line)
    return tuple(lines)


def _through(edge: BackwardInfo) -> str:
    return edge.output


def distinct_labels(items: Sequence[Sequence[str]]) -> list[str]:
    """For each path, the few things it passes through that no other path does: "through x, y1".

    Each path takes, against every other path it is not yet told apart from, the first
    thing it passes through that the other does not; any paths still alike are numbered.
    """
    labels = []
    sets = [set(path) for path in items]
    for n, mine in enumerate(items):
        chosen: list[str] = []
        for m, other in enumerate(sets):
            if m == n or any(item not in other for item in chosen):
                continue
            extra = next((item for item in mine if item not in other and item not in chosen), None)
            if extra is not None:
                chosen.append(extra)
        ordered = [item for item in mine if item in chosen]
        labels.append(f"through {', '.join(dict.fromkeys(ordered))}" if ordered else "")
    alike = {label for label in labels if not label or labels.count(label) > 1}
    return [f"{label or 'path'} (path {n + 1})" if label in alike else label for n, label in enumerate(labels)]
