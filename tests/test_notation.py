"""The chain rule as a lecturer writes it: each form of line the engine hands the panels."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.lines import Line, term
from bpdbg.engine.named import distinct_labels
from bpdbg.engine.notation import call, infix, substitute
from bpdbg.engine.session import open_scenario

from .conftest import trainer_for


def at(name: str, label: str, named: bool = False, which: int = 0) -> Cursor:
    cursor = Cursor(trainer_for(name))
    cursor.set_named_view(named)
    steps = [s for s in cursor.program.steps if s.label == label]
    cursor.goto(1, steps[which].index)
    return cursor


def numbers(line) -> str:  # type: ignore[no-untyped-def]
    return substitute(line.template, [f"{float(t.value):.4g}".replace("-", "−") for t in line.terms])


def test_a_forward_step_puts_the_numbers_in_place_of_the_names() -> None:
    line = at("two_neurons", "z1", named=True).snapshot().line
    assert line is not None and line.target == "z1"
    assert line.formula == "w1·x + b1"
    assert numbers(line) == "0.3·0.5 + 0.1" and float(line.value) == 0.25


def test_the_whole_tape_writes_a_forward_step_over_its_own_operands() -> None:
    line = at("two_neurons", "z1").snapshot().line
    assert line is not None and line.formula == "w1·x + b1" and [t.symbol for t in line.terms] == ["w1·x", "b1"]


def test_every_backward_step_reads_upstream_times_local_with_the_local_factor_written_out() -> None:
    cursor = Cursor(trainer_for("two_neurons"))
    for step in cursor.program.steps:
        if step.backward is None:
            continue
        cursor.goto(1, step.index)
        line = cursor.snapshot().line
        assert line is not None and len(line.terms) == 2, step.label
        upstream, local = line.terms
        assert local.written and local.value is not None, step.label
        assert float(line.value) == float(upstream.value) * float(local.value), step.label
        assert line.target not in (line.symbols, line.formula), step.label  # never restates itself
    first = at("two_neurons", "∂L/∂((y_hat − y)²)").snapshot().line
    assert first is not None and first.formula == "∂L/∂L · 0.5"
    identity = at("two_neurons", "∂L/∂y_hat").snapshot().line
    assert identity is not None and identity.formula == "∂L/∂(y_hat − y) · 1"


def test_a_matrix_step_is_written_in_the_notes_matrix_notation_with_its_shapes() -> None:
    line = at("moons_relu", "∂L/∂W2", named=True).snapshot().line
    assert line is not None
    assert line.formula == "A1ᵀ @ ∂L/∂Z2"
    assert line.shapes == "(4×200)(200×1) → 4×1"
    relu = at("moons_relu", "∂L/∂Z1", named=True).snapshot().line
    assert relu is not None and relu.formula == "∂L/∂A1 ⊙ [Z1 > 0]"
    assert relu.shapes == "(200×4) ⊙ (200×4) → 200×4"
    assert relu.summary is not None and relu.summary.low == float(np.min(relu.value))


def test_un_broadcasting_and_reductions_are_said_in_words() -> None:
    bias = at("moons_relu", "∂L/∂b2").snapshot().line
    assert bias is not None and "summed over axis 0 (200 rows): b2 was broadcast" in bias.note
    mean = next(
        s for s in trainer_for("moons_relu").program.steps if s.backward and s.backward.local_formula == "1/200"
    )
    assert mean.backward is not None and "a mean of 200 entries" in mean.backward.note


def test_paths_into_a_sum_are_labelled_by_what_sets_them_apart() -> None:
    chain = at("moons_relu", "∂L/∂b2").snapshot().chain
    assert chain is not None and chain.count == 2
    labels = [path.label for path in chain.paths]
    assert labels == ["through y ⊙ log(A2 + 1e-8)", "through (1 − y) ⊙ log(1 − A2 + 1e-8)"]
    summed = at("moons_relu", "∂L/∂A2", named=True, which=1).snapshot().line
    assert summed is not None and len({part.label for part in summed.parts}) == 2


def test_labels_stay_distinct_even_for_paths_through_the_same_sub_expression() -> None:
    labels = distinct_labels([["v·a1"], ["a1·a1"], ["a1·a1"]])
    assert labels[0] == "through v·a1" and len(set(labels)) == 3


def test_a_parameters_chain_is_multiplied_out_with_numbers() -> None:
    chain = at("two_neurons", "∂L/∂w1").snapshot().chain
    assert chain is not None and len(chain.paths) == 1
    path = chain.paths[0]
    assert [f"{float(f.value):.4g}" for f in path.factors] == ["-0.4225", "0.244", "0.2", "0.2461", "0.5"]
    assert path.product is not None and float(path.product) == pytest.approx(float(chain.total), rel=1e-12)
    assert f"{float(path.product):.4g}" == "-0.002537"


def test_the_named_view_steps_from_one_named_quantity_to_the_next() -> None:
    cursor = Cursor(trainer_for("two_neurons"))
    assert cursor.named_is_shorter
    cursor.set_named_view(True)
    seen = [cursor.snapshot().step.label]
    while cursor.forward() and cursor.position.epoch == 1:
        seen.append(cursor.snapshot().step.label)
    assert seen[:7] == ["z1", "a1", "z2", "y_hat", "L", "∂L/∂y_hat", "∂L/∂z2"]
    assert seen[-4:] == ["w1", "w2", "b1", "b2"] and len(seen) == 17  # the whole tape has 25
    cursor.back()
    assert cursor.snapshot().step.label == "b2"


def test_a_named_step_folds_its_sub_expression_steps_and_unfolds_them_on_demand() -> None:
    cursor = at("two_neurons", "∂L/∂y_hat", named=True)
    snapshot = cursor.snapshot()
    assert snapshot.line is not None and snapshot.line.formula == "∂L/∂L · 0.5 · 2·(y_hat − y)"
    assert [line.target for line in snapshot.inside] == ["∂L/∂((y_hat − y)²)", "∂L/∂(y_hat − y)"]
    cursor.set_named_view(False)
    assert cursor.snapshot().inside == () and cursor.back() and cursor.snapshot().step.label == "∂L/∂(y_hat − y)"


def test_a_value_used_twice_has_its_paths_summed_in_the_named_view(write_scenario) -> None:
    from .test_engine import SHARED

    cursor = Cursor(open_scenario(write_scenario(SHARED)))
    cursor.set_named_view(True)
    last = [s for s in cursor.program.steps if s.label == "∂L/∂a1"][-1]
    cursor.goto(1, last.index)
    line = cursor.snapshot().line
    assert line is not None and len(line.parts) == 3 and len({p.label for p in line.parts}) == 3
    assert float(line.value) == float(cursor.snapshot().value)


def test_an_update_puts_the_numbers_in_place_too() -> None:
    line = at("two_neurons", "w1", named=True).snapshot().line
    assert line is not None and line.kind == "update"
    assert line.formula == "w1 − α·∂L/∂w1"
    assert numbers(line) == "0.3 − 0.1·(−0.002537)" and f"{float(line.value):.4g}" == "0.3003"


def test_phase_and_epoch_moves_land_on_named_steps_in_the_named_view() -> None:
    cursor = Cursor(trainer_for("two_neurons"))
    cursor.set_named_view(True)
    landed = []
    for _ in range(3):
        cursor.next_phase()
        landed.append(cursor.snapshot().step.label)
    assert landed == ["L", "∂L/∂y_hat", "w1"]
    cursor.prev_phase()
    assert cursor.snapshot().step.label == "∂L/∂y_hat"
    cursor.next_epoch()
    assert cursor.position.epoch == 2 and cursor.snapshot().step.label == "z1"
    cursor.prev_epoch()
    cursor.prev_epoch()
    assert cursor.position.epoch == 1 and cursor.snapshot().step.label == "z1"


def test_a_comparison_is_written_as_the_file_writes_it_with_its_brackets() -> None:
    """`==` stays `==` (an `=` would read as an equation), a comparison inside a comparison keeps
    its brackets, and onehot() keeps its number of classes."""
    assert infix(" == ", 0).write(["y_hat > 0.5", "y"]) == "(y_hat > 0.5) == y"
    assert infix(" == ", 0).write(["y", "y_hat > 0.5"]) == "y == (y_hat > 0.5)"
    assert call("onehot", 10).write(["y"]) == "onehot(y, 10)"
    program = trainer_for("digits_softmax").program
    metric = next(s for s in program.steps if s.label == "accuracy")
    assert metric.formula == "accuracy = mean(sum(onehot(y, 10) ⊙ (Z2 == max(Z2, 1)), 1))"


def test_a_sum_of_one_entry_says_nothing_about_how_it_shares_the_gradient() -> None:
    """net_221's loss sums a 1×1 error: 'a sum of 1 entries: each gets the whole gradient' said nothing."""
    program = trainer_for("net_221_sigmoid").program
    notes = [s.backward.note for s in program.steps if s.backward is not None]
    assert not any("of 1 entries" in note or "of the 1 entries" in note for note in notes), notes
    moons = trainer_for("moons_relu").program  # a mean of 200 says how each entry's share is made
    assert any(s.backward.note == "a mean of 200 entries: each gets 1/200 of it" for s in moons.steps if s.backward)


@pytest.mark.parametrize(
    ("label", "shapes"),
    [
        ("log_softmax(Z2, 1)", "log_softmax(1797×10, 1) → 1797×10"),
        ("sum(onehot(y, 10) ⊙ log_softmax(Z2, 1), 1)", "sum(1797×10, 1) → 1797×1"),
        ("∂L/∂Z2", "(1797×10) − exp(log_softmax(Z2, 1)) ⊙ Σ (1797×10) → 1797×10"),
    ],
)
def test_shapes_in_a_call_with_an_axis_keep_the_call_whole(label: str, shapes: str) -> None:
    line = at("digits_softmax", label).snapshot().line
    assert line is not None and line.shapes == shapes


def test_shapes_of_a_call_of_two_arguments_are_both_inside_it() -> None:
    terms = (term("a", np.zeros((2, 3))), term("b", np.zeros((1, 3))))
    line = Line("forward", "m", "maximum({0}, {1})", terms, np.zeros((2, 3)), (2, 3))
    assert line.shapes == "maximum(2×3, 1×3) → 2×3"


def test_a_long_element_wise_formula_gives_only_its_result_shape_where_a_matrix_product_gives_all() -> None:
    """An Adam update's shapes would read (2×4) − scalar·((2×4)/(1 − 0.9^scalar))…: every term is
    the parameter's shape or a number, so only the result's shape says anything."""
    terms = tuple(term(name, np.zeros((2, 4))) for name in "wmvab")
    update = Line("update", "w", "{0} − {3}·({1}/{4})/(√{2} + {3})", terms, np.zeros((2, 4)), (2, 4))
    assert update.shapes == "→ 2×4"
    product = (term("A", np.zeros((4, 200))), term("B", np.zeros((200, 1))))
    assert Line("forward", "p", "{0} @ {1}", product, np.zeros((4, 1)), (4, 1)).shapes == "(4×200)(200×1) → 4×1"
