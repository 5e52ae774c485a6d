"""`[[log]]` formats: the notes' print statements, as literal text and expression fields.

A format reads like a Python f-string, but each field is parsed by the expression
language (never run as code), and only the format specs the notes use are allowed,
so every field can be checked against the scenario's names before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .expr import Binary, ExprError, Name, Node, Num, Unary, names_in, parse_log_field
from .messages import cut, did_you_mean, printable
from .scenario import LogField, Place, ScenarioError
from .updates import unreadable_state

#: A sign or space, a width of up to two digits, a precision, and one of e E f F g G %; or, for a
#: whole number such as {epoch:3d}, a sign or space, a width and d.
_SPEC = re.compile(r"[ +-]?\d{0,2}(?:(?:\.\d{1,2})?[eEfFgG%]?|d)\Z")


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
        end = min((k for k in (inner.find("!"), inner.find(":")) if k >= 0), default=len(inner))
        text, rest = inner[:end], inner[end:]
        if rest.startswith("!"):
            raise ExprError(f"conversion {rest.split(':')[0]} is not supported in {{{text.strip()}}}", start + end)
        spec = rest[1:]
        if not _SPEC.match(spec):
            raise ExprError(
                f"format spec {spec!r} in {{{text.strip()}}} is not supported (use e.g. .4f, ' .4f', .6g, 3d)",
                start + end + 1,
            )
        if not text.strip():
            raise ExprError("empty field {}: put a name or expression inside, e.g. {loss:.4f}", i)
        try:
            tree = parse_log_field(text)
        except ExprError as error:
            raise ExprError(f"{{{printable(cut(text.strip()))}}}: {error.message}", start + error.column) from None
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(LogField(text.strip(), tree, spec, start))
        i = close + 1
    if literal:
        parts.append("".join(literal))
    return parts


def checked_format(
    fmt: str, place: Place, known: set[str], states: Mapping[str, str] | None = None
) -> tuple[str | LogField, ...]:
    """The parsed format, once every field parses and names something a log line can print
    (`states`: the optimizer's, by name, with their parameters, named as such if read)."""
    try:
        fields = parse_log_format(fmt)
    except ExprError as error:
        raise ScenarioError(place.at_column(error.column), error.message) from None
    for item in fields:
        if isinstance(item, str):
            continue
        for name in names_in(item.tree):
            if name.id not in known and states and name.id in states:
                raise ScenarioError(
                    place.at_column(item.start + name.start),
                    f"{{{item.text}}}: {unreadable_state(name.id, states[name.id], 'a log field')}",
                )
            if name.id not in known:
                raise ScenarioError(
                    place.at_column(item.start + name.start),
                    f"{{{item.text}}}: unknown name {name.id!r} in the log format{did_you_mean(name.id, known)}",
                )
        if item.spec.endswith("d") and not whole(item.tree):
            raise ScenarioError(
                place.at_column(fmt.index(":", item.start) + 1),
                f"format spec {item.spec!r} in {{{item.text}}} is for whole numbers, such as {{epoch:3d}} or "
                f"{{epoch - 1:03d}}, and {{{item.text}}} can be a fraction: use e.g. .4f (or .0f for a count)",
            )
    return tuple(fields)


def whole(tree: Node) -> bool:
    """Whether a field is a whole number at every epoch, as Python's 'd' needs: the epoch and whole
    numbers written out, under + − * and ** with a whole exponent written out."""
    if isinstance(tree, Num):
        return isinstance(tree.value, int)
    if isinstance(tree, Name):
        return tree.id == "epoch"
    if isinstance(tree, Unary):
        return tree.op in ("+", "-") and whole(tree.operand)
    if isinstance(tree, Binary) and tree.op in ("+", "-", "*"):
        return whole(tree.left) and whole(tree.right)
    if isinstance(tree, Binary) and tree.op == "**":
        exponent = tree.right
        return whole(tree.left) and isinstance(exponent, Num) and whole(exponent) and exponent.value >= 0
    return False
