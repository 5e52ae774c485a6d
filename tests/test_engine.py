"""The engine's promises: a tape of steps, chain products, exact rewind, small memory."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.conditions import parse_breakpoint
from bpdbg.engine.cursor import Cursor, Position, Snapshot
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

from .conftest import trainer_for


def test_the_tape_holds_every_forward_op_the_loss_every_chain_rule_step_and_every_update() -> None:
    program = trainer_for("two_neurons").program
    phases = [step.phase for step in program.steps]
    assert phases == sorted(phases, key=["forward", "loss", "metric", "backward", "update"].index)
    forward = [s.label for s in program.steps if s.phase == "forward"]
    assert forward == ["w1·x", "z1", "a1", "w2·a1", "z2", "y_hat"]
    updates = [s.label for s in program.steps if s.phase == "update"]
    assert updates == ["w1", "w2", "b1", "b2"]
    sigmoid_step = next(s for s in program.steps if s.label == "∂L/∂z1")
    assert sigmoid_step.backward is not None
    assert sigmoid_step.backward.local_formula == "a1·(1 − a1)"
    assert sigmoid_step.formula == "∂L/∂z1 = ∂L/∂a1 · ∂a1/∂z1"


def test_a_backward_step_records_upstream_local_derivative_and_their_product() -> None:
    cursor = Cursor(trainer_for("two_neurons"))
    step = next(s for s in cursor.program.steps if s.label == "∂L/∂a1")
    cursor.goto(1, step.index)
    line = cursor.snapshot().line
    assert line is not None
    upstream, local = line.terms
    assert line.symbols == "∂L/∂(w2·a1) · ∂(w2·a1)/∂a1" and line.target == "∂L/∂a1"
    assert local.written == "w2" and float(local.value) == 0.2
    assert float(line.value) == float(upstream.value) * float(local.value)


def test_the_chain_for_a_parameter_is_written_the_way_the_notes_write_it() -> None:
    cursor = Cursor(trainer_for("two_neurons_layer"))
    step = next(s for s in cursor.program.steps if s.label == "∂L/∂w11")
    cursor.goto(1, step.index)
    chain = cursor.snapshot().chain
    assert chain is not None and len(chain.paths) == 1
    symbols = [factor.symbol for factor in chain.paths[0].factors]
    assert symbols == ["∂L/∂y_hat", "∂y_hat/∂z3", "∂z3/∂a1", "∂a1/∂z1", "∂z1/∂w11"]
    formulas = [factor.formula for factor in chain.paths[0].factors]
    assert formulas[1:] == ["y_hat·(1 − y_hat)", "w21", "a1·(1 − a1)", "x"]
    product = np.prod([float(factor.value) for factor in chain.paths[0].factors])
    assert product == pytest.approx(float(chain.total), rel=1e-12)


@pytest.mark.parametrize("name", ["neuron_sigmoid", "two_neurons", "two_neurons_layer", "gd_xy"])
def test_chain_products_add_up_to_each_gradient(name: str) -> None:
    cursor = Cursor(trainer_for(name))
    for step in cursor.program.steps:
        cursor.goto(1, step.index)
        chain = cursor.snapshot().chain
        if chain is None:
            continue
        total = sum(np.prod([float(f.value) for f in path.factors]) for path in chain.paths)
        assert total == pytest.approx(float(chain.total), rel=1e-12, abs=1e-15), step.label


SHARED = """
title = "a1 feeds two places"
[data]
x = 0.5
[params]
w = 0.3
v = 0.2
[model]
a1 = "sigmoid(w * x)"
out = "v * a1 + a1 * a1"
[loss]
L = "out ** 2"
[training]
learning_rate = 0.1
epochs = 3
"""


def test_a_value_feeding_several_places_sums_its_gradients(write_scenario) -> None:
    cursor = Cursor(open_scenario(write_scenario(SHARED)))
    steps = [s for s in cursor.program.steps if s.label == "∂L/∂a1"]
    assert len(steps) == 3  # from v·a1, and twice from a1·a1
    assert [s.formula.split(" ")[1] for s in steps] == ["=", "+=", "+="]
    cursor.goto(1, steps[-1].index)
    snapshot = cursor.snapshot()
    record = cursor.record(1)
    parts = [float(record.value(s.backward.contribution_slot)) for s in steps]
    assert float(snapshot.value) == (parts[0] + parts[1]) + parts[2]
    a1, v = float(record.value(cursor.program.named["a1"])), 0.2
    upstream = 2 * float(record.value(cursor.program.named["out"]))
    assert float(snapshot.value) == pytest.approx(upstream * (v + 2 * a1), rel=1e-14)


def test_a_bias_broadcast_over_a_batch_gets_its_gradient_summed_back_to_its_shape() -> None:
    moons = trainer_for("moons_relu").program
    bias = next(s for s in moons.steps if s.label == "∂L/∂b1")
    assert bias.backward is not None and bias.backward.summed_axes == (0,)
    assert bias.shape == (1, 4)
    assert "summed over axis 0" in bias.formula


def test_next_hit_stops_at_the_loss_step_of_the_first_epoch_where_a_breakpoint_on_the_loss_holds() -> None:
    trainer = trainer_for("moons_relu")
    cursor = Cursor(trainer)
    expression = parse_breakpoint(trainer.program, "loss < 0.5")
    cursor.breakpoints.append(expression)
    hit = cursor.next_hit()
    assert hit is expression
    epoch = cursor.position.epoch
    assert trainer.losses[epoch - 1] < 0.5 <= trainer.losses[epoch - 2]
    assert cursor.snapshot().step.slot == trainer.program.loss_slot


def _same(a: Snapshot, b: Snapshot) -> bool:
    def key(snapshot: Snapshot) -> list[bytes]:
        values = [np.asarray(v).tobytes() if v is not None else b"-" for v in snapshot.values]
        params = [np.asarray(p.value).tobytes() + np.asarray(p.grad).tobytes() for p in snapshot.params]
        line = snapshot.line
        factors = [np.asarray(t.value).tobytes() for t in line.terms] if line is not None else []
        return values + params + factors + [snapshot.losses.tobytes()]

    return a.position == b.position and key(a) == key(b)


@pytest.mark.parametrize("name", ["two_neurons", "moons_relu", "net_221_sigmoid"])
def test_going_back_is_exact_to_the_bit(name: str) -> None:
    cursor = Cursor(trainer_for(name))
    cursor.forward(len(cursor.program.steps) * 2 + 5)  # into the third epoch
    first = cursor.snapshot()
    cursor.to_end()
    cursor.rewind()
    assert cursor.position == Position(1, 0)
    cursor.goto(first.position.epoch, first.position.step)
    assert cursor.trainer.epochs_done > first.position.epoch  # the run went on meanwhile
    assert _same(first, cursor.snapshot())


def test_step_back_undoes_step_forward() -> None:
    cursor = Cursor(trainer_for("neuron_sigmoid"))
    start = cursor.snapshot()
    assert cursor.forward(60)
    assert cursor.back(60)
    assert _same(start, cursor.snapshot())


def test_cursor_moves_by_phase_and_epoch_and_stops_at_the_ends() -> None:
    cursor = Cursor(trainer_for("neuron_identity"))
    assert not cursor.back()
    cursor.next_phase()
    assert cursor.snapshot().step.phase == "loss"
    cursor.next_phase()
    assert cursor.snapshot().step.phase == "backward"
    cursor.next_epoch()
    assert cursor.position == Position(2, 0)
    cursor.prev_epoch()
    assert cursor.position == Position(1, 0)
    cursor.to_end()
    end = cursor.snapshot()
    assert cursor.at_end and end.stop is not None and end.stop.reason == "early"
    assert end.step.phase == "loss"  # epoch 6 stops before its backward pass
    assert not cursor.forward()


def test_memory_stays_small_over_ten_thousand_epochs() -> None:
    trainer = trainer_for("net_221_sigmoid")
    trainer.run()
    # One row of 9 parameters per epoch and one loss: about 800 KB, not a copy of every array.
    assert trainer.checkpoints.nbytes + trainer.losses.nbytes < 1_000_000


@pytest.mark.parametrize("name", ["net_221_sigmoid", "moons_relu", "neuron_identity"])
def test_checkpoints_spaced_to_fit_a_memory_budget_give_the_very_same_bits(name: str) -> None:
    every_epoch = trainer_for(name)
    program = every_epoch.program
    budget = 5 * 8 * program.row_size  # room for 5 rows of parameters, whatever the epochs
    spaced = Trainer(program, memory=budget)
    every_epoch.run()
    spaced.run()
    assert spaced.spacing > 1 and spaced.checkpoints.nbytes <= budget
    assert spaced.stop == every_epoch.stop
    last = spaced.epochs_done
    for epoch in [0, 1, spaced.spacing - 1, spaced.spacing, spaced.spacing + 1, last // 2, last - 1, last]:
        assert spaced.row(epoch).tobytes() == every_epoch.row(epoch).tobytes(), epoch
    cursors = Cursor(every_epoch), Cursor(spaced)
    for epoch, step in [(last, 0), (3, 5), (spaced.spacing + 2, 1), (2, 0)]:
        for cursor in cursors:
            cursor.goto(epoch, step)
        assert _same(cursors[0].snapshot(), cursors[1].snapshot())


def test_many_epochs_of_a_large_model_open_with_their_checkpoints_within_the_budget(write_scenario) -> None:
    # 1,000 epochs of 100,001 parameters would need 764 MiB of checkpoints, one row an epoch.
    path = write_scenario(
        'title = "big"\n[data]\nx = 1.0\n[params]\nw = { zeros = [1000, 100] }\nb = 0.0\n'
        '[model]\nz = "w * x + b"\n[loss]\nL = "sum(z * z)"\n[training]\nlearning_rate = 0.1\nepochs = 1000\n'
    )
    trainer = open_scenario(path)
    assert trainer.checkpoints.nbytes <= 256 * 2**20
    assert trainer.spacing == 3


def test_stepping_back_between_checkpoints_trains_that_stretch_once_not_once_a_step() -> None:
    program = trainer_for("net_221_sigmoid").program
    spaced = Trainer(program, memory=30 * 8 * program.row_size)  # a checkpoint every 345 epochs
    spaced.run()
    trained = []
    run = program.run
    program.run = lambda vals, start, stop: (trained.append(1), run(vals, start, stop))[1]  # type: ignore[method-assign]
    top = 3 * spaced.spacing - 1
    for epoch in range(top, top - spaced.spacing + 1, -1):  # back across one whole stretch
        spaced.row(epoch)
    assert len(trained) <= spaced.spacing


@pytest.mark.parametrize(
    ("move", "count"),
    [(Cursor.forward, 60), (Cursor.next_phase, 9), (Cursor.next_epoch, 7), (Cursor.next_epoch, 50)],
)
def test_a_counted_move_worked_out_apart_ends_where_the_moves_end_and_leaves_the_cursor_where_it_was(
    move, count: int
) -> None:
    made = Cursor(trainer_for("neuron_identity"))  # stops early at epoch 6
    for _ in range(count):
        if not move(made):
            break
    apart = Cursor(trainer_for("neuron_identity"))
    found = apart.repeated(move, count)
    assert (found.epoch, found.step) == (made.position.epoch, made.position.step) and not found.stopped
    assert apart.position == Position(1, 0)


def test_a_counted_move_worked_out_apart_stops_when_asked_and_says_how_far_it_got() -> None:
    cursor = Cursor(trainer_for("net_221_sigmoid"))
    seen: list[int] = []
    found = cursor.repeated(Cursor.next_epoch, 10_000, should_stop=lambda: len(seen) >= 40, progress=seen.append)
    assert found.stopped and (found.epoch, found.step) == (41, 0) and seen[-1] == 41
    assert cursor.position == Position(1, 0)
