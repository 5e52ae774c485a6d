"""[data] from NumPy files: .npy and .npz arrays are read as float64, and never unpickled.

A file is read only inside the scenario's folder and only up to the data file limit. A
pickle or an array of Python objects is one line, exit status 2, and nothing in it runs;
every other array is float64 and passes the same finiteness and size check as any other.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bpdbg.engine import limits

from .one_line_errors import error, loaded


class Touch:
    """Unpickling this creates a file: the proof that a pickle was run."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.path),))  # type: ignore[return-value]


# -- .npy ------------------------------------------------------------------------------------------


def test_an_npy_array_is_read_as_float64(tmp_path: Path) -> None:
    np.save(tmp_path / "points.npy", np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int16))
    x = loaded(tmp_path, 'x = { npy = "points.npy" }')
    assert x.dtype == np.float64
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.int64, np.float16, np.float32, ">f8", np.longdouble])
def test_every_numeric_dtype_becomes_the_same_float64_numbers(tmp_path: Path, dtype: object) -> None:
    np.save(tmp_path / "a.npy", np.array([0, 1, 1, 0], dtype=dtype))
    assert loaded(tmp_path, 'x = { npy = "a.npy" }').tolist() == [0.0, 1.0, 1.0, 0.0]


def test_columns_and_shape_apply_as_for_a_csv(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.arange(12.0).reshape(4, 3))
    assert loaded(tmp_path, 'x = { npy = "a.npy", columns = [2, 0] }').tolist() == [
        [2.0, 0.0],
        [5.0, 3.0],
        [8.0, 6.0],
        [11.0, 9.0],
    ]
    np.save(tmp_path / "labels.npy", np.array([0, 1, 2], dtype=np.uint8))
    assert loaded(tmp_path, 'x = { npy = "labels.npy", shape = [3, 1] }').tolist() == [[0.0], [1.0], [2.0]]


def test_a_fortran_ordered_array_keeps_its_rows(tmp_path: Path) -> None:
    a = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.save(tmp_path / "a.npy", a)
    assert loaded(tmp_path, 'x = { npy = "a.npy" }').tolist() == a.tolist()


def test_an_array_of_python_objects_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    proof = tmp_path / "unpickled"
    np.save(tmp_path / "objects.npy", np.array([Touch(proof)], dtype=object), allow_pickle=True)
    assert error(tmp_path, 'x = { npy = "objects.npy" }') == (
        "4:1: data.x: npy 'objects.npy' holds Python objects (dtype object), which bpdbg never unpickles; "
        "save an array of numbers"
    )
    assert not proof.exists()


def test_a_pickle_is_refused_and_never_run(tmp_path: Path) -> None:
    proof = tmp_path / "unpickled"
    (tmp_path / "data.npy").write_bytes(pickle.dumps(Touch(proof)))
    assert error(tmp_path, 'x = { npy = "data.npy" }') == (
        "4:1: data.x: npy 'data.npy' is a Python pickle, which bpdbg never loads; save it with np.save"
    )
    assert error(tmp_path, 'x = { npz = "data.npy" }') == (
        "4:1: data.x: npz 'data.npy' is a Python pickle, which bpdbg never loads; save it with np.savez"
    )
    assert not proof.exists()


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    return header.getvalue()


def raw_npy_header(body: str) -> bytes:
    """A version 1.0 header around any text, padded as np.save pads it, followed by a few zero bytes."""
    header = body.encode("latin-1")
    header += b" " * ((64 - (10 + len(header) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 64


NPY_CASES = [
    ("complex", np.array([1j]), "holds complex numbers; save the real part"),
    ("text", np.array(["a"]), "holds text, not numbers"),
    ("bytes", np.array([b"a"]), "holds bytes, not numbers"),
    ("dates", np.array(["2026-01-01"], dtype="datetime64[D]"), "holds dates, not numbers"),
    ("records", np.zeros(2, dtype=[("a", "<f8")]), "holds records (a structured dtype), not plain numbers; save "),
    ("three-axes", np.zeros((2, 2, 2)), "arrays may have at most 2 dimensions (this one has 3)"),
    ("non-finite", np.array([1.0, np.nan]), "contains a non-finite number: nan at [1] (counting from 0)"),
    (
        "too-large-for-float64",
        np.array([1e4000], dtype=np.longdouble),
        "contains a non-finite number: inf at [0] (counting from 0)",
    ),
    ("empty", np.zeros((0, 2)), "is empty"),
    ("a-header-claiming-too-many", npy_header((10**11,)) + b"\0" * 64, "has 100000000000 numbers (at most 2000000)"),
    ("truncated", npy_header((4,)) + b"\0" * 16, "cannot be read (EOF: reading array data, expected 32 bytes got 16)"),
    (
        "a-header-nested-too-deeply",
        raw_npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "-" * 9000 + "1,), }"),
        "has a broken .npy header (nested too deeply)",
    ),
    (
        "a-header-that-is-not-a-literal",
        raw_npy_header("{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,), }"),
        "has a broken .npy header (",
    ),
    ("negative-size", raw_npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (-5,), }"), "cannot be read"),
    ("not-npy", b"1,2,3\n", "is not a .npy file (it does not start as np.save writes one)"),
    ("an-npz", None, "is a .npz archive, not a .npy file: use npz = … with key = …"),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in NPY_CASES], ids=[c[0] for c in NPY_CASES])
def test_what_cannot_be_an_array_of_numbers_is_one_line(
    tmp_path: Path, content: np.ndarray | bytes | None, expected: str
) -> None:
    if content is None:
        np.savez(tmp_path / "a.npz", X=np.ones(2))
        (tmp_path / "a.npz").rename(tmp_path / "a.npy")
    elif isinstance(content, bytes):
        (tmp_path / "a.npy").write_bytes(content)
    else:
        np.save(tmp_path / "a.npy", content)
    message = error(tmp_path, 'x = { npy = "a.npy" }')
    assert message.startswith("4:1: data.x: npy 'a.npy'")
    assert expected in message


# -- .npz ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_an_npz_array_is_chosen_by_its_key(tmp_path: Path, save) -> None:
    save(tmp_path / "d.npz", X=np.arange(6.0).reshape(3, 2), y=np.array([[0], [1], [1]], dtype=np.uint8))
    assert loaded(tmp_path, 'x = { npz = "d.npz", key = "X" }').tolist() == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    assert loaded(tmp_path, 'x = { npz = "d.npz", key = "y" }').tolist() == [[0.0], [1.0], [1.0]]
    assert loaded(tmp_path, 'x = { npz = "d.npz", key = "X", columns = [1], shape = [1, 3] }').tolist() == [
        [1.0, 3.0, 5.0]
    ]


def test_an_archive_of_one_array_needs_no_key(tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", points=np.ones((2, 2)))
    assert loaded(tmp_path, 'x = { npz = "d.npz" }').tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_an_object_array_in_an_archive_is_refused_and_never_unpickled(tmp_path: Path) -> None:
    proof = tmp_path / "unpickled"
    np.savez(tmp_path / "d.npz", X=np.array([Touch(proof)], dtype=object), allow_pickle=True)
    assert error(tmp_path, 'x = { npz = "d.npz", key = "X" }') == (
        "4:1: data.x: npz 'd.npz' key 'X' holds Python objects (dtype object), which bpdbg never unpickles; "
        "save an array of numbers"
    )
    assert not proof.exists()


def broken_zip(folder: Path) -> None:
    np.savez(folder / "d.npz", X=np.ones(3))
    raw = bytearray((folder / "d.npz").read_bytes())
    raw[-30:] = b"\0" * 30  # the central directory's end
    (folder / "d.npz").write_bytes(bytes(raw))


def encrypted_member(folder: Path) -> None:
    np.savez(folder / "d.npz", X=np.ones(3))
    with zipfile.ZipFile(folder / "d.npz") as archive:
        info = archive.getinfo("X.npy")
    raw = bytearray((folder / "d.npz").read_bytes())
    for offset in (0, raw.rindex(b"PK\x01\x02")):  # the flag bits of the local and the central header
        flags = offset + (6 if offset == 0 else 8)
        raw[flags] |= 1
    assert info.filename == "X.npy"
    (folder / "d.npz").write_bytes(bytes(raw))


NPZ_CASES = [
    (
        "two-arrays-no-key",
        'x = { npz = "d.npz" }',
        "npz 'd.npz' holds 2 arrays: choose one with key = … (it holds: X, y)",
    ),
    ("no-such-key", 'x = { npz = "d.npz", key = "Z" }', "npz 'd.npz' has no array 'Z' (it holds: X, y)"),
    ("close-key", 'x = { npz = "d.npz", key = "XX" }', "npz 'd.npz' has no array 'XX'; did you mean 'X'?"),
    (
        "key-not-a-string",
        'x = { npz = "d.npz", key = 1 }',
        'key must name an array of the archive, in quotes, e.g. key = "X"',
    ),
    (
        "take-instead-of-key",
        'x = { npz = "d.npz", take = "X" }',
        "unknown key 'take' (known: columns, key, npz, shape)",
    ),
    ("an-npy", 'x = { npz = "a.npy" }', "npz 'a.npy' is a .npy file, not a .npz archive: use npy = …"),
    ("not-a-zip", 'x = { npz = "words.txt" }', "npz 'words.txt' is not a .npz archive (np.savez writes a zip file)"),
    ("missing", 'x = { npz = "gone.npz" }', "npz 'gone.npz': no such file"),
    (
        "outside",
        'x = { npz = "../d.npz" }',
        "npz '../d.npz': must be a file in the scenario's folder or below (no absolute",
    ),
    ("absolute", 'x = { npy = "/etc/passwd" }', "npy '/etc/passwd': must be a file in the scenario's folder or below"),
    ("columns-of-a-vector", 'x = { npz = "d.npz", key = "y", columns = [0] }', "columns needs a table of rows and"),
    (
        "column-out-of-range",
        'x = { npz = "d.npz", key = "X", columns = [2] }',
        "columns must list column numbers from 0",
    ),
]


@pytest.mark.parametrize(("entry", "expected"), [c[1:] for c in NPZ_CASES], ids=[c[0] for c in NPZ_CASES])
def test_archive_problems_are_one_line_at_the_data_entry(tmp_path: Path, entry: str, expected: str) -> None:
    np.savez(tmp_path / "d.npz", X=np.ones((3, 2)), y=np.arange(3.0))
    np.save(tmp_path / "a.npy", np.ones(2))
    (tmp_path / "words.txt").write_text("not a zip\n", encoding="utf-8")
    message = error(tmp_path, entry)
    assert message.startswith(f"4:1: data.x: {expected}"), message


@pytest.mark.parametrize("damage", [broken_zip, encrypted_member])
def test_a_damaged_archive_is_one_line(tmp_path: Path, damage) -> None:
    damage(tmp_path)
    message = error(tmp_path, 'x = { npz = "d.npz", key = "X" }')
    assert message.startswith("4:1: data.x: npz 'd.npz' ")


# -- either kind -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["npy", "npz"])
def test_a_numpy_file_reached_through_a_link_out_of_the_folder_is_refused(tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    np.save(outside / "a.npy", np.ones(2))
    np.savez(outside / "a.npz", X=np.ones(2))
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "root").symlink_to(outside)
    assert error(folder, f'x = {{ {kind} = "root/a.{kind}" }}') == (
        f"4:1: data.x: {kind} 'root/a.{kind}': must be a file in the scenario's folder or below "
        "(a symbolic link on the way leads outside it)"
    )


def test_a_numpy_file_over_the_data_file_limit_is_refused_with_the_limit_named(tmp_path: Path, monkeypatch) -> None:
    np.save(tmp_path / "a.npy", np.ones(200))
    monkeypatch.setattr(limits, "MAX_DATA_FILE_BYTES", 1000)
    assert error(tmp_path, 'x = { npy = "a.npy" }') == (
        "4:1: data.x: npy 'a.npy': file is larger than 1000 bytes (the limit for a .npy file)"
    )


def test_every_numpy_read_in_the_engine_refuses_pickles() -> None:
    """np.load and read_array unpickle object arrays unless told not to; each call must say allow_pickle=False."""
    engine = Path(__file__).resolve().parent.parent / "engine"
    calls = [
        (path.name, line.strip())
        for path in sorted(engine.glob("*.py"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if ("np.load(" in line or "read_array(" in line or "numpy.load(" in line) and not line.strip().startswith("#")
    ]
    assert calls, "the engine reads .npy files somewhere"
    for name, line in calls:
        assert "allow_pickle=False" in line, f"{name}: {line}"
