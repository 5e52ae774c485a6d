"""One epoch's whole derivation, as equations in the engine's own notation, for a handout.

It is read off the debugger's snapshots, one per step of the epoch: each step's label and
formula, its chain-rule factors, a parameter's whole chain and its update, exactly as the
chain panel shows them. `step_equations` is the one place that arranges a snapshot into
equations; the Markdown and LaTeX writers only typeset what it returns, so a handout
always says what the screen says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpdbg.engine.chain import Chain
from bpdbg.engine.cursor import Cursor, Snapshot
from bpdbg.engine.lines import Line
from bpdbg.engine.notation import substitute
from bpdbg.engine.trainer import Trainer
from bpdbg.tui.format import compact, signed

NOTE_GAP = "   "  # the engine writes a remark after a formula three spaces on: "(α = 0.1)"
RELATIONS = (" += ", " ← ", " = ")


@dataclass(frozen=True)
class Equation:
    """lhs = side = side … = value, each side as the engine writes it, then a remark in words."""

    lhs: str
    sides: tuple[str, ...] = ()  # what lhs equals in turn: symbols, the formula, the numbers
    value: np.ndarray | None = None  # the engine's value, written last
    relation: str = "="  # how lhs relates to the first side: =, ← (an update) or += (a gradient summed)
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    equations: tuple[Equation, ...]
    symbol: str = ""  # a quantity the title names, set as mathematics: "the chain for ∂L/∂w1"
    level: int = 2  # 2 for a part of the epoch, 3 for one within it
    note: str = ""


@dataclass(frozen=True)
class Derivation:
    scenario: str  # the scenario's name
    title: str
    source: str
    epoch: int
    max_epochs: int
    sections: tuple[Section, ...]
    ended: str | None  # why the epoch ended before its last step, if it did


class NoSuchEpoch(ValueError):
    """The run ends before the epoch asked for."""


def split_formula(formula: str, label: str) -> tuple[str, tuple[str, ...], str]:
    """A step's formula `label = rhs   (remark)` as its relation, its right-hand side and its remark."""
    body, _, note = formula.partition(NOTE_GAP)
    note = note.strip()
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1]
    for relation in RELATIONS:
        if body.startswith(label + relation):
            rhs = body[len(label + relation) :].strip()
            return relation.strip(), (() if rhs == label else (rhs,)), note
    return "=", (body,), note


def _unique(sides: list[str]) -> tuple[str, ...]:
    """The sides without one that only repeats the side before it."""
    kept: list[str] = []
    for side in sides:
        if side and (not kept or kept[-1] != side):
            kept.append(side)
    return tuple(kept)


def line_equations(line: Line, note: str = "") -> tuple[Equation, ...]:
    """One written line as equations: target = symbols = formula = numbers (or shapes) = value.

    A sum over several paths is the sum, then each path as its own equations, labelled by
    what sets it apart; a step that adds to an earlier part ends with the sum so far.
    """
    relation = "←" if line.kind == "update" else "="
    sides = [side for side in (line.symbols, line.formula) if side != line.target]
    remarks = [note, line.note]
    if line.parts:
        remarks.append(f"the sum of {len(line.parts)} paths")
    elif line.scalar:
        sides.append(substitute(line.template, [compact(t.value) for t in line.terms]))
    else:
        remarks.append(line.shapes)
    equations = [Equation(line.target, _unique(sides), line.value, relation, "; ".join(filter(None, remarks)))]
    for part in line.parts:
        equations += line_equations(part, part.label)
    if line.total is not None:
        equations.append(Equation(line.target, (), line.total, "=", "with the earlier part added"))
    return tuple(equations)


def step_equations(snapshot: Snapshot) -> tuple[Equation, ...]:
    """The current step of a snapshot as equations: what the chain panel shows for it."""
    if snapshot.line is not None:
        return line_equations(snapshot.line)
    step = snapshot.step  # a step the engine writes by its formula alone (an Adam update)
    relation, rhs, note = split_formula(step.formula, step.label)
    return (Equation(step.label, rhs, snapshot.value, relation, note),)


def chain_equations(chain: Chain) -> tuple[Equation, ...]:
    """A parameter's whole chain: per path its factors and their product, or its matrix steps; then the sum."""
    equations: list[Equation] = []
    for n, path in enumerate(chain.paths, 1):
        which = "; ".join(filter(None, (f"path {n} of {chain.count}" if chain.count > 1 else "", path.label)))
        if path.product is None:
            for step in path.steps:
                equations += line_equations(step, which)
                which = ""
            continue
        if len(path.factors) == 1:  # ∂f/∂x = 2·x = 8, not ∂f/∂x = ∂f/∂x
            equations.append(Equation(chain.symbol, (path.factors[0].formula,), path.product, note=which))
            continue
        symbols = " · ".join(f.symbol for f in path.factors)
        numbers = " · ".join(signed(f.value) for f in path.factors)
        equations.append(Equation(chain.symbol, (symbols, numbers), path.product, note=which))
        equations += [Equation(f.symbol, (f.formula,), f.value) for f in path.factors]
    if chain.count > 1:  # one path's product, or its last step, is the gradient already
        summed = f"the sum over all {chain.count} paths"
        if chain.left_out:
            summed += f", {chain.left_out} of them not written out"
        equations.append(Equation(chain.symbol, (), chain.total, note=summed))
    return tuple(equations)


PARTS = (
    ("forward", "Forward pass"),
    ("loss", "Loss"),
    ("metric", "Metrics"),
    ("backward", "Backward pass"),
)


def epoch_snapshots(trainer: Trainer, epoch: int) -> list[Snapshot]:
    """A snapshot at every step an epoch reached, from a cursor of its own (the one on screen stays put)."""
    cursor = Cursor(trainer)
    cursor.goto(epoch, 0)
    if cursor.position.epoch != epoch:
        stop = trainer.stop
        why = f" ({stop.message})" if stop is not None and stop.reason != "epochs" else ""
        raise NoSuchEpoch(f"there is no epoch {epoch}: the run ends at epoch {trainer.epochs_done}{why}")
    snapshots = []
    for step in range(cursor.last_step(epoch) + 1):
        cursor.goto(epoch, step)
        snapshots.append(cursor.snapshot())
    return snapshots


def derive(trainer: Trainer, epoch: int) -> Derivation:
    """The whole derivation of one epoch: forward, loss, backward, each parameter's chain, the updates."""
    snapshots = epoch_snapshots(trainer, epoch)
    sections = []
    for phase, title in PARTS:
        equations = [e for s in snapshots if s.step.phase == phase for e in step_equations(s)]
        if equations:
            sections.append(Section(title, tuple(equations)))
    chains: dict[str, Chain] = {}
    for snapshot in snapshots:
        if snapshot.chain is not None and snapshot.step.phase == "update":
            chains.setdefault(snapshot.chain.symbol, snapshot.chain)
    if chains:
        sections.append(Section("The chain rule for each parameter", ()))
        sections += [Section("The chain for", chain_equations(c), symbol=s, level=3) for s, c in chains.items()]
    updates = [e for s in snapshots if s.step.phase == "update" for e in step_equations(s)]
    if updates:
        sections.append(Section("Updates", tuple(updates)))
    last = snapshots[-1]
    scenario = trainer.program.scenario
    ended = None
    if len(snapshots) < len(last.steps):
        stop = trainer.stop
        ended = stop.message if stop is not None and stop.epoch == epoch else "the epoch ended early"
    return Derivation(scenario.name, scenario.title, scenario.source, epoch, trainer.max_epochs, tuple(sections), ended)
