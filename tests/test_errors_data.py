"""[data] and [params] values that cannot be used: of the wrong type, ragged, non-finite, too large, a bad CSV.

Every problem with a value is reported at its key; a CSV file's at the data entry that
names it, with the file's own line where there is one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpdbg.engine import limits
from bpdbg.engine.loader import load_scenario

from .one_line_errors import Case, edit, one_line_at_the_exact_place, the_error

CASES: list[Case] = [
    (
        "unknown-data-table-key",
        edit("x = 0.5", 'x = { make_moons = { n_samples = 4, random_state = 0 }, take = "X", shaep = [4, 2] }'),
        "4:1: data.x: unknown key 'shaep'; did you mean 'shape'?",
    ),
    (
        "wrong-type-data",
        edit("x = 0.5", 'x = "half"'),
        "4:1: data.x: must be a number or an array of numbers, not a string",
    ),
    (
        "moons-huge-noise",
        edit(
            "x = 0.5",
            "x = { make_moons = { n_samples = 4, noise = 1" + "0" * 400 + ', random_state = 0 }, take = "X" }',
        ),
        "4:1: data.x: make_moons: a number is too large (at most about 1.8e308)",
    ),
    (
        "ragged-data",
        edit("x = 0.5", "x = [[1.0], [1.0, 2.0]]"),
        "4:1: data.x: must be a number or a rectangular array of numbers (rows of equal length, numbers only)",
    ),
    ("nan-data", edit("x = 0.5", "x = nan"), "4:1: data.x: contains a non-finite number: nan"),
    (
        "inf-in-array",
        edit("x = 0.5", "x = [1.0, -inf]"),
        "4:1: data.x: contains a non-finite number: -inf at [1] (counting from 0)",
    ),
    (
        "huge-integer-data",
        edit("x = 0.5", "x = 1" + "0" * 400),
        "4:1: data.x: a number is too large (at most about 1.8e308)",
    ),
    (
        "param-too-large",
        edit("w = 0.3", "w = { zeros = [100000, 100000] }"),
        "8:1: params.w: shape [100000, 100000] holds 10000000000 numbers (at most 2000000)",
    ),
    (
        "moons-noise-overflows",
        edit("x = 0.5", 'x = { make_moons = { n_samples = 4, noise = 1e308, random_state = 0 }, take = "X" }'),
        "4:1: data.x: make_moons contains a non-finite number: inf at [0, 1] (counting from 0)",
    ),
    (
        "draw-scale-overflows",
        edit(
            "w = 0.3",
            "w = { randn = [1, 50], scale = 1e308 }",
            edit('title = "errors"\n', 'title = "errors"\nseed = 0\n'),
        ),
        "9:1: params.w: the draw contains a non-finite number: inf at [0, 3] (counting from 0)",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)


# -- CSV files -------------------------------------------------------------------------------------


CSV_CASES: list[tuple[str, str, str | bytes | None, str]] = [
    (
        "boolean-column",
        'x = { csv = "d.csv", columns = [true] }',
        "1,2\n3,4\n",
        "columns must list column numbers from 0 to 1",
    ),
    ("non-finite", 'x = { csv = "d.csv" }', "1\nnan\n", "csv 'd.csv' line 2, column 0: 'nan' is not a finite number"),
    (
        "overflowing",
        'x = { csv = "d.csv" }',
        "1\n1e999\n",
        "csv 'd.csv' line 2, column 0: '1e999' is not a finite number",
    ),
    (
        "non-finite-after-blank-lines-and-a-header",
        'x = { csv = "d.csv", skip_rows = 1, columns = [2, 1] }',
        "a,b,c\n1,2,3\n\n4,5,6\n7, inf ,nan\n",
        "csv 'd.csv' line 5, column 2: 'nan' is not a finite number",
    ),
    ("missing", 'x = { csv = "gone.csv" }', "1\n", "csv 'gone.csv': no such file"),
    ("directory", 'x = { csv = "d.csv" }', None, "csv 'd.csv': is a directory, not a CSV file"),
    ("not-utf8", 'x = { csv = "d.csv" }', b"1\n\xe9\n", "csv 'd.csv': is not UTF-8 text (bad byte at offset 2)"),
    ("binary", 'x = { csv = "d.csv" }', b"1\n\x00\n", "csv 'd.csv': is a binary file, not CSV text"),
    (
        "semicolons",  # as Excel saves CSV where the decimal mark is a comma
        'x = { csv = "d.csv" }',
        "1;2\n3;4\n",
        "csv 'd.csv' line 1: cells must be separated by commas, and this line has ';' between them",
    ),
    (
        "tabs",
        'x = { csv = "d.csv" }',
        "1\t2\n3\t4\n",
        "csv 'd.csv' line 1: cells must be separated by commas, and this line has tabs between them",
    ),
    (
        "words",
        'x = { csv = "d.csv" }',
        "a,b\n1,2\n",
        "csv 'd.csv' line 1, column 0: 'a' is not a number (a header? skip it with skip_rows = 1)",
    ),
    (
        "outside-the-folder",
        'x = { csv = "../d.csv" }',
        "1\n",
        "csv '../d.csv': must be a file in the scenario's folder or below (no absolute paths, no '..')",
    ),
    (
        "absolute",
        'x = { csv = "/etc/passwd" }',
        "1\n",
        "csv '/etc/passwd': must be a file in the scenario's folder or below (no absolute paths, no '..')",
    ),
]


@pytest.mark.parametrize(("entry", "content", "expected"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES])
def test_csv_problems_are_reported_at_the_data_entry(
    tmp_path: Path, entry: str, content: str | bytes | None, expected: str
) -> None:
    csv = tmp_path / "d.csv"
    if content is None:
        csv.mkdir()
    elif isinstance(content, bytes):
        csv.write_bytes(content)
    else:
        csv.write_text(content, encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(edit("x = 0.5", entry), encoding="utf-8")
    assert the_error(path) == f"{path}:4:1: data.x: {expected}"


def test_a_csv_reached_through_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "d.csv").write_text("1\n2\n", encoding="utf-8")
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "root").symlink_to(outside)
    path = folder / "bad.toml"
    path.write_text(edit("x = 0.5", 'x = { csv = "root/d.csv" }'), encoding="utf-8")
    assert the_error(path) == (
        f"{path}:4:1: data.x: csv 'root/d.csv': must be a file in the scenario's folder or below "
        "(a symbolic link on the way leads outside it)"
    )


def test_a_csv_reached_through_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "points").mkdir()
    (tmp_path / "points" / "d.csv").write_text("1\n2\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "points")
    path = tmp_path / "good.toml"
    path.write_text(edit("x = 0.5", 'x = { csv = "link/d.csv" }'), encoding="utf-8")
    assert load_scenario(path).data["x"].tolist() == [[1.0], [2.0]]


# -- sizes that would exhaust memory ---------------------------------------------------------------


def test_data_too_large_together_is_refused_with_the_limit_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_TAPE_ELEMENTS", 2000)
    moons = '{ make_moons = { n_samples = 600, noise = 0.1, random_state = 0 }, take = "X" }'
    path = tmp_path / "big.toml"
    path.write_text(edit("y = 1.0", f"y = 1.0\nX1 = {moons}\nX2 = {moons}"), encoding="utf-8")
    assert the_error(path) == (
        f"{path}:7:1: data.X2: the data hold more than 2000 numbers together (0 MiB, the limit for one iteration)"
    )
