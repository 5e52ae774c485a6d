"""[data] from large CSV files: read exactly up to the data file limit, a bad cell named by its line.

A CSV file may be far larger than a scenario file: the fast reader takes it whole, and
what it refuses is read again block by block with float(), so that any file float()
reads is read, and a problem is still one line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine import limits
from bpdbg.engine.loader import load_scenario

from .one_line_errors import error, loaded, scenario


def test_the_data_file_limit_is_64_mb_and_the_scenario_file_limit_stays_1_mb() -> None:
    assert limits.MAX_DATA_FILE_BYTES == 64_000_000
    assert limits.MAX_FILE_BYTES == 1_000_000


def test_a_csv_larger_than_a_scenario_file_is_read_exactly(tmp_path: Path) -> None:
    values = np.random.default_rng(0).standard_normal((40_000, 3))
    lines = [",".join(repr(float(v)) for v in row) for row in values]
    (tmp_path / "big.csv").write_text("a,b,c\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert (tmp_path / "big.csv").stat().st_size > limits.MAX_FILE_BYTES
    x = loaded(tmp_path, 'x = { csv = "big.csv", skip_rows = 1, columns = [2, 0] }')
    assert x.tobytes() == values[:, [2, 0]].tobytes()


def test_a_bad_cell_deep_in_a_large_csv_is_named_by_its_line(tmp_path: Path) -> None:
    lines = ["1.5,2.5"] * 100_000
    lines[76_543] = "1.5,two"
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    assert error(tmp_path, 'x = { csv = "big.csv" }') == (
        "4:1: data.x: csv 'big.csv' line 76544, column 1: 'two' is not a number"
    )


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({25_000: "1,2,3"}, "line 25001 has 3 cells, where line 1 has 2"),  # one long row inside a block
        ({i: "1,2,3" for i in range(20_000, 30_000)}, "line 20001 has 3 cells, where line 1 has 2"),  # a block
        ({25_000: "   ", 3: "1_0,2"}, None),  # blank and underscored, read by float() in their blocks only
    ],
    ids=["a-long-row", "a-block-of-long-rows", "what-float-reads"],
)
def test_a_large_csv_refused_by_the_fast_reader_is_read_block_by_block(
    tmp_path: Path, changed: dict[int, str], expected: str | None
) -> None:
    lines = ["1,2"] * 30_000
    for index, line in changed.items():
        lines[index] = line
    (tmp_path / "big.csv").write_text("\n".join(lines), encoding="utf-8")
    if expected is not None:
        assert error(tmp_path, 'x = { csv = "big.csv" }') == f"4:1: data.x: csv 'big.csv' {expected}"
    else:
        x = loaded(tmp_path, 'x = { csv = "big.csv" }')
        assert x.shape == (29_999, 2) and x[3].tolist() == [10.0, 2.0] and x.sum() == 29_998 * 3 + 12


def test_what_float_accepts_is_still_read_when_the_fast_reader_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("1_000, 2\n   \n-inf,nan\n", encoding="utf-8")
    path = scenario(tmp_path, 'x = { csv = "d.csv" }')
    with pytest.raises(Exception, match="line 3, column 0: '-inf' is not a finite number"):
        load_scenario(path)
    (tmp_path / "d.csv").write_text("1_000, 2\n   \n3e-3,+.5\n", encoding="utf-8")
    assert loaded(tmp_path, 'x = { csv = "d.csv" }').tolist() == [[1000.0, 2.0], [0.003, 0.5]]


CSV_CASES = [
    ("ragged", "1,2\n3\n", "csv 'd.csv' line 2 has 1 cell, where line 1 has 2"),
    ("ragged-after-a-blank-line", "\n1,2\n\n3,4,5\n", "csv 'd.csv' line 4 has 3 cells, where line 2 has 2"),
    ("empty-cell", "1,2\n3,\n", "csv 'd.csv' line 2, column 1: the cell is empty"),
    ("comment", "1,2\n# note\n", "csv 'd.csv' line 2, column 0: '# note' is not a number"),
    ("only-a-header", "a,b\n", "csv 'd.csv': has no rows after skip_rows = 1"),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES])
def test_csv_problems_are_still_one_line(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "d.csv").write_text(content, encoding="utf-8")
    skip = ", skip_rows = 1" if content.startswith("a") else ""
    assert error(tmp_path, f'x = {{ csv = "d.csv"{skip} }}').startswith(f"4:1: data.x: {expected}")


def test_a_bad_cell_is_named_by_line_and_column_and_only_the_first_line_read_is_taken_for_a_header(
    tmp_path: Path,
) -> None:
    (tmp_path / "d.csv").write_text("a,b,label\n1,2,0\n3,x,1\n", encoding="utf-8")
    assert error(tmp_path, 'x = { csv = "d.csv", skip_rows = 1 }') == (
        "4:1: data.x: csv 'd.csv' line 3, column 1: 'x' is not a number"
    )
    assert error(tmp_path, 'x = { csv = "d.csv" }') == (
        "4:1: data.x: csv 'd.csv' line 1, column 0: 'a' is not a number (a header? skip it with skip_rows = 1)"
    )


def test_a_csv_over_the_data_file_limit_is_refused_with_the_limit_named(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "d.csv").write_text("1,2\n" * 300, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_DATA_FILE_BYTES", 1000)
    assert error(tmp_path, 'x = { csv = "d.csv" }') == (
        "4:1: data.x: csv 'd.csv': file is larger than 1000 bytes (the limit for a CSV file)"
    )


def test_a_non_finite_cell_in_a_column_not_taken_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("1,nan\n2,3\n", encoding="utf-8")
    assert loaded(tmp_path, 'x = { csv = "d.csv", columns = [0] }').tolist() == [[1.0], [2.0]]


def test_a_csv_saved_with_a_byte_order_mark_reads_from_its_first_cell(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("\ufeff1,2\n3,4\n", encoding="utf-8")  # as Excel saves "CSV UTF-8"
    assert loaded(tmp_path, 'x = { csv = "d.csv" }').tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_a_scenario_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = scenario(tmp_path, "x = 0.5")
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_scenario(path).title == "errors"
