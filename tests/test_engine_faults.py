"""Faults found by attacking the engine, each pinned by the case that found it.

Numbers in the names refer to the causes in the README's section on errors and limits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine import cursor as cursor_module
from bpdbg.engine import limits
from bpdbg.engine.conditions import parse_breakpoint
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

from .conftest import trainer_for

HEADER = """
title = "fault"
[data]
x = 1.0
[params]
w = 0.5
"""
TRAINING = """
[training]
learning_rate = 0.1
epochs = {epochs}
"""


def scenario(write_scenario, model: str, loss: str, epochs: int = 3, extra: str = "") -> Path:
    return write_scenario(f"{HEADER}[model]\n{model}\n[loss]\n{loss}\n{TRAINING.format(epochs=epochs)}{extra}")


def test_2_a_breakpoint_naming_a_value_an_early_stopped_epoch_never_computed_is_not_met_and_says_so() -> None:
    cursor = Cursor(trainer_for("neuron_identity"))  # epoch 6 stops before its backward pass
    cursor.breakpoints.append(parse_breakpoint(cursor.program, "w > 100"))
    assert cursor.next_hit() is None
    end = cursor.snapshot()
    assert end.stop is not None and end.stop.reason == "early"
    assert end.hit is None
    assert end.missed == "w > 100 not checked: epoch 6 never computed w"


def test_6_a_chain_through_a_thousand_named_nodes_is_written_without_exhausting_the_recursion(
    write_scenario,
) -> None:
    model = 'a0 = "w * x"\n' + "\n".join(f'a{i} = "a{i - 1} + 0"' for i in range(1, 1000))
    cursor = Cursor(open_scenario(scenario(write_scenario, model, 'L = "a999 * 1"', epochs=1)))
    gradient = next(s for s in cursor.program.steps if s.label == "∂L/∂w")
    cursor.goto(1, gradient.index)
    chain = cursor.snapshot().chain
    assert chain is not None and chain.count == 1
    assert len(chain.paths[0].factors) == 1001  # ∂L/∂a999 · ∂a999/∂a998 · … · ∂a0/∂w


def test_9_exponentially_many_paths_are_counted_and_only_a_few_are_listed(write_scenario) -> None:
    model = 'a0 = "w * x"\n' + "\n".join(f'a{i} = "a{i - 1} + a{i - 1}"' for i in range(1, 41))
    cursor = Cursor(open_scenario(scenario(write_scenario, model, 'L = "a40 * 1e-12"', epochs=1)))
    gradient = next(s for s in cursor.program.steps if s.label == "∂L/∂w")
    cursor.goto(1, gradient.index)
    chain = cursor.snapshot().chain
    assert chain is not None
    assert chain.count == 2**40
    assert len(chain.paths) == 16 and chain.left_out == 2**40 - 16


@pytest.mark.parametrize(
    ("where", "extra"),
    [
        ("log[0].format", '[[log]]\nformat = "{sum(X @ X.T)}"\n'),
        ("training.stop_when", ""),
    ],
)
def test_14_a_log_field_or_stop_rule_too_large_for_memory_is_refused_when_the_file_is_opened(
    write_scenario, where: str, extra: str
) -> None:
    moons = '{ make_moons = { n_samples = 20000, noise = 0.1, random_state = 0 }, take = "X" }'
    stop = 'stop_when = "sum(X @ X.T) > 0"\n' if where == "training.stop_when" else ""
    path = write_scenario(
        f'title = "fault"\n[data]\nx = 1.0\nX = {moons}\n[params]\nw = 0.5\n[model]\nz = "w * x"\n'
        f'[loss]\nL = "z * z"\n{TRAINING.format(epochs=2)}{stop}{extra}'
    )
    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    assert caught.value.place.where == where
    assert "'X @ X.T' would have shape (20000, 20000) (400000000 numbers; at most 2000000)" in caught.value.message


def test_14_a_breakpoint_too_large_for_memory_is_refused_when_it_is_typed(monkeypatch) -> None:
    program = trainer_for("moons_relu").program  # X is 200×2
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 10_000)
    with pytest.raises(
        ScenarioError, match=r"'X @ X.T' would have shape \(200, 200\) \(40000 numbers; at most 10000\)"
    ):
        parse_breakpoint(program, "sum(X @ X.T) > 0")


def test_14_the_cache_of_replayed_epochs_is_bounded_in_bytes(monkeypatch) -> None:
    cursor = Cursor(trainer_for("moons_relu"))
    one_epoch = cursor.record(1).nbytes
    monkeypatch.setattr(cursor_module, "MAX_RECORD_CACHE_BYTES", 3 * one_epoch)
    for epoch in range(1, 10):
        cursor.goto(epoch, 0)
        cursor.snapshot()
    assert cursor.cached_bytes <= 3 * one_epoch


def test_17_a_metric_that_overflows_stops_the_run_and_is_named(write_scenario) -> None:
    path = scenario(
        write_scenario, 'z = "w * x"', 'L = "(z - 3) ** 2"', epochs=50, extra='[metrics]\nm = "exp(300 * z)"\n'
    )
    trainer = open_scenario(path)
    trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "non-finite"
    step = trainer.program.steps[trainer.stop.step]  # type: ignore[index]
    assert (step.phase, step.node) == ("metric", "m")
    assert trainer.stop.epoch < 50


def test_17_an_overflow_that_leaves_every_value_finite_is_no_fault(write_scenario) -> None:
    # The notes' sigmoid overflows e^−z on purpose for a large z: exactly 0, and the run goes on.
    trainer = open_scenario(scenario(write_scenario, 'z = "sigmoid(-1000 * w * x)"', 'L = "(z - 1) ** 2"'))
    trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "epochs"


def test_17_a_value_of_the_data_alone_that_is_not_finite_stops_the_first_epoch_at_its_step(write_scenario) -> None:
    # A step on constants alone is computed once when the file opens, unless its value is not finite.
    path = scenario(write_scenario, 'z = "w * x"', 'L = "(z - 3) ** 2"', extra='[metrics]\nm = "log(x - 1)"\n')
    trainer = open_scenario(path)
    trainer.run()
    assert trainer.stop is not None and (trainer.stop.reason, trainer.stop.epoch) == ("non-finite", 1)
    step = trainer.program.steps[trainer.stop.step]  # type: ignore[index]
    assert (step.phase, step.node) == ("metric", "m")
    assert trainer.record(1).value(step.slot) == -np.inf


def test_a_value_of_the_data_alone_is_the_same_in_every_epoch_and_in_every_replay(write_scenario) -> None:
    path = scenario(write_scenario, 'z = "w * x"', 'L = "(z - 3) ** 2"', extra='[metrics]\nm = "exp(x) / 2"\n')
    trainer = open_scenario(path)
    trainer.run()
    slot = trainer.program.named["m"]
    assert {float(trainer.record(epoch).value(slot)) for epoch in (1, 2, 3)} == {float(np.exp(np.float64(1.0)) / 2)}
    assert trainer.program.replay([0.5], 1, 1)[slot] is None  # a replay up to a step leaves later steps unset
