"""Files that are not a readable TOML scenario: missing, a directory or device, too large, binary, or bad TOML.

The file as a whole is reported at 1:1; a TOML syntax error at the character where the
TOML reader stopped, with what it expected said in words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpdbg.engine import limits

from .one_line_errors import BASE, Case, edit, one_line_at_the_exact_place, the_error

# -- TOML that does not read -----------------------------------------------------------------------


CASES: list[Case] = [
    (
        "toml-syntax",
        edit("epochs = 3", "epochs = = 3"),
        '19:10: TOML: Invalid value (expected a number, a "quoted string", true or false, an [array] or an '
        "{ inline table })",
    ),
    (
        "toml-unclosed-string",
        edit('z = "w * x + b"', 'z = "w * x + b'),
        '12:15: TOML: Illegal character \'\\n\' (a "string" ends on its own line; use """ … """ for several lines)',
    ),
    (
        "toml-key-twice",
        edit('z = "w * x + b"', 'z = "w * x + b"\nz = "x"'),
        "13:8: TOML: Cannot overwrite a value (each key may be set only once in a table)",
    ),
    ("empty", "", "1:1: file: file is empty (a scenario needs at least title, params, loss and training)"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "1:1: file: is a binary file, not TOML text"),
    ("not-utf8", 'title = "caf\xe9"\n'.encode("latin-1"), "1:1: file: is not UTF-8 text (bad byte at offset 12)"),
    (
        # Windows editors save UTF-8 with a byte order mark; it is no character of the file.
        "byte-order-mark",
        "\ufeff" + edit('title = "errors"', 'title = "errors" x'),
        "1:18: TOML: Expected newline or end of document after a statement (not valid TOML)",
    ),
    (
        "nested-too-deeply",
        edit("x = 0.5", "x = " + "[" * 3000 + "]" * 3000),
        "1:1: TOML: arrays or tables nested too deeply (a scenario needs at most 2 levels)",
    ),
    (
        "integer-too-long-to-convert",
        edit("x = 0.5", "x = 1" + "0" * 4300),
        "4:5: TOML: an integer of 4301 digits is too long to read (at most 4300 digits; a number is at most about "
        "1.8e308)",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)


# -- files that cannot be read ---------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert the_error(path) == f"{path}:1:1: file: no such file"


def test_a_file_name_longer_than_the_system_allows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a" * 300 + ".toml", "a" * 300):  # a path, and what could be a shipped scenario's name
        assert the_error(Path(name), "run") == f"{name}:1:1: file: cannot read the file (File name too long)"


def test_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.toml"
    path.mkdir()
    assert the_error(path, "run") == f"{path}:1:1: file: is a directory, not a scenario file"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it() -> None:
    """/dev/zero never ends: reading it whole would hang and fill memory."""
    assert the_error(Path("/dev/zero")) == (
        "/dev/zero:1:1: file: is not a regular file (a device, pipe or socket), not a scenario file"
    )


def test_a_file_too_large_is_refused_with_the_limit_named(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(BASE + "#" * limits.MAX_FILE_BYTES, encoding="utf-8")
    assert the_error(path) == f"{path}:1:1: file: file is larger than 1000000 bytes (the limit for a scenario file)"
