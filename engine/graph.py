"""The model's computation graph, micrograd's `draw_dot`, but live: values, gradients, the current step.

Nodes are the values the loss is computed from (data, parameters, constants, each op's
result, named or not) and the ops between them; edges run from operands through an op
to its result. The graph is built once from the tape. At each step, `GraphView` gives
every value node its forward value and its gradient so far (a gradient that reaches a
value along several edges grows as the backward pass adds each share), and marks the
step's own node and edge. `to_dot` writes it as Graphviz DOT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .reach import outside_run
from .tape import Program
from .trainer import Trainer

NodeKind = Literal["data", "param", "constant", "value", "op"]


@dataclass(frozen=True)
class GraphNode:
    id: str
    kind: NodeKind
    label: str  # a value's name or sub-expression; an op's symbol
    layer: int  # columns left to right: a node sits right of everything it reads
    slot: int  # the value's slot; for an op, its result's
    step: int | None  # the step that computes it (None: data, parameters and constants are given)
    grad_steps: tuple[int, ...] = ()  # backward steps that add to its gradient, in tape order


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    loss: str

    def node(self, node_id: str) -> GraphNode:
        return next(n for n in self.nodes if n.id == node_id)


@dataclass(frozen=True, eq=False)
class GraphView:
    """The graph at one step: each node's value and gradient so far (None: not yet), what the step touches."""

    graph: Graph
    values: tuple[Any, ...]  # per node, in graph.nodes order
    grads: tuple[Any, ...]
    current: frozenset[str]  # node ids
    current_edges: frozenset[tuple[str, str]]


def op_symbol(program: Program, slot: int) -> str:
    """An op as micrograd labels it: `+`, `·`, `@`, `^2`, `sigmoid`, `mean(1)`."""
    op, inputs = program.forward_ops[slot]
    text = op.write(["□"] * len(inputs))
    text = text.replace("(□, ", "(").replace("(□)", "").replace("□", "").strip()
    return text or "="


def build_graph(program: Program) -> Graph:
    """Every value the loss reads and every op of the forward and loss phases (metrics are not differentiated)."""
    names = {slot: name for name, slot in program.named.items()}
    params = {p.slot for p in program.params}
    steps = program.steps[: program.loss_end]
    produced = {step.slot: step for step in steps}
    grad_steps: dict[int, list[int]] = {}
    for step in program.steps:
        if step.backward is not None:
            grad_steps.setdefault(step.backward.target_slot, []).append(step.index)
    layer: dict[int, int] = {}
    for step in steps:
        _, inputs = program.forward_ops[step.slot]
        layer[step.slot] = 1 + max((layer.get(i, 0) for i in inputs if i in produced), default=0)
    # A given value sits just left of its first reader, so that edges stay short.
    for step in steps:
        for i in program.forward_ops[step.slot][1]:
            if i not in produced:
                layer[i] = min(layer.get(i, layer[step.slot] - 1), layer[step.slot] - 1)
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    seen: set[int] = set()

    def value_node(slot: int) -> None:
        if slot in seen:
            return
        seen.add(slot)
        step = produced.get(slot)
        if step is not None:
            kind: NodeKind = "value"
            label = step.label
        elif slot in params:
            kind, label = "param", names[slot]
        elif slot in names:
            kind, label = "data", names[slot]
        else:
            kind, label = "constant", f"{float(program.base[slot]):g}"
        index = None if step is None else step.index
        nodes.append(GraphNode(f"v{slot}", kind, label, 2 * layer[slot], slot, index, tuple(grad_steps.get(slot, ()))))

    for step in steps:
        _, inputs = program.forward_ops[step.slot]
        for i in inputs:
            value_node(i)
            edges.append(GraphEdge(f"v{i}", f"op{step.slot}"))
        nodes.append(
            GraphNode(
                f"op{step.slot}", "op", op_symbol(program, step.slot), 2 * layer[step.slot] - 1, step.slot, step.index
            )
        )
        value_node(step.slot)
        edges.append(GraphEdge(f"op{step.slot}", f"v{step.slot}"))
    return Graph(tuple(nodes), tuple(edges), program.scenario.loss.name)


def graph_view(program: Program, graph: Graph, values: Sequence[Any], index: int) -> GraphView:
    """The graph with one epoch's `values` as they stand after step `index`."""
    steps = program.steps
    shown: list[Any] = []
    grads: list[Any] = []
    for node in graph.nodes:
        given = node.step is None
        shown.append(values[node.slot] if given or (node.step is not None and node.step <= index) else None)
        done = [s for s in node.grad_steps if s <= index]
        if node.slot == program.loss_slot and node.kind != "op" and index >= program.backward_start:
            grads.append(values[program.grad_of[graph.loss]])  # the seed, ∂L/∂L = 1
        else:
            grads.append(values[steps[done[-1]].slot] if done else None)
    step = steps[index]
    current: set[str] = set()
    edges: set[tuple[str, str]] = set()
    if step.phase in ("forward", "loss"):
        current |= {f"op{step.slot}", f"v{step.slot}"}
        edges |= {(e.source, e.target) for e in graph.edges if e.target == f"op{step.slot}"}
        edges.add((f"op{step.slot}", f"v{step.slot}"))
    elif step.backward is not None:
        info = step.backward
        current |= {f"v{info.target_slot}", f"op{info.output_slot}"}
        edges |= {(f"v{info.target_slot}", f"op{info.output_slot}"), (f"op{info.output_slot}", f"v{info.output_slot}")}
    elif step.phase == "update":
        param = next((p for p in program.params if p.name == step.node), None)
        if param is not None:
            current.add(f"v{param.slot}")
    return GraphView(graph, tuple(shown), tuple(grads), frozenset(current), frozenset(edges))


def _dot_text(text: str) -> str:
    """Text for a quoted DOT string; a control character (ESC, BEL) as its escape, \\x1b, so that
    `bpdbg graph` printed to a terminal shows it rather than obeys it."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return "".join(f"\\\\x{ord(c):02x}" if c < " " or c == "\x7f" else c for c in quoted)


def dot_number(value: Any) -> str:
    """A value for a DOT label: a number to six figures, an array by its shape and a few entries."""
    if value is None:
        return "·"
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    shape = "×".join(map(str, array.shape))
    entries = np.array2string(array.ravel()[:4], precision=4, separator=", ", max_line_width=10_000)
    more = ", …]" if array.size > 4 else ""
    return f"{shape}: {entries[:-1] + more if more else entries}"


def to_dot(view: GraphView, title: str) -> str:
    """Graphviz DOT, left to right: value nodes as boxes (label, value, gradient), ops as ellipses;
    the current step's nodes and edges in red."""
    graph = view.graph
    lines = [
        "digraph computation {",
        f'  label="{_dot_text(title)}";',
        "  rankdir=LR;",
        '  node [fontname="monospace"];',
    ]
    for node, value, grad in zip(graph.nodes, view.values, view.grads, strict=True):
        mark = ' color="red" penwidth=2' if node.id in view.current else ""
        if node.kind == "op":
            lines.append(f'  {node.id} [shape=ellipse label="{_dot_text(node.label)}"{mark}];')
            continue
        label = f"{node.label}\nvalue {dot_number(value)}\ngrad {dot_number(grad)}"
        style = {"param": " style=filled fillcolor=lightyellow", "data": " style=filled fillcolor=lightblue"}
        lines.append(f'  {node.id} [shape=box label="{_dot_text(label)}"{style.get(node.kind, "")}{mark}];')
    for edge in graph.edges:
        mark = ' [color="red" penwidth=2]' if (edge.source, edge.target) in view.current_edges else ""
        lines.append(f"  {edge.source} -> {edge.target}{mark};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_at(trainer: Trainer, epoch: int, step: int | None = None) -> str:
    """The graph as DOT at `step` (from 1; None: the epoch's last) of `epoch`, training that far.

    ValueError, in one line, for an epoch the run never reaches or a step the epoch does not have.
    """
    refused = outside_run(trainer, epoch, step)
    if refused is not None:
        raise ValueError(refused)
    last = trainer.steps_in(epoch)
    index = (last if step is None else step) - 1
    program = trainer.program
    record = trainer.record(epoch)
    view = graph_view(program, build_graph(program), record.values, index)
    label = program.steps[index].label
    return to_dot(view, f"{program.scenario.title}: epoch {epoch}, step {index + 1} of {len(program.steps)} ({label})")
