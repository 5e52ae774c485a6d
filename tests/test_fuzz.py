"""Property and fuzz tests: whatever the file holds, bpdbg loads it or says why in one line.

Broken files are the shipped scenarios mangled at random (lines deleted or swapped,
tokens swapped, bytes overwritten, text cut short) and random expressions; none may
give anything but a ScenarioError or a working trainer. Valid generated networks
(random layer sizes and smooth activations, random data) must pass the
finite-difference gradient check.
"""

from __future__ import annotations

import itertools
import re
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
