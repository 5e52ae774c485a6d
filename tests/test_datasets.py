"""Specification of the generated datasets: make_moons, make_circles, make_blobs and the spiral.

The reference values below were produced by scikit-learn 1.9.1 with NumPy 2.4
(``sklearn.datasets.make_moons(n_samples=n, noise=noise, random_state=seed,
shuffle=True)``, likewise ``make_circles`` and ``make_blobs``, with ``y`` cast to
float64) and are pinned here so that the engine's own generators are held to
scikit-learn's exact numbers without scikit-learn being installed. The spiral is
held to the CS231n case study's loop, written out below.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import math
import subprocess
import sys

import numpy as np
import pytest

from bpdbg.engine import datasets
from bpdbg.engine.datasets import make_blobs, make_circles, make_moons, spiral


def sha256(a: np.ndarray) -> str:
    return hashlib.sha256(a.tobytes()).hexdigest()


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


class TestMakeCircles:
    """make_circles(n, noise, factor, random_state) as scikit-learn draws it."""

    def test_every_bit_of_a_noisy_pair_of_circles(self) -> None:
        X, y = make_circles(200, 0.1, 0.5, 0)
        assert (X.shape, y.shape, X.dtype, y.dtype) == ((200, 2), (200,), np.float64, np.float64)
        assert X[:2].tolist() == [
            [0.3768831132472517, 0.8668348079268438],
            [-0.12853503186322257, -0.6436631224311056],
        ]
        assert y[:5].tolist() == [0.0, 1.0, 1.0, 0.0, 1.0]
        assert repr(float(X.sum())) == "-0.5209665854332259"
        assert sha256(X) == "b4e2eef22cb0d89c60842239c96cb7f0ace2b77833a593b194e18e9486ccb105"
        assert sha256(y) == "2975d596057f7a66879de284e83327400d14ddb3bbf896c433aada32d20af0a7"

    def test_without_noise_the_points_lie_on_the_two_circles(self) -> None:
        X, y = make_circles(7, None, 0.5, 0)
        assert X.tolist() == [
            [-9.184850993605148e-17, -0.5],
            [-0.5000000000000004, -0.8660254037844384],
            [-0.4999999999999998, 0.8660254037844387],
            [0.5, 0.0],
            [1.0, 0.0],
            [-0.5, 6.123233995736766e-17],
            [3.061616997868383e-17, 0.5],
        ]
        assert y.tolist() == [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0]  # the inner circle gets the odd point
        radius = np.hypot(X[:, 0], X[:, 1])
        np.testing.assert_allclose(radius[y == 0.0], 1.0, atol=1e-15)
        np.testing.assert_allclose(radius[y == 1.0], 0.5, atol=1e-15)

    def test_factor_defaults_to_scikit_learns_0_8(self) -> None:
        assert make_circles(50, 0.1, random_state=3)[0].tobytes() == make_circles(50, 0.1, 0.8, 3)[0].tobytes()

    @pytest.mark.parametrize("factor", [1, 1.5, -0.1, math.nan, "0.5", True])
    def test_factor_must_be_in_0_to_1(self, factor: object) -> None:
        with pytest.raises(ValueError, match="factor"):
            make_circles(10, 0.1, factor, 0)  # type: ignore[arg-type]


class TestMakeBlobs:
    """make_blobs(n, centers, n_features, cluster_std, center_box, random_state) as scikit-learn draws it."""

    def test_every_bit_of_three_drawn_centers(self) -> None:
        X, y = make_blobs(300, centers=3, n_features=2, cluster_std=1.0, random_state=0)
        assert (X.shape, y.shape, X.dtype, y.dtype) == ((300, 2), (300,), np.float64, np.float64)
        assert X[:2].tolist() == [
            [0.06344785310233647, 5.4208036155442425],
            [1.3296701429692936, -0.48570029545711857],
        ]
        assert y[:5].tolist() == [0.0, 1.0, 0.0, 2.0, 2.0]
        assert repr(float(X.sum())) == "919.3168486153853"
        assert sha256(X) == "7de2d78fd0f204e3080e3536ba4586b8cf2f9fdf6459427de75f8c0056edcef4"
        assert sha256(y) == "ad77ff8c011d284394f110ab2e1738d75de9d2a695a918a3fc372b4788381a56"

    def test_every_bit_of_given_centers_with_a_spread_each(self) -> None:
        X, y = make_blobs(10, centers=[[0, 0], [5, 5]], cluster_std=[0.5, 2.0], random_state=1)
        assert y.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]
        assert sha256(X) == "aa9c5f4761e00265b2d4785dcaca3774ae1756e281f7bd673d5797cb7d7d8f2e"

    def test_every_bit_of_three_features_in_a_chosen_box(self) -> None:
        X, y = make_blobs(50, centers=4, n_features=3, center_box=[-3.0, 5.0], random_state=3)
        assert X.shape == (50, 3)
        assert sha256(X) == "a2792ff05c298abf13c8b5ce7a794ffb295d72b6ea36adf84618da878c8090c0"
        assert sha256(y) == "412e71c8fae7c985b532564197a7f73cc4613f14276f5100cce612b0d4b2562e"

    def test_the_first_clusters_get_the_remainder(self) -> None:
        _, y = make_blobs(7, centers=3, random_state=5)
        assert np.bincount(y.astype(int)).tolist() == [3, 2, 2]

    def test_a_zero_spread_puts_every_point_on_its_center(self) -> None:
        X, _ = make_blobs(6, centers=[[1, 2], [3, 4]], cluster_std=0.0, random_state=0)
        assert sorted(map(tuple, X.tolist())) == [(1.0, 2.0)] * 3 + [(3.0, 4.0)] * 3

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            ({"centers": 0}, "centers"),
            ({"centers": 1001}, "centers"),
            ({"centers": [[0, 0], [1]]}, "centers"),
            ({"centers": [[0, math.inf]]}, "centers"),
            ({"centers": [[0, 0]], "n_features": 3}, "n_features is 3"),
            ({"n_features": 0}, "n_features"),
            ({"n_samples": 1_000_000, "n_features": 3}, "n_samples × n_features"),
            ({"cluster_std": -1.0}, "cluster_std"),
            ({"cluster_std": [1.0, 2.0]}, "list of 3"),
            ({"center_box": [1.0]}, "center_box"),
            ({"center_box": [2.0, 1.0]}, "center_box"),
        ],
    )
    def test_arguments_are_checked(self, arguments: dict[str, object], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            make_blobs(**{"n_samples": 30, "random_state": 0, **arguments})  # type: ignore[arg-type]


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


class TestDependencies:
    """The engine must run where only NumPy is installed."""

    def test_imports_only_numpy_and_the_standard_library(self) -> None:
        tree = ast.parse(inspect.getsource(datasets))
        roots: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
        third_party = roots - set(sys.stdlib_module_names) - {"__future__"}
        assert third_party == {"numpy"}

    def test_importing_does_not_load_scikit_learn_or_scipy(self) -> None:
        code = (
            "import sys\n"
            "from bpdbg.engine.datasets import make_moons\n"
            "make_moons(20, 0.1, 0)\n"
            "loaded = sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('sklearn', 'scipy'))\n"
            "print(loaded)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "[]"
