"""The [training] section: the learning rate (a number, or a schedule of `epoch` checked at every
epoch at once), the number of epochs, the optimizer and its settings, and the stop rule."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .data import as_float
from .evaluate import EvaluationError, evaluate
from .expr import Call, names_in, parse_condition, parse_expression, walk
from .limits import MAX_EPOCHS
from .messages import closest, cut
from .ops import AXIS_FUNCTIONS
from .scenario import Expression, Optimizer, OptimizerKind, StopCheck, StopRule
from .shapes import ShapeError, infer
from .table_checks import TableChecks

OPTIMIZER_SETTINGS = {"momentum": "momentum", "beta1": "adam", "beta2": "adam", "epsilon": "adam"}
TRAINING_KEYS = {"learning_rate", "epochs", "optimizer", "stop_when", "stop_check", *OPTIMIZER_SETTINGS}


def read_training(
    checks: TableChecks, table: dict[str, Any]
) -> tuple[float | Expression, int, StopRule | None, Optimizer]:
    """The learning rate, the epochs, the stop rule (if any) and the optimizer, each checked."""
    checks.check_keys(table, TRAINING_KEYS, "training", "training")
    rate = _learning_rate(checks, table)
    epochs = checks.typed(table, "epochs", int, "training", "training")
    if epochs is None:
        raise checks.fail("missing epochs", "training", "training")
    if not 1 <= epochs <= MAX_EPOCHS:
        raise checks.fail(
            f"epochs must be from 1 to {MAX_EPOCHS} (got {cut(str(epochs))})",
            "training.epochs",
            "training",
            "epochs",
        )
    optimizer = _optimizer(checks, table)
    stop = None
    when = checks.typed(table, "stop_when", str, "training", "training")
    check: StopCheck = checks.one_of(table, "stop_check", StopCheck, "training", "training")
    if when is not None:
        place = checks.map.place("training.stop_when", "training", "stop_when")
        condition = checks.parsed("stop_when", when, place, parse_condition, "training", "stop_when")
        stop = StopRule(condition, check)
    if isinstance(rate, Expression):
        _check_schedule(rate, epochs)
    return rate, epochs, stop, optimizer


def _check_schedule(schedule: Expression, epochs: int) -> None:
    """A learning rate written as an expression must be one number, above 0 and at most 1e6,
    at every epoch of the run: it reads only `epoch`, so every epoch is checked here, at once."""
    try:
        shape = infer(schedule.tree, {"epoch": ()}, schedule.text)
    except ShapeError as error:
        raise schedule.error(error.message, error.node.start) from None
    if shape != ():
        raise schedule.error(f"a learning rate must be a single number, not shape {shape}")
    rates = _rates(schedule, epochs)
    bad = np.flatnonzero(~(np.isfinite(rates) & (rates > 0) & (rates <= 1e6)))
    if bad.size:
        epoch = int(bad[0]) + 1
        raise schedule.error(
            f"the learning rate must be above 0 and at most 1e6 at every epoch, but at epoch {epoch} it is "
            f"{float(rates[bad[0]]):g}"
        )


def _rates(schedule: Expression, epochs: int) -> np.ndarray:
    """α at every epoch as the run computes it, in one pass over the epochs as floats: as integers
    they would wrap past 2**63 and refuse negative powers, where the run's whole numbers are exact
    and its 0 ** -2 is inf (refused with its epoch)."""
    every = np.arange(1.0, epochs + 1.0)
    try:
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(evaluate(schedule.tree, {"epoch": every}), dtype=np.float64), every.shape)
    except EvaluationError as error:
        raise schedule.error(error.message, error.node.start) from None


def _learning_rate(checks: TableChecks, table: dict[str, Any]) -> float | Expression:
    """A number above 0 and at most 1e6, or an expression of `epoch` such as "1.0 - 0.9 * epoch / 100"."""
    rate = checks.typed(table, "learning_rate", (int, float, str), "training", "training")
    if rate is None:
        raise checks.fail("missing learning_rate", "training", "training")
    if isinstance(rate, str):
        place = checks.map.place("training.learning_rate", "training", "learning_rate")
        schedule = checks.parsed("learning_rate", rate, place, parse_expression, "training", "learning_rate")
        for name in names_in(schedule.tree):
            if name.id != "epoch":
                hint = "; did you mean 'epoch'?" if closest(name.id, ["epoch"]) else ""
                raise schedule.error(f"a learning rate may name only epoch, not {name.id!r}{hint}", name.start)
        for node in walk(
            schedule.tree
        ):  # over every epoch at once, as _rates computes them, one would reduce across epochs
            if isinstance(node, Call) and node.func in (*AXIS_FUNCTIONS, "onehot"):
                raise schedule.error(
                    f"a learning rate is one number at each epoch, so {node.func}() has nothing to work on there"
                    " (the larger or smaller of two numbers is maximum(a, b) or minimum(a, b))",
                    node.start,
                )
        return schedule
    value = as_float(rate)
    if not (math.isfinite(value) and 0 < value <= 1e6):
        raise checks.fail(
            f"learning_rate must be above 0 and at most 1e6 (got {value})",
            "training.learning_rate",
            "training",
            "learning_rate",
        )
    return value


def _optimizer(checks: TableChecks, table: dict[str, Any]) -> Optimizer:
    kind: OptimizerKind = checks.one_of(table, "optimizer", OptimizerKind, "training", "training")
    settings: dict[str, float] = {}
    for key, owner in OPTIMIZER_SETTINGS.items():
        value = checks.typed(table, key, (int, float), "training", "training")
        if value is None:
            continue
        where = f"training.{key}"
        if owner != kind:
            advice = f'remove it, or set optimizer = "{owner}"'
            raise checks.fail(f'{key} is a setting of optimizer = "{owner}"; {advice}', where, "training", key)
        number = as_float(value)
        valid = 0 < number < 1e-1 if key == "epsilon" else 0 <= number < 1
        if not (math.isfinite(number) and valid):
            bounds = "above 0 and below 0.1" if key == "epsilon" else "from 0 to below 1"
            raise checks.fail(f"{key} must be {bounds} (got {number})", where, "training", key)
        settings[key] = number
    return Optimizer(kind, **settings)
