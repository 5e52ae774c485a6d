"""Files a scenario reads: its own TOML text, and the CSV, .npy and .npz files beside it.

Every file is read with bounds (a regular file only, at most a given number of bytes,
inside the scenario's folder with symbolic links resolved), so a device, a huge file
or a path out of the folder gives one ScenarioError instead of a hang or a leak.
NumPy files are read without unpickling: their headers are checked before any data
is allocated, and np.load runs with allow_pickle=False.
"""

from __future__ import annotations

import difflib
import io
import warnings
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import limits
from .messages import flat_message, printable, shown
from .scenario import Place, ScenarioError

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
PICKLE_PROTOCOL = b"\x80"  # the first byte of a pickle of protocol 2 or later
#: What an array of each NumPy dtype kind that is not a number holds (numbers are kinds b, i, u and f).
REFUSED_KINDS = {
    "O": "Python objects (dtype object), which bpdbg never unpickles; save an array of numbers",
    "c": "complex numbers; save the real part",
    "U": "text, not numbers",
    "S": "bytes, not numbers",
    "V": "records (a structured dtype), not plain numbers; save each field as its own array",
    "M": "dates, not numbers",
    "m": "time spans, not numbers",
}


def read_bytes(path: Path, kind: str, limit: int) -> bytes:
    """The file's bytes, or a ScenarioError that says why it cannot be read.

    Only regular files, read at most `limit` + 1 bytes: a device, a pipe or a huge
    file can neither hang the loader nor fill memory.
    """
    place = Place(printable(str(path)), 1, 1, "file")
    try:
        if not path.exists():
            raise ScenarioError(place, "no such file")
        if path.is_dir():
            raise ScenarioError(place, f"is a directory, not a {kind}")
        if not path.is_file():
            raise ScenarioError(place, f"is not a regular file (a device, pipe or socket), not a {kind}")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise ScenarioError(place, f"cannot read the file ({error.strerror or error})") from None
    except ValueError:  # e.g. a NUL byte in the name
        raise ScenarioError(place, "is not a usable file name") from None
    if len(raw) > limit:
        raise ScenarioError(place, f"file is larger than {limit} bytes (the limit for a {kind})")
    return raw


def read_text(path: Path, kind: str = "scenario file") -> str:
    """The file's UTF-8 text: a scenario file (at most MAX_FILE_BYTES) or a CSV file (MAX_DATA_FILE_BYTES)."""
    limit = limits.MAX_FILE_BYTES if kind == "scenario file" else limits.MAX_DATA_FILE_BYTES
    raw = read_bytes(path, kind, limit)
    place = Place(printable(str(path)), 1, 1, "file")
    if b"\x00" in raw:
        raise ScenarioError(place, f"is a binary file, not {'TOML' if kind == 'scenario file' else 'CSV'} text")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # a byte order mark, as Windows editors and Excel save
    except UnicodeDecodeError as error:
        raise ScenarioError(place, f"is not UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip():
        empty = " (a scenario needs at least title, params, loss and training)" if kind == "scenario file" else ""
        raise ScenarioError(place, f"file is empty{empty}")
    return text


def file_in_folder(spec: dict[str, Any], kind: str, folder: Path, place: Place) -> Path:
    """The real path of the file named by spec[kind], which must be in the scenario's folder or below."""
    file = spec[kind]
    if not isinstance(file, str) or not file:
        raise ScenarioError(place, f"{kind} must name a file, relative to the scenario file")
    if len(file) > 255:
        raise ScenarioError(place, f"{kind} {shown(file)}: the file name is too long (at most 255 characters)")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise ScenarioError(
            place, f"{kind} {file!r}: must be a file in the scenario's folder or below (no absolute paths, no '..')"
        )
    try:
        real = (folder / file).resolve()
        inside = real.is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte: reading the file says what is wrong
        return folder / file
    if not inside:
        raise ScenarioError(
            place,
            f"{kind} {file!r}: must be a file in the scenario's folder or below "
            "(a symbolic link on the way leads outside it)",
        )
    return real


CSV_BLOCK = 10_000  # lines read together when np.loadtxt refuses the whole file


def _cells(lines: list[str], first: int, header: int, file: str, place: Place) -> list[list[float]]:
    """The slow, exact reading of CSV lines: the line and column of the first cell that is not a number.

    `first` is the number of the first of `lines`, `header` that of the first line with text after
    skip_rows: only there can words be a header, so only there does the message suggest skipping it."""
    rows = []
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        cells = line.split(",")
        bad = next((column for column, cell in enumerate(cells) if not _number(cell)), None)
        if bad is not None:  # also NUL bytes and words; float() accepts "nan" and "inf", checked later
            raise ScenarioError(
                place, f"csv {file!r} line {number}{_why_not_a_number(line, cells, bad, number == header)}"
            )
        rows.append([float(cell) for cell in cells])
    return rows


def _why_not_a_number(line: str, cells: list[str], column: int, first: bool) -> str:
    """A line of other separators (Excel's ';' where the decimal mark is a comma, a tab) is
    named as such: "';' is not a number" would send the lecturer looking for a typo."""
    for separator, name in ((";", "';'"), ("\t", "tabs")):
        if separator in line and all(_number(cell) for cell in line.replace(",", ".").split(separator)):
            return f": cells must be separated by commas, and this line has {name} between them"
    cell = cells[column].strip()
    what = "the cell is empty" if not cell else f"{shown(cell)} is not a number"
    return f", column {column}: {what}{' (a header? skip it with skip_rows = 1)' if first else ''}"


def _ragged(lines: list[str], first: int, file: str, place: Place) -> ScenarioError:
    """The first line whose number of cells differs from the first line's, both named."""
    counted = [(number, line.count(",") + 1) for number, line in enumerate(lines, start=first) if line.strip()]
    other = next((c for c in counted if c[1] != counted[0][1]), None)
    if other is None:  # not by their commas: say so without a place
        return ScenarioError(place, f"csv {file!r}: rows must all have the same number of cells")
    (top, cells), (number, count) = counted[0], other
    return ScenarioError(
        place, f"csv {file!r} line {number} has {count} cell{'s' * (count != 1)}, where line {top} has {cells}"
    )


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _loadtxt(lines: list[str]) -> np.ndarray:
    with warnings.catch_warnings():  # a block of blank lines: "input contained no data"
        warnings.simplefilter("ignore")
        return np.loadtxt(lines, delimiter=",", comments=None, dtype=np.float64, ndmin=2, encoding=None)


def _blocks(lines: list[str], first: int, file: str, place: Place) -> np.ndarray:
    """The lines read block by block: np.loadtxt where it can, cell by cell only in a block it refuses."""
    header = first + next(i for i, line in enumerate(lines) if line.strip())  # csv() refuses a file of blank lines
    arrays = []
    for start in range(0, len(lines), CSV_BLOCK):
        block = lines[start : start + CSV_BLOCK]
        try:
            arrays.append(_loadtxt(block))
        except ValueError:
            rows = _cells(block, first + start, header, file, place)
            if len({len(row) for row in rows}) > 1:
                raise _ragged(lines, first, file, place) from None
            if rows:
                arrays.append(np.array(rows, dtype=np.float64))
    arrays = [a for a in arrays if a.size]
    if len({a.shape[1] for a in arrays}) != 1:
        raise _ragged(lines, first, file, place)
    return np.vstack(arrays)


def csv(spec: dict[str, Any], folder: Path, place: Place) -> np.ndarray:
    """The numbers of a CSV file in the scenario's folder or below, with the columns asked for.

    np.loadtxt reads a well-formed file in C (a 64 MB file in seconds). If it refuses
    anything, the file is read again in blocks, and only a block it refuses is read cell
    by cell, which either accepts what Python's float() accepts (blank lines with spaces,
    `1_000`) or names the line of the first bad cell.
    """
    path = file_in_folder(spec, "csv", folder, place)
    file = spec["csv"]
    skip = spec.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise ScenarioError(place, "skip_rows must be a whole number ≥ 0")
    try:
        text = read_text(path, "CSV file")
    except ScenarioError as error:
        raise ScenarioError(place, f"csv {file!r}: {error.message}") from None
    lines = text.splitlines()[skip:]
    del text
    if not any(line.strip() for line in lines):
        raise ScenarioError(place, f"csv {file!r}: has no rows after skip_rows = {skip}")
    try:
        array = _loadtxt(lines)
    except ValueError:
        array = _blocks(lines, skip + 1, file, place)
    taken = columns_of(array, spec, place)
    _finite_cells(taken, lines, skip, spec, place)
    return taken


def _finite_cells(taken: np.ndarray, lines: list[str], skip: int, spec: dict[str, Any], place: Place) -> None:
    """A nan or inf in a column taken, named by its line and column: in a long file, "somewhere"
    is no help. (Both readers skip blank lines, so the r-th row is the r-th line with text.)"""
    finite = np.isfinite(taken)
    if finite.all():
        return
    row, column = (int(i) for i in np.argwhere(~finite)[0])
    column = spec["columns"][column] if "columns" in spec else column
    index = [i for i, line in enumerate(lines) if line.strip()][row]
    cell = lines[index].split(",")[column].strip()
    raise ScenarioError(
        place, f"csv {spec['csv']!r} line {skip + index + 1}, column {column}: {cell!r} is not a finite number"
    )


def columns_of(array: np.ndarray, spec: dict[str, Any], place: Place) -> np.ndarray:
    """The columns listed in spec["columns"], in that order, or the whole array."""
    if "columns" not in spec:
        return array
    columns = spec["columns"]
    if array.ndim != 2:
        raise ScenarioError(place, f"columns needs a table of rows and columns; this array has shape {array.shape}")
    if (
        not isinstance(columns, list)
        or not columns
        or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < array.shape[1] for c in columns)
    ):
        raise ScenarioError(place, f"columns must list column numbers from 0 to {array.shape[1] - 1}")
    return array[:, columns]


def _npy_array(stream: IO[bytes], source: str, place: Place) -> np.ndarray:
    """One .npy array as float64, its header checked before NumPy allocates anything."""
    start = stream.read(len(NPY_MAGIC))
    if start != NPY_MAGIC:
        if start.startswith(ZIP_MAGIC[0][:2]):
            raise ScenarioError(place, f"{source}is a .npz archive, not a .npy file: use npz = … with key = …")
        if start.startswith(PICKLE_PROTOCOL):
            raise ScenarioError(place, f"{source}is a Python pickle, which bpdbg never loads; save it with np.save")
        raise ScenarioError(place, f"{source}is not a .npy file (it does not start as np.save writes one)")
    try:
        version = stream.read(2)
        if version == b"\x01\x00":
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version in (b"\x02\x00", b"\x03\x00"):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"version {tuple(version)} of the .npy format is not known")
    except (RecursionError, MemoryError):  # NumPy parses the header with ast.literal_eval, which deep nesting exhausts
        raise ScenarioError(place, f"{source}has a broken .npy header (nested too deeply)") from None
    except (ValueError, SyntaxError, TypeError, OverflowError) as error:
        raise ScenarioError(place, f"{source}has a broken .npy header ({_short(error)})") from None
    if dtype.hasobject or dtype.kind in REFUSED_KINDS:
        raise ScenarioError(place, f"{source}holds {REFUSED_KINDS['O' if dtype.hasobject else dtype.kind]}")
    if len(shape) > 2:
        raise ScenarioError(place, f"{source}arrays may have at most 2 dimensions (this one has {len(shape)})")
    size = int(np.prod(shape, dtype=object))
    if size > limits.MAX_ELEMENTS:
        raise ScenarioError(place, f"{source}has {size} numbers (at most {limits.MAX_ELEMENTS})")
    stream.seek(0)
    try:
        array = np.lib.format.read_array(stream, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ScenarioError(place, f"{source}cannot be read ({_short(error)})") from None
    with np.errstate(over="ignore"):  # a float128 beyond float64 becomes inf, which `checked` refuses
        return np.asarray(array, dtype=np.float64)


def _file_bytes(spec: dict[str, Any], kind: str, folder: Path, place: Place) -> tuple[bytes, str]:
    """The bytes of a .npy or .npz file in the scenario's folder or below, and how messages name it."""
    path = file_in_folder(spec, kind, folder, place)
    source = f"{kind} {spec[kind]!r} "
    try:
        return read_bytes(path, f".{kind} file", limits.MAX_DATA_FILE_BYTES), source
    except ScenarioError as error:
        raise ScenarioError(place, f"{source.rstrip()}: {error.message}") from None


def npy(spec: dict[str, Any], folder: Path, place: Place) -> np.ndarray:
    """The array of a .npy file in the scenario's folder or below (never unpickled), with the columns asked for."""
    raw, source = _file_bytes(spec, "npy", folder, place)
    return columns_of(_npy_array(io.BytesIO(raw), source, place), spec, place)


def npz(spec: dict[str, Any], folder: Path, place: Place) -> np.ndarray:
    """One array of a .npz archive in the scenario's folder or below, chosen by `key` (never unpickled)."""
    raw, source = _file_bytes(spec, "npz", folder, place)
    if raw.startswith(NPY_MAGIC):
        raise ScenarioError(place, f"{source}is a .npy file, not a .npz archive: use npy = …")
    if raw.startswith(PICKLE_PROTOCOL):
        raise ScenarioError(place, f"{source}is a Python pickle, which bpdbg never loads; save it with np.savez")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = {name.removesuffix(".npy"): name for name in archive.namelist()}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ScenarioError(place, f"{source}is not a .npz archive (np.savez writes a zip file)") from None
    keys = sorted(members)
    listed = ", ".join(printable(k) for k in keys[:20]) + (", …" if len(keys) > 20 else "")
    key = spec.get("key")
    if key is None:
        if len(keys) != 1:
            raise ScenarioError(
                place, f"{source}holds {len(keys)} arrays: choose one with key = … (it holds: {listed})"
            )
        key = keys[0]
    if not isinstance(key, str):
        raise ScenarioError(place, 'key must name an array of the archive, in quotes, e.g. key = "X"')
    if key not in members:
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f"; did you mean {printable(repr(close[0]))}?" if close else f" (it holds: {listed or 'nothing'})"
        raise ScenarioError(place, f"{source}has no array {shown(key)}{hint}")
    source = f"npz {spec['npz']!r} key {key!r} "
    try:
        with archive.open(members[key]) as member:
            array = _npy_array(member, source, place)
    except ScenarioError:
        raise
    except Exception as error:  # a broken or encrypted member, an unknown compression: any of zipfile's faults
        raise ScenarioError(place, f"{source}cannot be read ({_short(error)})") from None
    return columns_of(array, spec, place)


def _short(error: BaseException) -> str:
    """An exception's message on one line, at most 120 characters."""
    text = flat_message(error)
    return printable(text if len(text) <= 120 else f"{text[:110]}…")
