"""Property and fuzz tests: whatever the file holds, bpdbg loads it or says why in one line,
and every command of the CLI exits 0, 1 or 2 without a traceback.

Broken files are the shipped scenarios mangled at random (lines deleted or swapped,
tokens swapped, bytes overwritten, text cut short) and random expressions; none may
give anything but a ScenarioError or a working trainer. Valid generated networks
(random layer sizes and smooth activations, random data) must pass the
finite-difference gradient check.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bpdbg.cli import main
from bpdbg.engine.check import gradient_check
from bpdbg.engine.report import Log
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

from .conftest import SCENARIOS

TEXTS = {path.stem: path.read_bytes() for path in sorted(SCENARIOS.glob("*.toml"))}
FUZZ = settings(
    max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def loads_or_fails_cleanly(path: Path) -> None:
    """Open the scenario; a ScenarioError must be one line naming the file; a trainer must run and log."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no NumPy warning may escape either
            trainer = open_scenario(path)
            trainer.run(2)
            Log(trainer).lines()
    except ScenarioError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S", message), message


# -- broken files ---------------------------------------------------------------------------------------


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A shipped scenario with a few random edits."""
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(1, 4))):
        if not text.strip():
            break
        lines = text.split(b"\n")
        kind = draw(st.sampled_from(["delete-line", "swap-lines", "swap-tokens", "bytes", "truncate", "duplicate"]))
        if kind == "delete-line":
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "swap-lines":
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "duplicate":
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
        elif kind == "swap-tokens":
            tokens = re.split(rb"(\s+)", text)
            words = [k for k, t in enumerate(tokens) if t.strip()]
            i, j = draw(st.sampled_from(words)), draw(st.sampled_from(words))
            tokens[i], tokens[j] = tokens[j], tokens[i]
            lines = b"".join(tokens).split(b"\n")
        elif kind == "bytes":
            data = bytearray(text)
            at = draw(st.integers(0, len(data) - 1))
            patch = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(patch)] = patch
            lines = bytes(data).split(b"\n")
        else:
            lines = text[: draw(st.integers(0, len(text)))].split(b"\n")
        text = b"\n".join(lines)
    return text


@FUZZ
@given(content=mangled())
def test_a_mangled_scenario_loads_or_fails_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "mangled.toml"
    path.write_bytes(content)
    loads_or_fails_cleanly(path)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_fail_in_one_line(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "random.toml"
    path.write_bytes(content)
    loads_or_fails_cleanly(path)


EXPRESSION_PIECES = [
    "x",
    "w",
    "b",
    "y",
    "z",
    "0",
    "1",
    "2.5",
    "1e3",
    "1e400",
    "+",
    "-",
    "*",
    "/",
    "@",
    "**",
    "(",
    ")",
    ",",
    ".T",
    ".",
    "sigmoid(",
    "relu(",
    "tanh(",
    "exp(",
    "log(",
    "abs(",
    "sum(",
    "mean(",
    "maximum(",
    "minimum(",
    "transpose(",
    "grad(",
    "loss",
    "epoch",
    "<",
    "==",
    "and",
    "not",
    "[",
    "]",
    "'",
    "{",
    "}",
    ":",
    "!",
    "__",
    "\\",
    "\u0455",
    " ",
]


@settings(max_examples=1000, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(EXPRESSION_PIECES), min_size=1, max_size=25),
    where=st.sampled_from(["model", "loss", "stop", "log"]),
)
def test_random_expressions_load_or_fail_in_one_line(tmp_path: Path, pieces: list[str], where: str) -> None:
    expression = "".join(pieces)
    values = {"model": "w * x + b", "loss": "(z - y) ** 2", "stop": "loss < 0.001", "log": "{loss:.4f}"}
    values[where] = "E { " + expression + " }" if where == "log" else expression
    quoted = {k: '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for k, v in values.items()}
    path = tmp_path / "expr.toml"
    path.write_text(
        f"""title = "random expression"
[data]
x = [[0.5, -1.0]]
y = 1.0
[params]
w = [[0.3], [0.2]]
b = 0.1
[model]
z = {quoted["model"]}
[loss]
L = {quoted["loss"]}
[training]
learning_rate = 0.1
epochs = 3
stop_when = {quoted["stop"]}
[[log]]
format = {quoted["log"]}
""",
        encoding="utf-8",
    )
    loads_or_fails_cleanly(path)


# -- valid generated networks pass the gradient check --------------------------------------------------

ACTIVATIONS = ["sigmoid", "tanh", ""]  # smooth everywhere: finite differences are exact up to rounding


def matrix(rows: int, cols: int, values: list[float]) -> str:
    return (
        "["
        + ", ".join("[" + ", ".join(repr(v) for v in values[r * cols : (r + 1) * cols]) + "]" for r in range(rows))
        + "]"
    )


@st.composite
def networks(draw: st.DrawFn) -> str:
    """A dense network with 1–3 layers of 1–3 units, smooth activations and random data and weights."""
    # Moderate values keep the loss near 1, where central differences are accurate to ~1e-10.
    number = st.floats(-1, 1, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
    samples = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(2, 4)))]
    data = {
        "X": matrix(
            samples, sizes[0], draw(st.lists(number, min_size=samples * sizes[0], max_size=samples * sizes[0]))
        ),
        "Y": matrix(
            samples, sizes[-1], draw(st.lists(number, min_size=samples * sizes[-1], max_size=samples * sizes[-1]))
        ),
    }
    params, model, previous = {}, [], "X"
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes), start=1):
        params[f"W{layer}"] = matrix(
            fan_in, fan_out, draw(st.lists(number, min_size=fan_in * fan_out, max_size=fan_in * fan_out))
        )
        params[f"b{layer}"] = matrix(1, fan_out, draw(st.lists(number, min_size=fan_out, max_size=fan_out)))
        activation = draw(st.sampled_from(ACTIVATIONS))
        model.append(f'Z{layer} = "{previous} @ W{layer} + b{layer}"')
        model.append(f'A{layer} = "{activation}(Z{layer})"' if activation else f'A{layer} = "Z{layer}"')
        previous = f"A{layer}"
    loss = draw(st.sampled_from([f"mean(({previous} - Y) ** 2)", f"0.5 * sum(({previous} - Y) ** 2)"]))
    return "\n".join(
        [
            'title = "generated network"',
            "[data]",
            *(f"{k} = {v}" for k, v in data.items()),
            "[params]",
            *(f"{k} = {v}" for k, v in params.items()),
            "[model]",
            *model,
            "[loss]",
            f'L = "{loss}"',
            "[training]",
            "learning_rate = 0.01",
            "epochs = 3",
            "",
        ]
    )


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=networks())
def test_generated_networks_pass_the_finite_difference_check(tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.toml"
    path.write_text(text, encoding="utf-8")
    trainer = open_scenario(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.run()
    assert trainer.stop is not None and trainer.stop.reason == "epochs"
    for epoch in (1, 3):
        result = gradient_check(trainer, epoch)
        assert result.passed, (result, text)
    assert all(np.isfinite(trainer.row(epoch)).all() for epoch in range(trainer.epochs_done + 1))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.text(min_size=1, max_size=12), section=st.sampled_from(["data", "params", "model", "training", "log"]))
def test_any_quoted_key_loads_or_fails_in_one_line(tmp_path: Path, key: str, section: str) -> None:
    """Keys may hold any character, line breaks included; the error line still stays one line."""
    quoted = (
        '"'
        + "".join(f"\\u{ord(c):04X}" if ord(c) < 0x20 or c in '"\\' or 0xD800 <= ord(c) < 0xE000 else c for c in key)
        + '"'
    )
    value = {"data": "1.0", "params": "1.0", "model": '"w * x"', "training": "1", "log": '"{loss}"'}[section]
    header = "[[log]]" if section == "log" else f"[{section}]"
    body = {
        "data": "x = 0.5",
        "params": "w = 0.3",
        "model": 'z = "w * x"',
        "training": "learning_rate = 0.1\nepochs = 2",
        "log": 'format = "{loss}"',
    }
    parts = [
        f"[{s}]\n{body[s]}" if s != section else f"{header}\n{body[s]}\n{quoted} = {value}"
        for s in ("data", "params", "model", "training")
    ]
    if section == "log":
        parts.append(f"{header}\n{body['log']}\n{quoted} = {value}")
    path = tmp_path / "keys.toml"
    path.write_text('title = "keys"\n' + "\n".join(parts) + '\n[loss]\nL = "(z - 1) ** 2"\n', encoding="utf-8")
    loads_or_fails_cleanly(path)


# -- every command of the CLI on generated files ----------------------------------------------------------
#
# Whatever file it is given, each command exits 0, 1 or 2, never shows a traceback, and finishes
# within a bound. Files are valid scenarios built at random over the expression language, shipped
# scenarios mangled as above, random bytes, and paths no file system accepts.

EXIT_CODES = {0, 1, 2}
COMMANDS = [["run"], ["run", "--json"], ["check"], ["gradcheck", "--after", "2"], ["graph", "--epoch", "3"]]
BOUND = 30.0  # seconds for one command on one generated file; generated runs are at most 40 epochs

UNARY = ["sigmoid", "tanh", "relu", "exp", "log", "abs", ""]
BINARY = ["+", "-", "*", "/"]


@st.composite
def models(draw: st.DrawFn) -> str:
    """A valid scenario: a chain of random nodes over random data and parameters, with a log and a table."""
    number = st.floats(-3, 3, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3))
    width = draw(st.integers(1, 3))

    def value() -> str:
        return repr(draw(number)) if width == 1 else "[" + ", ".join(repr(draw(number)) for _ in range(width)) + "]"

    params = [f"w{i}" for i in range(1, draw(st.integers(1, 3)) + 1)]
    names = ["x", *params]
    model = []
    for i in range(1, draw(st.integers(1, 4)) + 1):
        left, right = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        inner = f"{left} {draw(st.sampled_from(BINARY))} {right}"
        if draw(st.booleans()):
            inner = f"{draw(st.sampled_from(['maximum', 'minimum']))}({left}, {right})"
        if draw(st.booleans()):
            inner = f"({inner}) ** {draw(st.sampled_from(['2', '3', '-0.5', '0.5']))}"
        function = draw(st.sampled_from(UNARY))
        model.append(f'n{i} = "{function}({inner})"' if function else f'n{i} = "{inner}"')
        names.append(f"n{i}")
    reduce = draw(st.sampled_from(["mean", "sum"]))
    rate = draw(st.sampled_from(["0.1", "0.5", "1e-6", "1e6", "3"]))
    epochs = draw(st.integers(1, 40))
    stop = draw(st.sampled_from(["", 'stop_when = "loss < 0.01"', 'stop_when = "abs(grad(w1)) < 1e-3"']))
    check = 'stop_check = "after_update"' if "grad" in stop or draw(st.booleans()) else ""
    fields = draw(st.lists(st.sampled_from(["{epoch}", "{loss:.4f}", "{w1: .3f}", "{n1}", "{epoch - 1}"]), max_size=3))
    expected = draw(st.sampled_from(["", "Epoch 1 loss 0.5", "nan inf 1e999", "[/foo]"]))
    return "\n".join(
        [
            f'title = "{draw(st.sampled_from(["generated", "[/foo]", "[@click=app.quit]"]))}"',
            "[data]",
            f"x = {value()}",
            f"y = {value()}",
            "[params]",
            *(f"{name} = {value()}" for name in params),
            "[model]",
            *model,
            "[loss]",
            f'L = "{reduce}(({names[-1]} - y) ** 2)"',
            "[training]",
            f"learning_rate = {rate}",
            f"epochs = {epochs}",
            stop,
            check,
            "[[log]]",
            f'format = "Epoch {" ".join(fields)}"',
            "[[log]]",
            'when = "early_stop"',
            'format = "Stopping early at epoch {epoch}"',
            "[expected]",
            f'text = """\n{expected}\n"""',
            "",
        ]
    )


files = st.one_of(
    models().map(lambda text: text.encode("utf-8")),
    mangled(),
    st.binary(max_size=200),
)


def assert_clean_exit(command: list[str], result: Result, elapsed: float) -> None:
    """Exit 0, 1 or 2, no traceback on either stream, within the bound."""
    described = f"bpdbg {' '.join(command)}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{described} raised {result.exception!r}") from result.exception
    assert result.exit_code in EXIT_CODES, (described, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, (described, result.stderr)
    assert elapsed < BOUND, f"{described} took {elapsed:.1f} s"


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=files)
def test_every_headless_command_exits_0_1_or_2_without_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "generated.toml"
    path.write_bytes(content)
    for command in [*COMMANDS, ["list"]]:
        args = [*command, str(path)] if command != ["list"] else command
        started = time.monotonic()
        result = CliRunner().invoke(main, args)
        assert_clean_exit(args, result, time.monotonic() - started)


@settings(max_examples=20, deadline=None, database=None)
@given(
    name=st.sampled_from(["9" * 300, "a/" * 3000, "\x00", "-", "--", "[/foo]", "/", ".", "/dev/null", "/proc/self/mem"])
    | st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    command=st.sampled_from(COMMANDS),
)
def test_every_headless_command_refuses_a_name_no_file_system_accepts(name: str, command: list[str]) -> None:
    args = [*command, name]
    started = time.monotonic()
    result = CliRunner().invoke(main, args)
    assert_clean_exit(args, result, time.monotonic() - started)


@settings(max_examples=4, deadline=None, database=None, phases=[Phase.explicit, Phase.generate])
@given(content=files)
def test_opening_the_debugger_without_a_terminal_exits_0_1_or_2_at_once(content: bytes) -> None:
    """`bpdbg FILE` with no terminal (stdin, stdout and stderr not a tty) must not hang or spin.

    A real process, since the debugger would take over the test's own terminal. Not shrunk: each
    failing try costs the whole timeout.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.toml"
        path.write_bytes(content)
        try:
            result = subprocess.run(
                [sys.executable, "-m", "bpdbg", str(path)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=10,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError("bpdbg FILE without a terminal was still running after 10 s") from None
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode in EXIT_CODES, (result.returncode, stderr[-500:])
    assert "Traceback" not in stderr, stderr[-2000:]
