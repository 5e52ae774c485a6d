"""Toy datasets for exercising the engine.

The generators here reproduce scikit-learn's output bit for bit (same seed,
same numbers) while depending on NumPy alone, so a run can be compared with
results obtained elsewhere without pulling scikit-learn into the engine.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1


def _whole(value: object) -> int | None:
    """An integer argument as scikit-learn accepts one (Python or NumPy ints, not bools)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    return None


def _check_n_samples(n_samples: object) -> int:
    n = _whole(n_samples)
    if n is None or not 1 <= n <= MAX_SAMPLES:
        raise ValueError(f"n_samples must be an int >= 1 and <= {MAX_SAMPLES:_}, got {n_samples!r}")
    return n


def _check_noise(noise: object) -> float | None:
    if noise is None:
        return None
    if isinstance(noise, bool) or not isinstance(noise, Real) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be None or a finite number >= 0, got {noise!r}")
    return float(noise)


def _check_random_state(random_state: object) -> int:
    seed = _whole(random_state)
    if seed is None or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"random_state must be an int in [0, 2**32 - 1], got {random_state!r}")
    return seed


def make_moons(n_samples: int, noise: float | None, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, identical to scikit-learn's ``make_moons``.

    Matches ``sklearn.datasets.make_moons(n_samples, shuffle=True, noise=noise,
    random_state=random_state)`` exactly: the outer moon (label 0) gets
    ``n_samples // 2`` points, the inner moon (label 1) the rest; one
    ``np.random.RandomState(random_state)`` first shuffles the rows, then
    draws the Gaussian noise, in that order, so the random stream lines up.

    Returns ``X`` of shape ``(n_samples, 2)`` and ``y`` of shape
    ``(n_samples,)``, both float64: scikit-learn gives integer labels, but the
    engine computes in float64 throughout, so the labels are converted here
    (0.0 and 1.0, exactly representable) instead of at every use.
    """
    n = _check_n_samples(n_samples)
    scale = _check_noise(noise)
    seed = _check_random_state(random_state)

    n_out = n // 2
    n_in = n - n_out
    generator = np.random.RandomState(seed)

    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5

    X = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])

    # Same draw as sklearn.utils.shuffle: permute an index array in place.
    indices = np.arange(n)
    generator.shuffle(indices)
    X = X[indices]
    y = y[indices]

    if scale is not None:
        X += generator.normal(scale=scale, size=X.shape)

    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.float64)
