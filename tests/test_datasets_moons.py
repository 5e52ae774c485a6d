"""Specification of make_moons: scikit-learn's exact numbers, its odd counts, its arcs, and its arguments.

The reference values below were produced by scikit-learn 1.9.1 with NumPy 2.4
(``sklearn.datasets.make_moons(n_samples=n, noise=noise, random_state=seed,
shuffle=True)``, with ``y`` cast to float64) and are pinned here so that the engine's
own generator is held to scikit-learn's exact numbers without scikit-learn being
installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpdbg.engine.datasets import make_moons

from .fingerprint import sha256


class TestMatchesScikitLearn:
    """make_moons(200, 0.2, 42) is the dataset the debugger's demos use."""

    @pytest.fixture(scope="class")
    def moons(self) -> tuple[np.ndarray, np.ndarray]:
        return make_moons(200, 0.2, 42)

    def test_shapes_and_dtypes(self, moons: tuple[np.ndarray, np.ndarray]) -> None:
        X, y = moons
        assert X.shape == (200, 2)
        assert y.shape == (200,)
        assert X.dtype == np.float64
        assert y.dtype == np.float64
        assert X.flags.c_contiguous

    def test_first_rows(self, moons: tuple[np.ndarray, np.ndarray]) -> None:
        X, y = moons
        assert X[:3].tolist() == [
            [-1.1068966543534753, 0.04229280950577266],
            [0.9567996414922523, 0.4567504917384958],
            [0.7335162773124789, 0.584617436551464],
        ]
        assert y[:3].tolist() == [0.0, 0.0, 0.0]

    def test_sums(self, moons: tuple[np.ndarray, np.ndarray]) -> None:
        X, y = moons
        assert repr(float(X.sum())) == "158.13051186524896"
        assert repr(float(y.sum())) == "100.0"

    def test_every_bit(self, moons: tuple[np.ndarray, np.ndarray]) -> None:
        X, y = moons
        assert sha256(X) == ("2f007b0a0914e679e57ccd949bb0dfd49349852ae030061fa43f2a70c4f7a8a0")
        assert sha256(y) == ("93fd6ff04a2cff238aa095bee29d7793a53702337be6fcc4c3d4079b8894ec49")


class TestOddSampleCount:
    """With odd n the extra point goes to the inner moon (label 1)."""

    def test_class_sizes(self) -> None:
        _, y = make_moons(7, 0.1, 0)
        assert int((y == 0.0).sum()) == 3
        assert int((y == 1.0).sum()) == 4

    def test_reference_values(self) -> None:
        X, y = make_moons(7, 0.1, 0)
        assert X[:3].tolist() == [
            [1.9157275946170713, 0.6969924447869893],
            [-0.8733881470142222, -0.05058765397605105],
            [0.25452007784710545, 1.1080811913055446],
        ]
        assert y.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]
        assert repr(float(X.sum())) == "5.980192067906061"
        assert sha256(X) == ("4929215e78adfc49b1eb86171d0cfe686fa86cde311df06d03bd885d77040cff")
        assert sha256(y) == ("4b13b8e3a99d64c85e631ab3371c6c653cca27bd5357bfc8f96e017ee7b3b00a")

    def test_single_sample_is_the_inner_moons_first_point(self) -> None:
        X, y = make_moons(1, None, 0)
        assert X.tolist() == [[0.0, 0.5]]
        assert y.tolist() == [1.0]


class TestWithoutNoise:
    """noise=None puts every point exactly on its arc."""

    def test_reference_values(self) -> None:
        X, y = make_moons(7, None, 0)
        assert X.tolist() == [
            [2.0, 0.4999999999999999],
            [-1.0, 1.2246467991473532e-16],
            [6.123233995736766e-17, 1.0],
            [0.0, 0.5],
            [1.0, 0.0],
            [1.4999999999999998, -0.3660254037844387],
            [0.4999999999999999, -0.3660254037844386],
        ]
        assert y.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]

    def test_points_are_the_arc_samples(self) -> None:
        n = 101
        X, y = make_moons(n, None, 3)
        t_out = np.linspace(0, np.pi, n // 2)
        t_in = np.linspace(0, np.pi, n - n // 2)
        outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
        inner = np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])

        def rows(a: np.ndarray) -> list[tuple[float, float]]:
            return sorted(map(tuple, a.tolist()))

        assert rows(X[y == 0.0]) == rows(outer)
        assert rows(X[y == 1.0]) == rows(inner)

    def test_geometry(self) -> None:
        X, y = make_moons(500, None, 11)
        outer, inner = X[y == 0.0], X[y == 1.0]
        np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, atol=1e-15)
        np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, atol=1e-15)
        assert (outer[:, 1] >= 0.0).all()
        assert (inner[:, 1] <= 0.5).all()

    def test_zero_noise_equals_no_noise(self) -> None:
        X_none, y_none = make_moons(50, None, 1)
        X_zero, y_zero = make_moons(50, 0, 1)
        assert X_none.tobytes() == X_zero.tobytes()
        assert y_none.tobytes() == y_zero.tobytes()

    def test_noise_is_drawn_after_the_shuffle(self) -> None:
        # The labels' order depends only on the seed, not on the noise level.
        _, y_clean = make_moons(64, None, 9)
        _, y_noisy = make_moons(64, 0.3, 9)
        assert np.array_equal(y_clean, y_noisy)


class TestDeterminism:
    def test_same_arguments_same_bits(self) -> None:
        X1, y1 = make_moons(300, 0.15, 1234)
        X2, y2 = make_moons(300, 0.15, 1234)
        assert X1.tobytes() == X2.tobytes()
        assert y1.tobytes() == y2.tobytes()

    def test_different_seeds_differ(self) -> None:
        X1, _ = make_moons(300, 0.15, 1234)
        X2, _ = make_moons(300, 0.15, 1235)
        assert not np.array_equal(X1, X2)

    def test_global_numpy_random_state_is_untouched(self) -> None:
        np.random.seed(0)
        expected = np.random.random_sample(3)
        np.random.seed(0)
        make_moons(100, 0.2, 5)
        assert np.array_equal(np.random.random_sample(3), expected)

    def test_extreme_seeds(self) -> None:
        for seed in (0, 2**32 - 1):
            X, y = make_moons(10, 0.1, seed)
            assert X.shape == (10, 2)
            assert y.shape == (10,)

    def test_numpy_integers_are_accepted(self) -> None:
        X1, y1 = make_moons(np.int64(40), np.float64(0.1), np.uint32(7))
        X2, y2 = make_moons(40, 0.1, 7)
        assert X1.tobytes() == X2.tobytes()
        assert y1.tobytes() == y2.tobytes()


class TestArgumentValidation:
    @pytest.mark.parametrize("n_samples", [0, -1, 1_000_001, 2.0, "10", None, True])
    def test_bad_n_samples(self, n_samples: object) -> None:
        with pytest.raises(ValueError, match="n_samples"):
            make_moons(n_samples, 0.1, 0)  # type: ignore[arg-type]

    def test_n_samples_bounds_are_inclusive(self) -> None:
        assert make_moons(1, 0.1, 0)[0].shape == (1, 2)
        assert make_moons(1_000_000, None, 0)[0].shape == (1_000_000, 2)

    @pytest.mark.parametrize("noise", [-0.1, -1, math.nan, math.inf, -math.inf, "0.1", True, 1j])
    def test_bad_noise(self, noise: object) -> None:
        with pytest.raises(ValueError, match="noise"):
            make_moons(10, noise, 0)  # type: ignore[arg-type]

    @pytest.mark.parametrize("random_state", [-1, 2**32, 1.0, "0", None, False])
    def test_bad_random_state(self, random_state: object) -> None:
        with pytest.raises(ValueError, match="random_state"):
            make_moons(10, 0.1, random_state)  # type: ignore[arg-type]
