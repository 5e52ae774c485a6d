"""Breakpoints on any step: where a condition is evaluated, and the searches `c` and `C` make.

A condition is evaluated at a step once every quantity it names is known at that step of
the epoch, and then at each step that sets one of them; two_neurons' tape (25 steps):
forward 0-5 (z1 at 1, a1 at 2), loss 6-8 (L at 8), backward 9-20 (∂L/∂z1 at 17, ∂L/∂w1
at 20), update 21-24 (w1 at 21).
"""

from __future__ import annotations

import pytest

from bpdbg.engine.breakpoints import TRAIN_CHUNK
from bpdbg.engine.conditions import BUILTINS, breakpoint_examples, parse_breakpoint
from bpdbg.engine.cursor import Cursor, Position
from bpdbg.engine.expr import names_in
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.search import Search
from bpdbg.engine.session import open_scenario
from bpdbg.tui.sessions import Session, restore

from .conftest import SHIPPED, trainer_for
from .one_line_errors import BASE

LOSS, A1, GRAD_Z1, UPDATE_W1, LAST = 8, 2, 17, 21, 24


def cursor_with(scenario: str, *conditions: str) -> Cursor:
    cursor = Cursor(trainer_for(scenario))
    cursor.breakpoints.extend(parse_breakpoint(cursor.program, text) for text in conditions)
    return cursor


def every_hit(cursor: Cursor, forward: bool = True) -> list[Position]:
    """Every position `c` (or `C`) stops at, from where the cursor stands to the end (or start)."""
    found = []
    while (cursor.next_hit() if forward else cursor.prev_hit()) is not None:
        found.append(cursor.position)
    return found


class TestWhereAConditionIsEvaluated:
    def test_a_forward_node_at_the_step_that_computes_it(self) -> None:
        cursor = cursor_with("two_neurons", "a1 > 0")
        assert cursor.watches()[0].steps == (A1,)
        assert cursor.next_hit() is not None
        assert cursor.position == Position(1, A1)
        assert cursor.snapshot().hit == "a1 > 0"

    def test_a_gradient_from_the_backward_step_that_completes_it(self) -> None:
        cursor = cursor_with("two_neurons", "abs(grad(z1)) < 1")
        assert cursor.next_hit() is not None
        assert cursor.position == Position(1, GRAD_Z1)
        assert cursor.snapshot().step.slot == cursor.program.grad_of["z1"]

    def test_a_condition_on_two_quantities_waits_for_the_later_one_and_is_checked_where_either_changes(self) -> None:
        watch = cursor_with("two_neurons", "a1 > 0 and abs(grad(z1)) < 1 and w1 > 0").watches()[0]
        assert watch.steps == (GRAD_Z1, UPDATE_W1)  # a1 (step 2) is set before grad(z1) is known

    def test_a_parameter_means_its_updated_value_from_its_update_step_on(self) -> None:
        cursor = cursor_with("two_neurons", "w1 > 0.3")  # w1 = 0.3 to start; epoch 1's update raises it
        assert cursor.next_hit() is not None
        assert cursor.position == Position(1, UPDATE_W1)
        cursor.back()
        assert cursor.snapshot().hit is None

    def test_the_starting_values_count_as_set_at_the_first_step_of_the_first_epoch(self) -> None:
        cursor = cursor_with("two_neurons", "w1 == 0.3")
        assert every_hit(cursor) == []  # the cursor starts at (1, 0): that hit is where it stands
        assert cursor.snapshot().stop is not None
        assert every_hit(cursor, forward=False) == [Position(1, 0)]

    def test_epoch_is_set_at_the_first_step_of_each_epoch(self) -> None:
        cursor = cursor_with("two_neurons", "epoch == 3")
        assert every_hit(cursor) == [Position(3, 0)]

    def test_a_relu_layer_found_at_the_step_where_it_dies(self, write_scenario) -> None:
        path = write_scenario(  # minimising mean(A1) pushes every unit below zero
            'title = "dying"\n[data]\nx = [[1.0], [2.0]]\n[params]\nW = [[0.5, -1.0]]\nb = [[0.2, 0.5]]\n'
            '[model]\nZ1 = "x @ W + b"\nA1 = "relu(Z1)"\n[loss]\nL = "mean(A1)"\n'
            "[training]\nlearning_rate = 0.1\nepochs = 40\n"
        )
        cursor = Cursor(open_scenario(path))
        cursor.breakpoints.append(parse_breakpoint(cursor.program, "max(A1) == 0"))
        assert cursor.next_hit() is not None
        dead = cursor.snapshot()
        assert dead.step.slot == cursor.program.named["A1"] and dead.value is not None and dead.value.max() == 0
        epoch = cursor.position.epoch
        assert epoch > 1 and cursor.trainer.record(epoch - 1).value(dead.step.slot).max() > 0


class TestSearching:
    def test_c_then_C_visit_the_same_hits_in_opposite_orders(self) -> None:
        # ∂L/∂w1 = −0.00254, −0.00258, −0.00263, −0.00267 in epochs 1-4; L < 0.085 from epoch 5 on.
        cursor = cursor_with("two_neurons", "loss < 0.085", "abs(grad(w1)) < 0.00265")
        forward = every_hit(cursor)
        assert forward[:5] == [Position(1, 20), Position(2, 20), Position(3, 20), Position(5, LOSS), Position(6, LOSS)]
        assert every_hit(cursor, forward=False) == forward[::-1]

    def test_a_loss_breakpoint_found_for_all_epochs_at_once_agrees_with_one_checked_epoch_by_epoch(self) -> None:
        at_once = cursor_with("net_221_sigmoid", "loss < 0.2 and not epoch < 30")
        assert at_once.watches()[0].by_loss
        replayed = cursor_with("net_221_sigmoid", "loss + 0 * sum(x) < 0.2 and not epoch < 30")
        assert not replayed.watches()[0].by_loss
        assert at_once.next_hit() is not None and replayed.next_hit() is not None
        assert at_once.position == replayed.position
        at_once.goto(200, 0)
        replayed.goto(200, 0)
        assert at_once.prev_hit() is not None and replayed.prev_hit() is not None
        assert at_once.position == replayed.position == Position(199, at_once.watches()[0].steps[0])

    @pytest.mark.parametrize(
        ("scenario", "condition"),
        [("net_221_sigmoid", "abs(grad(W1)) < 1e-3"), ("moons_relu", "abs(grad(W2)) < 0.005 and loss < 0.5")],
    )
    def test_a_breakpoint_stacked_over_a_chunk_of_epochs_agrees_with_one_checked_epoch_by_epoch(
        self, scenario: str, condition: str
    ) -> None:
        stacked = cursor_with(scenario, condition)
        assert stacked.watches()[0].stacks
        one_by_one = cursor_with(scenario, f"{condition} or epoch < 0")  # `or` cannot be stacked
        assert not one_by_one.watches()[0].stacks
        assert stacked.next_hit() is not None and one_by_one.next_hit() is not None
        assert stacked.position == one_by_one.position
        assert one_by_one.trainer.epochs_done == one_by_one.position.epoch  # training stopped right there
        assert stacked.trainer.epochs_done - stacked.position.epoch < TRAIN_CHUNK
        assert stacked.prev_hit() is None or stacked.position < one_by_one.position

    def test_with_no_hit_c_ends_at_the_end_of_the_run_and_C_at_the_start(self) -> None:
        cursor = cursor_with("two_neurons", "loss < 0")
        assert cursor.next_hit() is None
        assert cursor.at_end
        assert cursor.prev_hit() is None
        assert cursor.position == Position(1, 0)

    def test_with_no_hit_C_in_the_named_view_ends_where_r_goes(self) -> None:
        cursor = cursor_with("two_neurons", "loss < 0")
        cursor.set_named_view(True)
        cursor.to_end()
        assert cursor.prev_hit() is None
        ended = cursor.position
        cursor.to_end()
        cursor.rewind()
        assert ended == cursor.position and cursor.snapshot().step.label == "z1"  # not w1·x, folded into z1

    def test_a_search_can_be_stopped_between_epochs(self) -> None:
        cursor = cursor_with("net_221_sigmoid", "abs(grad(W1)) < 0")
        seen: list[int] = []
        found = cursor.search(forward=True, should_stop=lambda: len(seen) >= 50, progress=seen.append)
        assert found.stopped and found.condition is None
        assert found.epoch == seen[-1] < 100
        assert cursor.position == Position(1, 0)  # a search does not move the cursor

    def test_a_search_back_can_be_stopped_too(self) -> None:
        cursor = cursor_with("two_neurons", "abs(grad(w1)) < 0")
        cursor.to_end()
        found = Search(cursor.trainer, cursor.watches(), cursor.trainer.record, lambda: True).backward(20, LAST)
        assert found.stopped and (found.epoch, found.step) == (20, 0)

    def test_running_the_debugger_forward_pauses_at_a_hit_within_a_stretch_of_steps(self) -> None:
        cursor = cursor_with("two_neurons", "loss < 0.085")
        assert cursor.advance(1000) is False
        assert cursor.position == Position(5, LOSS)
        assert cursor.advance(10) is True
        assert cursor.position == Position(5, LOSS + 10)


class TestEpochsThatEndEarly:
    def test_a_hit_in_the_part_an_early_stopped_epoch_ran_is_found(self) -> None:
        cursor = cursor_with("neuron_identity", "loss < 0.01", "w > 100")  # epoch 6 stops before its backward pass
        assert cursor.next_hit() is not None
        assert cursor.position.epoch == 6 and cursor.snapshot().step.slot == cursor.program.loss_slot
        assert cursor.next_hit() is None  # the epoch's last step is that hit: nothing after it
        end = cursor.snapshot()
        assert end.hits == ("loss < 0.01",)
        assert end.missed == "w > 100 not checked: epoch 6 never computed w"


def test_a_breakpoint_reading_too_much_to_stack_is_checked_epoch_by_epoch(monkeypatch) -> None:
    from bpdbg.engine import breakpoints

    monkeypatch.setattr(breakpoints, "MAX_STACK_BYTES", 1)  # nothing fits: every epoch is checked as it runs
    cursor = cursor_with("net_221_sigmoid", "abs(grad(W1)) < 1e-3")
    assert cursor.watches()[0].stacks
    assert cursor.next_hit() is not None
    assert cursor.trainer.epochs_done == cursor.position.epoch  # found as it was trained, not after a chunk
    one_by_one = cursor_with("net_221_sigmoid", "abs(grad(W1)) < 1e-3 or epoch < 0")
    assert one_by_one.next_hit() is not None and one_by_one.position == cursor.position


class TestBreakpointsInTheScenarioFile:
    def test_the_debugger_opens_with_them_set_and_c_stops_at_the_first_hit(self, write_scenario) -> None:
        path = write_scenario(BASE + '\n[[breakpoint]]\nwhen = "epoch == 2 and abs(grad(w)) > 0"\n')
        cursor = Cursor(open_scenario(path))
        assert [c.text for c in cursor.breakpoints] == ["epoch == 2 and abs(grad(w)) > 0"]
        assert cursor.next_hit() is not None
        step = cursor.program.steps[cursor.position.step]
        assert cursor.position.epoch == 2 and step.label == "∂L/∂w"  # where grad(w) is first known

    def test_a_saved_session_does_not_set_them_twice(self, write_scenario) -> None:
        path = write_scenario(BASE + '\n[[breakpoint]]\nwhen = "loss < 0.1"\n')
        cursor = Cursor(open_scenario(path))
        assert restore(cursor, Session(("loss < 0.1", "epoch == 3"))) == []
        assert [c.text for c in cursor.breakpoints] == ["loss < 0.1", "epoch == 3"]


class TestTheDialogsWords:
    @pytest.mark.parametrize("scenario", SHIPPED)
    def test_each_example_is_a_breakpoint_in_the_scenarios_own_names(self, scenario: str) -> None:
        program = trainer_for(scenario).program
        examples = breakpoint_examples(program)
        for text in examples:
            condition = parse_breakpoint(program, text)  # accepted as typed
            assert {n.id for n in names_in(condition.expression.tree)} <= {*program.named, *BUILTINS}
        param = next(p.name for p in program.params if p.grad_slot is not None)
        assert any(f"grad({param})" in text for text in examples)

    def test_the_examples_name_a_parameters_gradient_and_a_quantity_of_the_forward_pass(self) -> None:
        assert breakpoint_examples(trainer_for("moons_relu").program) == (
            "loss < 0.05",
            "max(abs(grad(W1))) < 1e-3",
            "max(abs(Z1)) > 10",
            "epoch == 10",
        )
        assert breakpoint_examples(trainer_for("two_neurons").program)[1:3] == ("abs(grad(w1)) < 1e-3", "abs(z1) > 10")
        gd_x2 = breakpoint_examples(trainer_for("gd_x2").program)
        assert gd_x2 == ("loss < 0.05", "abs(grad(x)) < 1e-3", "epoch == 10")  # its only quantity is the loss

    @pytest.mark.parametrize(
        ("scenario", "text", "message"),
        [
            ("moons_relu", "max(a1) == 0", "unknown name 'a1' in the condition; did you mean 'A1'?"),
            ("two_neurons", "los < 0.05", "unknown name 'los' in the condition; did you mean 'loss'?"),
            (
                "two_neurons",
                "abs(w3) < 1",
                "unknown name 'w3' in the condition (known: L, a1, b1, b2, epoch, loss, w1, w2, x, y, y_hat, z1, z2)",
            ),
        ],
    )
    def test_an_unknown_name_is_answered_with_the_closest_or_the_names_there_are(
        self, scenario: str, text: str, message: str
    ) -> None:
        with pytest.raises(ScenarioError) as caught:
            parse_breakpoint(trainer_for(scenario).program, text)
        assert caught.value.message == message


@pytest.mark.parametrize("condition", ["max(A1) > 3", "min(Z1) < -0.5 and max(A1) > 3"])
def test_a_condition_on_the_largest_or_smallest_entry_is_stacked_and_finds_the_same_first_hit(condition: str) -> None:
    stacked = cursor_with("moons_relu", condition)  # first holds hundreds of epochs in: found in a chunk
    assert stacked.watches()[0].stacks
    one_by_one = cursor_with("moons_relu", f"{condition} or epoch < 0")  # `or` is never stacked
    assert not one_by_one.watches()[0].stacks
    assert stacked.next_hit() is not None and one_by_one.next_hit() is not None
    assert stacked.position == one_by_one.position and stacked.position.epoch > 256


class TestAConditionThatCannotBeComputed:
    """onehot() of a label out of range passes the shape check and fails on the values: a search
    stops there, as gdb stops at a condition it cannot test, and the status line says why."""

    CONDITION = "sum(onehot(epoch, 3)) > 5"  # epochs 1 and 2 are labels; epoch 3 is not
    WHY = (
        "sum(onehot(epoch, 3)) > 5 cannot be computed here: onehot()'s labels must be whole numbers from 0 to 2 (got 3)"
    )

    def test_continuing_stops_at_the_first_step_it_fails_and_the_snapshot_says_why(self) -> None:
        cursor = cursor_with("two_neurons", self.CONDITION)
        assert cursor.next_hit() is not None
        assert cursor.position == Position(3, 0)
        snapshot = cursor.snapshot()
        assert snapshot.hit is None and snapshot.missed is not None and self.WHY in snapshot.missed

    def test_running_pauses_there_and_going_back_stops_there_too(self) -> None:
        cursor = cursor_with("two_neurons", self.CONDITION)
        assert cursor.advance(3 * 25) is False
        assert cursor.position == Position(3, 0)
        cursor.to_end()
        assert cursor.prev_hit() is not None
        assert cursor.position == Position(cursor.trainer.epochs_done, 0)
