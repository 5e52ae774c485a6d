"""Generated networks pass the gradient check: random dense layers, smooth activations, random data.

Valid generated networks (one to three layers of one to three units, sigmoid, tanh or
no activation, random data and weights, the loss sometimes with a penalty on a weight
added to every sample's error) must train without a warning, agree with finite
differences, and write every parameter's chain rule.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpdbg.engine.chain import param_chain
from bpdbg.engine.check import gradient_check
from bpdbg.engine.session import open_scenario

ACTIVATIONS = ["sigmoid", "tanh", ""]  # smooth everywhere: finite differences are exact up to rounding


def matrix(rows: int, cols: int, values: list[float]) -> str:
    return (
        "["
        + ", ".join("[" + ", ".join(repr(v) for v in values[r * cols : (r + 1) * cols]) + "]" for r in range(rows))
        + "]"
    )


@st.composite
def networks(draw: st.DrawFn) -> str:
    """A dense network with 1–3 layers of 1–3 units, smooth activations and random data and weights."""
    # Moderate values keep the loss near 1, where central differences are accurate to ~1e-10.
    number = st.floats(-1, 1, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
    samples = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(2, 4)))]
    data = {
        "X": matrix(
            samples, sizes[0], draw(st.lists(number, min_size=samples * sizes[0], max_size=samples * sizes[0]))
        ),
        "Y": matrix(
            samples, sizes[-1], draw(st.lists(number, min_size=samples * sizes[-1], max_size=samples * sizes[-1]))
        ),
    }
    params, model, previous = {}, [], "X"
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{layer}"] = matrix(
            fan_in, fan_out, draw(st.lists(number, min_size=fan_in * fan_out, max_size=fan_in * fan_out))
        )
        params[f"b{layer}"] = matrix(1, fan_out, draw(st.lists(number, min_size=fan_out, max_size=fan_out)))
        activation = draw(st.sampled_from(ACTIVATIONS))
        model.append(f'Z{layer} = "{previous} @ W{layer} + b{layer}"')
        model.append(f'A{layer} = "{activation}(Z{layer})"' if activation else f'A{layer} = "Z{layer}"')
        previous = f"A{layer}"
    penalty = draw(st.sampled_from(["", *(f" + 0.01 * mean({w} * {w})" for w in params if w.startswith("W"))]))
    loss = draw(
        st.sampled_from([f"mean(({previous} - Y) ** 2{penalty})", f"0.5 * sum(({previous} - Y) ** 2{penalty})"])
    )
    return "\n".join(
        [
            'title = "generated network"',
            "[data]",
            *(f"{k} = {v}" for k, v in data.items()),
            "[params]",
            *(f"{k} = {v}" for k, v in params.items()),
            "[model]",
            *model,
            "[loss]",
            f'L = "{loss}"',
            "[training]",
            "learning_rate = 0.01",
            "epochs = 3",
            "",
        ]
    )


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=networks())
def test_generated_networks_pass_the_finite_difference_check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.toml"
    path.write_text(text, encoding="utf-8")
    trainer = open_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "epochs"
    for epoch in (1, 3):
        result = gradient_check(trainer, epoch)
        assert result.passed, (result, text)
    program, values = trainer.program, trainer.record(1).values
    for param in program.params:  # the chain panel's and the handouts' chains: none may fail
        if param.grad_slot is not None:
            assert np.array_equal(param_chain(program, param, values).total, values[param.grad_slot])
    assert all(np.isfinite(trainer.row(epoch)).all() for epoch in range(trainer.epochs_done + 1))
