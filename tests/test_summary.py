"""What the inspector shows is the engine's: a value in full with its shape and statistics,
and each metric kept per epoch beside the loss for the plot."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpdbg.engine.cursor import Cursor
from bpdbg.engine.summary import inspect_param, inspect_step, summarize

from .conftest import trainer_for


def test_a_summary_gives_shape_min_max_mean_and_the_euclidean_norm() -> None:
    summary = summarize(np.array([[3.0, -4.0], [0.0, 0.0]]))
    assert (summary.shape, summary.size) == ((2, 2), 4)
    assert (summary.min, summary.max, summary.mean, summary.norm) == (-4.0, 3.0, -0.25, 5.0)
    assert summary.non_finite == 0


def test_non_finite_entries_are_counted_and_left_out_of_the_statistics() -> None:
    summary = summarize(np.array([1.0, np.nan, np.inf, 3.0]))
    assert (summary.min, summary.max, summary.mean, summary.non_finite) == (1.0, 3.0, 2.0, 2)
    assert math.isnan(summarize(np.array([np.nan])).mean)


def test_values_near_the_largest_float_have_a_finite_mean_and_norm_without_a_warning() -> None:
    """A diverging run's values: their sum of squares overflows, their norm and mean do not."""
    big = np.finfo(float).max / 2
    with np.errstate(all="raise"):  # an overflow on the way would raise here
        summary = summarize(np.array([big, big, -big]))
    assert summary.mean == pytest.approx(big / 3)
    assert summary.norm == pytest.approx(big * math.sqrt(3))


def test_moons_a1_is_inspected_whole_at_full_precision() -> None:
    cursor = Cursor(trainer_for("moons_relu"))
    a1 = next(s for s in cursor.program.steps if s.label == "A1")
    cursor.goto(1, a1.index)
    snapshot = cursor.snapshot()
    seen = inspect_step(snapshot)
    assert seen.title == "A1" and "relu" in seen.detail and "epoch 1" in seen.where
    assert seen.value is not None and seen.summary is not None
    assert seen.value.shape == (200, 4)
    assert np.array_equal(seen.value, snapshot.value)  # every entry, bit for bit
    assert seen.summary.max == float(np.max(snapshot.value)) and seen.summary.min == 0.0
    assert not seen.value.flags.writeable


def test_a_parameter_is_inspected_as_it_stands_and_a_gradient_not_yet_computed_says_so() -> None:
    cursor = Cursor(trainer_for("moons_relu"))
    snapshot = cursor.snapshot()
    value = inspect_param(snapshot, "W1", "value")
    assert value.title == "W1 · value" and value.summary is not None and value.summary.shape == (2, 4)
    gradient = inspect_param(snapshot, "W1", "grad")
    assert gradient.value is None and gradient.summary is None


def test_each_single_number_metric_is_kept_per_epoch_like_the_loss() -> None:
    trainer = trainer_for("net_221_sigmoid")
    cursor = Cursor(trainer)
    cursor.goto(3, cursor.last_step(3))
    snapshot = cursor.snapshot()
    ((name, mse),) = snapshot.metrics
    assert name == "mse" and mse.shape == (3,)
    record = trainer.record(3)
    assert mse[2] == pytest.approx(float(record.value(trainer.program.named["mse"])), abs=0)
    cursor.goto(3, 0)  # before the metric is computed, epoch 3 is not on the curve yet
    assert dict(cursor.snapshot().metrics)["mse"].shape == (2,)
