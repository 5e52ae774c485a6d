"""The computation graph as a text drawing, layered left to right, the current step's node and edge lit.

The engine gives the nodes, their layers, values and gradients (snapshot.graph); this
panel places them: each value a block of three lines (label, value, ∂L/∂ so far) and each
op a small mark between its operands and its result, joined by box-drawing lines. A graph
wider than the panel is shown from where the current step is, as the tape keeps its step
in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np
from numpy.typing import ArrayLike
from rich.style import Style
from rich.text import Text

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import clip, compact
from bpdbg.tui.scrolling import centre_rows
from bpdbg.tui.widgets.lines import Line, LinesView

if TYPE_CHECKING:  # the engine's graph module loads when the graph is first shown
    from bpdbg.engine.graph import Graph, GraphNode, GraphView

GAP = 3  # columns between two layers, where the edges turn
VALUE_WIDTH = (10, 16)  # the narrowest and widest a value's block is
BLOCK = 3  # lines a value takes: label, value, gradient
LEFT, RIGHT, UP, DOWN = 1, 2, 4, 8
GLYPHS = {
    LEFT: "─", RIGHT: "─", LEFT | RIGHT: "─", UP: "│", DOWN: "│", UP | DOWN: "│",
    DOWN | RIGHT: "╭", DOWN | LEFT: "╮", UP | RIGHT: "╰", UP | LEFT: "╯",
    LEFT | RIGHT | DOWN: "┬", LEFT | RIGHT | UP: "┴", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤",
    LEFT | RIGHT | UP | DOWN: "┼",
}  # fmt: skip
EDGE_GLYPHS = frozenset([*GLYPHS.values(), "┼"])


@dataclass
class _Placed:
    node: GraphNode
    x: int
    y: int  # the row of its first line: where its edges meet it
    width: int


class GraphPanel(LinesView):
    """The graph of snapshot.graph, drawn afresh each step (it is small); unchanged lines are not repainted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"graph--current", "graph--edge", "graph--param", "graph--data"}
    DEFAULT_CSS = """
    GraphPanel > .graph--current { background: $accent; color: $text; text-style: bold; }
    GraphPanel > .graph--edge { color: $accent; text-style: bold; }
    GraphPanel > .graph--param { color: $warning; }
    GraphPanel > .graph--data { color: $text-muted; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(0, **kwargs)
        self.border_title = "Graph"
        self._view: GraphView | None = None
        self._drawing: _Drawing | None = None  # for the graph shown (a new scenario brings a new one)
        self._focus_row = 0

    def show(self, snapshot: Snapshot) -> None:
        self._view = snapshot.graph
        self.show_lines()
        centre_rows(self, self._focus_row, BLOCK)

    def lines_for(self, width: int) -> list[Line]:
        view = self._view
        if view is None:
            return []
        if self._drawing is None or self._drawing.graph is not view.graph:
            self._drawing = _draw(view)
        drawing = self._drawing
        cells = [row[:] for row in drawing.cells]
        kinds = [[""] * drawing.total for _ in cells]
        for edge in view.current_edges:
            for x, y in drawing.paths.get(edge, ()):
                kinds[y][x] = "graph--edge"
        for index, node in enumerate(view.graph.nodes):
            _write_node(drawing.placed[node.id], view, index, cells, kinds)
        # Start where the step is, when the graph is wider than the panel.
        current = [p for p in drawing.placed.values() if p.node.id in view.current]
        focus = min((p.x for p in current), default=0)
        self._focus_row = min((p.y for p in current), default=0)
        start = max(0, min(focus - width // 3, drawing.total - width))
        styles = {kind: self.get_component_rich_style(kind) for kind in self.COMPONENT_CLASSES}
        end = start + width
        lines = []
        for row, kind in zip(cells, kinds, strict=True):
            chars, marks = row[start:end], kind[start:end]
            # A label or number the panel's edge cuts says so: y_h…, never y_ha for y_hat nor
            # 25 for 0.25. An edge's line running into the border needs no mark.
            if end < len(row) and _text_at(row, end - 1) and _text_at(row, end):
                chars[-1] = "…"
            if start and chars and _text_at(row, start - 1) and _text_at(row, start):
                chars[0] = "…"
            lines.append(_styled(chars, marks, styles))
        return lines


@dataclass
class _Drawing:
    """What stays put from step to step: where each node sits, and the edges' lines."""

    graph: Graph
    placed: dict[str, _Placed]
    total: int  # columns
    cells: list[list[str]]  # the edges alone
    paths: Paths  # each edge's cells, to light it


def _draw(view: GraphView) -> _Drawing:
    placed, total = _layout(view)
    height = max((p.y + (1 if p.node.kind == "op" else BLOCK) for p in placed.values()), default=0)
    cells = [[" "] * total for _ in range(height)]
    paths = _edges(view.graph, placed, cells)
    return _Drawing(view.graph, placed, total, cells, paths)


def _layout(view: GraphView) -> tuple[dict[str, _Placed], int]:
    """Columns by layer, left to right; in each, a node sits level with its operands where it can."""
    graph = view.graph
    layers = max((n.layer for n in graph.nodes), default=0) + 1
    widths = [1] * layers
    for node in graph.nodes:
        widths[node.layer] = max(widths[node.layer], _width(node))
    xs = [sum(widths[:i]) + GAP * i for i in range(layers)]
    inputs: dict[str, list[str]] = {}
    for edge in graph.edges:
        inputs.setdefault(edge.target, []).append(edge.source)
    placed: dict[str, _Placed] = {}
    free = [0] * layers  # the next free row in each column
    for node in sorted(graph.nodes, key=lambda n: n.layer):
        rows = [placed[s].y for s in inputs.get(node.id, []) if s in placed]
        wanted = round(sum(rows) / len(rows)) if rows else 0
        y = max(wanted, free[node.layer])
        free[node.layer] = y + (2 if node.kind == "op" else BLOCK + 1)
        placed[node.id] = _Placed(node, xs[node.layer], y, widths[node.layer])
    return placed, xs[-1] + widths[-1] if layers else 0


def _width(node: GraphNode) -> int:
    if node.kind == "op":
        return len(node.label) + 2
    return max(VALUE_WIDTH[0], min(len(node.label), VALUE_WIDTH[1]))


Paths = dict[tuple[str, str], list[tuple[int, int]]]
"""Each edge (source, target) → the cells its line runs through."""


def _edges(graph: Graph, placed: dict[str, _Placed], cells: list[list[str]]) -> Paths:
    """Each edge from its source's right side to its target's left, turning in the gap before the target."""
    bits = [[0] * len(row) for row in cells]
    paths: Paths = {}
    for edge in graph.edges:
        source, target = placed[edge.source], placed[edge.target]
        x0, x1, turn = source.x + source.width, target.x - 1, target.x - 2
        y0, y1 = source.y, target.y
        path = [(x, y0) for x in range(x0, turn + 1)]
        step = 1 if y1 >= y0 else -1
        path += [(turn, y) for y in range(y0 + step, y1 + step, step)] if y1 != y0 else []
        path += [(x, y1) for x in range(turn + 1, x1 + 1)]
        for (xa, ya), (xb, yb) in pairwise(path):
            bits[ya][xa] |= RIGHT if xb > xa else DOWN if yb > ya else UP
            bits[yb][xb] |= LEFT if xb > xa else UP if yb > ya else DOWN
        if path:
            bits[path[0][1]][path[0][0]] |= LEFT
            bits[path[-1][1]][path[-1][0]] |= RIGHT
        paths[(edge.source, edge.target)] = path
    for y, row in enumerate(bits):
        for x, b in enumerate(row):
            if b:
                cells[y][x] = GLYPHS.get(b, "┼")
    return paths


def _write_node(p: _Placed, view: GraphView, index: int, cells: list[list[str]], kinds: list[list[str]]) -> None:
    node = p.node
    kind = (
        "graph--current"
        if node.id in view.current
        else {"param": "graph--param", "data": "graph--data"}.get(node.kind, "")
    )
    if node.kind == "op":
        texts = [f"({node.label})"]
    else:
        value, grad = view.values[index], view.grads[index]
        texts = [clip(node.label, p.width), _value(value, p.width), clip("∂ " + _value(grad, p.width - 2), p.width)]
    for dy, text in enumerate(texts):  # the text alone: an edge may pass beside a short one
        for dx, char in enumerate(text[: p.width]):
            cells[p.y + dy][p.x + dx] = char
            kinds[p.y + dy][p.x + dx] = kind


def _value(value: object, width: int) -> str:
    """A node's value in `width`: its shape and first entries, or, for a matrix of one entry whose
    shape leaves no room for it (1×1 […), the number alone: z2's gradient, not its shape."""
    text = compact(value, width)
    if "…" in text and value is not None:
        array = np.asarray(cast(ArrayLike, value))
        if array.size == 1:
            return compact(array.reshape(-1)[0], width)
    return text


def _text_at(row: list[str], x: int) -> bool:
    """Whether a cell holds part of a node's text (its label, value, gradient or op), not an edge."""
    return row[x] != " " and row[x] not in EDGE_GLYPHS


def _styled(chars: list[str], kinds: list[str], styles: dict[str, Style]) -> Line:
    """A row of cells as one Text, a span per run of one kind."""
    text = Text("".join(chars), no_wrap=True)
    start = 0
    for i in range(1, len(kinds) + 1):
        if i == len(kinds) or kinds[i] != kinds[start]:
            if kinds[start]:
                text.stylize(styles[kinds[start]], start, i)
            start = i
    return (text, "")
