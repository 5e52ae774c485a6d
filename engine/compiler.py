"""Scenario → `Program`: the forward pass emitted op by op, then the backward pass and the updates.

Shapes are checked by probing: every op runs once on the initial values as it is
emitted, so a mismatch is reported at the expression that causes it, with both shapes,
and the probe values double as the first iteration's values for the backward pass's
shapes. Emission order is a topological order (an op is emitted after its inputs),
which is what `backward.py` walks in reverse.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops
from .backward import emit_backward
from .conditions import check_condition, check_log_fields
from .evaluate import evaluate
from .expr import Binary, Call, Name, Node, Num, Transpose, Unary, constant_value, walk
from .notation import binding, grad_symbol, renumber
from .scenario import Expression, Place, Scenario, ScenarioError
from .shapes import call_op, result_shape
from .tape import Instruction, Operand, ParamInfo, Phase, Program, Written
from .tape_builder import Emitted, TapeBuilder
from .updates import PREVIOUS, UpdateStep, state_names, update_steps


class _Forward:
    """Emits the model, the loss and the metrics, one step per primitive."""

    def __init__(self, tape: TapeBuilder) -> None:
        self.tape = tape
        self.scenario = tape.scenario
        self.named: dict[str, int] = {}

    def expression(self, expr: Expression, phase: Phase) -> int:
        self.tape.current = expr
        tree = expr.tree
        if isinstance(tree, (Name, Num)) or constant_value(tree) is not None:
            # A bare name or number still gets a step of its own: ŷ = z is a step in the notes.
            source = self.operand(tree, expr, phase)
            return self.emit(ops.IDENTITY, (source,), expr, phase, expr.name, tree)
        return self.operand(tree, expr, phase, root=True)

    def operand(self, node: Node, expr: Expression, phase: Phase, root: bool = False) -> int:
        label = expr.name if root else None  # a sub-expression is labelled as its op writes it
        value = constant_value(node)
        if value is not None:
            written = expr.text[node.start : node.end].strip()  # 1e-8 as the model writes it, not 1e-08
            written = "−" + written[1:] if written.startswith("-") else written
            return self.tape.slot(np.float64(value), written, constant=True)
        if isinstance(node, Name):
            if node.id not in self.named:
                raise expr.error(self.unknown_name(node.id, expr), node.start)
            return self.named[node.id]
        if isinstance(node, Unary):
            inner = self.operand(node.operand, expr, phase)
            return self.emit(ops.UNARY_OPS[node.op], (inner,), expr, phase, label, node)
        if isinstance(node, Transpose):
            inner = self.operand(node.operand, expr, phase)
            return self.emit(ops.TRANSPOSE, (inner,), expr, phase, label, node)
        if isinstance(node, Binary):
            left = self.operand(node.left, expr, phase)
            if node.op == "**":
                exponent = constant_value(node.right)
                assert exponent is not None  # the parser only lets constant exponents through
                powered = ops.power(exponent, np.shape(self.tape.probe[left]))
                return self.emit(powered, (left,), expr, phase, label, node)
            right = self.operand(node.right, expr, phase)
            return self.emit(ops.BINARY_OPS[node.op], (left, right), expr, phase, label, node)
        if isinstance(node, Call):
            if node.func in ops.AXIS_FUNCTIONS or node.func == "onehot":
                inner = self.operand(node.args[0], expr, phase)
                try:
                    shape = np.shape(self.tape.probe[inner])
                    op = call_op(node, [shape])
                    if node.func == "onehot":
                        result_shape(op, [shape], expr.text[node.start : node.end])
                        self.check_labels(inner, op)
                except ValueError as error:
                    raise expr.error(str(error), node.args[-1].start) from None
                return self.emit(op, (inner,), expr, phase, label, node)
            args = tuple(self.operand(arg, expr, phase) for arg in node.args)
            return self.emit(ops.FUNCTION_OPS[node.func], args, expr, phase, label, node)
        raise expr.error("cannot compile this expression", node.start)

    def check_labels(self, labels: int, op: ops.Op) -> None:
        """onehot() takes class labels fixed by the data: whole numbers from 0 to k − 1."""
        if self.tape.requires_grad[labels]:
            raise ValueError("onehot() takes labels from the data, not a value that depends on the parameters")
        ops.onehot_labels(self.tape.probe[labels], op.shape([(1,)])[1])

    def unknown_name(self, name: str, expr: Expression) -> str:
        scenario = self.scenario
        later = [e.name for e in (*scenario.model, scenario.loss, *scenario.metrics)]
        if name in later:
            return f"{name!r} is used before it is defined (define it above {expr.name!r})"
        close = difflib.get_close_matches(name, list(self.named), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown name {name!r}{hint}"

    def emit(
        self, op: ops.Op, inputs: tuple[int, ...], expr: Expression, phase: Phase, label: str | None, node: Node
    ) -> int:
        tape = self.tape
        args = [tape.probe[i] for i in inputs]
        text = expr.text[node.start : node.end]
        try:
            result_shape(op, [np.shape(a) for a in args], text)  # before computing anything
            value = np.asarray(op.forward(*args), dtype=np.float64)
        except ValueError as error:
            raise expr.error(str(error), node.start) from None
        needs_grad = phase != "metric" and any(tape.requires_grad[i] for i in inputs)
        labels = [tape.labels[i] for i in inputs]
        arrays = len(inputs) == 2 and all(np.ndim(a) > 0 for a in args)  # a·b of two arrays is a ⊙ b
        right = op.write(labels, arrays)
        label = right if label is None else label
        slot = tape.slot(value, label, requires_grad=needs_grad)
        written = self.written(op, inputs, arrays)
        tape.folded[slot] = written[1]
        tape.add_step(phase, slot, label, f"{label} = {right}", expr.name, op.forward, inputs, None, written)
        tape.emitted[slot] = Emitted(op, inputs, slot, expr)
        return slot

    def written(self, op: ops.Op, inputs: tuple[int, ...], arrays: bool) -> tuple[Written, Written]:
        """The op over its own operands, and over named quantities only (its sub-expressions unfolded).

        A number written in the model stays in the template (0.5·{0}); everything else is an operand.
        """
        tape = self.tape
        own: tuple[list[str], list[Operand]] = ([], [])
        folded: tuple[list[str], list[Operand]] = ([], [])
        for i in inputs:
            label = tape.labels[i]
            if tape.base[i] is not None and i not in tape.named_slots:
                for names, _ in (own, folded):
                    names.append(label)
                continue
            operand = Operand(label, i, np.shape(tape.probe[i]))
            own[0].append(f"{{{len(own[1])}}}")
            own[1].append(operand)
            inner = tape.folded.get(i) if i not in tape.named_slots else None
            if inner is None:
                folded[0].append(f"{{{len(folded[1])}}}")
                folded[1].append(operand)
            else:
                folded[0].append(renumber(inner.template, len(folded[1])))
                folded[1].extend(inner.operands)
        held = [binding(tape.labels[i]) for i in inputs]
        return (
            Written(op.write(own[0], arrays, held), tuple(own[1])),
            Written(op.write(folded[0], arrays, held), tuple(folded[1])),
        )


class _Updates:
    """Emits the update phase, parameter by parameter, with the optimizer's state beside each."""

    def __init__(self, tape: TapeBuilder, scenario: Scenario) -> None:
        self.tape = tape
        self.scenario = scenario
        self.optimizer = scenario.optimizer
        rate = scenario.learning_rate
        self.schedule = rate if isinstance(rate, Expression) else None
        if self.schedule is not None:
            first = float(evaluate(self.schedule.tree, {"epoch": 1}))
            self.rate_slot = tape.slot(first, "α")
            self.rate_text = f"α = {self.schedule.text}"
        else:
            self.rate_slot = tape.slot(float(rate), "α", constant=True)  # type: ignore[arg-type]
            self.rate_text = f"α = {rate:g}"
        self.epoch_slot = tape.slot(1, "epoch")
        self.params: list[ParamInfo] = []
        self.states: list[ParamInfo] = []  # offsets are set once every parameter's place is known

    def emit(self, name: str, shape: tuple[int, ...], slot: int, grad_slot: int | None) -> None:
        tape = self.tape
        tape.current = None
        if grad_slot is None:  # the loss does not depend on it: it stays as it is
            update_slot = tape.slot(tape.probe[slot], name)
            formula = f"{name} ← {name}   (the loss does not depend on {name})"
            tape.add_step("update", update_slot, name, formula, name, ops.same, (slot,))
        else:
            current = {"param": slot, "grad": grad_slot, "rate": self.rate_slot, "epoch": self.epoch_slot}
            entering = {state: tape.slot(np.zeros(shape), state) for state in state_names(self.optimizer, name)}
            current |= entering
            gradient = grad_symbol(self.scenario.loss.name, name)
            symbols = {"param": name, "grad": gradient, "rate": "α", "epoch": "t"}
            for rule in update_steps(self.optimizer, name, gradient, self.rate_text):
                reads = tuple(current[r] for r in rule.reads)
                new = tape.slot(rule.compute(*[tape.probe[r] for r in reads]), rule.target)
                written = None
                if rule.written is not None:  # w1 ← w1 − α·∂L/∂w1 = 0.3 − 0.1·(−0.002537)
                    template, order = rule.written
                    operands = tuple(
                        Operand(symbols.get(r, r), current[r], np.shape(tape.probe[current[r]])) for r in order
                    )
                    written = (Written(template, operands), Written(template, operands))
                compute, reads, before = self._calls(rule, current, reads)
                tape.add_step("update", new, rule.target, rule.formula, name, compute, reads, None, written, before)
                current["param" if rule.target == name else rule.target] = new
            update_slot = current["param"]
            for state, entering_slot in entering.items():
                self.states.append(ParamInfo(state, shape, 0, entering_slot, None, current[state], of=name))
        self.params.append(ParamInfo(name, shape, 0, slot, grad_slot, update_slot))

    def _calls(
        self, rule: UpdateStep, current: dict[str, int], reads: tuple[int, ...]
    ) -> tuple[Callable[..., Any], tuple[int, ...], Instruction]:
        """An update step as the loop runs it: its rule's NumPy calls one after another, each result
        but the last in a slot of its own (read by no step), or else the rule called once."""
        if not rule.calls:
            return rule.compute, reads, ()
        tape, before, known = self.tape, [], dict(current)
        for function, names in rule.calls[:-1]:
            args = tuple(known[n] for n in names)
            part = tape.slot(function(*[tape.probe[a] for a in args]), f"{rule.target}: part of its update")
            before.append((part, function, args))
            known[PREVIOUS] = part
        function, names = rule.calls[-1]
        return function, tuple(known[n] for n in names), tuple(before)

    def placed(self) -> tuple[tuple[ParamInfo, ...], tuple[ParamInfo, ...]]:
        """The parameters and states with their offsets in a row: parameters first, in declaration
        order (so a row starts as the notes list them), then every state."""
        offsets = np.cumsum([0] + [item.size for item in (*self.params, *self.states)])
        items = [
            dataclasses.replace(item, offset=int(o))
            for item, o in zip((*self.params, *self.states), offsets[:-1], strict=True)
        ]
        return tuple(items[: len(self.params)]), tuple(items[len(self.params) :])


def _compile(scenario: Scenario) -> Program:
    tape = TapeBuilder(scenario)
    forward = _Forward(tape)
    named = forward.named
    for name, array in scenario.data.items():
        named[name] = tape.slot(np.asarray(array, dtype=np.float64), name, constant=True)
    param_slots = []
    for param in scenario.params:
        named[param.name] = tape.slot(np.asarray(param.value, dtype=np.float64), param.name, requires_grad=True)
        param_slots.append(named[param.name])
    tape.named_slots.update(named.values())
    with np.errstate(all="ignore"):
        for expr in scenario.model:
            named[expr.name] = forward.expression(expr, "forward")
            tape.named_slots.add(named[expr.name])
        loss_slot = forward.expression(scenario.loss, "loss")
        if np.shape(tape.probe[loss_slot]) != ():
            raise scenario.loss.error(
                f"the loss must be a single number, but {scenario.loss.text!r} has shape "
                f"{np.shape(tape.probe[loss_slot])}; wrap it in sum(…) or mean(…)"
            )
        named[scenario.loss.name] = loss_slot
        tape.named_slots.add(loss_slot)
        for expr in scenario.metrics:
            named[expr.name] = forward.expression(expr, "metric")
            tape.named_slots.add(named[expr.name])
        grads = emit_backward(tape, loss_slot, scenario.loss.name)
        updates = _Updates(tape, scenario)
        for param, slot in zip(scenario.params, param_slots, strict=True):
            updates.emit(param.name, param.value.shape, slot, grads.get(slot))
        params, states = updates.placed()
    return Program(
        scenario=scenario,
        steps=tuple(tape.steps),
        instructions=tuple(tape.instructions),
        base=tape.base,
        params=params,
        loss_slot=loss_slot,
        named=named,
        grad_of={name: grads[slot] for name, slot in named.items() if slot in grads},
        states=states,
        epoch_slot=updates.epoch_slot,
        rate_slot=updates.rate_slot,
        rate_schedule=updates.schedule,
        forward_ops={slot: (e.op, e.inputs) for slot, e in tape.emitted.items()},
    )


def compile_scenario(scenario: Scenario) -> Program:
    """Build the tape of one training iteration for `scenario`; ScenarioError if it cannot run.

    The stop rule and every [[log]] field are checked here too, by their shapes, so a
    scenario that opens can run to its end.
    """
    try:
        program = _compile(scenario)
    except (RecursionError, MemoryError) as error:
        place = scenario.loss.place
        reason = "too deeply nested" if isinstance(error, RecursionError) else "too large for memory"
        raise ScenarioError(
            Place(place.path, place.line, place.column, "model"), f"the model is {reason} to compile"
        ) from None
    if scenario.stop is not None:
        program.stop_rule = check_condition(
            program, scenario.stop.condition, after_update=scenario.stop.check == "after_update"
        )
    check_log_fields(program)
    _every_param_read(scenario)
    return program


def _every_param_read(scenario: Scenario) -> None:
    """A parameter no expression reads is a slip, as nothing would ever train it: most often
    `seed = 1` written under [params], where it becomes a parameter called seed. Checked once
    every name the expressions read is known to exist, so an unknown name is reported first."""
    expressions = (*scenario.model, scenario.loss, *scenario.metrics)
    read = {node.id for e in expressions for node in walk(e.tree) if isinstance(node, Name)}
    for param in scenario.params:
        if param.name not in read:
            hint = " (the setting seed = … goes above the first [section])" if param.name == "seed" else ""
            message = f"no expression of [model], [loss] or [metrics] reads {param.name}, so nothing trains it"
            raise ScenarioError(param.place, message + hint)
