"""The loop runs each op's own rules: what it computes, however it is planned, is what ops.py writes.

The tape calls each rule on just the values it reads, with NumPy's functions called
directly where a rule is one, and computes a step on data alone once (the one-hot labels,
the first gradients of a mean); none of that may change a single bit of what the rules,
called plainly, give on the same values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bpdbg.engine.backward import _unbroadcast
from bpdbg.engine.tape import Program, Step
from bpdbg.engine.updates import sgd

from .conftest import SHIPPED, trainer_for


def same_bits(a: Any, b: Any) -> bool:
    return bool(np.shape(a) == np.shape(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes())


def shares(program: Program, step: Step, vals: tuple[Any, ...]) -> list[Any]:
    """What the op's rule, called plainly, sends to the step's target (x·x: either of two edges)."""
    info = step.backward
    assert info is not None
    op, inputs = program.forward_ops[info.output_slot]
    g, out, args = vals[info.upstream_slot], vals[info.output_slot], [vals[i] for i in inputs]
    found = [p.vjp(g, out, *args) for slot, p in zip(inputs, op.partials, strict=True) if slot == info.target_slot]
    if info.summed_axes:
        found = [_unbroadcast(share, info.summed_axes, np.shape(vals[info.target_slot])) for share in found]
    return found


@pytest.mark.parametrize("name", SHIPPED)
def test_every_forward_and_chain_rule_step_is_its_ops_rule_on_the_epochs_values_to_the_bit(name: str) -> None:
    trainer = trainer_for(name)
    trainer.run(2)
    program, vals = trainer.program, trainer.record(2).values
    gradient_so_far: dict[int, Any] = {}  # each value's gradient, as the steps before have summed it
    for step in program.steps[: trainer.steps_in(2)]:
        if step.backward is None and step.phase != "update":
            op, inputs = program.forward_ops[step.slot]
            assert same_bits(vals[step.slot], op.forward(*[vals[i] for i in inputs])), step.label
        elif step.backward is not None:
            info = step.backward
            share = vals[info.contribution_slot]
            assert any(same_bits(share, s) for s in shares(program, step, vals)), step.label
            if info.total_slot is not None:
                assert same_bits(vals[step.slot], np.add(gradient_so_far[info.target_slot], share)), step.label
            gradient_so_far[info.target_slot] = vals[step.slot]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_sgd_update_made_as_numpys_calls_one_after_another_is_sgd_to_the_bit(name: str) -> None:
    trainer = trainer_for(name)
    program = trainer.program
    if program.scenario.optimizer.kind != "sgd":
        pytest.skip("only SGD's update is planned as separate calls")
    trainer.run(2)
    vals = trainer.record(2).values
    updated = [p for p in program.params if p.grad_slot is not None]
    assert updated
    for p in updated:
        plain = sgd(vals[p.slot], vals[p.grad_slot], vals[program.rate_slot])
        assert same_bits(vals[p.update_slot], plain), p.name
