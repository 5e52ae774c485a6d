"""What the debugger checks at a step: the notes' printed row per epoch, finite differences for one
gradient step, and the quiz's grading."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.check import compare_log, expected_lines
from bpdbg.engine.checks import Checks
from bpdbg.engine.cursor import Cursor, Position
from bpdbg.engine.notes_table import NotesTable
from bpdbg.engine.quiz import Question, Quiz, ask, entry_of, grade
from bpdbg.engine.session import open_scenario
from bpdbg.engine.step_gradient import SAMPLE, estimate, is_gradient_step

from .conftest import WIDE, trainer_for

TWICE = """
title = "A parameter used twice"
[params]
w = 0.5
[loss]
L = "w * w + 3 * w"
[training]
learning_rate = 0.1
epochs = 2
"""


def table_of(name: str, epochs: int | None = None) -> NotesTable:
    trainer = trainer_for(name)
    trainer.run(epochs)
    return NotesTable(trainer, trainer.program.scenario.expected_text or "")


# -- the notes' row, epoch by epoch ------------------------------------------------------------


def test_two_neurons_epoch_1_shows_the_notes_w1_beside_the_engines_and_only_w1_differs() -> None:
    row = table_of("two_neurons", 1).row(1)
    (pair,) = row.pairs
    assert pair.notes == "Epoch: 1, Loss = 0.0893, W = [0.2060, 0.2058], B = [0.1005, 0.2103]"
    assert pair.engine.text == "Epoch: 1, Loss = 0.0893, W = [0.3003, 0.2058], B = [0.1005, 0.2103]"
    differing = [(n.field, n.printed, n.shown) for n in pair.numbers if not n.same]
    assert differing == [("w1", "0.2060", "0.3003")]
    assert pair.divergence is not None and (pair.divergence.epoch, pair.divergence.quantity) == (1, "w1")
    assert not row.agrees


def test_neuron_batch_differs_at_epoch_1_in_w() -> None:
    found, settled = table_of("neuron_batch", 1).first_difference(1)
    assert settled and found is not None and (found.epoch, found.quantity, found.notes) == (1, "w", "0.3046")


@pytest.mark.parametrize("name", ["neuron_sigmoid", "neuron_identity", "gd_x2", "two_neurons_layer"])
def test_an_agreeing_scenario_agrees_at_every_epoch_and_its_rows_are_the_notes_table(name: str) -> None:
    table = table_of(name)
    rows = [table.row(epoch) for epoch in range(1, table.trainer.epochs_done + 1)]
    assert all(row.agrees for row in rows)
    assert [pair.notes for row in rows for pair in row.pairs] == expected_lines(table.expected)
    assert table.first_difference(table.trainer.epochs_done) == (None, True)
    assert table.first_difference(2) == (None, False)  # at epoch 2, the rest is still to come


def test_the_rows_find_the_same_first_difference_as_bpdbg_check() -> None:
    table = table_of("two_neurons")
    first = next(p.divergence for e in range(1, 21) for p in table.row(e).pairs if p.divergence is not None)
    assert first == compare_log(table.trainer, table.expected).divergence


def test_an_epoch_the_notes_print_nothing_at_has_no_pairs_and_the_difference_is_not_settled_mid_run() -> None:
    table = table_of("moons_relu", 3)  # the notes print every 100th epoch
    assert [len(table.row(e).pairs) for e in (1, 2, 3)] == [1, 0, 0]
    assert table.first_difference(3) == (None, False)


# -- finite differences for one step -----------------------------------------------------------


def test_the_gradient_of_w1_at_epoch_1_agrees_with_central_differences() -> None:
    trainer = trainer_for("two_neurons")
    trainer.run(1)
    program, values = trainer.program, trainer.record(1).values
    step = next(s for s in program.steps if s.label == "∂L/∂w1")
    result = estimate(program, values, step)
    assert result.passed and result.checked == 1
    assert result.engine == pytest.approx(-0.002537, abs=5e-7)
    assert result.numeric == pytest.approx(result.engine, rel=1e-6)


def test_a_wrong_gradient_fails_the_check() -> None:
    trainer = trainer_for("two_neurons")
    trainer.run(1)
    program, values = trainer.program, list(trainer.record(1).values)
    step = next(s for s in program.steps if s.label == "∂L/∂z1")
    values[step.slot] = values[step.slot] * 1.01
    assert not estimate(program, values, step).passed


def test_a_quantity_inside_the_expression_is_checked_too() -> None:
    trainer = trainer_for("two_neurons")
    trainer.run(1)
    program = trainer.program
    step = next(s for s in program.steps if s.label == "∂L/∂(w1·x)")
    assert estimate(program, trainer.record(1).values, step).passed


def test_only_the_step_that_completes_a_gradient_is_checked(write_scenario) -> None:
    t = open_scenario(write_scenario(TWICE))
    t.run(1)
    steps = [s for s in t.program.steps if s.backward is not None and s.backward.target == "w"]
    assert len(steps) >= 2
    assert [is_gradient_step(t.program, s) for s in steps] == [False] * (len(steps) - 1) + [True]
    result = estimate(t.program, t.record(1).values, steps[-1])
    assert result.passed and result.engine == pytest.approx(2 * 0.5 + 3)


DEAD_RELU = """
title = "a relu at its tie"
[data]
x = 1.0
[params]
w = 0.0
[model]
z = "w * x"
a = "relu(z)"
[loss]
L = "(a - 2) ** 2"
[training]
learning_rate = 0.1
epochs = 2
"""


@pytest.mark.parametrize("label", ["∂L/∂z", "∂L/∂w"])
def test_a_step_at_a_kink_is_not_compared_and_says_so_as_gradcheck_does(write_scenario, label: str) -> None:
    """z = 0 exactly: relu's gradient there is 0 (the notes' Z > 0 mask), the slope below 0 and above
    −4; their average, −2, is no judge of it. A gradient off both sides is still wrong."""
    t = open_scenario(write_scenario(DEAD_RELU))
    t.run(1)
    step = next(s for s in t.program.steps if s.label == label and is_gradient_step(t.program, s))
    values = list(t.record(1).values)
    result = estimate(t.program, values, step)
    assert result.passed and result.kinks == 1 and result.compared == 0
    assert result.engine == 0 and result.numeric == pytest.approx(-2)
    assert result.slopes == (pytest.approx(0), pytest.approx(-4))
    values[step.slot] = np.float64(0.7)  # a gradient that matches neither side
    wrong = estimate(t.program, values, step)
    assert not wrong.passed and wrong.kinks == 0


def test_a_large_quantity_is_checked_at_a_small_seeded_sample(write_scenario) -> None:
    t = open_scenario(write_scenario(WIDE))
    t.run(1)
    step = next(s for s in t.program.steps if s.label == "∂L/∂W" and is_gradient_step(t.program, s))
    first, again = (estimate(t.program, t.record(1).values, step) for _ in range(2))
    assert first.passed and first.checked == SAMPLE and first == again
    assert first.sampled is not None and first.sampled.describe() == f"sampled {SAMPLE} of 5,000 coordinates of ∂L/∂W"


# -- the quiz ---------------------------------------------------------------------------------


def question(truth: float) -> Question:
    trainer = trainer_for("two_neurons")
    return Question(1, trainer.program.steps[1], (), truth)


@pytest.mark.parametrize(
    ("truth", "answer", "right"),
    [
        (0.24613, "0.2461", True),  # the same at the four figures shown
        (0.24613, "0.246", True),  # within 0.1%
        (-0.002537, "−0.002537", True),  # a real minus sign
        (-0.002537, "-2.537e-3", True),
        (0.24613, "0.25", False),
        (-0.002537, "0.002537", False),  # the sign matters
        (0.0, "0", True),
    ],
)
def test_an_answer_is_right_at_the_precision_shown_or_within_the_tolerance(
    truth: float, answer: str, right: bool
) -> None:
    assert grade(question(truth), answer).right is right


@pytest.mark.parametrize(
    ("truth", "answer", "why"),
    [
        (0.11243530017715962, "0.4", "off by 2.56 times its size"),  # two_neurons' w2·a1 at epoch 1
        (0.4, "0.11243530017715962", "off by 0.719 times its size"),
        (-0.002537, "0.002537", "off by 2 times its size"),
        (0.0, "0.5", "off by 0.5"),  # nothing to measure against but the miss itself
    ],
)
def test_a_wrong_answer_says_how_far_off_it_is_measured_against_the_value(truth: float, answer: str, why: str) -> None:
    verdict = grade(question(truth), answer)
    assert verdict.right is False and verdict.why == why


def test_an_answer_that_is_not_a_number_is_not_graded_and_not_scored() -> None:
    quiz = Quiz(on=True)
    verdict = quiz.answer(question(0.25), "abc")
    assert verdict.right is None and "not a number" in verdict.why
    assert (quiz.right, quiz.asked) == (0, 0)


def test_the_score_counts_each_step_once() -> None:
    quiz = Quiz(on=True)
    quiz.answer(question(0.25), "0.25")
    quiz.answer(question(0.25), "0.3")  # the same step again
    assert (quiz.right, quiz.asked) == (1, 1)


def test_a_matrix_asks_one_entry_the_same_every_time() -> None:
    trainer = trainer_for("moons_relu")
    trainer.run(1)
    step = next(s for s in trainer.program.steps if s.label == "∂L/∂W2")
    value = trainer.record(1).value(step.slot)
    first, again = ask(1, step, value), ask(1, step, value)
    assert first.entry == again.entry == entry_of(value.shape, 1, step.index)
    assert first.truth == float(value[first.entry])
    assert first.asked == f"∂L/∂W2[{first.entry[0]},{first.entry[1]}]"
    assert len({entry_of((20, 20), 1, i) for i in range(10)}) > 1  # steps ask different entries


def test_the_next_question_after_an_epochs_last_step_is_the_next_epochs_first() -> None:
    trainer = trainer_for("two_neurons")
    trainer.run(1)
    cursor = Cursor(trainer)
    checks: Checks = cursor.checks
    last = trainer.program.steps[-1]
    asked = checks.next_question(1, last, cursor.record(1))
    assert asked is not None and (asked.epoch, asked.step.index) == (2, 0)
    assert asked.truth == float(np.asarray(cursor.record(2).value(asked.step.slot)))


def test_in_the_named_view_the_quiz_asks_only_what_n_goes_to() -> None:
    cursor = Cursor(trainer_for("two_neurons"))
    cursor.set_named_view(True)
    cursor.checks.quiz.on = True
    asked = []
    for _ in range(20):  # across the end of epoch 1
        question = cursor.snapshot().checks.quiz.question
        cursor.forward(1)
        assert question is not None
        assert Position(question.epoch, question.step.index) == cursor.position
        asked.append(question.step.label)
    assert "w1·x" not in asked and asked[:2] == ["a1", "z2"] and asked.count("z1") == 1


def test_forward_backward_and_update_steps_are_asked_their_own_values() -> None:
    trainer = trainer_for("two_neurons")
    trainer.run(1)
    record = trainer.record(1)
    for phase, label, value in [("forward", "z1", 0.25), ("backward", "∂L/∂w1", -0.002537), ("update", "w1", 0.3003)]:
        step = next(s for s in trainer.program.steps if s.phase == phase and s.label == label)
        asked = ask(1, step, record.value(step.slot))
        assert asked.asked == label and grade(asked, str(value)).right


def test_a_cheap_step_is_checked_as_the_snapshot_is_made_and_a_costly_one_is_left_to_a_worker(write_scenario) -> None:
    cheap = Cursor(trainer_for("two_neurons"))
    cheap.goto(1, 20)  # ∂L/∂w1
    checks = cheap.snapshot().checks
    assert checks is not None and checks.pending is None and checks.gradient is not None
    costly = Cursor(open_scenario(write_scenario(WIDE)))
    step = next(s for s in costly.program.steps if is_gradient_step(costly.program, s) and s.label == "∂L/∂W")
    costly.goto(1, step.index)
    checks = costly.snapshot().checks
    assert checks is not None and checks.gradient is None and checks.pending is not None
    result = checks.pending.run()
    costly.checks.keep(1, step.index, result)
    again = costly.snapshot().checks
    assert again is not None and again.pending is None and again.gradient == result


def test_a_difference_is_shown_where_its_quantity_is_computed() -> None:
    from bpdbg.engine.check import Divergence

    cursor = Cursor(trainer_for("two_neurons"))
    steps = cursor.program.steps
    at = cursor.checks.step_of
    assert steps[at(Divergence(1, 1, "w1", "0.2060", "0.3003"))].label == "w1"  # its update
    assert steps[at(Divergence(1, 1, "w1", "0.2060", "0.3003"))].phase == "update"
    assert steps[at(Divergence(1, 1, "loss", "0.1", "0.2"))].label == "L"
    assert steps[at(Divergence(1, 1, "a1", "0.1", "0.2"))].label == "a1"
    assert at(Divergence(1, 1, "the line", "'x'", "'y'")) == len(steps) - 1
