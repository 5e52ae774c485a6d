"""Expressions are data, never code.

A scenario file may be written to do harm. Every hostile expression below, placed
in the model, the loss, a metric, the stop rule or a log field, must be refused
with one clean ScenarioError (in the CLI: exit 2, one line on stderr, nothing on
stdout, no traceback), and none may have any effect: the files its payload would
create never appear. The source of bpdbg itself holds no eval, exec or compile.
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario

ROOT = Path(__file__).resolve().parent.parent
SENTINEL = "PWNED"  # every payload that could act would create this file in the working folder

HOSTILE: dict[str, str] = {
    "attribute": "x.__class__",
    "attribute-chain": "().__class__.__bases__[0].__subclasses__()",
    "attribute-after-transpose": "x.T.__class__",
    "function-globals": "sigmoid.__globals__",
    "subscript": "x[0]",
    "slice": "x[::-1]",
    "open": "open('/etc/passwd')",
    "import-system": f"__import__('os').system('touch {SENTINEL}')",
    "import-bare": "__import__",
    "dunder-name": "__builtins__",
    "eval": f"eval(\"__import__('os').system('touch {SENTINEL}')\")",
    "exec": f"exec('import os; os.system(\"touch {SENTINEL}\")')",
    "compile": "compile('1', 'f', 'eval')",
    "getattr": "getattr(x, 'T')",
    "globals": "globals()",
    "breakpoint": "breakpoint()",
    "lambda": "(lambda: 1)()",
    "list-comprehension": "[c for c in x]",
    "generator": "sum(c for c in x)",
    "set-comprehension": "{c for c in x}",
    "dict": "{'a': x}",
    "string": "'abc'",
    "bytes": "b'abc'",
    "f-string": "f'{x}'",
    "walrus": "(y := x)",
    "conditional": "x if x else w",
    "statement": f"x; import os; os.system('touch {SENTINEL}')",
    "keyword-argument": "sum(x, axis=0)",
    "star-argument": "sum(*x)",
    "call-result": "sigmoid(x)(1)",
    "call-of-transpose": "x.T()",
    "await": "await x",
    "yield": "yield x",
    "huge-exponent": "x ** 99999",
    "tower-of-exponents": "9**9**9",
    "negative-huge-exponent": "x ** -99999",
    "variable-exponent": "x ** w",
    "huge-integer": "1" + "0" * 400,
    "huge-float": "1e999",
    "deep-parentheses": "(" * 10_000 + "x" + ")" * 10_000,
    "deep-calls": "sigmoid(" * 100 + "x" + ")" * 100,
    "long-chain": " + ".join(["x"] * 500),
    "very-long": "x + " * 5000 + "x",
    "cyrillic-lookalike": "\u0455igmoid(x)",  # ѕigmoid
    "fullwidth-digit": "\uff11 + x",
    "non-breaking-space": "x\u00a0+ w",
    "line-separator": "x\u2028+ w",
    "nul-byte": "x\x00 + w",
    "backslash": "x \\\n+ w",
    "comment": "x # + w",
    "hex": "0x10",
    "complex": "1j",
    "matmul-twice": "x @@ w",
    "empty": "",
    "only-spaces": "   ",
}

BASE = """\
title = "hostile"

[data]
x = 0.5
y = 1.0

[params]
w = 0.3

[model]
z = {model}

[loss]
L = {loss}

[metrics]
m = {metric}

[training]
learning_rate = 0.1
epochs = 2
stop_when = {stop}

[[log]]
format = {log}
"""
SAFE = {
    "model": "w * x",
    "loss": "(z - y) ** 2",
    "metric": "abs(z - y)",
    "stop": "loss < 0.001",
    "log": "Epoch {epoch}: {loss:.4f}",
}
PLACES = ("model", "loss", "metric", "stop", "log")


def toml_string(text: str) -> str:
    """A TOML basic string holding `text` exactly: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def scenario(place: str, expression: str) -> str:
    values = dict(SAFE)
    values[place] = "Value: { " + expression + " }" if place == "log" else expression
    return BASE.format(**{key: toml_string(value) for key, value in values.items()})


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch) -> Path:
    """Run in an empty folder, so a payload's relative `touch` would land where we look."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_safe_scenario_runs(workdir: Path) -> None:
    path = workdir / "safe.toml"
    path.write_text(scenario("model", SAFE["model"]), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Epoch 1: ")


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_expression_is_refused_and_has_no_effect(workdir: Path, place: str, name: str) -> None:
    path = workdir / "hostile.toml"
    path.write_text(scenario(place, HOSTILE[name]), encoding="utf-8")

    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{path}:")

    for command in ("run", "check", "gradcheck"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 2, (command, result.output, result.exception)
        assert result.stdout == ""
        assert result.stderr == str(caught.value) + "\n"
        assert "Traceback" not in result.stderr
    assert not (workdir / SENTINEL).exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["hostile.toml"]


def test_error_positions_point_into_the_hostile_text(workdir: Path) -> None:
    path = workdir / "hostile.toml"
    path.write_text(scenario("model", HOSTILE["import-system"]), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    # z = "__import__('os')…": the value starts at column 6; the tokenizer stops at the first quote, 'os'.
    assert (caught.value.place.line, caught.value.place.column) == (11, 17)
    assert caught.value.message.startswith("strings are not allowed in expressions")


def test_a_dunder_name_is_refused_where_it_stands(workdir: Path) -> None:
    path = workdir / "hostile.toml"
    path.write_text(scenario("loss", "z + __builtins__"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    assert (caught.value.place.line, caught.value.place.column) == (14, 10)
    assert caught.value.message == "names starting with '__' are not allowed ('__builtins__') in 'z + __builtins__'"


# -- no code runs from user text ------------------------------------------------------------------------

FORBIDDEN_NAMES = {
    "eval",
    "exec",
    "__import__",
    "literal_eval",
    "import_module",
    "execfile",
    "runpy",
    "pickle",
    "marshal",
    "subprocess",
    "codeop",
    "system",
    "popen",
}
FORBIDDEN_IMPORTS = re.compile(r"^\s*(from|import)\s+(ast|code|codeop|pickle|marshal|subprocess|runpy)\b")


def code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    """Names and operators of a source file: its strings and comments may mention anything."""
    source = path.read_text(encoding="utf-8")
    return [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type in (tokenize.NAME, tokenize.OP)]


SOURCES = sorted(p for folder in ("engine", "src", "tui", "scenarios") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_source_file_can_run_text_as_code(path: Path) -> None:
    tokens = code_tokens(path)
    used = {t.string for t in tokens} & FORBIDDEN_NAMES
    assert not used, f"{path.name} uses {sorted(used)}"
    for before, token in itertools.pairwise(tokens):
        if token.string == "compile":  # a method named compile, or re.compile, is not the builtin
            assert before.string in (".", "def"), f"{path.name}:{token.start[0]} calls the builtin compile"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert not FORBIDDEN_IMPORTS.match(line), f"{path.name}:{number}: {line.strip()}"


def test_the_source_scan_would_notice_an_eval(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text('"""eval( in a docstring is fine."""\nvalue = eval(text)  # but this is not\n')
    assert "eval" in {t.string for t in code_tokens(sneaky)} & FORBIDDEN_NAMES
