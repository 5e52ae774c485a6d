"""The backward pass: one chain-rule step per edge of the graph, from the loss down.

The forward pass emitted each op after its inputs, so emission order is a topological
order, and walking it in reverse visits every value only after every op that reads it
has sent its share back: the value's gradient is complete before it is passed on.

Each edge is one step, ∂L/∂input (+)= ∂L/∂output · ∂output/∂input. The product is the
op's own backward rule (`ops.py`); a gradient that reaches a value along several edges
is summed, each share keeping a slot of its own so the debugger can show it; a gradient
of a value NumPy broadcast is summed back over the broadcast axes to the value's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .notation import grad_symbol, local_symbol, quantity, substitute
from .ops import Partial, unbroadcast
from .tape import BackwardInfo, Instruction, Operand, Values, Written

if TYPE_CHECKING:
    from .tape_builder import Emitted, TapeBuilder


def emit_backward(tape: TapeBuilder, loss_slot: int, loss: str) -> dict[int, int]:
    """Emit the backward steps; returns each value's slot → the slot of its final gradient."""
    seed = tape.slot(np.float64(1.0), grad_symbol(loss, loss), constant=True)
    grads: dict[int, int] = {loss_slot: seed}
    for out in reversed(tape.emitted):  # reverse topological order
        emitted = tape.emitted[out]
        if out not in grads or not tape.requires_grad[out]:
            continue
        tape.current = emitted.expr
        for position, (slot, partial) in enumerate(zip(emitted.inputs, emitted.op.partials, strict=True)):
            if tape.requires_grad[slot]:
                grads[slot] = _edge(tape, emitted, position, partial, grads, loss)
    return grads


def _edge(
    tape: TapeBuilder, emitted: Emitted, position: int, partial: Partial, grads: dict[int, int], loss: str
) -> int:
    """The step that sends ∂L/∂out down to one input; returns the slot of that input's gradient so far."""
    probe, labels = tape.probe, tape.labels
    out, inputs = emitted.output, emitted.inputs
    target_slot, upstream = inputs[position], grads[out]
    out_label, target = labels[out], labels[target_slot]
    operands = {"out": out_label, "a": labels[inputs[0]], "b": labels[inputs[1]] if len(inputs) > 1 else ""}
    local_formula = partial.formula.format(**{k: quantity(v) for k, v in operands.items()})
    shape = np.shape(probe[target_slot])
    args = [probe[i] for i in inputs]
    share = partial.vjp(probe[upstream], probe[out], *args)
    axes = unbroadcast(shape, np.shape(share))
    compute, reads = _share(partial, (upstream, out, *inputs), axes, shape)
    d_target, d_out = grad_symbol(loss, target), grad_symbol(loss, out_label)
    written = None
    if not partial.elementwise:
        written = _matrix(partial.formula, d_out, upstream, operands, tape, inputs)
        formula = f"{d_target} = {substitute(written.template, [o.symbol for o in written.operands])}"
    else:
        # ∂L/∂L · ∂L/∂u would say nothing: below the loss itself the local factor is written out.
        local = local_formula if out_label == loss else local_symbol(out_label, target)
        times = " ⊙ " if np.ndim(probe[upstream]) and np.ndim(partial.local(probe[out], *args)) else " · "
        formula = f"{d_target} = {d_out}{times}{local}"
    note = partial.note.format(count=np.size(probe[target_slot])) if partial.note else ""
    if axes:
        share = _unbroadcast(share, axes, shape)
        formula += f"   (summed over axis {', '.join(map(str, axes))}: {target} was broadcast)"
        note = _broadcast_words(target, axes, np.shape(probe[out]))
    contribution = tape.slot(share, d_target)
    total = None
    before: Instruction = ()
    if target_slot in grads:  # a further path to this value: add its share to what came before
        formula = formula.replace(" = ", " += ", 1)
        earlier = grads[target_slot]
        total = tape.slot(probe[earlier] + share, d_target)
        # The share keeps a slot of its own, so the debugger can show it beside the sum.
        before = ((contribution, compute, reads),)
        compute, reads = np.add, (earlier, contribution)
    info = BackwardInfo(
        target,
        out_label,
        out,
        upstream,
        local_formula,
        _local(partial, out, inputs) if partial.elementwise else None,
        contribution,
        total,
        axes,
        target_slot,
        written,
        note,
        partial.elementwise,
    )
    slot = contribution if total is None else total
    step = tape.add_step("backward", slot, d_target, formula, emitted.expr.name, compute, reads, info, before=before)
    return step.slot


def _matrix(
    formula: str, d_out: str, upstream: int, operands: dict[str, str], tape: TapeBuilder, inputs: tuple[int, ...]
) -> Written:
    """A matrix step in the notes' notation, over ∂L/∂out and the operand it multiplies by:
    "(·) @ {b}ᵀ" becomes {0} @ {1} with ∂L/∂Z2 and W2ᵀ, whose shape is W2's turned round."""
    written = [Operand(d_out, upstream, np.shape(tape.probe[upstream]))]
    template = formula.replace("(·)", "⟨0⟩")
    for key, slot in zip("ab", inputs, strict=False):
        token = f"{{{key}}}ᵀ"
        if token in template:
            template = template.replace(token, f"⟨{len(written)}⟩")
            symbol = f"{quantity(operands[key])}ᵀ"
            written.append(Operand(symbol, None, tuple(np.shape(tape.probe[slot]))[::-1]))
    for key, label in operands.items():
        template = template.replace(f"{{{key}}}", quantity(label))
    return Written(template.replace("⟨", "{").replace("⟩", "}"), tuple(written))


def _broadcast_words(target: str, axes: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """Un-broadcasting said in words: which axes the gradient is summed over, and why."""
    kinds = {0: "rows", 1: "columns"}
    over = " and ".join(f"axis {a} ({shape[a]} {kinds.get(a, 'entries')})" for a in axes)
    return f"summed over {over}: {target} was broadcast across them, so each copy's gradient adds up"


def _unbroadcast(value: Any, axes: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes NumPy broadcast, back to the input's own shape."""
    return np.add.reduce(value, axis=axes, keepdims=True).reshape(shape)  # np.sum without its wrapper


def _share(
    partial: Partial, operands: tuple[int, ...], axes: tuple[int, ...], shape: tuple[int, ...]
) -> tuple[Callable[..., Any], tuple[int, ...]]:
    """The input's share of the upstream gradient, by the op's backward rule: the function and
    the slots it reads. `operands` are the slots of (∂L/∂out, out, the op's inputs…)."""
    reads = tuple(operands[i] for i in partial.reads)
    if not axes:
        return partial.rule, reads
    rule = partial.rule

    def summed(*values: Any) -> Any:
        return _unbroadcast(rule(*values), axes, shape)

    return summed, reads


def _local(partial: Partial, out: int, inputs: tuple[int, ...]) -> Callable[[Values], Any]:
    """The local factor ∂out/∂input on an iteration's values, for the debugger to show."""
    return lambda vals: partial.local(vals[out], *[vals[i] for i in inputs])
