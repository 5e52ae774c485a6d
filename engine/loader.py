"""Scenario file → validated `Scenario`, or one clear `ScenarioError` naming the place.

TOML is parsed by the standard library; this module checks every key, type and
range, parses every expression and log format, and asks `data` for the numbers and
`source_map` for the places. It does not know shapes yet: the compiler checks
those, with the places kept here. Every problem is one `ScenarioError`, never a
traceback: sizes that would exhaust memory are refused up front, with the limit named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import numpy as np

from . import limits
from .data import as_float, checked, data_source, draw, literal, read_text
from .derivation_format import DerivationReader
from .evaluate import evaluate
from .expr import FUNCTIONS, ExprError, Node, names_in, parse_condition, parse_expression, parse_metric
from .limits import MAX_EPOCHS, MAX_FORMAT_LENGTH, MAX_LENGTH
from .logformat import checked_format
from .messages import cut, did_you_mean, printable, shown, type_name
from .scenario import (
    Expression,
    LogBlock,
    LogWhen,
    Optimizer,
    OptimizerKind,
    Param,
    Place,
    Scenario,
    ScenarioError,
    StopCheck,
    StopRule,
)
from .shapes import ShapeError, infer
from .source_map import SourceMap
from .toml_text import parse_toml

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
}
REQUIRED = ("title", "params", "loss", "training")
OPTIMIZER_SETTINGS = {"momentum": "momentum", "beta1": "adam", "beta2": "adam", "epsilon": "adam"}
TRAINING_KEYS = {"learning_rate", "epochs", "optimizer", "stop_when", "stop_check", *OPTIMIZER_SETTINGS}
LOG_KEYS = {"format", "when", "from", "every", "at"}
EXPECTED_KEYS = {"text"}
RESERVED = {"loss", "epoch", "grad", "T", "and", "or", "not"} | set(FUNCTIONS)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KINDS = {
    str: "a string",
    int: "an integer",
    dict: "a table",
    list: "an array of tables, one [[log]] block each",
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


class _Loader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.map = SourceMap(str(path), text)

    def fail(self, message: str, where: str, *path: str | int) -> ScenarioError:
        return ScenarioError(self.map.place(where, *path), message)

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
        learning_rate, epochs, stop, optimizer = self._training(doc["training"])
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
        )

    # -- structure -------------------------------------------------------------------------

    def _check_sections(self, doc: dict[str, Any]) -> None:
        for key, value in doc.items():
            if key not in SECTIONS:
                raise self.fail(f"unknown key {key!r}{did_you_mean(key, SECTIONS)}", key, key)
            wanted = SECTIONS[key]
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise self.fail(f"must be {_KINDS[wanted]}, not {type_name(value)}", key, key)
        for key in REQUIRED:
            if key not in doc:
                what = {
                    "title": "a title",
                    "params": "a [params] table",
                    "loss": "a [loss] table",
                    "training": "a [training] table",
                }[key]
                raise ScenarioError(Place(printable(str(self.path)), 1, 1, key), f"missing: the scenario needs {what}")
        if not doc["params"]:
            raise self.fail("needs at least one parameter to train", "params", "params")

    def _check_keys(self, table: dict[str, Any], allowed: set[str], where: str, *path: str | int) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"unknown key {key!r}{did_you_mean(key, allowed)}", f"{where}.{key}", *path, key)

    def _typed(
        self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, *path: str | int
    ) -> Any:
        if key not in table:
            return None
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = [type_name(k()) for k in kinds]
            wanted = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            raise self.fail(f"must be {wanted}, not {type_name(value)}", f"{where}.{key}", *path, key)
        return value

    def _one_of(self, table: dict[str, Any], key: str, options: Any, where: str, *path: str | int) -> Any:
        """A string setting that must be one of a Literal's values (the first is the default)."""
        allowed = get_args(options)
        value = self._typed(table, key, str, where, *path) or allowed[0]
        if value not in allowed:
            listed = " or ".join([", ".join(f'"{a}"' for a in allowed[:-1]), f'"{allowed[-1]}"'])
            raise self.fail(f"{key} must be {listed} (got {value!r})", f"{where}.{key}", *path, key)
        return value

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
            result.append(self._parsed(name, text, place, parse, section, name))
        return tuple(result)

    def _parsed(self, name: str, text: str, place: Place, parse: Callable[[str], Node], *path: str | int) -> Expression:
        inner = self.map.value_place(place.where, text, *path) if len(text) <= MAX_LENGTH else place
        try:
            tree = parse(text)
        except ExprError as error:
            raise ScenarioError(inner.at_column(error.column), f"{error.message} in {shown(text)}") from None
        return Expression(name, text, tree, inner)

    # -- training, log ---------------------------------------------------------------------

    def _training(self, table: dict[str, Any]) -> tuple[float | Expression, int, StopRule | None, Optimizer]:
        self._check_keys(table, TRAINING_KEYS, "training", "training")
        rate = self._learning_rate(table)
        epochs = self._typed(table, "epochs", int, "training", "training")
        if epochs is None:
            raise self.fail("missing epochs", "training", "training")
        if not 1 <= epochs <= MAX_EPOCHS:
            raise self.fail(
                f"epochs must be from 1 to {MAX_EPOCHS} (got {cut(str(epochs))})",
                "training.epochs",
                "training",
                "epochs",
            )
        optimizer = self._optimizer(table)
        stop = None
        when = self._typed(table, "stop_when", str, "training", "training")
        check: StopCheck = self._one_of(table, "stop_check", StopCheck, "training", "training")
        if when is not None:
            place = self.map.place("training.stop_when", "training", "stop_when")
            condition = self._parsed("stop_when", when, place, parse_condition, "training", "stop_when")
            stop = StopRule(condition, check)
        if isinstance(rate, Expression):
            self._check_schedule(rate, epochs)
        return rate, epochs, stop, optimizer

    def _check_schedule(self, schedule: Expression, epochs: int) -> None:
        """A learning rate written as an expression must be one number, above 0 and at most 1e6,
        at every epoch of the run: it reads only `epoch`, so every epoch is checked here, at once."""
        try:
            shape = infer(schedule.tree, {"epoch": ()}, schedule.text)
        except ShapeError as error:
            raise schedule.error(error.message, error.node.start) from None
        if shape != ():
            raise schedule.error(f"a learning rate must be a single number, not shape {shape}")
        every = np.arange(1, epochs + 1)
        rates = np.broadcast_to(np.asarray(evaluate(schedule.tree, {"epoch": every}), dtype=np.float64), every.shape)
        bad = np.flatnonzero(~(np.isfinite(rates) & (rates > 0) & (rates <= 1e6)))
        if bad.size:
            epoch = int(bad[0]) + 1
            raise schedule.error(
                f"the learning rate must be above 0 and at most 1e6 at every epoch, but at epoch {epoch} it is "
                f"{float(rates[bad[0]]):g}"
            )

    def _learning_rate(self, table: dict[str, Any]) -> float | Expression:
        """A number above 0 and at most 1e6, or an expression of `epoch` such as "1.0 - 0.9 * epoch / 100"."""
        rate = self._typed(table, "learning_rate", (int, float, str), "training", "training")
        if rate is None:
            raise self.fail("missing learning_rate", "training", "training")
        if isinstance(rate, str):
            place = self.map.place("training.learning_rate", "training", "learning_rate")
            schedule = self._parsed("learning_rate", rate, place, parse_expression, "training", "learning_rate")
            for name in names_in(schedule.tree):
                if name.id != "epoch":
                    raise schedule.error(f"a learning rate may name only epoch, not {name.id!r}", name.start)
            return schedule
        value = as_float(rate)
        if not (math.isfinite(value) and 0 < value <= 1e6):
            raise self.fail(
                f"learning_rate must be above 0 and at most 1e6 (got {value})",
                "training.learning_rate",
                "training",
                "learning_rate",
            )
        return value

    def _optimizer(self, table: dict[str, Any]) -> Optimizer:
        kind: OptimizerKind = self._one_of(table, "optimizer", OptimizerKind, "training", "training")
        settings: dict[str, float] = {}
        for key, owner in OPTIMIZER_SETTINGS.items():
            value = self._typed(table, key, (int, float), "training", "training")
            if value is None:
                continue
            where = f"training.{key}"
            if owner != kind:
                raise self.fail(f'{key} is a setting of optimizer = "{owner}"', where, "training", key)
            number = as_float(value)
            valid = 0 < number < 1e-1 if key == "epsilon" else 0 <= number < 1
            if not (math.isfinite(number) and valid):
                bounds = "above 0 and below 0.1" if key == "epsilon" else "from 0 to below 1"
                raise self.fail(f"{key} must be {bounds} (got {number})", where, "training", key)
            settings[key] = number
        return Optimizer(kind, **settings)

    def _log(self, blocks: list[Any], names: dict[str, Place]) -> tuple[LogBlock, ...]:
        result = []
        known = set(names) | {"epoch", "loss"}
        for index, block in enumerate(blocks):
            where = f"log[{index}]"
            if not isinstance(block, dict):
                raise self.fail("each [[log]] entry must be a table", where, "log", index)
            self._check_keys(block, LOG_KEYS, where, "log", index)
            fmt = self._typed(block, "format", str, where, "log", index)
            if fmt is None:
                raise self.fail("needs format, the line(s) the notes print", where, "log", index)
            when: LogWhen = self._one_of(block, "when", LogWhen, where, "log", index)
            first = self._typed(block, "from", int, where, "log", index)
            every = self._typed(block, "every", int, where, "log", index)
            at = self._typed(block, "at", list, where, "log", index)
            for key, value in (("from", first), ("every", every)):
                if value is not None and value < 1:
                    raise self.fail(
                        f"{key} must be an epoch number from 1 (got {value})", f"{where}.{key}", "log", index, key
                    )
            if at is not None and not all(isinstance(e, int) and not isinstance(e, bool) and e >= 1 for e in at):
                raise self.fail(
                    "at must list epoch numbers from 1, e.g. at = [1, 10]", f"{where}.at", "log", index, "at"
                )
            if len(fmt) > MAX_FORMAT_LENGTH:
                raise self.fail(
                    f"format is {len(fmt)} characters long (at most {MAX_FORMAT_LENGTH})",
                    f"{where}.format",
                    "log",
                    index,
                    "format",
                )
            place = self.map.value_place(f"{where}.format", fmt, "log", index, "format")
            parts = checked_format(fmt, place, known)
            result.append(LogBlock(fmt, when, first or 1, every or 1, tuple(at or ()), place, parts))
        return tuple(result)
