"""The loss plot's points: at most two a column, each column's lowest and highest loss in epoch
order, picked from the engine's curve (never computed), the curve ending at its first
non-finite loss. Held to that definition, written plainly, bucket by bucket."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.tui.widgets.loss import downsample


def by_definition(losses: np.ndarray, width: int) -> tuple[list[int], list[float]]:
    """Each of `np.array_split`'s buckets of the finite curve gives its lowest and highest epoch."""
    bad = np.flatnonzero(~np.isfinite(losses))
    epochs = np.arange(bad[0] if bad.size else losses.size)
    if epochs.size <= 2 * max(width, 1):
        return (epochs + 1).tolist(), losses[epochs].tolist()
    picked: list[int] = []
    for bucket in np.array_split(epochs, max(width, 1)):
        values = losses[bucket]
        picked.extend(sorted({int(bucket[np.argmin(values)]), int(bucket[np.argmax(values)])}))
    index = np.asarray(picked)
    return (index + 1).tolist(), losses[index].tolist()


@pytest.mark.parametrize("width", [0, 1, 7, 40, 117])
@pytest.mark.parametrize("length", [0, 1, 14, 81, 1000, 10_001])
def test_each_column_keeps_its_lowest_and_highest_loss_in_epoch_order(length: int, width: int) -> None:
    rng = np.random.default_rng(length * 1000 + width)
    losses = np.exp(-np.arange(length) / 300) + rng.normal(0, 0.01, length)
    losses[rng.random(length) < 0.05] = 0.5  # ties: a bucket's lowest may be its highest
    assert downsample(losses, width) == by_definition(losses, width)


def test_the_curve_ends_at_its_first_non_finite_loss() -> None:
    losses = np.linspace(1, 2, 500)
    losses[300], losses[400] = np.inf, np.nan
    epochs, values = downsample(losses, 20)
    assert max(epochs) == 300 and (epochs, values) == by_definition(losses, 20)
