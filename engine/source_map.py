"""Where each table, key and string character of a scenario stands in its TOML text.

tomllib gives values without positions, yet every error must name LINE:COL. The text
is scanned once, as TOML reads it (strings of every kind, dotted keys, inline tables,
`[[table]]` arrays), into an index from key paths to offsets; each lookup is then a
dictionary access, so a file of many keys loads in time linear in its size.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .messages import printable
from .scenario import Place

#: A key's path from the top of the document: ("training", "epochs"), ("log", 0, "format").
KeyPath = tuple[str | int, ...]

_BLANK = re.compile(r"[ \t]*")
_BLANK_LINES = re.compile(r"(?:[ \t\n]+|#[^\n]*)*")  # between the elements of an array
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE = re.compile(r"[^ \t\n,\[\]{}#]+")  # numbers, booleans, dates
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_STRINGS = {
    '"""': re.compile(r'"""(?:[^"\\]+|\\.|"(?!""))*"""', re.DOTALL),
    "'''": re.compile(r"'''(?:[^']+|'(?!''))*'''"),
    '"': re.compile(r'"(?:[^"\\\n]+|\\.)*"'),
    "'": re.compile(r"'[^'\n]*'"),
}


def _skip(blank: re.Pattern[str], text: str, i: int) -> int:
    """Past the blanks at i (the patterns match the empty string too, so they always match)."""
    match = blank.match(text, i)
    assert match is not None
    return match.end()


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


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
        self._index: TomlIndex | None = None

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            self._index = TomlIndex(self.text)
        return self._index

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


class TomlIndex:
    """One pass over TOML text: the offset of every table header and key, and where each value starts.

    Only what a valid file holds is read (tomllib has accepted it before any place is
    looked up); anything unexpected ends the line's scan, never the whole index.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: dict[KeyPath, int] = {}
        self.values: dict[KeyPath, int] = {}
        self.long_integer: tuple[int, int] | None = None
        self._tables: dict[KeyPath, int] = {}  # how many [[table]] headers of each path so far
        self._max_digits = sys.get_int_max_str_digits()
        self._scan()

    def offset(self, path: KeyPath) -> int | None:
        """Where the key at `path` is written, or the nearest table above it that is."""
        for length in range(len(path), 0, -1):
            offset = self.keys.get(path[:length])
            if offset is not None:
                return offset
        return None

    def _note(self, path: KeyPath, offset: int) -> None:
        self.keys.setdefault(path, offset)

    def _scan(self) -> None:
        text = self.text
        i = 0
        table: KeyPath = ()
        while i < len(text):
            i = _skip(_BLANK, text, i)
            char = text[i : i + 1]
            if char == "[":
                double = text.startswith("[[", i)
                parts, _ = self._key(i + 1 + double)
                header: KeyPath = tuple(parts)
                if double:  # an array of tables: each header opens the next element
                    count = self._tables.get(header, 0)
                    self._tables[header] = count + 1
                    self._note(header, i)
                    header = (*header, count)
                table = header
                self._note(table, i)
            elif char and char not in "#\n":
                i = self._key_value(i, table)
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1

    def _key(self, i: int) -> tuple[list[str], int]:
        """A (dotted) key at `i`, its parts decoded, and the offset after it."""
        text = self.text
        parts: list[str] = []
        while True:
            i = _skip(_BLANK, text, i)
            quote = text[i : i + 1]
            if quote in ('"', "'"):
                match = _STRINGS[quote].match(text, i)
                if match is None:
                    break
                body = match.group()[1:-1]
                parts.append(_decoded(body) if quote == '"' else body)
            else:
                match = _BARE_KEY.match(text, i)
                if match is None:
                    break
                parts.append(match.group())
            i = _skip(_BLANK, text, match.end())
            if not text.startswith(".", i):
                break
            i += 1
        return parts, i

    def _key_value(self, i: int, table: KeyPath) -> int:
        """Note `key = value` at `i` inside `table`, and the keys of inline tables in the value."""
        text = self.text
        parts, j = self._key(i)
        if not parts:
            return i
        for length in range(1, len(parts) + 1):  # a.b = 1 also writes table a, here
            self._note((*table, *parts[:length]), i)
        if not text.startswith("=", j):
            return j
        j = _skip(_BLANK, text, j + 1)
        path = (*table, *parts)
        self.values.setdefault(path, j)
        return self._value(j, path)

    def _value(self, i: int, path: KeyPath) -> int:
        """Skip the value at `i`, noting the keys of the inline tables in it; the offset after it."""
        text = self.text
        open_: list[list[Any]] = []  # arrays and inline tables being read: [closing character, path, elements so far]
        while True:
            char = text[i : i + 1]
            if char in ("[", "{"):
                open_.append(["]" if char == "[" else "}", path, 0])
                i = _skip(_BLANK_LINES, text, i + 1)
                if text.startswith(open_[-1][0], i):
                    pass  # empty: closed below
                elif char == "[":
                    path = (*path, 0)
                    continue
                else:
                    key = self._inline_key(i, path)
                    if key is None:
                        return i
                    i, path = key
                    continue
            elif char in ('"', "'"):
                end = self._string_end(i)
                if end == i:
                    return i
                i = end
            elif char:
                match = _BARE_VALUE.match(text, i)
                if match is None:
                    return i
                i = self._bare_value_end(i, match.group())
            else:
                return i
            # After a value: close what ends here, or go on to the next element.
            while True:
                if not open_:
                    return i
                closing, owner, count = open_[-1]
                i = _skip(_BLANK_LINES, text, i)
                if text.startswith(closing, i):
                    open_.pop()
                    i += 1
                    continue
                if not text.startswith(",", i):
                    return i
                i = _skip(_BLANK_LINES, text, i + 1)
                if closing == "}":
                    key = self._inline_key(i, owner)
                    if key is None:
                        return i
                    i, path = key
                    break
                open_[-1][2] = count + 1
                if not text.startswith("]", i):  # else a trailing comma; the array closes above
                    path = (*owner, count + 1)
                    break

    def _inline_key(self, i: int, table: KeyPath) -> tuple[int, KeyPath] | None:
        """Note a key of an inline table; the offset of its value and its path, or None if there is none."""
        parts, j = self._key(i)
        if not parts or not self.text.startswith("=", j):
            return None
        for length in range(1, len(parts) + 1):
            self._note((*table, *parts[:length]), i)
        path = (*table, *parts)
        j = _skip(_BLANK, self.text, j + 1)
        self.values.setdefault(path, j)
        return j, path

    def _string_end(self, i: int) -> int:
        text = self.text
        opening = text[i : i + 3] if text[i : i + 3] in _STRINGS else text[i]
        match = _STRINGS[opening].match(text, i)
        if match is None:
            return i
        end = match.end()
        if len(opening) == 3:  # up to two more quotes before the closing three belong to the string
            end += len(text[end : end + 2]) - len(text[end : end + 2].lstrip(opening[0]))
        return end

    def _bare_value_end(self, i: int, word: str) -> int:
        end = i + len(word)
        if _DATE.match(word) and self.text[end : end + 1] == " " and self.text[end + 1 : end + 2].isdigit():
            match = _BARE_VALUE.match(self.text, end + 1)  # a date and time written with a space
            end = match.end() if match else end
        digits = word.lstrip("+-").replace("_", "")
        if self.long_integer is None and 0 < self._max_digits < len(digits) and digits.isdigit():
            self.long_integer = (i, len(digits))
        return end


def _decoded(body: str) -> str:
    """A basic string's body with its escapes decoded, as TOML reads a quoted key."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            try:
                return chr(int(code[1:], 16))
            except (ValueError, OverflowError):
                return match.group()
        return _ESCAPED.get(code, match.group())

    return _ESCAPE.sub(one, body)
