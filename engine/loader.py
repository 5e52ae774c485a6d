"""Scenario file → validated `Scenario`, or one clear `ScenarioError` naming the place.

TOML is parsed by the standard library; this module checks every key, type and
range, parses every expression and log format, and asks `data` for the numbers,
`training_format` for [training], `derivation_format` for [derivation] and
`source_map` for the places. It does not know shapes yet: the compiler checks
those, with the places kept here. Every problem is one `ScenarioError`, never a
traceback: sizes that would exhaust memory are refused up front, with the limit named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import limits
from .data import checked, data_source, draw, literal, read_text
from .derivation_format import DerivationReader
from .expr import FUNCTIONS, Call, Node, parse_condition, parse_expression, parse_metric, walk
from .limits import MAX_FORMAT_LENGTH
from .logformat import checked_format
from .messages import did_you_mean, printable, type_name
from .scenario import (
    Expression,
    LogBlock,
    LogField,
    LogWhen,
    Param,
    Place,
    Scenario,
    ScenarioError,
    StopRule,
)
from .source_map import SourceMap
from .table_checks import TableChecks
from .toml_text import parse_toml
from .training_format import read_training
from .updates import state_owners

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
    "derivation": dict,
    "breakpoint": list,
}
REQUIRED = ("title", "params", "loss", "training")
LOG_KEYS = {"format", "when", "from", "every", "at"}
BREAKPOINT_KEYS = {"when"}
EXPECTED_KEYS = {"text"}
RESERVED = {"loss", "epoch", "grad", "T", "and", "or", "not"} | set(FUNCTIONS)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KINDS = {
    str: "a string",
    int: "an integer",
    dict: "a table",
    list: "an array of tables, one [[{key}]] block each",
}


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file; any problem is one ScenarioError."""
    path = Path(path)
    text = read_text(path)
    try:
        return _Loader(path, text).load()
    except RecursionError:
        raise ScenarioError(
            Place(printable(str(path)), 1, 1, "file"),
            "nested too deeply to read (arrays or tables inside one another)",
        ) from None
    except MemoryError:
        raise ScenarioError(Place(printable(str(path)), 1, 1, "file"), "too large to load into memory") from None


class _Loader(TableChecks):
    """Reads one file's sections in order, each name defined once; [training] is `training_format`'s."""

    def __init__(self, path: Path, text: str) -> None:
        super().__init__(SourceMap(str(path), text))
        self.path = path
        self.text = text

    def load(self) -> Scenario:
        doc = parse_toml(self.text, self.map)
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
        learning_rate, epochs, stop, optimizer = read_training(self, doc["training"])
        log = self._log(doc.get("log", []), names, state_owners(optimizer, [p.name for p in params]), stop)
        expected = doc.get("expected")
        expected_text = None
        if expected is not None:
            self.check_keys(expected, EXPECTED_KEYS, "expected", "expected")
            expected_text = self.typed(expected, "text", str, "expected", "expected")
            if expected_text is None:
                raise self.fail("needs 'text', the notes' printed output", "expected", "expected")
            if not doc.get("log"):
                raise self.fail(
                    "an expected table needs [[log]] blocks that say how the notes print it", "expected", "expected"
                )
        breakpoints = self._breakpoints(doc.get("breakpoint", []))
        derivation = DerivationReader(self.map, names, [p.name for p in params], loss.name, RESERVED).read(
            doc.get("derivation", {})
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
            optimizer=optimizer,
            epochs=epochs,
            stop=stop,
            log=log,
            expected_text=expected_text,
            expected_place=self.map.place("expected", "expected", "text") if expected is not None else None,
            places=names,
            derivation=derivation,
            breakpoints=breakpoints,
        )

    # -- structure -------------------------------------------------------------------------

    def _check_sections(self, doc: dict[str, Any]) -> None:
        for key, value in doc.items():
            if key not in SECTIONS:
                raise self.fail(f"unknown key {key!r}{did_you_mean(key, SECTIONS)}", key, key)
            wanted = SECTIONS[key]
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise self.fail(f"must be {_KINDS[wanted].format(key=key)}, not {type_name(value)}", key, key)
        for key in REQUIRED:
            if key not in doc:
                what = {
                    "title": "a title",
                    "params": "a [params] table",
                    "loss": "a [loss] table",
                    "training": "a [training] table",
                }[key]
                raise ScenarioError(Place(printable(str(self.path)), 1, 1, key), f"missing: the scenario needs {what}")
        if not doc["title"].strip():  # the app's header and every export name the scenario by it
            raise self.fail('is empty: the scenario needs a title, e.g. title = "Two neurons"', "title", "title")
        if not doc["params"]:
            raise self.fail("needs at least one parameter to train", "params", "params")

    def _new_name(self, name: str, section: str, names: dict[str, Place]) -> Place:
        place = self.map.place(f"{section}.{name}", section, name)
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

    def _data(self, table: dict[str, Any], names: dict[str, Place]) -> dict[str, np.ndarray]:
        data: dict[str, np.ndarray] = {}
        total = 0
        for name, value in table.items():
            place = self._new_name(name, "data", names)
            if isinstance(value, dict):
                array, source = data_source(value, self.path.parent, place)
            else:
                array, source = literal(value, place), ""
            array = checked(array, place, source)
            total += array.size
            if total > limits.MAX_TAPE_ELEMENTS:
                raise ScenarioError(
                    place,
                    f"the data hold more than {limits.MAX_TAPE_ELEMENTS} numbers together "
                    f"({limits.MAX_TAPE_ELEMENTS * 8 // 2**20} MiB, the limit for one iteration)",
                )
            data[name] = array
        return data

    def _params(self, table: dict[str, Any], seed: int | None, names: dict[str, Place]) -> tuple[Param, ...]:
        if seed is not None and not 0 <= seed < 2**32:
            raise self.fail("seed must be between 0 and 2**32 − 1", "seed", "seed")
        # NumPy's legacy global generator, as the notes seed it: draws come in declaration order.
        state = np.random.RandomState(seed) if seed is not None else None
        params = []
        for name, value in table.items():
            place = self._new_name(name, "params", names)
            if isinstance(value, dict):
                array, source = draw(value, state, place), "the draw "
            else:
                array, source = literal(value, place), ""
            params.append(Param(name, checked(array, place, source), place))
        return tuple(params)

    # -- expressions -------------------------------------------------------------------------

    def _expressions(
        self,
        table: dict[str, Any],
        section: str,
        names: dict[str, Place],
        parse: Callable[[str], Node] = parse_expression,
    ) -> tuple[Expression, ...]:
        result = []
        for name, text in table.items():
            place = self._new_name(name, section, names)
            if not isinstance(text, str):
                raise ScenarioError(
                    place, f'must be an expression in quotes, e.g. {name} = "w * x + b", not {type_name(text)}'
                )
            result.append(self.parsed(name, text, place, parse, section, name))
        return tuple(result)

    # -- log -------------------------------------------------------------------------------

    def _tables(self, blocks: list[Any], section: str, keys: set[str]) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """Each entry of an array of tables ([[log]], [[breakpoint]]) with its index and place,
        once it is known to be a table of known keys."""
        for index, block in enumerate(blocks):
            where = f"{section}[{index}]"
            if not isinstance(block, dict):
                raise self.fail(f"each [[{section}]] entry must be a table", where, section, index)
            self.check_keys(block, keys, where, section, index)
            yield index, where, block

    def _breakpoints(self, blocks: list[Any]) -> tuple[Expression, ...]:
        """[[breakpoint]] when = "…": parsed here, checked against the model once it is compiled."""
        result = []
        for index, where, block in self._tables(blocks, "breakpoint", BREAKPOINT_KEYS):
            when = self.typed(block, "when", str, where, "breakpoint", index)
            if when is None:
                wanted = 'needs when, the condition to stop at, e.g. when = "loss < 0.05"'
                raise self.fail(wanted, where, "breakpoint", index)
            place = self.map.place(f"{where}.when", "breakpoint", index, "when")
            result.append(self.parsed("breakpoint", when, place, parse_condition, "breakpoint", index, "when"))
        return tuple(result)

    def _one_schedule(self, block: dict[str, Any], when: LogWhen, where: str, index: int) -> None:
        """A key that would be ignored is refused: `at` lists the epochs by itself, and an
        early_stop block prints once, whatever from, every or at say."""
        for key in ("from", "every", "at"):
            if key not in block:
                continue
            if when == "early_stop":
                message = f'a when = "early_stop" block prints once, at the stop: remove {key}'
            elif key != "at" and "at" in block:
                message = f"{key} and at both choose the epochs: use one (at lists each epoch, e.g. at = [1, 10])"
            else:
                continue
            raise self.fail(message, f"{where}.{key}", "log", index, key)

    def _log(
        self, blocks: list[Any], names: dict[str, Place], states: dict[str, str], stop: StopRule | None
    ) -> tuple[LogBlock, ...]:
        result = []
        known = set(names) | {"epoch", "loss"}
        for index, where, block in self._tables(blocks, "log", LOG_KEYS):
            fmt = self.typed(block, "format", str, where, "log", index)
            if fmt is None:
                raise self.fail("needs format, the line(s) the notes print", where, "log", index)
            when: LogWhen = self.one_of(block, "when", LogWhen, where, "log", index)
            first = self.typed(block, "from", int, where, "log", index)
            every = self.typed(block, "every", int, where, "log", index)
            at = self.typed(block, "at", list, where, "log", index)
            for key, value in (("from", first), ("every", every)):
                if value is not None and value < 1:
                    raise self.fail(
                        f"{key} must be an epoch number from 1 (got {value})", f"{where}.{key}", "log", index, key
                    )
            if at is not None and not (
                at and all(isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in at)
            ):
                raise self.fail(
                    "at must list epoch numbers from 1, e.g. at = [1, 10]", f"{where}.at", "log", index, "at"
                )
            self._one_schedule(block, when, where, index)
            if len(fmt) > MAX_FORMAT_LENGTH:
                raise self.fail(
                    f"format is {len(fmt)} characters long (at most {MAX_FORMAT_LENGTH})",
                    f"{where}.format",
                    "log",
                    index,
                    "format",
                )
            place = self.map.value_place(f"{where}.format", fmt, "log", index, "format")
            parts = checked_format(fmt, place, known, states)
            if when == "early_stop" and stop is not None and stop.check == "before_backward":
                _no_gradients_at_the_stop(parts, place)
            result.append(LogBlock(fmt, when, first or 1, every or 1, tuple(at or ()), place, parts))
        return tuple(result)


def _no_gradients_at_the_stop(parts: tuple[str | LogField, ...], place: Place) -> None:
    """An early-stop line printed where the run stops before its backward pass cannot print a
    gradient: that epoch computes none (it would print nan, as if the run had diverged)."""
    for field in parts:
        if isinstance(field, LogField):
            for node in walk(field.tree):
                if isinstance(node, Call) and node.func == "grad":
                    raise ScenarioError(
                        place.at_column(field.start + node.start),
                        f'{{{field.text}}}: the run stops before the backward pass (stop_check = "before_backward"), '
                        "so the epoch it stops at computes no gradient to print",
                    )
