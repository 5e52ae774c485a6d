"""One pass over a scenario's TOML text: where each table header, key and value starts.

tomllib gives values without positions; `source_map` turns the offsets found here into
LINE:COL. The text is scanned once, as TOML reads it (strings of every kind, dotted keys,
inline tables, `[[table]]` arrays), into an index from key paths to offsets, so each lookup
is a dictionary access and a file of many keys loads in time linear in its size.
"""

from __future__ import annotations

import re
import sys
from typing import Any

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
