"""Specification of make_circles and make_blobs: scikit-learn's exact numbers, and their arguments checked.

The reference values below were produced by scikit-learn 1.9.1 with NumPy 2.4
(``sklearn.datasets.make_circles`` and ``make_blobs`` with the arguments each test
names, ``y`` cast to float64) and are pinned here so that the engine's own generators
are held to scikit-learn's exact numbers without scikit-learn being installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bpdbg.engine.datasets import make_blobs, make_circles

from .fingerprint import sha256


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
