"""Momentum, Adam and a learning rate that changes with the epoch: each the same bits as the plain
NumPy loop a lecturer would write, with the optimizer's state kept, shown and replayed like a parameter."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

SCENARIO = """
title = "a bowl"
[data]
t = [[1.0, -2.0, 0.5]]
[params]
w = [[0.0, 0.0, 0.0]]
[model]
d = "w - t"
[loss]
L = "sum(d ** 2)"
[training]
epochs = 40
{training}
"""
T = np.array([[1.0, -2.0, 0.5]])


def trained(write_scenario, training: str) -> Trainer:  # type: ignore[no-untyped-def]
    trainer = open_scenario(write_scenario(SCENARIO.format(training=training)))
    trainer.run()
    return trainer


def gradient(w: np.ndarray) -> np.ndarray:
    return 2.0 * (w - T)  # ∂/∂w of Σ(w − t)², as the tape computes it


def test_momentum_is_the_textbook_loop_bit_for_bit(write_scenario) -> None:
    trainer = trained(write_scenario, 'learning_rate = 0.05\noptimizer = "momentum"\nmomentum = 0.8')
    w, v = np.zeros((1, 3)), np.zeros((1, 3))
    for epoch in range(1, 41):
        v = 0.8 * v + gradient(w)
        w = w - 0.05 * v
        assert trainer.params_after(epoch)["w"].tobytes() == w.tobytes(), epoch


def test_adam_is_the_textbook_loop_bit_for_bit(write_scenario) -> None:
    trainer = trained(write_scenario, 'learning_rate = 0.1\noptimizer = "adam"')
    w, m, v = np.zeros((1, 3)), np.zeros((1, 3)), np.zeros((1, 3))
    for t in range(1, 41):
        g = gradient(w)
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * (g * g)
        w = w - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        assert trainer.params_after(t)["w"].tobytes() == w.tobytes(), t


def test_a_learning_rate_may_decay_with_the_epoch_as_in_micrograds_demo(write_scenario) -> None:
    trainer = trained(write_scenario, 'learning_rate = "1.0 - 0.9 * epoch / 100"')
    w = np.zeros((1, 3))
    for epoch in range(1, 41):
        w = np.subtract(w, (1.0 - 0.9 * epoch / 100) * gradient(w))
        assert trainer.params_after(epoch)["w"].tobytes() == w.tobytes(), epoch
    update = next(s for s in trainer.program.steps if s.phase == "update")
    assert "α = 1.0 - 0.9 * epoch / 100" in update.formula


@pytest.mark.parametrize("named_view", [False, True])
def test_a_matrix_update_with_a_decaying_rate_says_what_the_rate_is_at_that_epoch(
    write_scenario, named_view: bool
) -> None:
    """Its matrix form writes α only as `scalar`; a constant α is in the file, a decaying one nowhere."""
    cursor = Cursor(trained(write_scenario, 'learning_rate = "1.0 - 0.9 * epoch / 100"'))
    cursor.set_named_view(named_view)
    update = next(s for s in cursor.program.steps if s.phase == "update")
    cursor.goto(3, update.index)
    line = cursor.snapshot().line
    assert line is not None and not line.scalar
    assert line.note == "α = 0.973 at epoch 3"  # 1.0 − 0.9·3/100
    constant = Cursor(trained(write_scenario, "learning_rate = 0.1"))
    constant.goto(3, update.index)
    assert constant.snapshot().line.note == ""  # type: ignore[union-attr]


def test_each_optimizer_state_is_a_step_of_the_update_phase_and_shown_beside_the_parameters(write_scenario) -> None:
    cursor = Cursor(trained(write_scenario, 'learning_rate = 0.1\noptimizer = "adam"'))
    updates = [s for s in cursor.program.steps if s.phase == "update"]
    assert [s.label for s in updates] == ["m_w", "v_w", "w"]
    assert updates[0].formula == "m_w ← β₁·m_w + (1 − β₁)·∂L/∂w   (β₁ = 0.9)"
    cursor.goto(2, updates[1].index)
    shown = {p.name: p for p in cursor.snapshot().params}
    assert list(shown) == ["w", "m_w", "v_w"]
    assert shown["v_w"].touched and not shown["w"].touched
    g = cursor.snapshot().values[next(s.index for s in cursor.program.steps if s.label == "∂L/∂w")]
    _, _, v_before = cursor.program.unflatten(cursor.trainer.row(1))
    assert shown["v_w"].value.tobytes() == (0.999 * v_before + (1 - 0.999) * (g * g)).tobytes()


@pytest.mark.parametrize("optimizer", ['"momentum"', '"adam"'])
def test_an_optimizers_state_is_checkpointed_so_going_back_gives_the_same_bits(write_scenario, optimizer: str) -> None:
    every_epoch = trained(write_scenario, f"learning_rate = 0.05\noptimizer = {optimizer}")
    spaced = Trainer(every_epoch.program, memory=5 * 8 * every_epoch.program.row_size)
    spaced.run()
    assert spaced.spacing > 1
    for epoch in range(41):
        assert spaced.row(epoch).tobytes() == every_epoch.row(epoch).tobytes(), epoch


def test_a_log_line_may_print_a_gradient_as_the_epoch_computed_it(write_scenario) -> None:
    from bpdbg.engine.report import Log

    trainer = trained(
        write_scenario, 'learning_rate = 0.1\n[[log]]\nat = [1, 2]\nformat = "{epoch}: {grad(w)} {grad(d)}"'
    )
    w1 = trainer.params_after(1)["w"]
    assert [line.text for line in Log(trainer).lines()] == [
        f"1: {gradient(np.zeros((1, 3)))} {gradient(np.zeros((1, 3)))}",
        f"2: {gradient(w1)} {gradient(w1)}",
    ]


def test_a_log_field_asking_for_the_gradient_of_what_the_loss_ignores_is_refused(write_scenario) -> None:
    from bpdbg.engine.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"\{grad\(t\)\}: grad\(\) takes the name of a parameter or node"):
        trained(write_scenario, 'learning_rate = 0.1\n[[log]]\nformat = "{grad(t)}"')


def test_an_optimizer_state_step_shows_the_gradient_and_chain_of_its_parameter(write_scenario) -> None:
    cursor = Cursor(trained(write_scenario, 'learning_rate = 0.1\noptimizer = "momentum"'))
    velocity = next(s for s in cursor.program.steps if s.label == "v_w")
    cursor.goto(1, velocity.index)
    chain = cursor.snapshot().chain
    assert chain is not None and chain.symbol == "∂L/∂w"
    assert chain.total.tobytes() == gradient(np.zeros((1, 3))).tobytes()


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ('"epoch @ epoch"', "@ needs two matrices"),
        ('"sum(epoch, 3)"', "so sum() has nothing to work on there"),
        ('"0.5 - 0.1 * epoch"', "at every epoch, but at epoch 5 it is 0"),
        ('"1 / (3 - epoch)"', "at every epoch, but at epoch 3 it is inf"),
        ('"1.0 - 0.9 * epoch / 10"', "at every epoch, but at epoch 12 it is -0.08"),
        ('"0.1 * (epoch - 2) ** -2"', "at every epoch, but at epoch 2 it is inf"),  # the run's own 0 ** -2
        ('"1e-20 * epoch ** 20 + 0.1"', "at every epoch, but at epoch 20 it is 1.04858e+06"),  # 20**20 > 2**63
    ],
)
def test_a_learning_rate_schedule_is_checked_at_every_epoch_when_the_file_opens(
    write_scenario, schedule: str, message: str
) -> None:
    from bpdbg.engine.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=re.escape(message)) as caught:
        trained(write_scenario, f"learning_rate = {schedule}")
    assert caught.value.place.where == "training.learning_rate"


@pytest.mark.parametrize("schedule", ['"max(0.01, 1 - 0.9 * epoch / 100)"', '"log_softmax(epoch) + 0.1"'])
def test_a_schedule_is_refused_a_function_of_many_numbers_and_pointed_to_maximum(write_scenario, schedule: str) -> None:
    from bpdbg.engine.scenario import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        trained(write_scenario, f"learning_rate = {schedule}")
    assert "has nothing to work on there (the larger or smaller of two numbers is maximum(a, b)" in str(caught.value)
    assert caught.value.place.column == 18  # the function's name, first in the string


@pytest.mark.parametrize(("optimizer", "state"), [("momentum", "v_w"), ("adam", "m_w and v_w")])
def test_a_plain_descent_update_in_a_derivation_is_told_the_optimizer_is_another(
    write_scenario, optimizer: str, state: str
) -> None:
    from bpdbg.engine.derivation_check import check_derivation

    text = SCENARIO.format(training=f'learning_rate = 0.1\noptimizer = "{optimizer}"')
    derivation = '[derivation]\ndL_dw = "2 * (w - t)"\nw = "w - learning_rate * dL_dw"\n'
    trainer = open_scenario(write_scenario(text + derivation))
    report = check_derivation(trainer)
    assert report.wrong is not None
    described = report.describe("L")
    assert f'the scenario trains with optimizer = "{optimizer}": its update of w reads {state}' in described


def test_an_optimizer_state_named_in_a_condition_or_a_log_field_is_said_to_be_one(write_scenario) -> None:
    from bpdbg.engine.conditions import parse_breakpoint
    from bpdbg.engine.scenario import ScenarioError

    adam = SCENARIO.format(training='learning_rate = 0.1\noptimizer = "adam"')
    trainer = open_scenario(write_scenario(adam))
    with pytest.raises(ScenarioError) as caught:
        parse_breakpoint(trainer.program, "max(v_w) > 1")  # not "did you mean 'w'?": v_w is on screen
    assert "'v_w' is the optimizer's state of w: it is shown beside the parameters, but a condition cannot read it" in (
        caught.value.message
    )
    with pytest.raises(ScenarioError) as caught:
        open_scenario(write_scenario(adam + '[[log]]\nformat = "{m_w}"\n'))
    assert "'m_w' is the optimizer's state of w: it is shown beside the parameters, but a log field cannot read it" in (
        caught.value.message
    )


def test_each_adam_step_puts_its_numbers_in_as_the_textbook_computes_them(write_scenario) -> None:
    from bpdbg.engine.notation import substitute

    text = SCENARIO.format(training='learning_rate = 0.1\noptimizer = "adam"')
    one_number = text.replace("[[1.0, -2.0, 0.5]]", "3.0").replace("[[0.0, 0.0, 0.0]]", "0.0")
    cursor = Cursor(open_scenario(write_scenario(one_number)))
    w = m = v = 0.0
    for t in (1, 2):  # the textbook loop to the start of epoch 3
        g = 2.0 * (w - 3.0)
        m, v = 0.9 * m + (1 - 0.9) * g, 0.999 * v + (1 - 0.999) * (g * g)
        w = w - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    g = 2.0 * (w - 3.0)

    def shown(*values: float) -> list[str]:
        return [f"{x:.4g}".replace("-", "−") for x in values]

    expected = {
        "m_w": ("0.9·m_w + 0.1·∂L/∂w", "0.9·{0} + 0.1·{1}", shown(m, g)),
        "v_w": ("0.999·v_w + 0.001·(∂L/∂w)²", "0.999·{0} + 0.001·({1})²", shown(v, g)),
        "w": (
            "w − α·(m_w/(1 − 0.9^t))/(√(v_w/(1 − 0.999^t)) + 1e-08)",
            "{0} − {1}·({2}/(1 − 0.9^{4}))/(√({3}/(1 − 0.999^{4})) + 1e-08)",
            [*shown(w, 0.1, 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g), "3"],
        ),
    }
    for step in [s for s in cursor.program.steps if s.phase == "update"]:
        cursor.goto(3, step.index)
        line = cursor.snapshot().line
        assert line is not None and line.kind == "update"
        formula, template, numbers = expected[step.label]
        assert line.formula == formula
        put_in = shown(*[float(term.value) for term in line.terms])
        assert substitute(line.template, put_in) == substitute(template, numbers)


def test_each_momentum_step_puts_its_numbers_in_and_its_velocity_is_shown_beside_the_parameter(write_scenario) -> None:
    from bpdbg.engine.notation import substitute

    text = SCENARIO.format(training='learning_rate = 0.05\noptimizer = "momentum"\nmomentum = 0.8')
    one_number = text.replace("[[1.0, -2.0, 0.5]]", "3.0").replace("[[0.0, 0.0, 0.0]]", "0.0")
    cursor = Cursor(open_scenario(write_scenario(one_number)))
    updates = [s for s in cursor.program.steps if s.phase == "update"]
    assert [s.label for s in updates] == ["v_w", "w"]
    w = v = 0.0
    for _ in (1, 2):  # the textbook loop to the start of epoch 3
        v = 0.8 * v + 2.0 * (w - 3.0)
        w = w - 0.05 * v
    g = 2.0 * (w - 3.0)

    def shown(*values: float) -> list[str]:
        return [f"{x:.4g}".replace("-", "−") for x in values]

    expected = {
        "v_w": ("0.8·v_w + ∂L/∂w", "0.8·{0} + {1}", shown(v, g)),
        "w": ("w − α·v_w", "{0} − {1}·{2}", shown(w, 0.05, 0.8 * v + g)),
    }
    for step in updates:
        cursor.goto(3, step.index)
        snapshot = cursor.snapshot()
        line = snapshot.line
        assert line is not None and line.kind == "update"
        formula, template, numbers = expected[step.label]
        assert line.formula == formula
        assert substitute(line.template, shown(*[float(term.value) for term in line.terms])) == substitute(
            template, numbers
        )
        params = {p.name: p for p in snapshot.params}
        assert list(params) == ["w", "v_w"]  # the velocity beside the parameter, as a parameter is shown
        assert params[step.label].touched
    assert float(params["v_w"].value) == 0.8 * v + g


def test_every_training_table_the_readme_shows_trains_with_the_optimizer_and_rate_it_writes(write_scenario) -> None:
    import tomllib
    from pathlib import Path

    from bpdbg.engine.scenario import Optimizer

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    tables = re.findall(r"```toml\n(\[training\]\n.*?)```", readme, re.DOTALL)
    assert len(tables) == 3
    base = SCENARIO.split("[training]")[0]
    for table in tables:
        written = tomllib.loads(table)["training"]
        trainer = open_scenario(write_scenario(base + table))
        scenario = trainer.program.scenario
        settings = {k: v for k, v in written.items() if k not in ("learning_rate", "epochs", "optimizer")}
        assert scenario.optimizer == Optimizer(written.get("optimizer", "sgd"), **settings), table
        assert scenario.epochs == written["epochs"]
        rate = scenario.learning_rate
        assert rate == written["learning_rate"] if isinstance(rate, float) else rate.text == written["learning_rate"]
        trainer.run(3)
        assert trainer.epochs_done == 3
        assert not np.array_equal(trainer.params_after(3)["w"], np.zeros((1, 3)))  # it trained
    assert [s.label for s in trainer.program.steps if s.phase == "update"] == ["m_w", "v_w", "w"]
