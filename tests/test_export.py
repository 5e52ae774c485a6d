"""`bpdbg export`: one epoch's whole derivation for a handout (md, tex), and the run as a table (csv, jsonl)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.trainer import Trainer
from bpdbg.export.derivation import NoSuchEpoch, derive
from bpdbg.tui.format import number

from .conftest import trainer_for


def export(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def exported(*args: str) -> str:
    status, out, err = export(*args)
    assert (status, err) == (0, ""), err
    return out


# -- LaTeX: a document that compiles ----------------------------------------------------------------

MATH = re.compile(r"\\begin\{align\*\}.*?\\end\{align\*\}|(?<!\\)\$.*?(?<!\\)\$", re.DOTALL)
UNESCAPED = re.compile(r"(?<!\\)[_#%]")


def environments_balance(tex: str) -> list[str]:
    """Every \\begin{X} closed by its own \\end{X}, in order; the environments opened, outermost first."""
    stack: list[str] = []
    opened = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
            opened.append(name)
        else:
            assert stack and stack.pop() == name, f"\\end{{{name}}} closes {stack[-1:] or 'nothing'}"
    assert not stack, f"never closed: {stack}"
    return opened


def braces_balance(tex: str) -> None:
    depth = 0
    for char in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "a } closes nothing"
    assert depth == 0, f"{depth} braces never closed"


def check_structure(tex: str) -> None:
    """Balanced environments and braces, and no unescaped _ # % outside mathematics."""
    opened = environments_balance(tex)
    assert opened[0] == "document" and "align*" in opened
    braces_balance(tex)
    prose = MATH.sub(" ", tex)
    assert not UNESCAPED.findall(prose), [line for line in prose.splitlines() if UNESCAPED.search(line)]


def test_the_tex_of_two_neurons_epoch_1_is_a_well_formed_document_in_real_notation() -> None:
    tex = exported("two_neurons", "--epoch", "1", "--format", "tex")
    check_structure(tex)
    assert tex.isascii()  # every ∂, ·, − and α became LaTeX: nothing left for the font to miss
    assert r"\partial L/\partial \mathit{w1}" in tex and r"\cdot" in tex
    assert tex.count(r"\begin{align*}") == 4 + 4  # forward, loss, backward, updates, and a chain per parameter
    # The notes' forward pass, z1 = w1·x + b1 = 0.3·0.5 + 0.1 = 0.25, and its update of w1 to 0.3003.
    assert re.search(r"\\mathit\{z1\} &= .*= 0\.25 \\\\", tex)
    assert re.search(r"\\mathit\{w1\} &\\leftarrow .*= 0\.3003", tex)


def test_the_tex_escapes_whatever_a_scenario_names_and_titles_hold(write_scenario) -> None:
    path = write_scenario(
        'title = "50% of x_1 & #2 {ok} \\\\ ~ ^ $α"\nsource = "notes_1 #3"\n'
        '[data]\nx_in = 2.0\n[params]\nw_1 = 0.5\n[model]\ny_hat = "w_1 * x_in"\n'
        '[loss]\nL_sq = "(y_hat - 1) ** 2"\n[training]\nlearning_rate = 0.1\nepochs = 2\n'
    )
    tex = exported(str(path), "--epoch", "2", "--format", "tex")
    check_structure(tex)
    assert r"50\% of x\_1 \& \#2 \{ok\} \textbackslash{} \textasciitilde{} \textasciicircum{} \$$\alpha$" in tex
    assert r"\mathit{w\_1}" in tex and r"\partial \mathit{L\_sq}/\partial \mathit{w\_1}" in tex


@pytest.mark.parametrize("scenario", ["moons_relu", "gd_xy", "neuron_identity"])
def test_every_shape_of_scenario_gives_a_well_formed_document(scenario: str) -> None:
    """Matrices (moons_relu), a title with x² (gd_xy), and an epoch that stops before its backward pass."""
    epoch = {"neuron_identity": "6"}.get(scenario, "1")
    check_structure(exported(scenario, "--epoch", epoch, "--format", "tex"))


# -- Markdown: the same derivation, as the screen writes it -----------------------------------------


def sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^#+ (.*)$", markdown, flags=re.MULTILINE)
    return {title: body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def test_the_markdown_holds_every_step_of_the_epoch_with_the_engines_numbers() -> None:
    trainer = trainer_for("two_neurons")
    cursor = Cursor(trainer)
    cursor.goto(2, 0)
    last = cursor.last_step(2)
    cursor.goto(2, last)
    snapshot = cursor.snapshot()
    found = sections(exported("two_neurons", "--epoch", "2", "--format", "md"))
    part = {"forward": "Forward pass", "loss": "Loss", "backward": "Backward pass", "update": "Updates"}
    for step, value in zip(snapshot.steps, snapshot.values, strict=True):
        lines = [line for line in found[part[step.phase]].splitlines() if line.startswith(step.label + " ")]
        assert lines, f"no line for {step.label} in {part[step.phase]}"
        if step.phase != "backward":  # a backward line may go on over several lines; its value ends them
            assert lines[0].split("   (")[0].endswith(f" = {number(float(value))}"), lines[0]
    for p in snapshot.params:  # a chain per parameter, its factors multiplied out to the gradient the update used
        rows = [row for row in found[f"The chain for `∂L/∂{p.name}`"].splitlines() if row and not row.startswith("```")]
        assert rows[0].startswith(f"∂L/∂{p.name} ")
        product = [rows[0], *itertools.takewhile(lambda row: row.startswith(" "), rows[1:])]
        assert product[-1].endswith(f" = {number(float(p.grad))}"), product
    after_1 = trainer.params_after(1)  # epoch 2 starts from epoch 1's update: z1 = w1·x + b1 with x = 0.5
    z1 = next(line for line in found["Forward pass"].splitlines() if line.startswith("z1 "))
    assert z1.endswith(f" = {number(float(after_1['w1']) * 0.5 + float(after_1['b1']))}") and z1.endswith("0.2506")
    title = "# Two sigmoid neurons in a chain: epoch 2 of 20"
    assert exported("two_neurons", "--epoch", "2", "--format", "md").startswith(title)


def test_a_chain_of_one_factor_is_one_line_with_its_formula_and_number() -> None:
    """gd_x2's ∂f/∂x is its own chain: written once, as 2·x with x put in, not ∂f/∂x = ∂f/∂x."""
    found = sections(exported("gd_x2", "--epoch", "1", "--format", "md"))
    rows = [row for row in found["The chain for `∂f/∂x`"].splitlines() if row and not row.startswith("```")]
    assert rows == ["∂f/∂x = 2·x = 8"]  # x = 4 at the first epoch: f = x², so ∂f/∂x = 8


def test_an_epoch_that_stopped_before_its_backward_pass_says_so_and_has_no_backward_pass() -> None:
    found = exported("neuron_identity", "--epoch", "6", "--format", "md")
    assert "This epoch ended early: stopped early at epoch 6" in found
    assert "## Backward pass" not in found and "## Updates" not in found


def test_an_epoch_past_the_end_of_the_run_is_refused_with_where_the_run_ends() -> None:
    with pytest.raises(NoSuchEpoch, match="there is no epoch 7: the run ends at epoch 6"):
        derive(trainer_for("neuron_identity"), 7)


def test_output_goes_to_a_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "epoch1.md"
    assert export("two_neurons", "--epoch", "1", "--format", "md", "-o", str(out))[:2] == (0, "")
    assert out.read_text(encoding="utf-8") == exported("two_neurons", "--epoch", "1", "--format", "md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch1.md"]  # no temporary file left behind


def test_a_file_that_cannot_be_written_is_one_line_and_status_1(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    status, out, err = export("two_neurons", "--epoch", "1", "--format", "md", "-o", str(tmp_path / "file" / "x.md"))
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"bpdbg: cannot write {tmp_path / 'file' / 'x.md'}: ")


# -- CSV and JSON Lines: the run, epoch by epoch ----------------------------------------------------

MATRIX_SCENARIO = """
title = "A 2×2 layer"
[data]
X = [[0.5, -1.0], [1.5, 2.0]]
y = [[1.0, 0.0], [0.0, 1.0]]
[params]
W = [[0.1, 0.2], [0.3, 0.4]]
b = [0.0, 0.1]
[model]
Y_hat = "X @ W + b"
[loss]
L = "mean((Y_hat - y) ** 2)"
[metrics]
close = "mean(abs(Y_hat - y) < 0.5)"
[training]
learning_rate = 0.1
epochs = 3
"""


def run_json(scenario: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["run", scenario, "--json"])
    assert result.exit_code == 0
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_is_exactly_what_run_json_prints() -> None:
    jsonl = exported("neuron_identity", "--format", "jsonl")
    assert [json.loads(line) for line in jsonl.splitlines()] == run_json("neuron_identity")


def test_run_json_takes_each_epoch_as_it_trains_and_gives_what_a_replay_of_it_gives(
    write_scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Taken afterwards, each epoch's gradients cost a replay of it: `run --json` took twice the
    # training's time. The export replays, so the two must agree to the bit (with Adam's states
    # in the row, and an epoch that stops before its backward pass, as neuron_identity's last).
    adam = str(write_scenario(MATRIX_SCENARIO.replace("[training]\n", '[training]\noptimizer = "adam"\n')))
    record, replayed = Trainer.record, []

    def replaying(self: Trainer, epoch: int) -> object:
        replayed.append(epoch)
        return record(self, epoch)

    for scenario in (adam, "neuron_identity"):
        with monkeypatch.context() as patched:
            patched.setattr(Trainer, "record", replaying)
            objects = run_json(scenario)
        assert replayed == []
        assert [json.loads(line) for line in exported(scenario, "--format", "jsonl").splitlines()] == objects


def test_csv_has_a_column_per_matrix_entry_with_the_values_run_json_gives(write_scenario) -> None:
    path = str(write_scenario(MATRIX_SCENARIO))
    rows = list(csv.DictReader(io.StringIO(exported(path, "--format", "csv"))))
    assert list(rows[0]) == [
        "epoch", "loss", "close",
        "W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "b[0]", "b[1]",
        "grad(W)[0,0]", "grad(W)[0,1]", "grad(W)[1,0]", "grad(W)[1,1]", "grad(b)[0]", "grad(b)[1]",
        "stop",
    ]  # fmt: skip
    objects = run_json(path)
    assert len(rows) == len(objects) == 3
    for row, line in zip(rows, objects, strict=True):
        assert int(row["epoch"]) == line["epoch"] and float(row["loss"]) == line["loss"]
        assert float(row["close"]) == line["metrics"]["close"]
        for name in ("W", "b"):
            for kind, prefix in (("params", name), ("grads", f"grad({name})")):
                value = line[kind][name]
                matrix = value if isinstance(value[0], list) else [value]
                for i, r in enumerate(matrix):
                    for j, v in enumerate(r):
                        column = f"{prefix}[{i},{j}]" if name == "W" else f"{prefix}[{j}]"
                        assert float(row[column]) == v, column
    assert [row["stop"] for row in rows] == ["", "", "epochs"]


def test_csv_leaves_the_gradients_of_an_epoch_without_a_backward_pass_empty() -> None:
    rows = list(csv.DictReader(io.StringIO(exported("neuron_identity", "--format", "csv"))))
    assert rows[-1]["stop"] == "early" and rows[-1]["grad(w)"] == "" and rows[-1]["grad(b)"] == ""
    assert float(rows[0]["grad(w)"]) == -6.0 and float(rows[0]["w"]) == 1.1


# -- bad arguments: one line, exit 2 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["two_neurons"], "bpdbg export: Missing option '--format'. Choose from: md, tex, csv, jsonl"),
        (["two_neurons", "--format", "pdf"], "bpdbg export: Invalid value for '--format': 'pdf' is not one of"),
        (["two_neurons", "--format", "md"], "bpdbg export: --format md writes one epoch: add --epoch N"),
        (["two_neurons", "--format", "csv", "--epoch", "2"], "bpdbg export: --format csv writes every epoch"),
        (["two_neurons", "--format", "tex", "--epoch", "0"], "bpdbg export: Invalid value for '--epoch': 0"),
        (["two_neurons", "--format", "tex", "--epoch", "x"], "bpdbg export: Invalid value for '--epoch': 'x'"),
        (["--format", "md", "--epoch", "1"], "bpdbg export: Missing argument 'SCENARIO'."),
        (["two_neurons", "--format", "md", "--epoch", "21"], "two_neurons.toml: there is no epoch 21: the run"),
        (["no_such", "--format", "csv"], "no_such:1:1: file: no such file, and no shipped scenario"),
        (["two_neurons", "--format", "csv", "-o", ""], "bpdbg export: Invalid value for '-o' / '--output': "),
    ],
)
def test_bad_arguments_are_one_line_and_exit_status_2(args: list[str], message: str) -> None:
    status, out, err = export(*args)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err


def test_a_run_that_turns_non_finite_is_written_up_to_there_then_named_in_one_line(write_scenario) -> None:
    path = write_scenario(
        'title = "diverges"\n[params]\nw = 1.0\n[loss]\nL = "(w - 3) ** 2"\n'
        "[training]\nlearning_rate = 1e5\nepochs = 50\n"
    )  # each step overshoots a hundred thousand-fold, until the square overflows
    result = CliRunner().invoke(main, ["export", str(path), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.exit_code == 1 and rows[-1]["stop"] == "non-finite" and rows[-1]["loss"] == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"{path}: non-finite value at epoch {len(rows)}")
    assert all(row["loss"] for row in rows[:-1])
