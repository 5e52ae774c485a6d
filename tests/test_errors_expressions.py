"""[model] and [loss] expressions: what does not parse, unknown or reused names, shapes that do not fit, sizes.

Each is reported at the offending character inside the expression, counted in the file
as written (across lines, escapes and CRLF line ends).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import bpdbg.engine
from bpdbg.engine import limits
from bpdbg.engine.loader import load_scenario

from .one_line_errors import Case, edit, one_line_at_the_exact_place, the_error

CASES: list[Case] = [
    (
        "wrong-type-model",
        edit('z = "w * x + b"', "z = 3"),
        '12:1: model.z: must be an expression in quotes, e.g. z = "w * x + b", not an integer',
    ),
    ("parse-error", edit('z = "w * x + b"', 'z = "w * x + * b"'), "12:14: model.z: unexpected '*' in 'w * x + * b'"),
    (
        "parse-error-multiline",
        edit('z = "w * x + b"', 'z = """\nw * x\n  + * b"""'),
        "14:5: model.z: unexpected '*' in 'w * x\\n  + * b'",
    ),
    (
        "parse-error-after-escape",
        edit('z = "w * x + b"', 'z = "w * \\u0078 + * b"'),
        "12:19: model.z: unexpected '*' in 'w * x + * b'",
    ),
    (
        "parse-error-literal-string",
        edit('z = "w * x + b"', "z   =   'w * x + * b'"),
        "12:18: model.z: unexpected '*' in 'w * x + * b'",
    ),
    (
        "parse-error-in-loss",
        edit('L = "0.5 * (z - y) ** 2"', 'L = "0.5 * (z - y ** 2"'),
        "15:23: loss.L: expected ')' but found 'end of expression' in '0.5 * (z - y ** 2'",
    ),
    (
        "unknown-name",
        edit('z = "w * x + b"', 'z = "w * xx + b"'),
        "12:10: model.z: unknown name 'xx'; did you mean 'x'?",
    ),
    (
        "unknown-function",
        edit('z = "w * x + b"', 'z = "softplus(w * x + b)"'),
        "12:6: model.z: unknown function 'softplus' (known: abs, exp, log, log_softmax, max, maximum, mean, min, "
        "minimum, onehot, relu, sigmoid, softmax, sum, tanh, transpose) in 'softplus(w * x + b)'",
    ),
    (
        "used-before-defined",
        edit('z = "w * x + b"', 'z = "w * x + q"\nq = "b"'),
        "12:14: model.z: 'q' is used before it is defined (define it above 'z')",
    ),
    ("defined-twice", edit('z = "w * x + b"', 'x = "w * 2"'), "12:1: model.x: 'x' is defined twice (first at line 4)"),
    (
        "reserved-name",
        edit('z = "w * x + b"', 'sigmoid = "w * x + b"'),
        "12:1: model.sigmoid: 'sigmoid' is a reserved word; choose another name",
    ),
    (
        "shapes-broadcast",
        edit("w = 0.3", "w = [[1.0, 2.0, 3.0]]", edit("x = 0.5", "x = [[1.0, 2.0]]")),
        "12:6: model.z: shapes (1, 3) and (1, 2) do not fit in 'w * x': they cannot be broadcast together",
    ),
    (
        # NumPy would make (z - y) a 3×3 matrix of every z against every y, and train on that
        # without a word: the classic slip of labels read as a vector next to a column.
        "column-against-vector",
        edit(
            'L = "0.5 * (z - y) ** 2"',
            'L = "mean((z - y) ** 2)"',
            edit("x = 0.5", "x = [[1.0], [2.0], [3.0]]", edit("y = 1.0", "y = [1.0, 0.0, 1.0]")),
        ),
        "15:11: loss.L: shapes (3, 1) and (3,) do not fit in '(z - y)': a column of 3 and a vector of 3 would "
        "broadcast to a 3×3 matrix, every entry against every other; make both columns (shape = [3, 1] "
        "for data) or both vectors",
    ),
    (
        "shapes-matmul",
        edit(
            'z = "w * x + b"',
            'z = "sum(x @ w) + b"',
            edit("w = 0.3", "w = [[1.0, 2.0, 3.0]]", edit("x = 0.5", "x = [[1.0, 2.0]]")),
        ),
        "12:10: model.z: shapes (1, 2) and (1, 3) do not fit in 'x @ w': inner sizes differ (2 and 1)",
    ),
    (
        "loss-not-scalar",
        edit("x = 0.5", "x = [1.0, 2.0]"),
        "15:6: loss.L: the loss must be a single number, but '0.5 * (z - y) ** 2' has shape (2,); wrap it in "
        "sum(…) or mean(…)",
    ),
    (
        "axis-of-scalar",
        edit('z = "w * x + b"', 'z = "sum(w * x + b, 0)"'),
        "12:21: model.z: sum() of a single number has no axis to reduce; write sum(…) without one",
    ),
    (
        "huge-integer-literal",
        edit('z = "w * x + b"', 'z = "w * x + 1' + "0" * 400 + '"'),
        "12:14: model.z: number 100000000000…(401 characters) is too large (at most about 1.8e308) in "
        "'w * x + 10000000000000000000000000000000000000000000000000000000… (409 characters)",
    ),
    (
        "huge-float-literal",
        edit('z = "w * x + b"', 'z = "w * x + 1e999"'),
        "12:14: model.z: number 1e999 is too large (at most about 1.8e308) in 'w * x + 1e999'",
    ),
    (
        "broadcast-too-large",
        edit(
            'L = "0.5 * (z - y) ** 2"',
            'L = "sum(0.5 * (z - y) ** 2)"',
            edit("b = 0.1", "b = { zeros = [1, 2000] }", edit("w = 0.3", "w = { zeros = [2000, 1] }")),
        ),
        "12:6: model.z: 'w * x + b' would have shape (2000, 2000) (4000000 numbers; at most 2000000)",
    ),
    (
        "parse-error-multiline-crlf",
        edit('z = "w * x + b"', 'z = """\nw * x\n  + * b"""').replace("\n", "\r\n"),
        "14:5: model.z: unexpected '*' in 'w * x\\n  + * b'",
    ),
    (
        "chain-too-long",
        edit('z = "w * x + b"', 'z = "' + " + ".join(["x"] * 300) + '"'),
        # The 101st term is where the chain goes deeper than 200 operations.
        "12:406: model.z: expression has more than 200 operations inside one another; split it into named nodes in "
        "'x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + x + … (1197 characters)",
    ),
]

test_each_problem_is_one_line_at_the_exact_place = one_line_at_the_exact_place(CASES)


# -- sizes, and the work of finding a place --------------------------------------------------------


def test_an_iteration_too_large_is_refused_at_the_expression_that_crosses_the_limit(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TAPE_ELEMENTS", 50)
    path = tmp_path / "big.toml"
    text = edit("w = 0.3", "w = { zeros = [20, 1] }", edit('L = "0.5 * (z - y) ** 2"', 'L = "sum((z - y) ** 2)"'))
    path.write_text(text, encoding="utf-8")
    assert the_error(path).startswith(f"{path}:")
    assert "one iteration would hold more than 50 numbers" in the_error(path)


def lines_run_to_load(tmp_path: Path, nodes: int) -> int:
    """How many lines of the engine's Python run to load a scenario with `nodes` more model nodes."""
    model = "".join(f'\nn{i} = "w * x + {i}"' for i in range(nodes))
    path = tmp_path / f"nodes_{nodes}.toml"
    path.write_text(edit('z = "w * x + b"', 'z = "w * x + b"' + model), encoding="utf-8")
    engine = str(Path(bpdbg.engine.__file__).parent)  # wherever it is installed from
    count = 0

    def line(frame: FrameType, event: str, arg: object) -> Callable[..., object]:
        nonlocal count
        count += event == "line"
        return line

    def call(frame: FrameType, event: str, arg: object) -> Callable[..., object] | None:
        return line if frame.f_code.co_filename.startswith(engine) else None

    sys.settrace(call)
    try:
        load_scenario(path)
    finally:
        sys.settrace(None)
    return count


def test_loading_takes_work_in_proportion_to_the_file_not_its_square(tmp_path: Path) -> None:
    """Every key's place is looked up in an index built once, not by reading the file again per key."""
    small, large = lines_run_to_load(tmp_path, 200), lines_run_to_load(tmp_path, 800)
    assert small > 0, "no line of the engine was counted"
    assert large < 5 * small, (small, large)  # four times the nodes: about four times the work
