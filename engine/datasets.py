"""Toy datasets for exercising the engine.

The generators here reproduce scikit-learn's output bit for bit (same seed,
same numbers) while depending on NumPy alone, so a run can be compared with
results obtained elsewhere without pulling scikit-learn into the engine.
The spiral is the CS231n case study's own loop, with a seed of its own.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from .limits import MAX_ELEMENTS

MAX_SAMPLES = 1_000_000
MAX_SEED = 2**32 - 1
MAX_VALUES = MAX_ELEMENTS  # numbers in one generated X, as for any array
MAX_FEATURES = 10_000
MAX_CENTERS = 1_000  # clusters or spiral arms: each is one pass of a Python loop


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


def make_moons(n_samples: int, noise: float | None = None, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
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

    return _shuffled_with_noise(X, y, generator, scale)


def make_circles(
    n_samples: int, noise: float | None = None, factor: float = 0.8, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle around a smaller one, identical to scikit-learn's ``make_circles``.

    Matches ``sklearn.datasets.make_circles(n_samples, shuffle=True, noise=noise,
    random_state=random_state, factor=factor)``: the outer circle (label 0) gets
    ``n_samples // 2`` points, the inner one (label 1, radius ``factor``) the rest,
    each spaced evenly without repeating the first angle; one RandomState shuffles
    the rows, then draws the noise, as for ``make_moons``.
    """
    n = _check_n_samples(n_samples)
    scale = _check_noise(noise)
    if isinstance(factor, bool) or not isinstance(factor, Real) or not 0 <= factor < 1:
        raise ValueError(f"factor must be a number >= 0 and < 1, got {factor!r}")
    seed = _check_random_state(random_state)

    n_out = n // 2
    n_in = n - n_out
    generator = np.random.RandomState(seed)

    angles_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    angles_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(angles_out), np.cos(angles_in) * factor),
            np.append(np.sin(angles_out), np.sin(angles_in) * factor),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffled_with_noise(X, y, generator, scale)


def _shuffled_with_noise(
    X: np.ndarray, y: np.ndarray, generator: np.random.RandomState, scale: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows permuted as sklearn.utils.shuffle permutes them, then the Gaussian noise, in that order."""
    indices = np.arange(len(X))
    generator.shuffle(indices)
    X = X[indices]
    y = y[indices]
    if scale is not None:
        X += generator.normal(scale=scale, size=X.shape)
    return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.float64)


def _finite(value: object, low: float = -math.inf) -> bool:
    """A real number (not a bool), finite and at least `low`."""
    return not isinstance(value, bool) and isinstance(value, Real) and math.isfinite(value) and float(value) >= low


def _check_centers(centers: object, n_features: object) -> tuple[int, np.ndarray | None, int]:
    """How many centers to draw (or the centers given) and the number of features."""
    features = None if n_features is None else _whole(n_features)
    if n_features is not None and (features is None or not 1 <= features <= MAX_FEATURES):
        raise ValueError(f"n_features must be an int >= 1 and <= {MAX_FEATURES:_}, got {n_features!r}")
    count = _whole(centers)
    if count is not None:
        if not 1 <= count <= MAX_CENTERS:
            raise ValueError(f"centers must be an int >= 1 and <= {MAX_CENTERS:_}, or a list of points, got {count}")
        return count, None, 2 if features is None else features
    rows = centers if isinstance(centers, list) else None
    if (
        not rows
        or len(rows) > MAX_CENTERS
        or not all(isinstance(row, list) and row and len(row) == len(rows[0]) for row in rows)
        or not all(_finite(x) for row in rows for x in row)
        or len(rows[0]) > MAX_FEATURES
    ):
        raise ValueError(
            f"centers must be an int or a list of at most {MAX_CENTERS:_} points of equal length "
            f"(finite numbers), e.g. [[0, 0], [3, 3]]"
        )
    given = np.array(rows, dtype=np.float64)
    if features is not None and features != given.shape[1]:
        raise ValueError(f"n_features is {features} but the centers have {given.shape[1]} coordinates")
    return len(given), given, given.shape[1]


def make_blobs(
    n_samples: int,
    centers: int | list[list[float]] = 3,
    n_features: int | None = None,
    cluster_std: float | list[float] = 1.0,
    center_box: tuple[float, float] | list[float] = (-10.0, 10.0),
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, identical to scikit-learn's ``make_blobs``.

    Matches ``sklearn.datasets.make_blobs(n_samples, n_features, centers=centers,
    cluster_std=cluster_std, center_box=center_box, shuffle=True,
    random_state=random_state)``: with ``centers`` a count, the centers are drawn
    first, uniformly in ``center_box``; cluster i gets ``n_samples // centers``
    points (the first ``n_samples % centers`` one more), drawn in cluster order;
    then the rows are shuffled. ``n_features`` (default 2) follows from the centers
    when they are given as points.
    """
    n = _check_n_samples(n_samples)
    n_centers, given, features = _check_centers(centers, n_features)
    if n * features > MAX_VALUES or n_centers * features > MAX_VALUES:
        raise ValueError(f"n_samples × n_features must be at most {MAX_VALUES:_}, got {n} × {features}")
    if _finite(cluster_std, 0):
        stds = np.full(n_centers, cluster_std)
    elif isinstance(cluster_std, list) and len(cluster_std) == n_centers and all(_finite(s, 0) for s in cluster_std):
        stds = np.array(cluster_std, dtype=np.float64)
    else:
        raise ValueError(
            f"cluster_std must be a finite number >= 0, or a list of {n_centers} of them (one per center), "
            f"got {cluster_std!r}"
        )
    box = list(center_box) if isinstance(center_box, (list, tuple)) else None
    if box is None or len(box) != 2 or not all(_finite(b) for b in box) or box[0] > box[1]:
        raise ValueError(f"center_box must be two finite numbers [low, high] with low <= high, got {center_box!r}")
    seed = _check_random_state(random_state)

    generator = np.random.RandomState(seed)
    points = generator.uniform(box[0], box[1], size=(n_centers, features)) if given is None else given
    sizes = [n // n_centers] * n_centers
    for i in range(n % n_centers):
        sizes[i] += 1
    ends = np.cumsum(sizes)
    X = np.empty((n, features), dtype=np.float64)
    y = np.empty((n,), dtype=int)
    for i, (size, std) in enumerate(zip(sizes, stds, strict=True)):
        start = ends[i - 1] if i > 0 else 0
        X[start : ends[i]] = generator.normal(loc=points[i], scale=std, size=(size, features))
        y[start : ends[i]] = i
    return _shuffled_with_noise(X, y, generator, None)


def spiral(points_per_class: int, classes: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """The spiral data of the CS231n case study: ``classes`` arms of ``points_per_class`` points.

    The course's own loop, with a RandomState in place of the global generator (the
    same numbers as after ``np.random.seed(random_state)``): for each class j, radii
    ``linspace(0, 1, N)`` and angles ``linspace(4j, 4(j + 1), N)`` plus ``randn(N) * 0.2``;
    the points are ``(r sin t, r cos t)``, in class order, labelled j.
    """
    per_class = _whole(points_per_class)
    if per_class is None or not 1 <= per_class <= MAX_SAMPLES:
        raise ValueError(f"points_per_class must be an int >= 1 and <= {MAX_SAMPLES:_}, got {points_per_class!r}")
    k = _whole(classes)
    if k is None or not 1 <= k <= MAX_CENTERS:
        raise ValueError(f"classes must be an int >= 1 and <= {MAX_CENTERS:_}, got {classes!r}")
    if per_class * k > MAX_SAMPLES:
        raise ValueError(f"points_per_class × classes must be at most {MAX_SAMPLES:_}, got {per_class} × {k}")
    seed = _check_random_state(random_state)

    generator = np.random.RandomState(seed)
    X = np.zeros((per_class * k, 2))
    y = np.zeros(per_class * k, dtype=np.intp)
    for j in range(k):
        rows = range(per_class * j, per_class * (j + 1))
        r = np.linspace(0.0, 1, per_class)
        t = np.linspace(j * 4, (j + 1) * 4, per_class) + generator.randn(per_class) * 0.2
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y.astype(np.float64)
