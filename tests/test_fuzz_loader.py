"""Fuzzing the loader: whatever the file holds, bpdbg loads it or says why in one line.

Broken files are the shipped scenarios mangled at random (lines deleted or swapped,
tokens swapped, bytes overwritten, text cut short), random bytes, random expressions
in every place an expression goes, and keys of any characters; none may give anything
but a ScenarioError of one line naming the file, or a working trainer.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpdbg.engine.report import Log
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

from .mangling import mangled

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
