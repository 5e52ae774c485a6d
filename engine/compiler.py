"""Scenario → `Program`: the tape of one training iteration, step by step.

Every forward primitive, every loss and metric primitive, every backward
chain-rule step and every parameter update becomes one `Step`, in the order a
person would work it by hand. Each step owns one slot in an iteration's list of
values (single assignment: nothing is ever overwritten), so recording an
iteration is just keeping that list.

Shapes are checked here by probing: every op is run once on the initial values,
so a mismatch is reported at the expression that causes it, with both shapes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import limits, ops
from .evaluate import EvaluationError, evaluate, field_value, truth
from .expr import Binary, Call, Name, Node, Num, Transpose, Unary, constant_value, names_in
from .limits import MAX_ELEMENTS
from .scenario import Expression, LogField, Place, Scenario, ScenarioError

Values = list
Instruction = Callable[[Values], object]


@dataclass(frozen=True)
class BackwardInfo:
    """What a chain-rule step multiplies: ∂L/∂target += ∂L/∂output · ∂output/∂target."""

    target: str
    output: str
    output_slot: int  # the op's forward value
    upstream_slot: int
    local_formula: str  # ∂output/∂target in the scenario's names
    local: Callable[[Values], object] | None  # its value, for element-wise ops
    contribution_slot: int
    total_slot: int | None  # set when the target already had a gradient: the sum lands here
    summed_axes: tuple[int, ...]
    target_slot: int  # the forward value whose gradient this is


@dataclass(frozen=True)
class Step:
    index: int
    phase: str
    slot: int  # where the step's value lives; for a summing backward step, the sum
    label: str  # the quantity it computes, e.g. "z1", "w1 * x", "∂L/∂a1", "w1"
    formula: str  # how, in the scenario's names
    node: str  # the named node, loss, metric or parameter it belongs to
    shape: tuple[int, ...]
    backward: BackwardInfo | None = None


@dataclass(frozen=True)
class ParamInfo:
    name: str
    shape: tuple[int, ...]
    offset: int  # where it sits in a flat row of all parameters
    slot: int  # its value entering the iteration
    grad_slot: int | None  # ∂L/∂param once the backward pass is done; None if the loss ignores it
    update_slot: int  # its value after the update

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class Program:
    scenario: Scenario
    steps: tuple[Step, ...]  # a tuple: every snapshot shares it, so panels see the same tape
    instructions: list[Instruction]  # parallel to steps (update steps: see Trainer)
    base: Values  # data, constants and the gradient seed; other slots start empty
    params: list[ParamInfo]
    loss_slot: int
    named: dict[str, int]  # data, params, nodes, loss and metrics → slot
    grad_of: dict[str, int] = field(default_factory=dict)  # any named quantity → its final gradient slot

    @property
    def n_params(self) -> int:
        return sum(p.size for p in self.params)

    def flatten(self, values: dict[str, np.ndarray]) -> np.ndarray:
        row = np.empty(self.n_params)
        for p in self.params:
            row[p.offset : p.offset + p.size] = np.reshape(values[p.name], -1)
        return row

    def unflatten(self, row: np.ndarray) -> dict[str, np.ndarray]:
        return {p.name: row[p.offset : p.offset + p.size].reshape(p.shape) for p in self.params}

    def iterate(self, params: dict[str, np.ndarray], count: int) -> Values:
        """Run the first `count` steps of one iteration from these parameters, keeping every value.

        The single replay that records, checks and probes all share: the same
        instructions as a run, and the same update `p − α·g`, so the values are the run's bits.
        """
        vals: Values = list(self.base)
        for p in self.params:
            vals[p.slot] = np.array(params[p.name], dtype=np.float64)  # a copy: replays never alias a run
        updates = {p.update_slot: p for p in self.params}
        rate = self.scenario.learning_rate
        with np.errstate(all="ignore"):
            for step in self.steps[:count]:
                if step.phase == "update":
                    p = updates[step.slot]
                    old = vals[p.slot]
                    vals[step.slot] = old.copy() if p.grad_slot is None else np.subtract(old, rate * vals[p.grad_slot])
                else:
                    vals[step.slot] = self.instructions[step.index](vals)
        return vals


def quantity(label: str) -> str:
    """A label fit to stand in a product or after ∂: bare if it is a name, number or
    already parenthesised expression, else wrapped in parentheses."""
    if label.isidentifier() or _is_number(label) or _parenthesised(label):
        return label
    return f"({label})"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parenthesised(text: str) -> bool:
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def grad_symbol(loss: str, label: str) -> str:
    return f"∂{loss}/∂{quantity(label)}"


class _Compiler:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.steps: list[Step] = []
        self.instructions: list[Instruction] = []
        self.base: Values = []
        self.probe: Values = []  # the initial iteration's values, to learn shapes
        self.labels: list[str] = []
        self.named: dict[str, int] = {}
        self.requires_grad: list[bool] = []
        # For each op's output slot: the op, its input slots, and the step that made it.
        self.made_by: dict[int, tuple[ops.Op, tuple[int, ...], Step, Expression]] = {}
        self.elements = 0  # numbers held by one iteration's values so far
        self.current: Expression | None = None  # the expression being compiled, for the size limit

    def slot(self, value: object, label: str, requires_grad: bool = False, constant: bool = False) -> int:
        self.elements += int(np.size(value)) if value is not None else 0
        if self.elements > limits.MAX_TAPE_ELEMENTS:
            message = (
                f"one iteration would hold more than {limits.MAX_TAPE_ELEMENTS} numbers "
                f"({limits.MAX_TAPE_ELEMENTS * 8 // 2**20} MiB); use smaller data or parameters"
            )
            if self.current is None:
                raise ScenarioError(self.scenario.params[0].place, message)
            raise self.current.error(message)
        self.base.append(value if constant else None)
        self.probe.append(value)
        self.labels.append(label)
        self.requires_grad.append(requires_grad)
        return len(self.base) - 1

    # -- forward ---------------------------------------------------------------------------

    def compile(self) -> Program:
        scenario = self.scenario
        for name, array in scenario.data.items():
            self.named[name] = self.slot(_as_value(array), name, constant=True)
        param_slots = []
        offset = 0
        for param in scenario.params:
            slot = self.slot(_as_value(param.value), param.name, requires_grad=True)
            self.named[param.name] = slot
            param_slots.append((param, slot, offset))
            offset += param.value.size
        with np.errstate(all="ignore"):
            for expr in scenario.model:
                self.named[expr.name] = self.expression(expr, "forward")
            loss_slot = self.expression(scenario.loss, "loss")
            if np.shape(self.probe[loss_slot]) != ():
                raise scenario.loss.error(
                    f"the loss must be a single number, but {scenario.loss.text!r} has shape "
                    f"{np.shape(self.probe[loss_slot])}; wrap it in sum(…) or mean(…)"
                )
            self.named[scenario.loss.name] = loss_slot
            for expr in scenario.metrics:
                self.named[expr.name] = self.expression(expr, "metric")
            grads = self.backward(loss_slot)
        params = []
        for param, slot, offset in param_slots:
            grad_slot = grads.get(slot)
            update_slot = self.slot(None, param.name)
            label = f"{param.name} ← {param.name} − α·{grad_symbol(scenario.loss.name, param.name)}"
            self.add_step(
                "update", update_slot, param.name, f"{label}   (α = {scenario.learning_rate:g})", param.name, None
            )
            params.append(ParamInfo(param.name, param.value.shape, offset, slot, grad_slot, update_slot))
        grad_of = {name: grads[slot] for name, slot in self.named.items() if slot in grads}
        return Program(
            scenario, tuple(self.steps), self.instructions, self.base, params, loss_slot, self.named, grad_of
        )

    def add_step(
        self,
        phase: str,
        slot: int,
        label: str,
        formula: str,
        node: str,
        instruction: Instruction | None,
        backward: BackwardInfo | None = None,
    ) -> Step:
        step = Step(len(self.steps), phase, slot, label, formula, node, np.shape(self.probe[slot]), backward)
        self.steps.append(step)
        self.instructions.append(instruction or _no_instruction)
        return step

    def expression(self, expr: Expression, phase: str) -> int:
        self.current = expr
        tree = expr.tree
        if isinstance(tree, (Name, Num)) or constant_value(tree) is not None:
            # A bare name or number still gets a step of its own: ŷ = z is a step in the notes.
            source = self.operand(tree, expr, phase)
            return self.emit(ops.IDENTITY, (source,), expr, phase, expr.name, tree)
        return self.operand(tree, expr, phase, root=True)

    def operand(self, node: Node, expr: Expression, phase: str, root: bool = False) -> int:
        label = expr.name if root else expr.text[node.start : node.end].strip()
        value = constant_value(node)
        if value is not None:
            return self.slot(np.float64(value), _number(value), constant=True)
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
                return self.emit(ops.power(exponent), (left,), expr, phase, label, node)
            right = self.operand(node.right, expr, phase)
            return self.emit(ops.BINARY_OPS[node.op], (left, right), expr, phase, label, node)
        if isinstance(node, Call):
            if node.func in ("sum", "mean"):
                inner = self.operand(node.args[0], expr, phase)
                axis = self.axis(node, expr, np.ndim(self.probe[inner]))
                op = ops.reduction(node.func, np.shape(self.probe[inner]), axis)
                return self.emit(op, (inner,), expr, phase, label, node)
            args = tuple(self.operand(arg, expr, phase) for arg in node.args)
            return self.emit(ops.FUNCTION_OPS[node.func], args, expr, phase, label, node)
        raise expr.error("cannot compile this expression", node.start)

    def axis(self, node: Call, expr: Expression, ndim: int) -> int | None:
        if len(node.args) == 1:
            return None
        value = constant_value(node.args[1])
        if ndim == 0:
            raise expr.error(
                f"{node.func}() of a single number has no axis to reduce; write {node.func}(…) without one",
                node.args[1].start,
            )
        if value is None or value != int(value) or not -ndim <= value < ndim:
            raise expr.error(
                f"{node.func}()'s axis must be a whole number from {-ndim} to {ndim - 1}", node.args[1].start
            )
        return int(value) % ndim

    def unknown_name(self, name: str, expr: Expression) -> str:
        import difflib

        later = [e.name for e in (*self.scenario.model, self.scenario.loss, *self.scenario.metrics)]
        if name in later:
            return f"{name!r} is used before it is defined (define it above {expr.name!r})"
        close = difflib.get_close_matches(name, list(self.named), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown name {name!r}{hint}"

    def emit(self, op: ops.Op, inputs: tuple[int, ...], expr: Expression, phase: str, label: str, node: Node) -> int:
        args = [self.probe[i] for i in inputs]
        _check_shapes(op, args, expr, node)
        try:
            value = _as_value(op.forward(*args))
        except ValueError as error:
            raise expr.error(f"cannot compute {expr.text[node.start : node.end]!r}: {error}", node.start) from None
        needs = phase != "metric" and any(self.requires_grad[i] for i in inputs)
        slot = self.slot(value, label, requires_grad=needs)
        names = [self.labels[i] for i in inputs]
        step = self.add_step(
            phase, slot, label, _forward_formula(op, label, names), expr.name, _forward_instruction(op, inputs)
        )
        self.made_by[slot] = (op, inputs, step, expr)
        return slot

    # -- backward --------------------------------------------------------------------------

    def backward(self, loss_slot: int) -> dict[int, int]:
        """Emit one chain-rule step per edge, from the loss back; returns value slot → gradient slot."""
        loss_name = self.scenario.loss.name
        seed = self.slot(np.float64(1.0), grad_symbol(loss_name, loss_name), constant=True)
        grads: dict[int, int] = {loss_slot: seed}
        for out in sorted(self.made_by, reverse=True):
            op, inputs, _, expr = self.made_by[out]
            self.current = expr
            if out not in grads or not self.requires_grad[out]:
                continue
            out_label = self.labels[out]
            for position, (slot, partial) in enumerate(zip(inputs, op.partials, strict=True)):
                if not self.requires_grad[slot]:
                    continue
                self.edge(out, out_label, inputs, position, slot, partial, grads, loss_name, expr)
        return grads

    def edge(
        self,
        out: int,
        out_label: str,
        inputs: tuple[int, ...],
        position: int,
        slot: int,
        partial: ops.Partial,
        grads: dict[int, int],
        loss_name: str,
        expr: Expression,
    ) -> None:
        upstream = grads[out]
        target = self.labels[slot]
        names = {"out": out_label, "a": self.labels[inputs[0]], "b": self.labels[inputs[1]] if len(inputs) > 1 else ""}
        local_formula = partial.formula.format(**{k: quantity(v) for k, v in names.items()})
        contribution_value = partial.vjp(self.probe[upstream], self.probe[out], *[self.probe[i] for i in inputs])
        shape = np.shape(self.probe[slot])
        axes = ops.unbroadcast(shape, np.shape(contribution_value))
        if axes:
            contribution_value = _unbroadcast(contribution_value, axes, shape)
        instruction = _backward_instruction(partial.vjp, upstream, out, inputs, axes, shape)
        d_target, d_out = grad_symbol(loss_name, target), grad_symbol(loss_name, out_label)
        if partial.local is None:
            formula = f"{d_target} = {local_formula.replace('(·)', d_out)}"
        elif partial.is_one:
            formula = f"{d_target} = {d_out}"
        else:
            formula = f"{d_target} = {d_out} · ∂{quantity(out_label)}/∂{quantity(target)}"
        if axes:
            formula += f"   (summed over axis {', '.join(map(str, axes))}: {target} was broadcast)"
        contribution = self.slot(contribution_value, d_target)
        total = None
        if slot in grads:
            formula = formula.replace(" = ", " += ", 1)
            earlier = grads[slot]
            total = self.slot(self.probe[earlier] + contribution_value, d_target)
            instruction = _summing_instruction(instruction, earlier, contribution)
        local = None
        if partial.local is not None:
            local_fn = partial.local

            def local(vals: Values) -> object:
                return local_fn(vals[out], *[vals[i] for i in inputs])

        info = BackwardInfo(target, out_label, out, upstream, local_formula, local, contribution, total, axes, slot)
        step_slot = total if total is not None else contribution
        self.add_step("backward", step_slot, d_target, formula, expr.name, instruction, info)
        grads[slot] = step_slot


def _no_instruction(vals: Values) -> None:
    return None


def _number(value: float) -> str:
    return f"{value:g}"


def _as_value(value: object) -> np.ndarray:
    """Float64 everywhere; scalars as 0-d arrays so every value has a shape."""
    return np.asarray(value, dtype=np.float64)


def _unbroadcast(value: object, axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes NumPy broadcast, back to the input's own shape."""
    return np.add.reduce(value, axis=axes, keepdims=True).reshape(shape)  # np.sum without its wrapper


def _forward_formula(op: ops.Op, label: str, names: list[str]) -> str:
    shown = [quantity(n) for n in names]
    if op is ops.IDENTITY:
        return f"{label} = {names[0]}"
    if op is ops.TRANSPOSE:
        return f"{label} = {shown[0]}ᵀ"
    if len(names) == 2 and op.name not in ops.FUNCTION_OPS:
        return f"{label} = {shown[0]} {op.symbol} {shown[1]}"
    if op.name == "pow":
        return f"{label} = {shown[0]}{op.symbol.replace('**', '^')}"
    if op.name in ("neg", "pos"):
        return f"{label} = {op.symbol}{shown[0]}"
    return f"{label} = {op.symbol}({', '.join(names)})"


def _forward_instruction(op: ops.Op, inputs: tuple[int, ...]) -> Instruction:
    forward = op.forward
    if len(inputs) == 1:
        (a,) = inputs
        return lambda vals: forward(vals[a])
    a, b = inputs
    return lambda vals: forward(vals[a], vals[b])


def _backward_instruction(
    vjp: ops.Vjp, upstream: int, out: int, inputs: tuple[int, ...], axes: tuple[int, ...], shape: tuple[int, ...]
) -> Instruction:
    if len(inputs) == 1:
        (a,) = inputs
        plain: Instruction = lambda vals: vjp(vals[upstream], vals[out], vals[a])  # noqa: E731
    else:
        a, b = inputs
        plain = lambda vals: vjp(vals[upstream], vals[out], vals[a], vals[b])  # noqa: E731
    if not axes:
        return plain
    return lambda vals: _unbroadcast(plain(vals), axes, shape)


def _summing_instruction(instruction: Instruction, earlier: int, contribution: int) -> Instruction:
    """Add a further contribution to a gradient; the contribution keeps a slot of its own."""

    def summing(vals: Values) -> object:
        part = vals[contribution] = instruction(vals)
        return vals[earlier] + part

    return summing


def _check_shapes(op: ops.Op, args: list[object], expr: Expression, node: Node) -> None:
    """Refuse shapes that do not fit, or results too large, before computing anything."""
    shapes = [np.shape(a) for a in args]
    text = expr.text[node.start : node.end]
    try:
        if op is ops.MATMUL:
            a, b = shapes
            if len(a) != 2 or len(b) != 2:
                raise ValueError("@ needs two matrices (2-D arrays)")
            if a[1] != b[0]:
                raise ValueError(f"inner sizes differ ({a[1]} and {b[0]})")
            result = (a[0], b[1])
        elif len(shapes) == 2:
            result = np.broadcast_shapes(*shapes)
        else:
            result = shapes[0]
    except ValueError as error:
        detail = str(error) if op is ops.MATMUL else "they cannot be broadcast together"
        raise expr.error(
            f"shapes {' and '.join(map(str, shapes))} do not fit in {text!r}: {detail}", node.start
        ) from None
    if math.prod(result) > MAX_ELEMENTS:
        raise expr.error(
            f"{text!r} would have shape {result} ({math.prod(result)} numbers; at most {MAX_ELEMENTS})", node.start
        )


def compile_scenario(scenario: Scenario) -> Program:
    """Build the tape of one training iteration for `scenario`; ScenarioError if it cannot run."""
    try:
        program = _Compiler(scenario).compile()
    except (RecursionError, MemoryError) as error:
        place = scenario.loss.place
        reason = "too deeply nested" if isinstance(error, RecursionError) else "too large for memory"
        raise ScenarioError(
            Place(place.path, place.line, place.column, "model"), f"the model is {reason} to compile"
        ) from None
    check_log_fields(program)
    return program


def initial_values(program: Program) -> Values:
    """Every value of the first iteration, from the initial parameters (for probing shapes)."""
    return program.iterate({p.name: p.value for p in program.scenario.params}, len(program.steps))


def check_log_fields(program: Program) -> None:
    """Compute every [[log]] field once on the first iteration, so a field whose shapes do not
    fit is refused when the scenario is opened, not halfway through printing the log."""
    if not program.scenario.log:
        return
    vals = initial_values(program)
    lookup = condition_values(program, vals, float(vals[program.loss_slot]), 1, after_update=True)
    for block in program.scenario.log:
        place = block.place or Place(str(program.scenario.path), 1, 1, "log")
        for part in block.parts:
            if isinstance(part, LogField):
                field_value(part, lookup, place)


# -- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A stop rule or breakpoint, checked against an iteration's values."""

    expression: Expression
    after_update: bool

    def holds(self, program: Program, vals: Values, loss: float, epoch: int) -> bool:
        lookup = condition_values(program, vals, loss, epoch, self.after_update)
        return truth(evaluate(self.expression.tree, lookup, lambda n: vals[program.grad_of[n.id]]))


def condition_values(program: Program, vals: Values, loss: float, epoch: int, after_update: bool) -> dict:
    lookup: dict[str, object] = {name: vals[slot] for name, slot in program.named.items()}
    if after_update:
        lookup.update({p.name: vals[p.update_slot] for p in program.params})
    lookup["loss"] = loss
    lookup["epoch"] = epoch
    return lookup


def check_condition(program: Program, expression: Expression, after_update: bool) -> Condition:
    """Validate a condition's names against the program; ScenarioError if it cannot be evaluated."""
    for name in names_in(expression.tree):
        if name.id not in program.named and name.id not in ("loss", "epoch"):
            raise expression.error(f"unknown name {name.id!r} in the condition", name.start)
    for call in _calls(expression.tree, "grad"):
        target = call.args[0]
        if not isinstance(target, Name) or target.id not in program.grad_of:
            raise expression.error("grad() takes the name of a parameter or node that the loss depends on", call.start)
        if not after_update:
            raise expression.error(
                'grad() is known only after the backward pass: use stop_check = "after_update"', call.start
            )
    # Evaluate it once on the first iteration: shapes that do not fit fail here, not mid-run.
    vals = initial_values(program)
    lookup = condition_values(program, vals, float(vals[program.loss_slot]), 1, after_update)
    try:
        evaluate(expression.tree, lookup, lambda n: vals[program.grad_of[n.id]])
    except EvaluationError as error:
        raise expression.error(error.message, error.node.start) from None
    return Condition(expression, after_update)


def _calls(node: Node, func: str) -> list[Call]:
    if isinstance(node, Call):
        found = [node] if node.func == func else []
        return found + [c for arg in node.args for c in _calls(arg, func)]
    if isinstance(node, (Unary, Transpose)):
        return _calls(node.operand, func)
    if isinstance(node, Binary):
        return _calls(node.left, func) + _calls(node.right, func)
    return []
