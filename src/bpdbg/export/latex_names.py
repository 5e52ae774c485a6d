"""Long sub-expressions named once, the way a typesetter shortens a formula too wide for the page.

On the whole tape every sub-expression is a quantity of its own, and its gradient's symbol
writes it out: ∂L/∂(y ⊙ log(A2 + 1e-8) + (1 − y) ⊙ log(1 − A2 + 1e-8)), and again in each
factor of the chain rule, so one step runs to several page widths. Such a quantity is given
a short name (u₁), defined once where it first appears, and written by that name after.
A name stands only for a whole sub-expression, exactly as the engine wrote it (one bracketed,
or a function's whole argument), so no term is dropped or moved: the mathematics is the
engine's, written shorter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_NAMES = 24  # names a handout makes at most: past that, it is the formulas that need rewriting
LETTERS = ("u", "v", "q", "r", "h", "s")  # a shorthand's letter: the first the scenario does not use
NAME_CHARS = re.compile(r"[\w\u0300-\u036f\u2070-\u209f\u1d40-\u1dbfᵀ²³¹]")
WORD = re.compile(r"[^\W\d][\w\u0300-\u036f\u2070-\u209f\u1d40-\u1dbf]*")


@dataclass(frozen=True)
class Shorthand:
    """`name` stands for `expression` (the engine's text, with earlier shorthands in it)."""

    name: str
    expression: str


def subscript(n: int) -> str:
    return "".join(chr(0x2080 + int(d)) for d in str(n))


def letter_for(texts: list[str]) -> str:
    """The shorthands' letter: one the scenario never uses as a name, alone or numbered (u, u1, u₁)."""
    used = {w for text in texts for w in WORD.findall(text)}
    for letter in LETTERS:
        if not any(re.fullmatch(rf"{letter}[\d\u2080-\u2089]*", w) for w in used):
            return letter
    return LETTERS[0] + "\u0302"  # û: no scenario names a quantity with a hat on a one-letter name


def _closing(text: str, start: int) -> int:
    """Where the bracket opened at `start` closes, or -1."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def is_atomic(expression: str) -> bool:
    """A name, a number or one function call: nothing outside it binds tighter, so it needs no brackets."""
    call = re.fullmatch(r"[^\W\d][\w]*\(", expression[: expression.find("(") + 1]) if "(" in expression else None
    if call is not None:
        return _closing(expression, call.end() - 1) == len(expression) - 1
    return NAME_CHARS.fullmatch(expression[:1] or " ") is not None and not re.search(r"[\s()\[\]]", expression)


def _a_sum(expression: str) -> bool:
    """Whether `expression` is a sum or difference at its top level, outside every bracket."""
    depth = 0
    for i, char in enumerate(expression):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if depth == 0 and expression[i : i + 3] in (" + ", " − "):
            return True
    return False


def shorten(text: str, expression: str, name: str) -> str:
    """`text` with each whole occurrence of `expression` written `name`.

    An occurrence counts only where it is the whole of what surrounds it: the entire text, a
    bracketed group, one argument of a call, for a name or call an operand on its own, or, for a
    sum, the first terms of a longer sum (a + b in a + b + c, which adds left to right).
    """
    if text == expression:
        return name
    out, i = [], 0
    atomic = is_atomic(expression)
    while (found := text.find(expression, i)) >= 0:
        end = found + len(expression)
        before, after = text[:found], text[end:]
        if atomic and not NAME_CHARS.match(before[-1:] or " ") and not re.match(r"[\w(\u0302]", after[:1] or " "):
            out += [text[i:found], name]
        elif before.endswith("(") and after.startswith(")") and not NAME_CHARS.match(before[-2:-1] or " "):
            out += [text[i : found - 1], name]  # (expression) as a bracketed operand: the brackets go too
            end += 1
        elif re.search(r"[(,] ?$", before) and re.match(r" ?[),]", after):
            out += [text[i:found], name]  # a call's argument: the call's brackets and commas stay
        elif _a_sum(expression) and re.search(r"(?:\A|[(\[]|, )\Z", before) and re.match(r" [+−] ", after):
            out += [text[i:found], name]  # the first terms of a longer sum: (a + b) + c, as sums group
        else:
            out.append(text[i:end])
        i = end
    return "".join(out) + text[i:]


def candidates(lhs: list[str]) -> list[str]:
    """The quantities worth a name: every step's own target that is more than one name."""
    seen: dict[str, None] = {}
    for text in lhs:
        if not text.startswith("∂") and not WORD.fullmatch(text) and len(text) > 8:
            seen.setdefault(text)
    return list(seen)


def shorten_all(text: str, named: list[tuple[str, str]]) -> str:
    """`text` with every named expression in it written by its name, the longest first (so one
    that holds another is found whole before the shorter is)."""
    for expression, name in named:
        text = shorten(text, expression, name)
    return text


def choose(
    parts: list[list[str]], candidates: list[str], overflow: Callable[[int, Callable[[str], str]], float]
) -> list[str]:
    """The expressions to name: as few as make every part fit the page.

    One at a time, the longest expression whose name takes something off the parts still too
    wide, until none is (or no name helps); then each name that the others made needless is
    dropped again, the longest first. `overflow(part, shorten)` is how far part `part` runs
    over the page when every text in it is shortened by `shorten`.
    """

    def shortener(expressions: list[str]) -> Callable[[str], str]:
        named = [(e, f"u{subscript(n + 1)}") for n, e in enumerate(sorted(expressions, key=len, reverse=True))]
        return lambda text: shorten_all(text, named)

    def over(expressions: list[str]) -> dict[int, float]:
        now = shortener(expressions)
        return {p: o for p in range(len(parts)) if (o := overflow(p, now)) > 0}

    chosen: list[str] = []
    while len(chosen) < MAX_NAMES and (too_wide := over(chosen)):
        helpful = [
            c
            for c in sorted(candidates, key=len, reverse=True)
            if c not in chosen and any(c in t for p in too_wide for t in parts[p])
        ]
        best = next((c for c in helpful if sum(over([*chosen, c]).values()) < sum(too_wide.values())), None)
        if best is None:
            break
        chosen.append(best)
    reached = over(chosen)
    for expression in sorted(chosen, key=len, reverse=True):
        fewer = [e for e in chosen if e != expression]
        if len(without := over(fewer)) <= len(reached) and sum(without.values()) <= sum(reached.values()):
            chosen = fewer
    return chosen


def numbered(
    parts: list[list[str]], chosen: list[str], letter: str
) -> tuple[list[tuple[str, str]], list[list[Shorthand]]]:
    """Names for the chosen expressions, numbered in the order a reader meets them, each defined in
    the first part that uses it (after any name its own definition uses); as (expression, name)
    pairs, the longest first, and the names each part defines."""
    longest = sorted(chosen, key=len, reverse=True)
    marks = [(e, f"\0{n}\0") for n, e in enumerate(longest)]

    def used(text: str, outside: str = "") -> list[str]:
        shortened = shorten_all(text, [(e, m) for e, m in marks if e != outside])
        return [longest[int(n)] for n in re.findall("\0(\\d+)\0", shortened)]

    names: dict[str, str] = {}
    defined: list[list[Shorthand]] = []

    def meet(expression: str) -> None:
        if expression in names:
            return
        for inner in used(expression, outside=expression):
            meet(inner)
        names[expression] = letter + subscript(len(names) + 1)
        inner_names = [(e, names[e]) for e in longest if e in names and e != expression]
        defined[-1].append(Shorthand(names[expression], shorten_all(expression, inner_names)))

    for texts in parts:
        defined.append([])
        for text in texts:
            for expression in used(text):
                meet(expression)
    return [(e, names[e]) for e in longest if e in names], defined
