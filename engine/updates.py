"""The update phase: how each optimizer turns a parameter's gradient into its new value.

Each optimizer is a short list of update steps per parameter, written the way a
lecturer writes them: SGD one (w ← w − α·g), momentum two (the velocity, then w), Adam
three (the two moments, then w). An optimizer's state (a velocity, the moments) enters
each epoch like a parameter and leaves it updated, so it is kept in the checkpoints and
shown beside the parameters, and replaying an epoch replays its state too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scenario import Optimizer

PREVIOUS = "previous"
Calls = tuple[tuple[Callable[..., Any], tuple[str, ...]], ...]
"""A rule as the NumPy calls it makes, in order, each on names of what it reads or on PREVIOUS
(the call before's result)."""

# Plain gradient descent, p − α·∂L/∂p, the notes' update (α·g is g·α to the bit; NumPy's
# multiply called directly saves going through the array's operator).
SGD: Calls = ((np.multiply, ("rate", "grad")), (np.subtract, ("param", PREVIOUS)))


def through(calls: Calls, named: dict[str, Any]) -> Any:
    """The calls made one after another on the named values: the rule as one function."""
    previous = None
    for function, names in calls:
        previous = function(*[previous if name == PREVIOUS else named[name] for name in names])
    return previous


def sgd(old: Any, grad: Any, rate: float) -> Any:
    return through(SGD, {"param": old, "grad": grad, "rate": rate})


@dataclass(frozen=True)
class UpdateStep:
    """One step of the update phase: the new value of `target` (a parameter or a state)."""

    target: str
    formula: str
    compute: Callable[..., Any]  # (the values named by `reads`, in order) → the new value
    reads: tuple[str, ...]  # "param", "grad", "rate", "epoch", or a state's name, already updated
    # The right-hand side over what it reads, so that numbers can be put in: "{0} − {1}·{2}", (param, rate, grad).
    written: tuple[str, tuple[str, ...]] | None = None
    # `compute` as its NumPy calls (`compute` is made of them): the loop then makes them with no
    # Python in between. Empty: `compute` is called.
    calls: Calls = ()


def state_names(optimizer: Optimizer, param: str) -> tuple[str, ...]:
    """The states an optimizer keeps for a parameter, named after it: v_w, or m_w and v_w."""
    return {"sgd": (), "momentum": (f"v_{param}",), "adam": (f"m_{param}", f"v_{param}")}[optimizer.kind]


def state_owners(optimizer: Optimizer, params: list[str]) -> dict[str, str]:
    """Each optimizer state's name, and the parameter it belongs to: m_w → w."""
    return {state: param for param in params for state in state_names(optimizer, param)}


def unreadable_state(name: str, owner: str, reader: str) -> str:
    """Why a condition or log field may not name an optimizer's state, though the screen shows it
    beside the parameters (rather than "did you mean 'w'?", as if the name were misspelt)."""
    return (
        f"{name!r} is the optimizer's state of {owner}: it is shown beside the parameters, but {reader} cannot read it"
    )


def update_steps(optimizer: Optimizer, param: str, grad: str, rate: str) -> list[UpdateStep]:
    """The update steps for one parameter whose gradient is written `grad` (∂L/∂w)."""
    if optimizer.kind == "sgd":
        written = ("{0} − {1}·{2}", ("param", "rate", "grad"))
        formula = f"{param} ← {param} − α·{grad}   ({rate})"
        return [UpdateStep(param, formula, sgd, ("param", "grad", "rate"), written, SGD)]
    if optimizer.kind == "momentum":
        mu = optimizer.momentum
        v = f"v_{param}"
        return [
            UpdateStep(
                v,
                f"{v} ← μ·{v} + {grad}   (μ = {mu:g})",
                lambda old, g: mu * old + g,
                (v, "grad"),
                (f"{mu:g}·{{0}} + {{1}}", (v, "grad")),
            ),
            UpdateStep(
                param,
                f"{param} ← {param} − α·{v}   ({rate})",
                lambda w, vel, a: w - a * vel,
                ("param", v, "rate"),
                ("{0} − {1}·{2}", ("param", "rate", v)),
            ),
        ]
    b1, b2, eps = optimizer.beta1, optimizer.beta2, optimizer.epsilon
    m, v = f"m_{param}", f"v_{param}"

    def step(w: Any, first: Any, second: Any, a: float, t: float) -> Any:
        return w - a * (first / (1 - b1**t)) / (np.sqrt(second / (1 - b2**t)) + eps)

    # With β₁, β₂ and ε as numbers, the moments and t = the epoch put in: 0.9·0 + 0.1·(−0.5).
    keep1, keep2 = f"{1 - b1:.6g}", f"{1 - b2:.6g}"
    return [
        UpdateStep(
            m,
            f"{m} ← β₁·{m} + (1 − β₁)·{grad}   (β₁ = {b1:g})",
            lambda old, g: b1 * old + (1 - b1) * g,
            (m, "grad"),
            (f"{b1:g}·{{0}} + {keep1}·{{1}}", (m, "grad")),
        ),
        UpdateStep(
            v,
            f"{v} ← β₂·{v} + (1 − β₂)·({grad})²   (β₂ = {b2:g})",
            lambda old, g: b2 * old + (1 - b2) * (g * g),
            (v, "grad"),
            (f"{b2:g}·{{0}} + {keep2}·({{1}})²", (v, "grad")),
        ),
        UpdateStep(
            param,
            f"{param} ← {param} − α·m̂/(√v̂ + ε),  m̂ = {m}/(1 − β₁ᵗ), v̂ = {v}/(1 − β₂ᵗ)"
            f"   ({rate}, ε = {eps:g}, t = epoch)",
            step,
            ("param", m, v, "rate", "epoch"),
            (
                f"{{0}} − {{1}}·({{2}}/(1 − {b1:g}^{{4}}))/(√({{3}}/(1 − {b2:g}^{{4}})) + {eps:g})",
                ("param", "rate", m, v, "epoch"),
            ),
        ),
    ]
