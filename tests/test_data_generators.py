"""[data] from generators: make_circles, make_blobs and spiral tables give the generators' own numbers.

A generator table names its generator's arguments and takes X (the points) or y (the
labels); a misspelt or out-of-range argument is one line at the data entry.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine import datasets

from .one_line_errors import error, loaded


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            '{ make_circles = { n_samples = 50, noise = 0.1, factor = 0.5, random_state = 3 }, take = "X" }',
            datasets.make_circles(50, 0.1, 0.5, 3)[0],
        ),
        (
            '{ make_circles = { n_samples = 50, random_state = 3 }, take = "y", shape = [50, 1] }',
            datasets.make_circles(50, None, 0.8, 3)[1].reshape(50, 1),
        ),
        (
            "{ make_blobs = { n_samples = 60, centers = [[0, 0], [4, 4]], cluster_std = [0.5, 1.5], "
            'random_state = 1 }, take = "X" }',
            datasets.make_blobs(60, [[0, 0], [4, 4]], None, [0.5, 1.5], random_state=1)[0],
        ),
        (
            "{ make_blobs = { n_samples = 60, centers = 4, n_features = 3, center_box = [-1, 1], random_state = 2 }"
            ', take = "y" }',
            datasets.make_blobs(60, 4, 3, 1.0, [-1, 1], 2)[1],
        ),
        (
            '{ spiral = { points_per_class = 100, classes = 3, random_state = 0 }, take = "X" }',
            datasets.spiral(100, 3, 0)[0],
        ),
        (
            '{ spiral = { points_per_class = 100, classes = 3, random_state = 0 }, take = "y", shape = [300, 1] }',
            datasets.spiral(100, 3, 0)[1].reshape(300, 1),
        ),
    ],
)
def test_a_generator_table_gives_the_generators_numbers(tmp_path: Path, entry: str, expected: np.ndarray) -> None:
    x = loaded(tmp_path, f"x = {entry}")
    assert x.shape == expected.shape
    assert x.tobytes() == expected.tobytes()


GENERATOR_CASES = [
    (
        "misspelt-argument",
        '{ make_circles = { n_samples = 10, factr = 0.5, random_state = 0 }, take = "X" }',
        "make_circles: unknown key 'factr'; did you mean 'factor'?",
    ),
    (
        "missing-seed",
        '{ spiral = { points_per_class = 10, classes = 3 }, take = "X" }',
        "spiral needs random_state: spiral = { points_per_class = …, classes = …, random_state = … }",
    ),
    (
        "no-take",
        "{ spiral = { points_per_class = 10, classes = 3, random_state = 0 } }",
        'spiral needs take = "X" (the points) or take = "y" (the labels)',
    ),
    (
        "misspelt-take",
        '{ make_blobs = { n_samples = 10, random_state = 0 }, tkae = "X" }',
        "unknown key 'tkae'; did you mean 'take'?",
    ),
    (
        "factor-out-of-range",
        '{ make_circles = { n_samples = 10, factor = 1.0, random_state = 0 }, take = "X" }',
        "make_circles: factor must be a number >= 0 and < 1, got 1.0",
    ),
    (
        "negative-spread",
        '{ make_blobs = { n_samples = 10, cluster_std = -1, random_state = 0 }, take = "X" }',
        "make_blobs: cluster_std must be a finite number >= 0, or a list of 3 of them (one per center), got -1",
    ),
    (
        "huge-box",
        "{ make_blobs = { n_samples = 10, center_box = [0, 1" + "0" * 400 + '], random_state = 0 }, take = "X" }',
        "make_blobs: a number is too large (at most about 1.8e308)",
    ),
    (
        "spread-overflows",
        '{ make_blobs = { n_samples = 10, cluster_std = 1e308, random_state = 0 }, take = "X" }',
        "make_blobs contains a non-finite number: inf at [5, 0] (counting from 0)",
    ),
    (
        "too-many-arms",
        '{ spiral = { points_per_class = 10, classes = 5000, random_state = 0 }, take = "X" }',
        "spiral: classes must be an int >= 1 and <= 1_000, got 5000",
    ),
    (
        "two-sources",
        '{ spiral = { points_per_class = 10, classes = 3, random_state = 0 }, npy = "a.npy", take = "X" }',
        'a data table needs exactly one source: csv = "file.csv", npy = "file.npy", npz = "file.npz", or one of '
        "make_moons, make_circles, make_blobs, spiral = { … } (this one has npy and spiral)",
    ),
]


@pytest.mark.parametrize(("entry", "expected"), [c[1:] for c in GENERATOR_CASES], ids=[c[0] for c in GENERATOR_CASES])
def test_generator_problems_are_one_line_at_the_data_entry(tmp_path: Path, entry: str, expected: str) -> None:
    assert error(tmp_path, f"x = {entry}") == f"4:1: data.x: {expected}"
