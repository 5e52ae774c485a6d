"""[data] tables of every kind: each example the README shows loads, and each problem is at x's line.

The tables' kinds are specified one module each: test_data_numpy_files (.npy and .npz),
test_data_csv_files (large CSV files) and test_data_generators (make_circles, make_blobs,
spiral); their problems are all reported at the line of `x = …` in the base scenario.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .one_line_errors import BASE, loaded


def test_the_base_scenario_reads_x_from_the_first_line_of_data() -> None:
    assert BASE.splitlines()[3] == "x = 0.5"  # the line every case above is reported at


def test_every_data_table_the_readme_shows_loads(tmp_path: Path) -> None:
    """The README's examples of [data] tables, each read from files of the shapes they name."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**`[data]`**") : readme.index("**`[params]`**")]
    tables = [" ".join(t.split()) for t in re.findall(r"^- `(\{[^`]*\})`", section, re.MULTILINE)]
    assert {t.split()[1] for t in tables} == {"csv", "npy", "npz", "make_moons", "make_circles", "make_blobs", "spiral"}
    (tmp_path / "points.csv").write_text("x,y,label\n" + "0.5,1.5,1\n" * 200, encoding="utf-8")
    np.save(tmp_path / "X.npy", np.ones((200, 3)))
    np.savez(tmp_path / "digits.npz", X=np.ones((4, 64)), y=np.zeros((4, 1)))
    for table in tables:
        assert loaded(tmp_path, f"x = {table}").size > 0, table
