"""Checks on one TOML table of a scenario, each failing as one `ScenarioError` at the key's place:
an unknown key (with the closest known one), a value of the wrong type, a choice outside a
`Literal`'s values, an expression that does not parse (at its character)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from .expr import ExprError, Node
from .limits import MAX_LENGTH
from .messages import did_you_mean, shown, type_name
from .scenario import Expression, Place, ScenarioError
from .source_map import SourceMap


class TableChecks:
    """The checks every section's reader makes, each naming the place in the file it read."""

    def __init__(self, source: SourceMap) -> None:
        self.map = source

    def fail(self, message: str, where: str, *path: str | int) -> ScenarioError:
        return ScenarioError(self.map.place(where, *path), message)

    def check_keys(self, table: dict[str, Any], allowed: set[str], where: str, *path: str | int) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"unknown key {key!r}{did_you_mean(key, allowed)}", f"{where}.{key}", *path, key)

    def typed(
        self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, *path: str | int
    ) -> Any:
        """The value at `key` if it is of `kind` (None if absent); `True` is not an integer here."""
        if key not in table:
            return None
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = [type_name(k()) for k in kinds]
            wanted = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            raise self.fail(f"must be {wanted}, not {type_name(value)}", f"{where}.{key}", *path, key)
        return value

    def one_of(self, table: dict[str, Any], key: str, options: Any, where: str, *path: str | int) -> Any:
        """A string setting that must be one of a Literal's values (the first is the default)."""
        allowed = get_args(options)
        value = self.typed(table, key, str, where, *path) or allowed[0]
        if value not in allowed:
            listed = " or ".join([", ".join(f'"{a}"' for a in allowed[:-1]), f'"{allowed[-1]}"'])
            raise self.fail(f"{key} must be {listed} (got {value!r})", f"{where}.{key}", *path, key)
        return value

    def parsed(self, name: str, text: str, place: Place, parse: Callable[[str], Node], *path: str | int) -> Expression:
        """The expression `text` at `path`; a syntax error is placed at its own character."""
        inner = self.map.value_place(place.where, text, *path) if len(text) <= MAX_LENGTH else place
        try:
            tree = parse(text)
        except ExprError as error:
            raise ScenarioError(inner.at_column(error.column), f"{error.message} in {shown(text)}") from None
        return Expression(name, text, tree, inner)
