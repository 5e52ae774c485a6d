"""Specification of the spiral: the CS231n case study's data, from its seed, to the bit.

The spiral is held to the case study's own loop, written out below with its global seed;
the engine's spiral must give the same numbers without touching NumPy's global state.
"""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.datasets import spiral

from .fingerprint import sha256


def cs231n_spiral(N: int, K: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The case study's own code, with its global seed."""
    np.random.seed(seed)
    D = 2
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


class TestSpiral:
    """spiral(points_per_class, classes, random_state) is the CS231n case study's data, from its seed."""

    @pytest.mark.parametrize(("N", "K", "seed"), [(100, 3, 0), (1, 1, 5), (37, 5, 2**32 - 1)])
    def test_the_same_numbers_as_the_case_studys_loop(self, N: int, K: int, seed: int) -> None:
        X, y = spiral(N, K, seed)
        theirs_X, theirs_y = cs231n_spiral(N, K, seed)
        assert X.tobytes() == theirs_X.tobytes()
        assert y.tobytes() == theirs_y.astype(np.float64).tobytes()

    def test_every_bit_of_the_case_studys_data(self) -> None:
        X, y = spiral(100, 3, 0)
        assert (X.shape, y.shape, X.dtype, y.dtype) == ((300, 2), (300,), np.float64, np.float64)
        assert y.tolist() == [0.0] * 100 + [1.0] * 100 + [2.0] * 100
        assert X[-1].tolist() == [-0.47270638487404987, 0.8812199916588971]
        assert sha256(X) == "316321639abd9d9302c4f7b223fcfb110583ba97afe9bbb15d02ad9b0f6cef49"

    def test_the_global_random_state_is_untouched(self) -> None:
        np.random.seed(1)
        expected = np.random.random_sample(3)
        np.random.seed(1)
        spiral(50, 3, 0)
        assert np.array_equal(np.random.random_sample(3), expected)

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            ((0, 3, 0), "points_per_class"),
            ((10, 0, 0), "classes"),
            ((10, 1001, 0), "classes"),
            ((1001, 1000, 0), "points_per_class × classes"),
            ((10, 3, -1), "random_state"),
            ((10.0, 3, 0), "points_per_class"),
        ],
    )
    def test_arguments_are_checked(self, arguments: tuple[object, object, object], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            spiral(*arguments)  # type: ignore[arg-type]
