"""The numbers of a scenario: files read safely, [data] arrays, CSV files, make_moons and parameter draws.

Everything here turns a TOML value into a float64 array or one ScenarioError at the
given place. Files are read with bounds (no device, no huge file, no escape from the
scenario's folder), and every array, wherever it came from, passes the same check.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets
from .limits import MAX_ELEMENTS, MAX_FILE_BYTES
from .messages import did_you_mean, printable, shown, type_name
from .scenario import Place, ScenarioError

DRAWS = ("rand", "randn", "zeros")


def read_text(path: Path, kind: str = "scenario file") -> str:
    """The file's text, or a ScenarioError that says why it cannot be read.

    Only regular files, read at most MAX_FILE_BYTES + 1 bytes: a device, a pipe or a
    huge file can neither hang the loader nor fill memory.
    """
    place = Place(printable(str(path)), 1, 1, "file")
    empty = (
        "file is empty (a scenario needs at least title, params, loss and training)"
        if kind == "scenario file"
        else "file is empty"
    )
    try:
        if not path.exists():
            raise ScenarioError(place, "no such file")
        if path.is_dir():
            raise ScenarioError(place, f"is a directory, not a {kind}")
        if not path.is_file():
            raise ScenarioError(place, f"is not a regular file (a device, pipe or socket), not a {kind}")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ScenarioError(place, f"cannot read the file ({error.strerror or error})") from None
    except ValueError:  # e.g. a NUL byte in the name
        raise ScenarioError(place, "is not a usable file name") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(place, f"file is larger than {MAX_FILE_BYTES} bytes (the limit for a {kind})")
    if b"\x00" in raw:
        raise ScenarioError(place, f"is a binary file, not {'TOML' if kind == 'scenario file' else 'CSV'} text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(place, f"is not UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip():
        raise ScenarioError(place, empty)
    return text


def checked(array: np.ndarray, place: Place, source: str = "") -> np.ndarray:
    """The one check of every array a scenario provides: at most 2-D, not empty, not too large, finite.

    `source` names where the numbers came from ("csv 'points.csv' "), for the message.
    """
    if array.ndim > 2:
        raise ScenarioError(place, f"{source}arrays may have at most 2 dimensions (this one has {array.ndim})")
    if array.size > MAX_ELEMENTS:
        raise ScenarioError(place, f"{source}has {array.size} numbers (at most {MAX_ELEMENTS})")
    if array.size == 0:
        raise ScenarioError(place, f"{source}is empty")
    if not np.all(np.isfinite(array)):
        raise ScenarioError(place, f"{source}contains a non-finite number (nan or inf)")
    return array


def literal(value: Any, place: Place) -> np.ndarray:
    """A number or (nested) array written in the file."""
    if isinstance(value, bool) or isinstance(value, str):
        raise ScenarioError(place, f"must be a number or an array of numbers, not {type_name(value)}")
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        raise ScenarioError(place, "a number is too large (at most about 1.8e308)") from None
    except (ValueError, TypeError):
        raise ScenarioError(
            place, "must be a number or a rectangular array of numbers (rows of equal length, numbers only)"
        ) from None


def shape_of(value: Any, place: Place) -> tuple[int, ...]:
    """A shape written as [rows, cols] or a single size; -1 lets one size follow from the data."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    ):
        raise ScenarioError(place, "a shape is a list of one or two whole numbers, e.g. [2, 4]")
    if any(n < 1 and n != -1 for n in value):
        raise ScenarioError(place, f"shape {value} has a size below 1")
    known = math.prod(n for n in value if n != -1)
    if known > MAX_ELEMENTS:
        raise ScenarioError(place, f"shape {value} holds {known} numbers (at most {MAX_ELEMENTS})")
    return tuple(value)


def data_source(spec: dict[str, Any], folder: Path, place: Place) -> tuple[np.ndarray, str]:
    """A data table's array (a CSV file or make_moons, reshaped if asked), and its source for messages."""
    sources = [key for key in ("csv", "make_moons") if key in spec]
    if len(sources) != 1:
        raise ScenarioError(
            place,
            'a data table needs exactly one source: csv = "file.csv" or '
            "make_moons = { n_samples = …, noise = …, random_state = … }",
        )
    allowed = {"csv": {"csv", "columns", "skip_rows", "shape"}, "make_moons": {"make_moons", "take", "shape"}}[
        sources[0]
    ]
    for key in spec:
        if key not in allowed:
            raise ScenarioError(place, f"unknown key {key!r}{did_you_mean(key, allowed)}")
    if sources[0] == "csv":
        array, source = csv(spec, folder, place), f"csv {spec['csv']!r} "
    else:
        array, source = moons(spec, place), "make_moons "
    if "shape" in spec:
        shape = shape_of(spec["shape"], place)
        try:
            array = array.reshape(shape)
        except ValueError:
            raise ScenarioError(place, f"cannot reshape {array.shape} into {list(shape)}") from None
    return array, source


def csv(spec: dict[str, Any], folder: Path, place: Place) -> np.ndarray:
    """The numbers of a CSV file in the scenario's folder or below, with the columns asked for."""
    file = spec["csv"]
    if not isinstance(file, str) or not file:
        raise ScenarioError(place, "csv must name a file, relative to the scenario file")
    if len(file) > 255:
        raise ScenarioError(place, f"csv {shown(file)}: the file name is too long (at most 255 characters)")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise ScenarioError(
            place, f"csv {file!r}: must be a file in the scenario's folder or below (no absolute paths, no '..')"
        )
    csv_path = _inside(folder, file, place)
    skip = spec.get("skip_rows", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise ScenarioError(place, "skip_rows must be a whole number ≥ 0")
    try:
        text = read_text(csv_path, "CSV file")
    except ScenarioError as error:
        raise ScenarioError(place, f"csv {file!r}: {error.message}") from None
    rows = []
    for number, line in enumerate(text.splitlines()[skip:], start=skip + 1):
        if not line.strip():
            continue
        try:
            rows.append([float(cell) for cell in line.split(",")])
        except ValueError:  # also NUL bytes and words; float() accepts "nan" and "inf", checked later
            raise ScenarioError(
                place, f"csv {file!r} line {number}: not all cells are numbers (use skip_rows = 1 to skip a header)"
            ) from None
    if not rows or len({len(row) for row in rows}) != 1:
        raise ScenarioError(place, f"csv {file!r}: rows must all have the same number of cells")
    array = np.array(rows, dtype=np.float64)
    if "columns" in spec:
        columns = spec["columns"]
        if (
            not isinstance(columns, list)
            or not columns
            or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < array.shape[1] for c in columns)
        ):
            raise ScenarioError(place, f"columns must list column numbers from 0 to {array.shape[1] - 1}")
        array = array[:, columns]
    return array


def _inside(folder: Path, file: str, place: Place) -> Path:
    """The real path of `file` in `folder`, refused if a symbolic link on the way leads out of the folder."""
    try:
        real = (folder / file).resolve()
        inside = real.is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte: read_text says what is wrong
        return folder / file
    if not inside:
        raise ScenarioError(
            place,
            f"csv {file!r}: must be a file in the scenario's folder or below "
            "(a symbolic link on the way leads outside it)",
        )
    return real


def moons(spec: dict[str, Any], place: Place) -> np.ndarray:
    """scikit-learn's make_moons, reproduced with NumPy alone: the points ("X") or the labels ("y")."""
    args = spec["make_moons"]
    if (
        not isinstance(args, dict)
        or set(args) - {"n_samples", "noise", "random_state"}
        or "n_samples" not in args
        or "random_state" not in args
    ):
        raise ScenarioError(place, "make_moons takes { n_samples = …, noise = …, random_state = … }")
    take = spec.get("take")
    if take not in ("X", "y"):
        raise ScenarioError(place, 'make_moons needs take = "X" (the points) or take = "y" (the labels)')
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a huge noise gives inf, which `checked` refuses
            X, y = datasets.make_moons(args["n_samples"], args.get("noise"), args["random_state"])
    except OverflowError:
        raise ScenarioError(place, "make_moons: a number is too large (at most about 1.8e308)") from None
    except (ValueError, TypeError) as error:
        message = str(error) if len(str(error)) <= 200 else f"{str(error)[:180]}…"
        raise ScenarioError(place, f"make_moons: {message}") from None
    return X if take == "X" else y


def draw(spec: dict[str, Any], state: np.random.RandomState | None, place: Place) -> np.ndarray:
    """An initial parameter drawn as the notes draw it: { rand = … }, { randn = …, scale = … } or { zeros = … }."""
    kinds = [key for key in DRAWS if key in spec]
    if len(kinds) != 1 or set(spec) - {*DRAWS, "scale"}:
        raise ScenarioError(
            place,
            "an initial value is a number, an array, or one of "
            "{ rand = [rows, cols] }, { randn = [rows, cols], scale = 0.01 }, "
            "{ zeros = [rows, cols] }",
        )
    kind = kinds[0]
    shape = shape_of(spec[kind], place)
    if -1 in shape:
        raise ScenarioError(place, "a parameter's shape must be given in full (no -1)")
    scale = spec.get("scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(as_float(scale)):
        raise ScenarioError(place, "scale must be a finite number (at most about 1.8e308)")
    if kind == "zeros":
        return np.zeros(shape, dtype=np.float64)
    if state is None:
        raise ScenarioError(place, f"{kind} draws need a seed: add seed = 42 at the top of the file")
    values = state.rand(*shape) if kind == "rand" else state.randn(*shape)
    if "scale" not in spec:
        return values
    with np.errstate(over="ignore"):  # a huge scale gives inf, which `checked` refuses
        return values * scale


def as_float(value: int | float) -> float:
    """A TOML number as a float; an integer too large for one becomes inf (and fails the range check)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf
