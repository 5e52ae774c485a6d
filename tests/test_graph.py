"""The computation graph: every value the loss reads and every op between them, each value with its
forward value and its gradient so far, the current step marked; `bpdbg graph` writes it as DOT."""

from __future__ import annotations

from pathlib import Path

import pydot
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.session import open_scenario

from .test_engine import SHARED  # a1 feeds two places


def parsed(text: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1
    return graphs[0]


def labels(graph: pydot.Dot) -> dict[str, str]:
    return {node.get_name(): node.get("label").strip('"') for node in graph.get_nodes() if node.get("label")}


def test_bpdbg_graph_prints_valid_dot_naming_the_models_quantities() -> None:
    result = CliRunner().invoke(main, ["graph", "two_neurons"])
    assert result.exit_code == 0, result.output
    graph = parsed(result.output)
    first_lines = {label.split("\\n")[0] for label in labels(graph).values()}
    assert {"x", "y", "w1", "w2", "b1", "b2", "z1", "a1", "z2", "y_hat", "L"} <= first_lines
    assert {"·", "+", "sigmoid", "−", "²"} <= first_lines  # the ops, micrograd's circles
    assert len(graph.get_edges()) == 24


def test_each_value_carries_its_value_and_gradient_at_the_step_asked_for() -> None:
    # Step 14 of epoch 1 is ∂L/∂(w2·a1): the gradient has reached z2 and w2·a1, not yet b2 or w1.
    graph = parsed(CliRunner().invoke(main, ["graph", "two_neurons", "--step", "14"]).output)
    by_name = {label.split("\\n")[0]: label for label in labels(graph).values()}
    assert by_name["z1"] == "z1\\nvalue 0.25\\ngrad ·"
    assert by_name["w2·a1"] == "w2·a1\\nvalue 0.112435\\ngrad -0.103094"
    assert by_name["b2"] == "b2\\nvalue 0.2\\ngrad ·"
    assert by_name["w1"] == "w1\\nvalue 0.3\\ngrad ·"
    marked = [e for e in graph.get_edges() if e.get("color") == '"red"']
    assert len(marked) == 2  # w2·a1 → + → z2: the edge the gradient just came back along


def test_a_step_outside_the_run_is_one_line_and_status_2() -> None:
    result = CliRunner().invoke(main, ["graph", "gd_xy", "--epoch", "16"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "gd_xy: epoch 16 is not in the run: it has epochs 1 to 15 (stopped early at epoch 15: "
        "grad(x) < 0.01 and grad(y) < 0.01 (checked after the update))"
    ]


def test_a_gradient_reached_along_several_edges_grows_as_each_share_is_added(tmp_path: Path) -> None:
    path = tmp_path / "shared.toml"
    path.write_text(SHARED)
    cursor = Cursor(open_scenario(path))
    cursor.show_graph = True
    shares = [s for s in cursor.program.steps if s.backward is not None and s.backward.target == "a1"]
    seen = []
    for step in shares:
        cursor.goto(1, step.index)
        view = cursor.snapshot().graph
        assert view is not None
        node = next(i for i, n in enumerate(view.graph.nodes) if n.label == "a1" and n.kind == "value")
        seen.append(float(view.grads[node]))
        assert view.current == {f"v{step.backward.target_slot}", f"op{step.backward.output_slot}"}
    assert len(seen) == 3  # v · a1, and a1 · a1 twice
    record = cursor.record(1)
    parts = [float(record.value(s.backward.contribution_slot)) for s in shares]
    assert seen == [parts[0], parts[0] + parts[1], parts[0] + parts[1] + parts[2]]
