"""An epoch's derivation as Markdown: headings, and each part's equations in a text block.

The equations keep the engine's own characters (∂, ·, −, ←), aligned at their first
relation the way the chain panel aligns them, so they read the same on paper as on screen.
"""

from __future__ import annotations

import re

from bpdbg.export.derivation import Derivation, Equation, Section
from bpdbg.tui.format import compact

WIDTH = 96  # an equation longer than this goes on, one side a line
SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # what could turn text into code, emphasis, a link or HTML


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what a terminal would obey (ESC, BEL) rather than show


def escape(text: str) -> str:
    """Text that Markdown shows as written, never as emphasis, links or HTML, nor as a terminal's
    control sequence: a control character is written as its escape, \\x1b."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", SPECIAL.sub(r"\\\1", text))


def _value(value: object) -> str:
    return compact(value, width=72)


def equation_lines(equation: Equation, width: int, limit: int = WIDTH) -> list[str]:
    """One equation, its left-hand side padded to `width`: on one line up to `limit` characters, else one
    side a line."""
    sides = [*equation.sides, *([] if equation.value is None else [_value(equation.value)])]
    note = f"   ({equation.note})" if equation.note else ""
    lhs = equation.lhs.ljust(width)
    if not sides:
        return [f"{lhs}{note}"]
    relations = [equation.relation] + ["="] * (len(sides) - 1)
    one_line = lhs + "".join(f" {r} {s}" for r, s in zip(relations, sides, strict=True))
    if len(one_line) + len(note) <= limit:
        return [one_line + note]
    pad = " " * len(lhs)
    lines = [f"{lhs if n == 0 else pad} {r} {s}" for n, (r, s) in enumerate(zip(relations, sides, strict=True))]
    lines[-1] += note
    return lines


def _block(lines: list[str]) -> list[str]:
    fence = "```"
    while any(fence in line for line in lines):
        fence += "`"
    return [fence + "text", *lines, fence]


def section(part: Section) -> list[str]:
    heading = "#" * part.level + " " + escape(part.title)
    if part.symbol:
        heading += f" `{part.symbol}`"
    out = [heading, ""]
    if part.equations:
        width = max(len(e.lhs) for e in part.equations)
        width = width if width <= 24 else 0  # a very long label aligns nothing: it would push every line out
        out += _block([line for e in part.equations for line in equation_lines(e, width)])
        out.append("")
    return out


def render_markdown(derivation: Derivation) -> str:
    d = derivation
    lines = [f"# {escape(d.title)}: epoch {d.epoch} of {d.max_epochs}", ""]
    about = [f"Scenario `{d.scenario}`"]
    if d.source:
        about.append(f"from {escape(d.source)}")
    lines += [", ".join(about) + ". Every number is bpdbg's own computation.", ""]
    if d.ended is not None:
        lines += [f"This epoch ended early: {escape(d.ended)}.", ""]
    for part in d.sections:
        lines += section(part)
    return "\n".join(lines).rstrip("\n") + "\n"
