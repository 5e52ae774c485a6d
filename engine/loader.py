"""Scenario file → validated `Scenario`, or one clear `ScenarioError` naming the place.

TOML is parsed by the standard library; this module checks every key, type and
range, parses every expression and log format, builds the data and draws the initial
parameters. It does not know shapes yet: the compiler checks those, with the places
kept here. Every problem is one `ScenarioError`, never a traceback: sizes that would
exhaust memory are refused up front, with the limit named.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets, limits
from .expr import FUNCTIONS, ExprError, names_in, parse_condition, parse_expression, parse_metric
from .limits import MAX_ELEMENTS, MAX_EPOCHS, MAX_FILE_BYTES, MAX_FORMAT_LENGTH, MAX_HISTORY_BYTES, MAX_LENGTH
from .scenario import Expression, LogBlock, LogField, Param, Place, Scenario, ScenarioError, StopRule

SECTIONS = {
    "title": str,
    "source": str,
    "description": str,
    "seed": int,
    "data": dict,
    "params": dict,
    "model": dict,
    "loss": dict,
    "metrics": dict,
    "training": dict,
    "log": list,
    "expected": dict,
}
REQUIRED = ("title", "params", "loss", "training")
TRAINING_KEYS = {"learning_rate", "epochs", "optimizer", "stop_when", "stop_check"}
LOG_KEYS = {"format", "when", "from", "every", "at"}
EXPECTED_KEYS = {"text"}
RESERVED = {"loss", "epoch", "grad", "T", "and", "or", "not"} | set(FUNCTIONS)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_EOF = re.compile(r"\(at end of document\)")
_TOML_HINTS = {
    "Invalid value": 'expected a number, a "quoted string", true or false, an [array] or an { inline table }',
    "Cannot overwrite a value": "each key may be set only once in a table",
    "Invalid statement": "expected key = value, or a [table] header",
    "Illegal character '\\n'": 'a "string" ends on its own line; use """ … """ for several lines',
}
_SPEC = re.compile(r"[ +-]?\d{0,2}(?:\.\d{1,2})?[eEfFgG%]?\Z")


@dataclass(frozen=True)
class SourcePlace(Place):
    """The start of a string value that also knows where each later character of it sits.

    An error found at offset k of an expression or log format is reported at the
    right line and column even when the string spans lines or uses escapes.
    """

    positions: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)

    def at_column(self, offset: int) -> Place:
        if not self.positions:
            return super().at_column(offset)
        line, column = self.positions[max(0, min(offset, len(self.positions) - 1))]
        return Place(self.path, line, column, self.where)


class SourceMap:
    """Finds the line and column of a section, key or character of a value in the raw TOML text."""

    def __init__(self, path: str, text: str) -> None:
        self.path = _printable(path)
        self.text = text
        # TOML counts lines by "\n" alone; str.splitlines would also split at \x0c, \u2028 and others.
        self.lines = [line.removesuffix("\r") for line in text.split("\n")]
        self.starts = [0]
        for line in text.split("\n")[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def place(self, where: str, section: str | None = None, key: str | None = None, index: int = 0) -> Place:
        line, column = self._find(section, key, index)
        return Place(self.path, line, column, _printable(where))

    def _find(self, section: str | None, key: str | None, index: int) -> tuple[int, int]:
        current: str | None = None
        seen = -1
        found_section = 1
        # A quoted key may be written with escapes ("a\nb"): look for it as decoded and as escaped.
        written = "|".join(re.escape(k) for k in {key, repr(key)[1:-1]}) if key else ""
        key_pattern = re.compile(rf"""\s*["']?(?:{written})["']?\s*=""") if key else None
        in_string = False
        for number, raw in enumerate(self.lines, start=1):
            was_in_string = in_string
            in_string ^= (raw.count('"""') + raw.count("'''")) % 2 == 1
            if was_in_string:
                continue  # a line of a multi-line string, not a header or key
            header = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", raw)
            if header:
                current = header.group(1).strip().strip('"')
                if current == section:
                    seen += 1
                    if seen == index:
                        found_section = number
                        if key is None:
                            return number, 1
                continue
            here = current is None if section is None else (current == section and seen == index)
            if here and key_pattern is not None and key_pattern.match(raw):
                return number, len(raw) - len(raw.lstrip()) + 1
        return found_section, 1

    def value_place(self, place: Place, value: str) -> Place:
        """A place at the first character inside the quotes of the string `value` on `place`'s line.

        If the value is not found there as written (say, in an inline table), the key's place.
        """
        positions = self._string_positions(place.line)
        if len(positions) != len(value) + 1:
            return place
        line, column = positions[0]
        return SourcePlace(place.path, line, column, place.where, tuple(positions))

    def _position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def _string_positions(self, line: int) -> list[tuple[int, int]]:
        """(line, column) of each character of the string value on `line`, as TOML decodes it, and of its end."""
        if not 0 < line <= len(self.lines):
            return []
        text = self.text
        equals = self.lines[line - 1].find("=")
        if equals < 0:
            return []
        i = self.starts[line - 1] + equals + 1
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text) or text[i] not in "\"'":
            return []
        quote = text[i]
        basic = quote == '"'
        multi = text.startswith(quote * 3, i)
        close = quote * 3 if multi else quote
        i += len(close)
        if multi and text.startswith("\n", i):
            i += 1  # TOML drops a newline right after the opening quotes
        elif multi and text.startswith("\r\n", i):
            i += 2
        positions = []
        while i < len(text) and not text.startswith(close, i):
            if basic and text[i] == "\\":
                # A line-ending backslash swallows the line break and the next line's indent.
                end = text.find("\n", i) if multi else -1
                if multi and not text[i + 1 : end if end >= 0 else len(text)].strip():
                    i += 1
                    while i < len(text) and text[i] in " \t\r\n":
                        i += 1
                    continue
                positions.append(self._position(i))
                i += {"u": 6, "U": 10}.get(text[i + 1 : i + 2], 2)
                continue
            positions.append(self._position(i))
            i += 1
        positions.append(self._position(i))
        return positions


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _did_you_mean(key: str, options: set[str] | dict[str, Any]) -> str:
    close = difflib.get_close_matches(key, sorted(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(options))})"


def read_text(path: Path, kind: str = "scenario file") -> str:
    """The file's text, or a ScenarioError that says why it cannot be read.

    Only regular files, read at most MAX_FILE_BYTES + 1 bytes: a device, a pipe or a
    huge file can neither hang the loader nor fill memory.
    """
    place = Place(_printable(str(path)), 1, 1, "file")
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


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file; any problem is one ScenarioError."""
    path = Path(path)
    text = read_text(path)
    try:
        return _Loader(path, text).load()
    except RecursionError:
        raise ScenarioError(
            Place(_printable(str(path)), 1, 1, "file"),
            "nested too deeply to read (arrays or tables inside one another)",
        ) from None
    except MemoryError:
        raise ScenarioError(Place(_printable(str(path)), 1, 1, "file"), "too large to load into memory") from None


class _Loader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.map = SourceMap(str(path), text)

    def fail(
        self, message: str, where: str, section: str | None = None, key: str | None = None, index: int = 0
    ) -> ScenarioError:
        return ScenarioError(self.map.place(where, section, key, index), message)

    def load(self) -> Scenario:
        try:
            doc = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            line, column = 1, 1
            if match := _TOML_POSITION.search(message):
                line, column = int(match.group(1)), int(match.group(2))
            elif _TOML_EOF.search(message):
                line = max(1, len(self.map.lines))
            detail = _TOML_POSITION.sub("", _TOML_EOF.sub("", message)).strip()
            hint = next((h for start, h in _TOML_HINTS.items() if detail.startswith(start)), "not valid TOML")
            raise ScenarioError(Place(_printable(str(self.path)), line, column, "TOML"), f"{detail} ({hint})") from None
        except RecursionError:
            raise ScenarioError(
                Place(_printable(str(self.path)), 1, 1, "TOML"),
                "arrays or tables nested too deeply (a scenario needs at most 2 levels)",
            ) from None
        self._check_sections(doc)
        names: dict[str, Place] = {}
        data = self._data(doc.get("data", {}), names)
        params = self._params(doc.get("params", {}), doc.get("seed"), names)
        model = self._expressions(doc.get("model", {}), "model", names)
        loss_table = doc["loss"]
        if len(loss_table) != 1:
            raise self.fail(
                f"needs exactly one entry, the loss's name and expression (found {len(loss_table)})", "loss", "loss"
            )
        loss = self._expressions(loss_table, "loss", names)[0]
        metrics = self._expressions(doc.get("metrics", {}), "metrics", names, parse_metric)
        n_params = sum(p.value.size for p in params)
        learning_rate, epochs, stop = self._training(doc["training"], n_params)
        log = self._log(doc.get("log", []), names)
        expected = doc.get("expected")
        expected_text = None
        if expected is not None:
            self._check_keys(expected, EXPECTED_KEYS, "expected", "expected")
            expected_text = self._typed(expected, "text", str, "expected", "expected")
            if expected_text is None:
                raise self.fail("needs 'text', the notes' printed output", "expected", "expected")
            if not doc.get("log"):
                raise self.fail(
                    "an expected table needs [[log]] blocks that say how the notes print it", "expected", "expected"
                )
        return Scenario(
            path=self.path,
            title=doc["title"],
            source=doc.get("source", ""),
            description=doc.get("description", ""),
            data=data,
            params=params,
            model=model,
            loss=loss,
            metrics=metrics,
            learning_rate=learning_rate,
            epochs=epochs,
            stop=stop,
            log=log,
            expected_text=expected_text,
            expected_place=self.map.place("expected", "expected", "text") if expected is not None else None,
            places=names,
        )

    # -- structure -------------------------------------------------------------------------

    def _check_sections(self, doc: dict[str, Any]) -> None:
        for key, value in doc.items():
            if key not in SECTIONS:
                raise (
                    self.fail(f"unknown key {key!r}{_did_you_mean(key, SECTIONS)}", key, key, None)
                    if isinstance(value, dict)
                    else self.fail(f"unknown key {key!r}{_did_you_mean(key, SECTIONS)}", key, None, key)
                )
            wanted = SECTIONS[key]
            if not isinstance(value, wanted) or isinstance(value, bool):
                kind = {str: "a string", int: "an integer", dict: "a table", list: "an array of tables"}[wanted]
                raise self.fail(
                    f"must be {kind}, not {_type_name(value)}",
                    key,
                    key if wanted is dict else None,
                    None if wanted is dict else key,
                )
        for key in REQUIRED:
            if key not in doc:
                what = {
                    "title": "a title",
                    "params": "a [params] table",
                    "loss": "a [loss] table",
                    "training": "a [training] table",
                }[key]
                raise ScenarioError(Place(_printable(str(self.path)), 1, 1, key), f"missing: the scenario needs {what}")
        if not doc["params"]:
            raise self.fail("needs at least one parameter to train", "params", "params")

    def _check_keys(self, table: dict[str, Any], allowed: set[str], where: str, section: str, index: int = 0) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    f"unknown key {key!r}{_did_you_mean(key, allowed)}", f"{where}.{key}", section, key, index
                )

    def _typed(
        self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, section: str, index: int = 0
    ) -> Any:
        if key not in table:
            return None
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            wanted = " or ".join(_type_name(k()) if k is not type(None) else "nothing" for k in kinds)
            raise self.fail(f"must be {wanted}, not {_type_name(value)}", f"{where}.{key}", section, key, index)
        return value

    def _new_name(self, name: str, where: str, section: str, names: dict[str, Place]) -> Place:
        place = self.map.place(where, section, name)
        if not _IDENTIFIER.match(name) or name.startswith("__"):
            raise ScenarioError(
                place, f"{name!r} is not a usable name (letters, digits and _, not starting with a digit or __)"
            )
        if name in RESERVED:
            raise ScenarioError(place, f"{name!r} is a reserved word; choose another name")
        if name in names:
            earlier = names[name]
            raise ScenarioError(place, f"{name!r} is defined twice (first at line {earlier.line})")
        names[name] = place
        return place

    # -- data and parameters ---------------------------------------------------------------

    def _array(self, value: Any, where: str, section: str, key: str) -> np.ndarray:
        place = self.map.place(where, section, key)
        if isinstance(value, bool) or isinstance(value, str):
            raise ScenarioError(place, f"must be a number or an array of numbers, not {_type_name(value)}")
        try:
            array = np.array(value, dtype=np.float64)
        except OverflowError:
            raise ScenarioError(place, "a number is too large (at most about 1.8e308)") from None
        except (ValueError, TypeError):
            raise ScenarioError(
                place, "must be a number or a rectangular array of numbers (rows of equal length, numbers only)"
            ) from None
        if array.ndim > 2:
            raise ScenarioError(place, f"arrays may have at most 2 dimensions (this one has {array.ndim})")
        if array.size > MAX_ELEMENTS:
            raise ScenarioError(place, f"has {array.size} numbers (at most {MAX_ELEMENTS})")
        if array.size == 0:
            raise ScenarioError(place, "is empty")
        if not np.all(np.isfinite(array)):
            raise ScenarioError(place, "contains a non-finite number (nan or inf)")
        return array

    def _shape(self, value: Any, where: str, section: str, key: str) -> tuple[int, ...]:
        place = self.map.place(where, section, key)
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

    def _data(self, table: dict[str, Any], names: dict[str, Place]) -> dict[str, np.ndarray]:
        data: dict[str, np.ndarray] = {}
        total = 0
        for name, value in table.items():
            where = f"data.{name}"
            place = self._new_name(name, where, "data", names)
            if isinstance(value, dict):
                array = self._data_source(name, value, where, place)
            else:
                array = self._array(value, where, "data", name)
            total += array.size
            if total > limits.MAX_TAPE_ELEMENTS:
                raise ScenarioError(
                    place,
                    f"the data hold more than {limits.MAX_TAPE_ELEMENTS} numbers together "
                    f"({limits.MAX_TAPE_ELEMENTS * 8 // 2**20} MiB, the limit for one iteration)",
                )
            data[name] = array
        return data

    def _data_source(self, name: str, spec: dict[str, Any], where: str, place: Place) -> np.ndarray:
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
                raise ScenarioError(place, f"unknown key {key!r}{_did_you_mean(key, allowed)}")
        if sources[0] == "csv":
            array = self._csv(spec, place)
        else:
            array = self._moons(spec, place)
        if "shape" in spec:
            shape = self._shape(spec["shape"], where, "data", name)
            try:
                array = array.reshape(shape)
            except ValueError:
                raise ScenarioError(place, f"cannot reshape {array.shape} into {list(shape)}") from None
        return array

    def _csv(self, spec: dict[str, Any], place: Place) -> np.ndarray:
        file = spec["csv"]
        if not isinstance(file, str) or not file:
            raise ScenarioError(place, "csv must name a file, relative to the scenario file")
        if len(file) > 255:
            raise ScenarioError(place, f"csv {_shown(file)}: the file name is too long (at most 255 characters)")
        folder = self.path.parent
        csv_path = folder / file
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise ScenarioError(
                place, f"csv {file!r}: must be a file in the scenario's folder or below (no absolute paths, no '..')"
            )
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
            except ValueError:  # also NUL bytes and words; float() accepts "nan" and "inf", checked below
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
        if array.size > MAX_ELEMENTS:
            raise ScenarioError(place, f"csv {file!r} has {array.size} numbers (at most {MAX_ELEMENTS})")
        if not np.all(np.isfinite(array)):
            raise ScenarioError(place, f"csv {file!r} contains a non-finite number (nan or inf)")
        return array

    def _moons(self, spec: dict[str, Any], place: Place) -> np.ndarray:
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
            X, y = datasets.make_moons(args["n_samples"], args.get("noise"), args["random_state"])
        except OverflowError:
            raise ScenarioError(place, "make_moons: a number is too large (at most about 1.8e308)") from None
        except (ValueError, TypeError) as error:
            message = str(error) if len(str(error)) <= 200 else f"{str(error)[:180]}…"
            raise ScenarioError(place, f"make_moons: {message}") from None
        return X if take == "X" else y

    def _params(self, table: dict[str, Any], seed: int | None, names: dict[str, Place]) -> tuple[Param, ...]:
        if seed is not None and not 0 <= seed < 2**32:
            raise self.fail("seed must be between 0 and 2**32 − 1", "seed", None, "seed")
        # NumPy's legacy global generator, as the notes seed it: draws come in declaration order.
        state = np.random.RandomState(seed) if seed is not None else None
        params = []
        for name, value in table.items():
            where = f"params.{name}"
            place = self._new_name(name, where, "params", names)
            if isinstance(value, dict):
                value = self._draw(value, state, where, name, place)
            else:
                value = self._array(value, where, "params", name)
            params.append(Param(name, value, place))
        return tuple(params)

    def _draw(
        self, spec: dict[str, Any], state: np.random.RandomState | None, where: str, name: str, place: Place
    ) -> np.ndarray:
        kinds = [key for key in ("rand", "randn", "zeros") if key in spec]
        if len(kinds) != 1 or set(spec) - {"rand", "randn", "zeros", "scale"}:
            raise ScenarioError(
                place,
                "an initial value is a number, an array, or one of "
                "{ rand = [rows, cols] }, { randn = [rows, cols], scale = 0.01 }, "
                "{ zeros = [rows, cols] }",
            )
        kind = kinds[0]
        shape = self._shape(spec[kind], where, "params", name)
        if -1 in shape:
            raise ScenarioError(place, "a parameter's shape must be given in full (no -1)")
        scale = spec.get("scale", 1.0)
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(_float(scale)):
            raise ScenarioError(place, "scale must be a finite number (at most about 1.8e308)")
        if kind == "zeros":
            return np.zeros(shape, dtype=np.float64)
        if state is None:
            raise ScenarioError(place, f"{kind} draws need a seed: add seed = 42 at the top of the file")
        draw = state.rand(*shape) if kind == "rand" else state.randn(*shape)
        return draw * scale if "scale" in spec else draw

    # -- expressions -------------------------------------------------------------------------

    def _expressions(
        self, table: dict[str, Any], section: str, names: dict[str, Place], parse: Any = parse_expression
    ) -> tuple[Expression, ...]:
        result = []
        for name, text in table.items():
            where = f"{section}.{name}"
            place = self._new_name(name, where, section, names)
            if not isinstance(text, str):
                raise ScenarioError(
                    place, f'must be an expression in quotes, e.g. {name} = "w * x + b", not {_type_name(text)}'
                )
            result.append(self._parsed(name, text, place, parse))
        return tuple(result)

    def _parsed(self, name: str, text: str, place: Place, parse: Any) -> Expression:
        inner = self.map.value_place(place, text) if len(text) <= MAX_LENGTH else place
        try:
            tree = parse(text)
        except ExprError as error:
            raise ScenarioError(inner.at_column(error.column), f"{error.message} in {_shown(text)}") from None
        return Expression(name, text, tree, inner)

    # -- training, log ---------------------------------------------------------------------

    def _training(self, table: dict[str, Any], n_params: int) -> tuple[float, int, StopRule | None]:
        self._check_keys(table, TRAINING_KEYS, "training", "training")
        rate = self._typed(table, "learning_rate", (int, float), "training", "training")
        if rate is None:
            raise self.fail("missing learning_rate", "training", "training")
        rate = _float(rate)
        if not (math.isfinite(rate) and 0 < rate <= 1e6):
            raise self.fail(
                f"learning_rate must be above 0 and at most 1e6 (got {rate})",
                "training.learning_rate",
                "training",
                "learning_rate",
            )
        epochs = self._typed(table, "epochs", int, "training", "training")
        if epochs is None:
            raise self.fail("missing epochs", "training", "training")
        if not 1 <= epochs <= MAX_EPOCHS:
            raise self.fail(
                f"epochs must be from 1 to {MAX_EPOCHS} (got {_cut(str(epochs))})",
                "training.epochs",
                "training",
                "epochs",
            )
        history = (epochs + 1) * max(n_params, 1) * 8
        if history > MAX_HISTORY_BYTES:
            raise self.fail(
                f"{epochs} epochs of {n_params} parameters need {history / 2**20:.0f} MiB of "
                f"checkpoints to step back through (at most {MAX_HISTORY_BYTES // 2**20} MiB); "
                "use fewer epochs or parameters",
                "training.epochs",
                "training",
                "epochs",
            )
        optimizer = self._typed(table, "optimizer", str, "training", "training")
        if optimizer not in (None, "sgd"):
            raise self.fail(
                f'unknown optimizer {optimizer!r} (only "sgd" is supported)',
                "training.optimizer",
                "training",
                "optimizer",
            )
        stop = None
        when = self._typed(table, "stop_when", str, "training", "training")
        check = self._typed(table, "stop_check", str, "training", "training") or "before_backward"
        if check not in ("before_backward", "after_update"):
            raise self.fail(
                f'stop_check must be "before_backward" or "after_update" (got {check!r})',
                "training.stop_check",
                "training",
                "stop_check",
            )
        if when is not None:
            place = self.map.place("training.stop_when", "training", "stop_when")
            stop = StopRule(self._parsed("stop_when", when, place, parse_condition), check)
        return float(rate), epochs, stop

    def _log(self, blocks: list[Any], names: dict[str, Place]) -> tuple[LogBlock, ...]:
        result = []
        known = set(names) | {"epoch", "loss"}
        for index, block in enumerate(blocks):
            where = f"log[{index}]"
            if not isinstance(block, dict):
                raise self.fail("each [[log]] entry must be a table", where, None, "log")
            self._check_keys(block, LOG_KEYS, where, "log", index)
            fmt = self._typed(block, "format", str, where, "log", index)
            if fmt is None:
                raise self.fail("needs format, the line(s) the notes print", where, "log", None, index)
            when = self._typed(block, "when", str, where, "log", index) or "epoch"
            if when not in ("epoch", "early_stop"):
                raise self.fail(
                    f'when must be "epoch" or "early_stop" (got {when!r})', f"{where}.when", "log", "when", index
                )
            first = self._typed(block, "from", int, where, "log", index)
            every = self._typed(block, "every", int, where, "log", index)
            at = self._typed(block, "at", list, where, "log", index)
            for key, value in (("from", first), ("every", every)):
                if value is not None and value < 1:
                    raise self.fail(
                        f"{key} must be an epoch number from 1 (got {value})", f"{where}.{key}", "log", key, index
                    )
            if at is not None and not all(isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in at):
                raise self.fail(
                    "at must list epoch numbers from 1, e.g. at = [1, 10]", f"{where}.at", "log", "at", index
                )
            place = self.map.place(f"{where}.format", "log", "format", index)
            if len(fmt) > MAX_FORMAT_LENGTH:
                raise ScenarioError(place, f"format is {len(fmt)} characters long (at most {MAX_FORMAT_LENGTH})")
            place = self.map.value_place(place, fmt)
            parts = self._checked_format(fmt, place, known)
            result.append(LogBlock(fmt, when, first or 1, every or 1, tuple(at or ()), place, parts))
        return tuple(result)

    def _checked_format(self, fmt: str, place: Place, known: set[str]) -> tuple[str | LogField, ...]:
        """The parsed format, once every field parses and names something a log line can print."""
        try:
            fields = parse_log_format(fmt)
        except ExprError as error:
            raise ScenarioError(place.at_column(error.column), error.message) from None
        for item in fields:
            if isinstance(item, str):
                continue
            for name in names_in(item.tree):
                if name.id not in known:
                    raise ScenarioError(
                        place.at_column(item.start + name.start),
                        f"{{{item.text}}}: unknown name {name.id!r} in the log format{_did_you_mean(name.id, known)}",
                    )
        return tuple(fields)


# -- log formats ---------------------------------------------------------------------------------


def parse_log_format(fmt: str) -> list[str | LogField]:
    """A `[[log]]` format as literal text and fields, like str.format but with expressions as fields.

    Raises ExprError with the offset into `fmt` of the problem.
    """
    parts: list[str | LogField] = []
    literal: list[str] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char in "{}" and fmt.startswith(char * 2, i):
            literal.append(char)
            i += 2
            continue
        if char == "}":
            raise ExprError("single '}' in the format (write '}}' for a brace)", i)
        if char != "{":
            literal.append(char)
            i += 1
            continue
        close = fmt.find("}", i + 1)
        opening = fmt.find("{", i + 1)
        if close < 0:
            raise ExprError("'{' is never closed (write '{{' for a brace)", i)
        if 0 <= opening < close:
            raise ExprError("fields inside fields are not supported", opening)
        start = i + 1
        inner = fmt[start:close]
        cut = min((k for k in (inner.find("!"), inner.find(":")) if k >= 0), default=len(inner))
        text, rest = inner[:cut], inner[cut:]
        if rest.startswith("!"):
            raise ExprError(f"conversion {rest.split(':')[0]} is not supported in {{{text.strip()}}}", start + cut)
        spec = rest[1:]
        if not _SPEC.match(spec):
            raise ExprError(
                f"format spec {spec!r} in {{{text.strip()}}} is not supported (use e.g. .4f, ' .4f', .6g)",
                start + cut + 1,
            )
        if not text.strip():
            raise ExprError("empty field {}: put a name or expression inside, e.g. {loss:.4f}", i)
        try:
            tree = parse_expression(text)
        except ExprError as error:
            raise ExprError(f"{{{_printable(_cut(text.strip()))}}}: {error.message}", start + error.column) from None
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(LogField(text.strip(), tree, spec, start))
        i = close + 1
    if literal:
        parts.append("".join(literal))
    return parts


def _float(value: int | float) -> float:
    """A TOML number as a float; an integer too large for one becomes inf (and fails the range check)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _printable(text: str) -> str:
    """Text with line breaks and other control characters escaped, so a message stays one line."""
    return text if text.isprintable() else repr(text)[1:-1]


def _cut(text: str, limit: int = 40) -> str:
    """Text cut short for a one-line message, saying how long it was."""
    return text if len(text) <= limit else f"{text[: limit - 10]}… ({len(text)} characters)"


def _shown(text: str, limit: int = 80) -> str:
    """Text quoted for a one-line message: repr (so newlines and NULs show as escapes), cut short."""
    shown = repr(text)
    return shown if len(shown) <= limit else f"{shown[: limit - 15]}… ({len(text)} characters)"
