"""Text made safe for a one-line error message: escaped, cut short, and named in plain words.

Every scenario error is one line; a file name, key or value that holds a line break,
a control character or a megabyte of text must not break that line or flood it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any


def printable(text: str) -> str:
    """Text with line breaks and other control characters escaped, so a message stays one line."""
    return text if text.isprintable() else repr(text)[1:-1]


def cut(text: str, limit: int = 40) -> str:
    """Text cut short for a one-line message, saying how long it was."""
    return text if len(text) <= limit else f"{text[: limit - 10]}… ({len(text)} characters)"


def shown(text: str, limit: int = 80) -> str:
    """Text quoted for a one-line message: repr (so newlines and NULs show as escapes), cut short."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else f"{quoted[: limit - 15]}… ({len(text)} characters)"


def coordinate(name: str, shape: tuple[int, ...], index: tuple[int, ...]) -> str:
    """One number of a value, named the one way everything names it (gradcheck, the CSV export, the
    quiz, a figure's axes): `w1` for a value of one number, else its full index, `W2[1,0]`, `b[2]`."""
    if math.prod(shape) == 1:
        return name
    return f"{name}[{','.join(map(str, index))}]"


def type_name(value: Any) -> str:
    """What a TOML value is, in the words a message uses: "an integer", "a table"."""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option a misspelt name most likely meant: the same letters in another case first (z → Z)."""
    ordered = sorted(options)
    same = [o for o in ordered if o.casefold() == name.casefold()]
    if same:
        return same[0]
    close = difflib.get_close_matches(name, ordered, n=1)
    return close[0] if close else None


def did_you_mean(key: str, options: set[str] | dict[str, Any]) -> str:
    """The closest known key as a suggestion, or the list of known keys when none is close."""
    close = closest(key, options)
    return f"; did you mean {close!r}?" if close else f" (known: {', '.join(sorted(options))})"


def flat_message(error: BaseException) -> str:
    """An exception's message on one line, or its type's name if it has no message."""
    return " ".join(str(error).split()) or type(error).__name__


def one_line(error: BaseException) -> str:
    """An exception as the one line a status bar, a dialog or stderr shows: its type, then its message."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
