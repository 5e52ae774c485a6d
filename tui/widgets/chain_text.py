"""The engine's written lines as styled text: names, then numbers or shapes, then the value.

Only presentation: every number is a value the engine put in the line, formatted here.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from bpdbg.engine.chain import Chain, Path
from bpdbg.engine.lines import SMALL, Line, Summary, Term
from bpdbg.engine.notation import substitute
from bpdbg.tui.format import compact, is_scalar, matrix_lines, number, shape, short

SYMBOL = "bold"
NUMBER = "bold cyan"
NOTE = "dim italic"

_CELL = r"(?:−?(?:\d[\d.]*(?:e−?\d+)?|∞)|NaN|⋮)"
MATRIX_ROW = re.compile(rf" *{_CELL}(?: +{_CELL})*…?")
"""A line of `matrix_lines`: numbers right-aligned in cells, and … where the columns go on."""


def value_text(value: object, brief: Summary | None) -> list[str]:
    """A number; a small matrix whole, row by row; a large one as its shape, first entries, min and max."""
    if value is None or is_scalar(value):
        return [compact(value)]
    dims = shape(tuple(getattr(value, "shape", ())))
    if brief is None:
        return [dims] + [f"    {row}" for row in matrix_lines(value, SMALL, SMALL)]  # whole
    if brief.low == brief.high:
        return [f"{dims}, every entry {short(brief.low)}"]
    first = " ".join(short(v) for v in brief.first)
    return [f"{dims} [{first} …]  min {short(brief.low)}  max {short(brief.high)}"]


def _term_value(text: Text, term: Term, indent: str) -> None:
    if term.value is None or is_scalar(term.value) or term.written in ("1", "−1"):
        return
    rows = value_text(term.value, term.summary)
    text.append(f"{indent}{term.written}: ", style=SYMBOL)
    text.append("\n".join([rows[0], *[indent + r for r in rows[1:]]]) + "\n", style=NUMBER)


def write_line(text: Text, line: Line, indent: str = "") -> None:
    """target = symbols = formula = numbers = value, each row under the first "=", as on the board."""
    head = f"{indent}{line.target} {'←' if line.kind == 'update' else '='} "
    pad = " " * (len(head) - 2) if len(head) <= 26 else indent + "    "
    rows = [r for r in (line.symbols, line.formula) if r and r != line.target]  # w1·x = w1·x says nothing
    if len(rows) == 2 and rows[0] == rows[1]:
        rows = rows[1:]
    for n, row in enumerate(rows):
        text.append(head if n == 0 else f"{pad}= ", style=SYMBOL)
        text.append(row)
        if n < len(rows) - 1:
            text.append("\n")
    if not rows:
        text.append(head.rstrip("= ←") if line.parts or not line.scalar else head, style=SYMBOL)
    if line.parts:
        _sum(text, line, indent)
    elif line.scalar:
        numbers = substitute(line.template, [compact(t.value) for t in line.terms])
        if not rows:
            text.append(f"{numbers} = ")
        else:
            wide = len(rows) > 1 or len(head + rows[0]) > 40
            text.append(f"\n{pad}= {numbers} = " if wide else f" = {numbers} = ")
        text.append(compact(line.value) + "\n", style=NUMBER)
    else:
        text.append(f"   {line.shapes}\n", style=NOTE)
        listed = set()
        for term in line.terms:  # one per place in the formula: y twice in a loss over y and 1 − y
            if term.written not in listed:
                listed.add(term.written)
                _term_value(text, term, indent + "  ")
        rows = value_text(line.value, line.summary)
        text.append(f"{indent}  {line.target} = ", style=SYMBOL)
        text.append("\n".join([rows[0], *[indent + r for r in rows[1:]]]) + "\n", style=NUMBER)
    if line.note:
        text.append(f"{indent}  ({line.note})\n", style=NOTE)
    if line.total is not None:
        text.append(f"{indent}  added to the earlier part: {line.target} = ", style=NOTE)
        text.append(compact(line.total) + "\n", style=NUMBER)


def _sum(text: Text, line: Line, indent: str) -> None:
    """The sum first, then each path that adds to it, labelled by what sets it apart."""
    rows = value_text(line.value, line.summary) if not line.scalar else [compact(line.value)]
    text.append(" = ")
    text.append("\n".join([rows[0], *[indent + r for r in rows[1:]]]), style=NUMBER)
    text.append(f"   ({len(line.parts)} paths)\n", style=NOTE)
    for n, part in enumerate(line.parts, 1):
        text.append(f"{indent} path {n}, {part.label}\n", style=NOTE)
        write_line(text, part, indent + "   ")


def write_chain(text: Text, chain: Chain) -> None:
    """A parameter's whole chain, path by path, each labelled by what sets it apart, multiplied out."""
    text.append(f"\nthe whole chain for {chain.symbol}", style=NOTE)
    text.append(f" ({chain.count} paths, summed)\n" if chain.count > 1 else "\n", style=NOTE)
    shared = _shared_tail(chain)
    for n, path in enumerate(chain.paths, 1):
        if len(chain.paths) > 1:
            text.append(f" path {n}, {path.label}\n", style=NOTE)
        if path.product is None:
            for step in path.steps[: len(path.steps) - shared]:
                write_line(text, step, "  ")
        else:
            _factors(text, chain, path)
    if shared:
        text.append(" then, on the paths' sum:\n" if len(chain.paths) > 1 else "", style=NOTE)
        for step in chain.paths[0].steps[len(chain.paths[0].steps) - shared :]:
            write_line(text, step, "  ")
        if len(chain.paths) == 1:
            return
    if chain.left_out:
        text.append(f"  … {chain.left_out} more paths not shown\n", style=NOTE)
    if len(chain.paths) == 1 and chain.paths[0].product is not None and not chain.left_out:
        return  # multiplied out above: the product is the gradient
    text.append(f"  {chain.symbol} = ", style=SYMBOL)
    if len(chain.paths) > 1 and all(p.product is not None for p in chain.paths) and not chain.left_out:
        text.append(" + ".join(f"({number(float(p.product))})" for p in chain.paths if p.product is not None) + " = ")
    text.append("\n".join(value_text(chain.total, None)) + "\n", style=NUMBER)


def _shared_tail(chain: Chain) -> int:
    """How many of the last steps every path writes alike (matrix paths, which differ only near the loss)."""
    if any(p.product is not None for p in chain.paths) or chain.left_out:
        return 0
    tails = [[(s.target, s.formula) for s in p.steps] for p in chain.paths]
    shared = 0
    while all(len(t) > shared for t in tails) and len({t[len(t) - 1 - shared] for t in tails}) == 1:
        shared += 1
    return shared if len(chain.paths) > 1 else len(tails[0])


def _factors(text: Text, chain: Chain, path: Path) -> None:
    """∂L/∂w1 = ∂L/∂y_hat · … then each factor's formula and number, then all of them multiplied out;
    a chain of one factor in one line, ∂f/∂x = 2·x = 8."""
    text.append(f"  {chain.symbol} = ", style=SYMBOL)
    if len(path.factors) == 1:
        text.append(f"{path.factors[0].formula} = ")
        text.append(compact(path.factors[0].value) + "\n", style=NUMBER)
        return
    text.append(" · ".join(f.symbol for f in path.factors) + "\n", style=SYMBOL)
    width = max(len(f.symbol) for f in path.factors)
    for factor in path.factors:
        text.append(f"    {factor.symbol.ljust(width)}  ", style=SYMBOL)
        text.append(f"{factor.formula} = ")
        text.append(compact(factor.value) + "\n", style=NUMBER)
    assert path.product is not None
    product = "".join(f"({compact(f.value)})" for f in path.factors)
    text.append(f"  {chain.symbol} = " if len(chain.paths) == 1 else "    = ", style=SYMBOL)
    text.append(f"{product} = ")
    text.append(compact(path.product) + "\n", style=NUMBER)


def cut_row(line: Text, width: int) -> Text | None:
    """A matrix row too wide for `width`, cut after the last whole number that fits, with " …":
    wrapped, its numbers would run on under the row's first ones and read as more rows, out of
    line with them. None for any other line, or where not even one number fits."""
    if not MATRIX_ROW.fullmatch(line.plain):
        return None
    ends = [m.end() for m in re.finditer(_CELL, line.plain) if m.end() + 2 <= width]
    if not ends:
        return None
    cut = line[: ends[-1]]
    cut.append(" …", style=NUMBER)  # apart from the number, which is whole
    return cut


def wrap_summary(line: Text, width: int, console: Console) -> list[Text] | None:
    """A value's summary too wide for `width` (`X: 200×2 [−1.11 0.0423 …]  min −1.48  max 2.3`),
    broken between its parts, so min and max stay beside their numbers (a part itself too wide
    is wrapped as any line is). None for any other line."""
    plain = line.plain
    if "  min " not in plain:
        return None
    indent = len(plain) - len(plain.lstrip(" "))
    # Each part after the first with the spaces before it (two or more), kept where it fits.
    breaks = [(m.start(), m.end()) for m in re.finditer(r" {2,}(?=\S)", plain) if m.start() > indent]
    lines: list[Text] = []
    # The first part, then each gap and the part after it, cut in one pass (a slice each is dearer).
    current, *rest = line.divide([at for pair in breaks for at in pair])
    for gap, group in zip(rest[::2], rest[1::2], strict=True):
        if current.cell_len > width:  # a part too wide alone: wrapped, its last line goes on
            *done, current = current.wrap(console, width)
            lines.extend(done)
        if current.cell_len + gap.cell_len + group.cell_len <= width:
            current.append_text(gap)
        else:
            lines.append(current)
            current = Text()  # at the left edge, as every wrapped line of the panel goes on
        current.append_text(group)
    lines.extend(current.wrap(console, width) if current.cell_len > width else [current])
    return lines
