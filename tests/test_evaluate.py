"""The evaluator of conditions, log fields and schedules: a tree is worked out once and then
evaluated on any values, giving what NumPy's own functions give, single numbers and arrays alike."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.evaluate import EvaluationError, UnknownName, evaluate, evaluator, truth
from bpdbg.engine.expr import parse_condition, parse_log_field

NAN = float("nan")


def test_a_tree_worked_out_once_is_evaluated_afresh_on_each_lookup() -> None:
    held = evaluator(parse_condition("max(A1) < 0"))
    assert truth(held({"A1": np.array([[-1.0, -2.0], [-0.5, -3.0]])}, None))
    assert not truth(held({"A1": np.array([[-1.0, 2.0], [-0.5, -3.0]])}, None))
    assert not truth(held({"A1": np.zeros((200, 4))}, None))  # a dead layer's max is 0, not below it


@pytest.mark.parametrize("left", [2.0, np.float64(2.0), np.array(2.0), np.array([1.0, 2.0, NAN]), NAN, np.float64(NAN)])
@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons_agree_with_numpys_functions_for_numbers_and_arrays(left: object, op: str) -> None:
    functions = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    function = functions.get(op) or (np.equal if op == "==" else np.not_equal)
    got = evaluate(parse_condition(f"a {op} 2"), {"a": left})
    assert np.array_equal(got, function(left, 2))
    assert truth(got) == bool(np.all(function(left, 2)))


def test_reductions_give_numpys_bits_and_keep_nan() -> None:
    values = np.array([[0.25, -1.5], [NAN, 3.0]])
    assert np.isnan(evaluate(parse_log_field("max(A)"), {"A": values}))
    assert evaluate(parse_log_field("min(A, 0)"), {"A": np.nan_to_num(values)}).tolist() == [[0.0, -1.5]]
    assert evaluate(parse_log_field("max(A, 1)"), {"A": np.nan_to_num(values)}).tolist() == [[0.25], [3.0]]


def test_whole_numbers_stay_whole_and_logic_short_circuits() -> None:
    assert evaluate(parse_log_field("epoch - 1"), {"epoch": 10}) == 9
    assert isinstance(evaluate(parse_log_field("epoch - 1"), {"epoch": 10}), int)
    # `or` is decided by its first side: the unknown name on the right is never read
    assert evaluate(parse_condition("epoch > 1 or nothing > 0"), {"epoch": 2}) is True
    with pytest.raises(UnknownName):
        evaluate(parse_condition("epoch > 5 or nothing > 0"), {"epoch": 2})


def test_the_same_text_parsed_twice_and_different_trees_do_not_mix() -> None:
    first, second = parse_condition("a < 1"), parse_condition("a > 1")
    for _ in range(3):
        assert evaluate(first, {"a": 0.0}) and not evaluate(second, {"a": 0.0})


def test_an_axis_a_value_does_not_have_is_an_evaluation_error_at_the_call() -> None:
    with pytest.raises(EvaluationError, match="axis"):
        evaluate(parse_log_field("sum(A, 1)"), {"A": np.ones(3)})


def test_with_each_the_largest_entry_of_a_value_stacked_by_epoch_is_taken_epoch_by_epoch() -> None:
    epochs = np.array([[[-1.0, -2.0], [-3.0, -0.5]], [[0.0, -1.0], [-1.0, -1.0]], [[NAN, -1.0], [-1.0, -1.0]]])
    held = evaluate(parse_condition("max(A1) < 0"), {"A1": epochs}, each=True)
    assert held.reshape(3).tolist() == [True, False, False]  # NaN is no number below 0
    assert [float(np.max(e)) < 0 for e in epochs] == [True, False, False]
