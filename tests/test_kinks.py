"""Finite differences across a kink: relu, abs, maximum, max and min at a tie within the probe.

A central difference there averages the two one-sided slopes, which the engine's gradient
(one side, or at a tie the convention the README gives) need not equal. gradcheck names such
a coordinate and the step that bends, instead of only reporting FAILED; a gradient that
matches neither side is still a failure.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.check import gradient_check, kink_at
from bpdbg.engine.session import open_scenario

KINKED = """
title = "a relu at its tie"
[data]
x = 1.0
[params]
w = {w}
[model]
z = "w * x"
a = "{a}"
[loss]
L = "(a - 1) ** 2"
[training]
learning_rate = 0.1
epochs = 3
"""


def kinked(write_scenario, w: float = 0.0, a: str = "relu(z)"):
    return write_scenario(KINKED.format(w=w, a=a))


@pytest.mark.parametrize(
    ("a", "w"),
    [
        ("relu(z)", 0.0),  # exactly at the tie, where relu's gradient is 0 (the notes' Z > 0 mask)
        ("abs(z)", 3e-7),  # within the probe's ±1e-6 of the tie
        ("maximum(0, z)", -4e-7),
    ],
)
def test_a_probe_across_a_tie_is_named_with_the_step_that_bends_not_counted_as_a_failure(
    write_scenario, a: str, w: float
) -> None:
    trainer = open_scenario(kinked(write_scenario, w=w, a=a))
    trainer.run(1)
    result = gradient_check(trainer, 1)
    (kink,) = result.kinks
    assert kink.where == "w" and kink.step == f"a = {a}"
    assert min(abs(kink.analytic - kink.left), abs(kink.analytic - kink.right)) < 1e-4  # one side's slope
    assert abs(kink.left - kink.right) > 0.5
    assert result.passed


def test_a_tie_of_three_splits_the_gradient_in_three_and_is_named_as_a_kink(write_scenario) -> None:
    """Zero weights tie the three columns of Z, and the update keeps them tied. Nudging an entry
    up makes its column the maximum where its input is positive, down where it is negative: the
    engine's even split, a third to each, is neither side nor their mean, but lies between them."""
    path = write_scenario(
        'title = "a max of three tied columns"\n[data]\nX = [[1.0, 2.0], [0.5, -1.0], [2.0, 0.3]]\n'
        "y = [[1.0], [0.0], [2.0]]\n[params]\nW = { zeros = [2, 3] }\n"
        '[model]\nZ = "X @ W"\nM = "max(Z, 1)"\n[loss]\nL = "mean((M - y) ** 2)"\n'
        "[training]\nlearning_rate = 0.1\nepochs = 5\n"
    )
    trainer = open_scenario(path)
    trainer.run(4)
    for epoch in (1, 4):
        result = gradient_check(trainer, epoch)
        assert result.passed and len(result.kinks) == 6
        assert {kink.step for kink in result.kinks} == {"M = max(Z, 1)"}
        for kink in result.kinks:
            assert min(kink.left, kink.right) < kink.analytic < max(kink.left, kink.right)
            assert kink.analytic != pytest.approx((kink.left + kink.right) / 2, rel=0.1)  # no pair's mean


def test_gradcheck_names_the_epoch_a_coordinate_was_not_compared_at(write_scenario) -> None:
    path = write_scenario("""
title = "one sample on the kink"
[data]
X = [[1.0, 1.0], [2.0, 0.5], [0.3, 1.2]]
y = [[1.0], [0.0], [1.0]]
[params]
W = [[1.0], [-1.0]]
[model]
A = "relu(X @ W)"
[loss]
L = "mean((A - y) ** 2)"
[training]
learning_rate = 0.1
epochs = 5
""")
    result = CliRunner().invoke(main, ["gradcheck", str(path)])
    assert result.output.startswith("scenario: ok away from kinks, worst relative error")
    assert ", epoch 4 (epochs checked: 1, 4; W[0,0] not compared: its probe" in result.output
    assert "(slope 2 below, 1.33 above; the engine's gradient 2) at epoch 1;" in result.output
    # a dead relu stays on its kink: its gradient is 0, so no update moves it
    dead = CliRunner().invoke(main, ["gradcheck", str(kinked(write_scenario))]).output
    assert "(slope 0 below, -2 above; the engine's gradient 0) at epochs 1 and 3;" in dead


def test_a_gradient_that_matches_neither_side_of_a_kink_is_still_wrong(write_scenario) -> None:
    trainer = open_scenario(kinked(write_scenario))
    trainer.run(1)
    row = trainer.row(0).copy()
    assert kink_at(trainer, row, 0, 1e-6, "w", analytic=0.0) is not None
    assert kink_at(trainer, row, 0, 1e-6, "w", analytic=0.7) is None


def test_maximum_splits_a_tie_evenly_so_the_central_difference_agrees_with_it(write_scenario) -> None:
    trainer = open_scenario(kinked(write_scenario, a="maximum(0, z)"))
    trainer.run(1)
    result = gradient_check(trainer, 1)
    assert result.kinks == () and result.passed
    assert trainer.grads_at(1)["w"] == pytest.approx(-1.0)  # ½ · (−2): the tie convention, unlike relu's 0


def test_away_from_the_kink_every_coordinate_is_compared(write_scenario) -> None:
    trainer = open_scenario(kinked(write_scenario, w=0.5))
    trainer.run(1)
    result = gradient_check(trainer, 1)
    assert result.kinks == () and result.passed and result.where == "w"


def test_gradcheck_says_where_the_kink_is(write_scenario) -> None:
    result = CliRunner().invoke(main, ["gradcheck", str(kinked(write_scenario))])
    assert result.exit_code == 0
    assert result.output.startswith("scenario: ok away from kinks, no coordinate away from a kink to compare")
    assert "w not compared: its probe straddles a kink at a = relu(z) (slope 0 below, -2 above;" in result.output


TIES = """
title = "ties"
[data]
x = 1.0
[params]
w = 0.0
V = [[1.0, 1.0, 0.5]]
[model]
z = "w * x"
Z = "V * x"
[loss]
L = "{loss}"
[training]
learning_rate = 0.1
epochs = 1
"""


@pytest.mark.parametrize(
    ("loss", "w", "V"),
    [
        ("relu(z)", 0.0, None),  # 0 at 0, as the notes' Z > 0 masks
        ("abs(z)", 0.0, None),  # 0 at 0
        ("maximum(0, z)", 0.5, None),  # a tie of two inputs: each gets half
        ("minimum(z, 0)", 0.5, None),
        ("max(Z)", None, [[0.5, 0.5, 0.0]]),  # a tie of two entries of V: each gets half
        ("min(-Z)", None, [[-0.5, -0.5, 0.0]]),
        ("sum(max(Z, 1))", None, [[0.5, 0.5, 0.0]]),
    ],
)
def test_the_gradient_at_a_tie_is_the_convention_the_readme_gives(
    write_scenario, loss: str, w: float | None, V: list[list[float]] | None
) -> None:
    trainer = open_scenario(write_scenario(TIES.format(loss=loss)))
    trainer.run(1)
    grads = trainer.grads_at(1)
    if w is not None:
        assert float(grads["w"]) == w, loss
    if V is not None:
        assert grads["V"].tolist() == V, loss
