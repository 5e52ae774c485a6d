"""Where each table, key and string character of a scenario stands in its TOML text, as LINE:COL.

tomllib gives values without positions, yet every error must name LINE:COL. `toml_index`
finds, in one pass, the offset of every key and value; this turns offsets into places,
and finds each character of a string value (escapes, line breaks) only when an error asks.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .messages import printable
from .scenario import Place
from .toml_index import TomlIndex


@dataclass(frozen=True)
class SourcePlace(Place):
    """The start of a string value that can also find where each later character of it sits.

    An error found at offset k of an expression or log format is reported at the
    right line and column even when the string spans lines or uses escapes. The
    characters are located only when an error asks, so a valid file pays nothing.
    """

    locate: Callable[[int], Place] | None = field(default=None, compare=False, repr=False)

    def at_column(self, offset: int) -> Place:
        if self.locate is None:
            return super().at_column(offset)
        return self.locate(offset)


class SourceMap:
    """Places of keys and of the characters of string values, looked up by key path."""

    def __init__(self, path: str, text: str) -> None:
        self.path = printable(path)
        # tomllib reads "\r\n" as "\n"; dropping the "\r" moves no line and no column before it.
        self.text = text.replace("\r\n", "\n")
        self.starts = [0] + [match.end() for match in re.finditer("\n", self.text)]

    @cached_property
    def index(self) -> TomlIndex:
        """Where each key and value starts, found in one pass the first time a place is asked for."""
        return TomlIndex(self.text)

    def place(self, where: str, *path: str | int) -> Place:
        """The key at `path`, or else the nearest table above it that is written in the file, or else 1:1."""
        offset = self.index.offset(path)
        line, column = (1, 1) if offset is None else self.position(offset)
        return Place(self.path, line, column, printable(where))

    def value_place(self, where: str, value: str, *path: str | int) -> Place:
        """The first character of the string `value` at `path`, able to find each later one.

        If the value there is not that string as written, the key's place.
        """
        place = self.place(where, *path)
        start = self.index.values.get(path)
        first = self._string_offsets(start, 1) if start is not None else []
        if start is None or not first:
            return place
        string_start = start

        def locate(offset: int) -> Place:
            offsets = self._string_offsets(string_start)
            if len(offsets) != len(value) + 1:  # read differently from TOML: count from the key
                return place.at_column(offset)
            line, column = self.position(offsets[max(0, min(offset, len(offsets) - 1))])
            return Place(place.path, line, column, place.where)

        line, column = self.position(first[0])
        return SourcePlace(place.path, line, column, place.where, locate)

    def long_integer(self) -> tuple[Place, int] | None:
        """The first integer with more digits than Python converts, and how many it has."""
        if self.index.long_integer is None:
            return None
        offset, digits = self.index.long_integer
        line, column = self.position(offset)
        return Place(self.path, line, column, "TOML"), digits

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def _string_offsets(self, i: int, limit: int = -1) -> list[int]:
        """Offsets of the characters of the string value at `i`, as TOML decodes it, then of its end.

        With a `limit`, only that many (the first character is enough to place the string).
        """
        text = self.text
        if i >= len(text) or text[i] not in "\"'":
            return []
        quote = text[i]
        basic = quote == '"'
        multi = text.startswith(quote * 3, i)
        i += 3 if multi else 1
        if multi and text.startswith("\n", i):
            i += 1  # TOML drops a newline right after the opening quotes
        offsets: list[int] = []
        while i < len(text) and len(offsets) != limit:
            if text[i] == quote:
                if not multi:
                    break
                run = len(text[i : i + 5]) - len(text[i : i + 5].lstrip(quote))
                if run >= 3:  # the last three quotes close the string; up to two before them belong to it
                    offsets.extend(range(i, i + run - 3))
                    i += run - 3
                    break
            elif basic and text[i] == "\\":
                end = text.find("\n", i) if multi else -1
                if multi and end >= 0 and not text[i + 1 : end].strip():
                    # A line-ending backslash swallows the line break and the next lines' indent.
                    i = _skip_space(text, i + 1)
                    continue
                offsets.append(i)
                i += {"u": 6, "U": 10}.get(text[i + 1 : i + 2], 2)
                continue
            elif text[i] == "\n" and not multi:
                break
            offsets.append(i)
            i += 1
        if len(offsets) != limit:
            offsets.append(i)
        return offsets


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i
