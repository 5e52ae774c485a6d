"""TOML text → the document, or its syntax error as one line at tomllib's line and column.

tomllib's messages are precise but terse and carry their position in words; here the
position becomes FILE:LINE:COL and the message gains a hint in the user's terms. A
value tomllib cannot convert (an integer of more digits than Python reads) is found in
the text, since tomllib does not say where it was.
"""

from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

from .messages import cut
from .scenario import Place, ScenarioError
from .source_map import SourceMap

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_EOF = re.compile(r"\(at end of document\)")
_TOML_HINTS = {
    "Invalid value": 'expected a number, a "quoted string", true or false, an [array] or an { inline table }',
    "Cannot overwrite a value": "each key may be set only once in a table",
    "Invalid statement": "expected key = value, or a [table] header",
    "Illegal character '\\n'": 'a "string" ends on its own line; use """ … """ for several lines',
}


def parse_toml(text: str, source: SourceMap) -> dict[str, Any]:
    """The TOML document, or its syntax error at tomllib's line and column."""
    file = source.path
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line, column = 1, 1
        if match := _TOML_POSITION.search(message):
            line, column = int(match.group(1)), int(match.group(2))
        elif _TOML_EOF.search(message):
            line = max(1, len(source.starts))
        detail = _TOML_POSITION.sub("", _TOML_EOF.sub("", message)).strip()
        hint = next((h for start, h in _TOML_HINTS.items() if detail.startswith(start)), "not valid TOML")
        raise ScenarioError(Place(file, line, column, "TOML"), f"{detail} ({hint})") from None
    except RecursionError:
        raise ScenarioError(
            Place(file, 1, 1, "TOML"), "arrays or tables nested too deeply (a scenario needs at most 2 levels)"
        ) from None
    except ValueError as error:  # Python converts integers of at most sys.get_int_max_str_digits() digits
        found = source.long_integer()
        if found is None:
            raise ScenarioError(Place(file, 1, 1, "TOML"), f"cannot read a value ({cut(str(error), 80)})") from None
        place, digits = found
        raise ScenarioError(
            place,
            f"an integer of {digits} digits is too long to read "
            f"(at most {sys.get_int_max_str_digits()} digits; a number is at most about 1.8e308)",
        ) from None
