"""A parameter's chain rule is worked out once per epoch and shown at every step that shows it:
the chain kept is the chain a fresh working-out gives, bit for bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bpdbg.engine.chain import chain_param, param_chain
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped


def same(a: object, b: object) -> bool:
    """Equal field by field, arrays bit for bit (dtype and values, NaN equal to NaN)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, np.ndarray | np.generic):
        b = np.asarray(b)
        return np.asarray(a).dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, tuple | list):
        return isinstance(b, tuple | list) and len(a) == len(b) and all(map(same, a, b))
    return a == b


@pytest.mark.parametrize("name", ["two_neurons", "moons_relu", "net_221_sigmoid"])
def test_each_step_shows_the_chain_a_fresh_working_out_gives_and_an_epoch_works_each_out_once(name: str) -> None:
    cursor = Cursor(open_scenario(shipped()[name]))
    program = cursor.program
    shown: dict[tuple[int, str], object] = {}
    shown_again = 0
    for _ in range(2 * len(program.steps) + 3):  # two epochs and into a third
        snapshot = cursor.snapshot()
        param = chain_param(program, snapshot.step)
        assert (snapshot.chain is None) == (param is None)
        if param is not None and snapshot.chain is not None:
            epoch = snapshot.position.epoch
            fresh = param_chain(program, param, cursor.record(epoch).values)
            assert same(snapshot.chain, fresh)
            key = (epoch, param.name)
            if key in shown:
                assert shown[key] is snapshot.chain  # its gradient step and its update show one chain
                shown_again += 1
            shown[key] = snapshot.chain
        if not cursor.forward():
            break
    assert shown_again >= 2  # each epoch showed some parameter's chain twice
