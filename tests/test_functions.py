"""softmax, log_softmax, max and min along an axis, and onehot: forward values, backward rules
checked by finite differences, and what they refuse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine.check import gradient_check
from bpdbg.engine.ops import reduction
from bpdbg.engine.report import Log
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

SCENARIO = """
title = "functions"
seed = 3
[data]
X = [[0.5, -1.0, 2.0, 0.1], [1.5, 0.3, -0.7, 0.2], [-0.4, 0.8, 0.9, -1.2]]
P = [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3], [0.1, 0.8, 0.1]]
y = [[2], [0], [1]]
[params]
W = {{ randn = [4, 3] }}
[model]
Z = "X @ W"
{model}
[loss]
L = "{loss}"
[training]
learning_rate = 0.1
epochs = 3
{extra}
"""


def trainer(write_scenario, loss: str, model: str = "", extra: str = ""):  # type: ignore[no-untyped-def]
    return open_scenario(write_scenario(SCENARIO.format(loss=loss, model=model, extra=extra)))


@pytest.mark.parametrize(
    "loss",
    [
        "sum(softmax(Z, 1) * P)",
        "sum(softmax(Z) * P)",
        "-mean(sum(onehot(y, 3) * log_softmax(Z, 1), 1))",
        "sum(log_softmax(Z, 0) * P)",
        "sum(max(Z, 1) ** 2)",
        "sum(min(Z, 0) * max(Z, 0))",
        "max(Z) - min(Z)",
    ],
)
def test_every_backward_rule_agrees_with_finite_differences(write_scenario, loss: str) -> None:
    t = trainer(write_scenario, loss)
    t.run()
    for epoch in (1, 3):
        result = gradient_check(t, epoch)
        assert result.passed, (loss, result)


def test_softmax_and_log_softmax_are_the_textbook_formulas_along_their_axis(write_scenario) -> None:
    t = trainer(write_scenario, "sum(S * P) + sum(G * P)", model='S = "softmax(Z, 1)"\nG = "log_softmax(Z, 1)"')
    record = t.record(1)
    named = t.program.named
    Z, S, G = (record.value(named[n]) for n in ("Z", "S", "G"))
    expected = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(S, expected, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(G, np.log(expected), rtol=1e-14)
    np.testing.assert_allclose(S.sum(axis=1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("function", ["log_softmax", "softmax"])
def test_softmax_and_log_softmax_stay_finite_where_the_naive_formula_overflows(write_scenario, function: str) -> None:
    t = trainer(write_scenario, "sum(G * P)", model=f'G = "{function}(1000 * Z, 1)"')
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(1000 * t.record(1).value(t.program.named["Z"]))
    assert not np.isfinite(naive).all()  # e^(1000·Z) overflows: the naive formula would give nan
    t.run()
    assert t.stop is not None and t.stop.reason == "epochs"
    assert np.isfinite(t.record(1).value(t.program.named["G"])).all()


def test_onehot_turns_labels_into_rows_of_zeros_and_a_one(write_scenario) -> None:
    t = trainer(write_scenario, "sum(H * Z)", model='H = "onehot(y, 3)"')
    H = t.record(1).value(t.program.named["H"])
    assert H.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def test_max_and_min_keep_the_axis_they_reduce(write_scenario) -> None:
    t = trainer(write_scenario, "sum(A) + sum(B)", model='A = "max(Z, 1)"\nB = "min(Z, 0)"')
    record = t.record(1)
    Z = record.value(t.program.named["Z"])
    assert np.array_equal(record.value(t.program.named["A"]), Z.max(axis=1, keepdims=True))
    assert np.array_equal(record.value(t.program.named["B"]), Z.min(axis=0, keepdims=True))


def test_the_new_functions_work_in_log_fields_and_stop_rules(write_scenario) -> None:
    t = trainer(
        write_scenario,
        "sum(softmax(Z, 1) * P)",
        extra='stop_when = "max(abs(W)) > 100 or epoch > 2"\n[[log]]\nformat = "{max(W):.3f} {min(softmax(Z, 1)):.3f}"',
    )
    t.run()
    assert t.stop is not None and (t.stop.reason, t.stop.epoch) == ("early", 3)
    after_first = t.params_after(1)["W"]
    softmax = np.exp(t.record(1).value(t.program.named["Z"]))
    softmax /= softmax.sum(axis=1, keepdims=True)
    assert Log(t).lines()[0].text == f"{after_first.max():.3f} {softmax.min():.3f}"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ('H = "onehot(y * 0.5, 3)"', "onehot()'s labels must be whole numbers from 0 to 2"),
        ('H = "onehot(y, 2)"', "onehot()'s labels must be whole numbers from 0 to 1"),
        ('H = "onehot(y, 1.5)"', "onehot()'s number of classes must be a whole number"),
        ('H = "onehot(P, 3)"', "onehot() takes labels as a column (n×1) or a vector, not (3, 3)"),
        ('H = "onehot(X @ W[0], 3)"', "subscripts"),
        ('H = "softmax(Z, 2)"', "softmax()'s axis must be a whole number from -2 to 1"),
        # the notes' ReLU is np.maximum(0, Z): max(0, Z) is the slip to expect, and is pointed to maximum
        ('H = "max(0, Z)"', "no axis to reduce; write max(…) without one, or maximum(a, b) for the larger"),
        ('H = "min(Z, 0.5)"', "axis must be a whole number from -2 to 1, or write minimum(a, b) for the smaller"),
    ],
)
def test_what_the_new_functions_refuse_is_one_line_at_its_place(write_scenario, model: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        trainer(write_scenario, "sum(Z)", model=model)
    assert message in caught.value.message
    assert caught.value.place.where == "model.H"


def test_onehot_refuses_labels_that_depend_on_the_parameters(write_scenario) -> None:
    with pytest.raises(ScenarioError, match="onehot\\(\\) takes labels from the data"):
        trainer(write_scenario, "sum(H)", model='H = "onehot(max(Z, 1) * 0, 3)"')


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("{sum(onehot(epoch, 3))}", "onehot()'s labels must be whole numbers from 0 to 2 (got 3)"),
        ("{onehot(y - 1, 3)}", "onehot()'s labels must be whole numbers from 0 to 2 (got -1)"),  # not the last column
        ("{onehot(y / 4, 3)}", "onehot()'s labels must be whole numbers from 0 to 2 (got 0.5)"),
    ],
)
def test_onehot_of_labels_out_of_range_in_a_log_field_is_one_line_at_the_field(
    write_scenario, field: str, message: str
) -> None:
    t = trainer(write_scenario, "sum(Z)", extra=f'[[log]]\nformat = "{field}"')
    t.run()
    with pytest.raises(ScenarioError) as caught:
        Log(t).lines()
    assert message in caught.value.message
    assert caught.value.place.where == "log[0].format"


def test_a_metric_may_compare_and_so_report_an_accuracy(write_scenario) -> None:
    text = (Path(__file__).parent.parent / "scenarios" / "moons_relu.toml").read_text(encoding="utf-8")
    text = text.replace("[training]", '[metrics]\naccuracy = "mean((A2 > 0.5) == y)"\n\n[training]')
    t = open_scenario(write_scenario(text))
    t.run(300)
    record = t.record(300)
    A2, y = record.value(t.program.named["A2"]), record.value(t.program.named["y"])
    assert record.value(t.program.named["accuracy"]) == np.mean((A2 > 0.5) == y)
    assert 0.8 < record.value(t.program.named["accuracy"]) <= 1


def test_comparisons_stay_out_of_what_is_differentiated(write_scenario) -> None:
    where = r"'>' has no derivative, so it may compare in \[metrics\], \[\[log\]\] fields"
    with pytest.raises(ScenarioError, match=where):
        trainer(write_scenario, "sum(Z > 0)")


def test_a_log_field_may_compare_and_so_print_an_accuracy(write_scenario) -> None:
    from bpdbg.engine.report import Log

    text = (Path(__file__).parent.parent / "scenarios" / "moons_relu.toml").read_text(encoding="utf-8")
    text += '\n[[log]]\nformat = "accuracy {mean((A2 > 0.5) == y)}"\nat = [300]\n'
    t = open_scenario(write_scenario(text))
    t.run(300)
    record = t.record(300)
    A2, y = record.value(t.program.named["A2"]), record.value(t.program.named["y"])
    (line,) = [line for line in Log(t).lines() if line.text.startswith("accuracy")]
    assert line.numbers[0].value == np.mean((A2 > 0.5) == y)


def test_a_parenthesised_comparison_is_not_a_chain_but_a_bare_chain_is_refused(write_scenario) -> None:
    from bpdbg.engine.expr import ExprError, parse_metric

    parse_metric("mean((A2 > 0.5) == y)")
    with pytest.raises(ExprError, match="chained comparisons are not allowed"):
        parse_metric("mean(A2 > 0.5 == y)")


@pytest.mark.parametrize("kind", ["sum", "mean"])
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
def test_a_sum_or_mean_of_one_entry_has_numpys_bits_without_a_reduction(kind: str, shape: tuple[int, ...]) -> None:
    forward = reduction(kind, shape, None).forward
    nan_with_payload = np.array([0x7FF8000000000123]).view(np.float64)[0]
    for entry in [-0.0, 0.0, 1.5, -2.25e-310, np.inf, -np.inf, nan_with_payload, 1e308]:
        value = np.full(shape, entry)
        expected = np.add.reduce(value, axis=None) if kind == "sum" else np.mean(value)
        got = forward(value)
        assert type(got) is type(expected)
        assert np.array([got]).view(np.int64)[0] == np.array([expected]).view(np.int64)[0], entry


def test_a_metric_is_never_differentiated_so_it_moves_no_gradient_and_adds_no_chain_rule(write_scenario) -> None:
    # The metric reads W and would add 2·W to its gradient if it were part of what is differentiated.
    plain = trainer(write_scenario, "sum(softmax(Z, 1) * P)")
    measured = trainer(write_scenario, "sum(softmax(Z, 1) * P)", extra='[metrics]\nsize = "sum(W * W)"')
    plain.run()
    measured.run()
    backward = [[s.label for s in t.program.steps if s.phase == "backward"] for t in (plain, measured)]
    assert backward[0] == backward[1]
    assert not any("size" in label for label in backward[1])
    for epoch in (1, 3):
        assert measured.grads_at(epoch)["W"].tobytes() == plain.grads_at(epoch)["W"].tobytes(), epoch
        assert measured.params_after(epoch)["W"].tobytes() == plain.params_after(epoch)["W"].tobytes(), epoch
    size = measured.record(3).value(measured.program.named["size"])
    before = measured.params_after(2)["W"]
    assert size == np.sum(before * before)  # computed, from the parameters as they enter the epoch
