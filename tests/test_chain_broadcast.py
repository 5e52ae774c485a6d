"""A chain rule across a broadcast: a penalty on the weights added to every sample's error.

In L = mean((out − y)² + 0.01·mean(W1 ⊙ W1) + …) the penalty, one number, is added to each
sample's error, so the gradient it gets is the sum of theirs. A chain's factor is its local
derivatives multiplied entry by entry; across that sum there is no such product (the samples'
axis and W1's rows are different axes, even where their lengths happen to match), so the
factor has no single value, as across a matrix product, rather than a wrong one or a fault.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bpdbg.engine.chain import chain_param, param_chain
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario

PENALISED = """
title = "A 3-4-4-1 tanh net with a penalty on its weights"
seed = 1
[data]
X = [[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [0.7, 0.8, -0.9]]
y = [[0.5], [-0.2], [0.1]]
[params]
W1 = { randn = [3, 4], scale = 0.5 }
b1 = { zeros = [1, 4] }
W2 = { randn = [4, 4], scale = 0.5 }
b2 = { zeros = [1, 4] }
W3 = { randn = [4, 1], scale = 0.5 }
b3 = { zeros = [1, 1] }
[model]
out = "tanh(tanh(X @ W1 + b1) @ W2 + b2) @ W3 + b3"
[loss]
L = "mean((out - y) ** 2 + 0.01 * mean(W1 * W1) + 0.01 * mean(W2 * W2) + 0.01 * mean(W3 * W3))"
[training]
learning_rate = 0.1
epochs = 3
"""


def test_every_step_of_a_penalised_loss_is_shown_with_its_chain(write_scenario: Callable[[str], Path]) -> None:
    trainer = open_scenario(write_scenario(PENALISED))
    cursor = Cursor(trainer)
    chains = 0
    for step in range(trainer.steps_in(1)):
        cursor.goto(1, step)
        chains += cursor.snapshot().chain is not None
    assert chains >= 12  # each parameter's gradient step and its update


def test_no_factor_is_multiplied_across_the_penaltys_sum_over_samples(write_scenario: Callable[[str], Path]) -> None:
    trainer = open_scenario(write_scenario(PENALISED))
    program, values = trainer.program, trainer.record(1).values
    gradient_step = next(s for s in program.steps if s.label == "∂L/∂W1")
    param = chain_param(program, gradient_step)
    assert param is not None
    chain = param_chain(program, param, values)
    penalty = [path for path in chain.paths if "mean(W1 ⊙ W1)" in path.label]
    assert len(penalty) == 2, [path.label for path in chain.paths]  # W1 ⊙ W1: one path through each operand
    for path in penalty:
        # W1 is 3×4 and there are 3 samples, so an entry-by-entry product would broadcast without a fault.
        assert [factor.value for factor in path.factors] == [None] and path.product is None
    assert np.array_equal(chain.total, values[param.grad_slot])
