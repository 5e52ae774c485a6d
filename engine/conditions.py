"""Stop rules, breakpoints and log fields: expressions evaluated on an iteration's values.

They are checked once, by name and by shape, when they are written (`check_condition`,
`parse_breakpoint`, `check_log_fields`), so evaluating them later on any epoch cannot
fail or exhaust memory. A condition that names a value its epoch never computed (the
epoch stopped early, or diverged) is not met there, and says which values it missed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .evaluate import evaluate, truth
from .expr import Call, Name, Node, names_in, parse_condition, walk
from .messages import did_you_mean
from .ops import Shape
from .scenario import Expression, LogField, Place, ScenarioError
from .shapes import ShapeError, infer
from .updates import state_owners, unreadable_state

if TYPE_CHECKING:
    from .tape import Program, Values

BUILTINS: dict[str, Shape] = {"loss": (), "epoch": ()}


@dataclass(frozen=True)
class Verdict:
    holds: bool
    missing: tuple[str, ...] = ()  # what the condition reads that its epoch never computed


@dataclass(frozen=True)
class Condition:
    """A stop rule or breakpoint, checked against an iteration's values."""

    expression: Expression
    after_update: bool  # parameter names mean their updated values, and grad() is known

    @property
    def text(self) -> str:
        return self.expression.text

    def check(self, program: Program, vals: Values, loss: float, epoch: int) -> Verdict:
        lookup = condition_values(program, vals, loss, epoch, self.after_update)
        tree = self.expression.tree
        missing = [n.id for n in names_in(tree) if lookup.get(n.id) is None]
        missing += [f"grad({c.args[0].id})" for c in _grad_calls(tree) if vals[program.grad_of[c.args[0].id]] is None]  # type: ignore[union-attr]
        if missing:
            return Verdict(False, tuple(dict.fromkeys(missing)))
        return Verdict(truth(evaluate(tree, lookup, lambda n: vals[program.grad_of[n.id]])))

    def holds(self, program: Program, vals: Values, loss: float, epoch: int) -> bool:
        return self.check(program, vals, loss, epoch).holds


def condition_values(program: Program, vals: Values, loss: float, epoch: int, after_update: bool) -> dict[str, object]:
    """What a condition's names mean on an iteration's values (None: not computed)."""
    lookup: dict[str, object] = {name: vals[slot] for name, slot in program.named.items()}
    if after_update:
        lookup.update({p.name: vals[p.update_slot] for p in program.params})
    lookup["loss"] = loss
    lookup["epoch"] = epoch
    return lookup


def named_shapes(program: Program) -> dict[str, Shape]:
    """The shape of every name a condition or log field may read."""
    by_slot = {step.slot: step.shape for step in program.steps}
    by_slot.update({slot: np.shape(value) for slot, value in enumerate(program.base) if value is not None})
    by_slot.update({p.slot: p.shape for p in program.params})
    return {name: by_slot[slot] for name, slot in program.named.items()} | BUILTINS


def check_condition(program: Program, expression: Expression, after_update: bool) -> Condition:
    """Validate a condition's names and shapes against the program; ScenarioError if it cannot be evaluated."""
    tree = expression.tree
    owners = state_owners(program.scenario.optimizer, [p.name for p in program.scenario.params])
    for name in names_in(tree):
        if name.id in owners and name.id not in program.named:
            raise expression.error(unreadable_state(name.id, owners[name.id], "a condition"), name.start)
        if name.id not in program.named and name.id not in BUILTINS:
            hint = did_you_mean(name.id, {*program.named, *BUILTINS})
            raise expression.error(f"unknown name {name.id!r} in the condition{hint}", name.start)
    if (call := _bad_gradient(tree, program)) is not None:
        raise expression.error(BAD_GRADIENT, call.start)
    for call in _grad_calls(tree):
        if not after_update:
            raise expression.error(
                'grad() is known only after the backward pass: use stop_check = "after_update"', call.start
            )
    try:
        infer(tree, named_shapes(program), expression.text)
    except ShapeError as error:
        raise expression.error(error.message, error.node.start) from None
    return Condition(expression, after_update)


def file_breakpoints(program: Program) -> list[Condition]:
    """The scenario file's [[breakpoint]] conditions, checked against the model (ScenarioError at the file's place)."""
    return [check_condition(program, expression, after_update=True) for expression in program.scenario.breakpoints]


def parse_breakpoint(program: Program, text: str) -> Condition:
    """A breakpoint typed in the debugger; grad() is allowed, as it is known from its backward
    step on (breakpoints.py works out at which steps the condition is evaluated).

    Raises ScenarioError (its column counted from 1 within `text`) or ExprError.
    """
    expression = Expression("breakpoint", text, parse_condition(text), Place("breakpoint", 1, 1, "breakpoint"))
    return check_condition(program, expression, after_update=True)


def breakpoint_examples(program: Program) -> tuple[str, ...]:
    """Breakpoints to suggest, in the open scenario's own names, each one `parse_breakpoint` accepts:
    the loss, a parameter's gradient, the first quantity the forward pass names, an epoch."""
    examples = ["loss < 0.05"]
    param = next((p for p in program.params if p.grad_slot is not None), None)
    if param is not None:
        grad = f"abs(grad({param.name}))"
        examples.append(f"{grad} < 1e-3" if param.size == 1 else f"max({grad}) < 1e-3")
    forward = {step.slot: step for step in program.steps if step.phase == "forward"}
    named = next(((name, forward[slot]) for name, slot in program.named.items() if slot in forward), None)
    if named is not None:
        name, step = named
        examples.append(f"abs({name}) > 10" if math.prod(step.shape) == 1 else f"max(abs({name})) > 10")
    return (*examples, "epoch == 10")


def check_log_fields(program: Program) -> None:
    """Check every [[log]] field's shapes, so a field that does not fit is refused when the
    scenario is opened, not halfway through printing the log."""
    shapes: Mapping[str, Shape] | None = None
    for block in program.scenario.log:
        place = block.place or Place(str(program.scenario.path), 1, 1, "log")
        for part in block.parts:
            if isinstance(part, LogField):
                shapes = shapes or named_shapes(program)
                _check_field(part, shapes, place, program)


def _check_field(field: LogField, shapes: Mapping[str, Shape], place: Place, program: Program) -> None:
    if (call := _bad_gradient(field.tree, program)) is not None:
        raise ScenarioError(place.at_column(field.start + call.start), f"{{{field.text}}}: {BAD_GRADIENT}")
    try:
        infer(field.tree, shapes, field.text)
    except ShapeError as error:
        raise ScenarioError(
            place.at_column(field.start + error.node.start), f"{{{field.text}}}: {error.message}"
        ) from None


BAD_GRADIENT = "grad() takes the name of a parameter or node that the loss depends on"


def _bad_gradient(tree: Node, program: Program) -> Call | None:
    """The first grad(…) whose argument is not a quantity the loss depends on, if any."""
    for call in _grad_calls(tree):
        target = call.args[0]
        if not isinstance(target, Name) or target.id not in program.grad_of:
            return call
    return None


def _grad_calls(tree: Node) -> list[Call]:
    return [node for node in walk(tree) if isinstance(node, Call) and node.func == "grad"]
