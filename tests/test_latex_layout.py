"""A LaTeX handout fits the page: no row runs past the margin, and shortening a formula to fit
keeps the engine's mathematics exactly (a long sub-expression named once, a long side broken)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.export.derivation import Equation, derive
from bpdbg.export.latex import render_latex, rows, shorthands
from bpdbg.export.latex_math import math, name
from bpdbg.export.latex_names import is_atomic, letter_for, shorten
from bpdbg.export.latex_width import TEXT_WIDTH, environment_width, math_width, row_widths

from .conftest import SHIPPED, trainer_for

ALIGN = re.compile(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", re.DOTALL)
WHOLE_TAPE = ["moons_relu", "digits_softmax"]  # the scenarios whose whole-tape symbols ran off the page
PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed on this machine")


@cache
def handout(scenario: str) -> str:
    return render_latex(derive(trainer_for(scenario), 1))


def environments(tex: str) -> list[list[str]]:
    return [body.split("\n") for body in ALIGN.findall(tex)]


# -- every row fits across the page -------------------------------------------------------------


@pytest.mark.parametrize("scenario", SHIPPED)
def test_no_row_of_any_shipped_scenarios_handout_is_wider_than_the_page(scenario: str) -> None:
    """Each align* is as wide as its widest left-hand side and its widest right-hand side together."""
    widths = [environment_width(rows) for rows in environments(handout(scenario))]
    assert widths and max(widths) <= TEXT_WIDTH, [round(w - TEXT_WIDTH) for w in widths if w > TEXT_WIDTH]


def test_the_measure_calls_the_old_whole_tape_rows_of_moons_relu_far_too_wide() -> None:
    """The measure can fail: the row that ran 746pt over the margin before is measured as too wide."""
    s = "y ⊙ log(A2 + 1e-8) + (1 − y) ⊙ log(1 − A2 + 1e-8)"
    lhs, side = f"∂L/∂({s})", f"∂L/∂mean({s}) · ∂mean({s})/∂({s})"
    left, right = row_widths(f"{math(lhs)} &= {math(side)}")
    assert left + right > 2 * TEXT_WIDTH


# -- a long sub-expression named once, the mathematics unchanged --------------------------------


def expand(text: str, name: str, expression: str) -> str:
    """The inverse of shortening: `name` written out again, bracketed wherever it stood as an operand."""
    if text == name:
        return expression
    parts = text.split(name)
    out = [parts[0]]
    for before, after in itertools.pairwise(parts):
        bare = is_atomic(expression) or (re.search(r"[(,] ?$", before) and re.match(r" ?[),]", after))
        out += [expression if bare else f"({expression})", after]
    return "".join(out)


@pytest.mark.parametrize("scenario", WHOLE_TAPE)
def test_every_shortened_equation_written_out_again_is_the_engines_own(scenario: str) -> None:
    sections = derive(trainer_for(scenario), 1).sections
    equations, defined = shorthands(sections)
    names = [d for block in defined for d in block]
    assert names, "these handouts cannot fit without a name"
    assert len({d.name for d in names}) == len(names)  # each name defined once
    for part, shortened in zip(sections, equations, strict=True):
        for engine, written in zip(part.equations, shortened, strict=True):
            texts = [written.lhs, *written.sides]
            for d in reversed(names):  # a later name may stand for an expression holding an earlier one
                texts = [expand(t, d.name, d.expression) for t in texts]
            assert texts == [engine.lhs, *engine.sides]
            assert (written.value is engine.value, written.note) == (True, engine.note)


def test_the_whole_tape_symbol_of_moons_relu_is_written_by_a_name_defined_where_it_is_computed() -> None:
    tex = handout("moons_relu")
    definition = r"u_{2} &= y\ \odot \ \log(\mathit{A2}+10^{-8})+(1-y)\ \odot \ \log(1-\mathit{A2}+10^{-8})"
    assert tex.count(definition) == 1
    assert tex.index(definition) < tex.index(r"\section*{Backward pass}")
    assert r"\partial L/\partial u_{2} &= \partial L/\partial \operatorname{mean}(u_{2})" in tex


@pytest.mark.parametrize(
    ("text", "expression", "shortened"),
    [
        ("∂L/∂(y ⊙ log(a) + b)", "y ⊙ log(a) + b", "∂L/∂u₁"),  # a bracketed operand: the brackets go too
        ("∂mean(y + b)/∂(y + b)", "y + b", "∂mean(u₁)/∂u₁"),  # a call's argument: its brackets stay
        ("sum(p ⊙ q, 1)", "p ⊙ q", "sum(u₁, 1)"),
        ("1 − A2 + 1e-8", "A2 + 1e-8", "1 − A2 + 1e-8"),  # not a sub-expression: (1 − A2) + 1e-8
        ("y ⊙ log(A2) + c", "y ⊙ log(A2)", "y ⊙ log(A2) + c"),  # unbracketed: left as written
        ("xlog(a) + log(a)", "log(a)", "xlog(a) + u₁"),  # a call is named only where it is the whole call
        ("log(a)(b)", "log(a)", "log(a)(b)"),
        ("y + b", "y + b", "u₁"),
    ],
)
def test_a_name_stands_only_for_a_whole_sub_expression(text: str, expression: str, shortened: str) -> None:
    assert shorten(text, expression, "u₁") == shortened


def test_the_names_letter_is_one_the_scenario_does_not_use() -> None:
    assert letter_for(["∂L/∂(w1 · x)"]) == "u"
    assert letter_for(["u1 + u", "v₂ · q"]) == "r"


# -- a side too wide for the page, broken before an operator -------------------------------------


def test_a_side_too_wide_for_the_page_is_broken_before_operators_and_nothing_is_lost() -> None:
    side = " + ".join(f"weight{n} · input{n}" for n in range(30))
    lines = rows(Equation("z", (side,)))
    pieces = [re.sub(r"^(= |\\quad \{\})", "", line.removesuffix(" \\\\").partition("&")[2]) for line in lines]
    assert len(lines) > 2 and lines[0].startswith("z &= ")
    assert all(line.startswith(r" &\quad {}+") for line in lines[1:])  # broken before a +, not inside a product
    assert "".join(pieces) == math(side)  # the same formula, set in pieces
    assert max(math_width(piece) for piece in pieces) <= TEXT_WIDTH - math_width("z")


# -- pdflatex agrees, where it is installed -------------------------------------------------------


def pdflatex(tex: str, folder: Path) -> str:
    (folder / "handout.tex").write_text(tex)
    command = [str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", "handout.tex"]
    subprocess.run(command, cwd=folder, capture_output=True, timeout=120, check=False)
    return (folder / "handout.log").read_text(errors="replace")


@pytest.mark.slow
@needs_pdflatex
@pytest.mark.parametrize("scenario", WHOLE_TAPE)
def test_pdflatex_sets_the_whole_tape_handouts_with_no_overfull_line(scenario: str, tmp_path: Path) -> None:
    log = pdflatex(handout(scenario), tmp_path)
    assert "Output written on handout.pdf" in log, log[-2000:]
    over = [float(points) for points in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not [points for points in over if points > 1.0], over


@pytest.mark.slow
@needs_pdflatex
def test_the_measure_is_never_narrower_than_pdflatexs_own(tmp_path: Path) -> None:
    """Each column of each row of a handout, typeset alone by TeX, is no wider than the measure says."""
    tex = handout("moons_relu") + handout("net_221_sigmoid")
    cells = [
        cell
        for body in environments(tex)
        for row in body
        if not row.startswith(r"\intertext")
        for cell in re.split(r"(?<!\\)&", row.removesuffix(" \\\\"), maxsplit=1)
    ]
    preamble = handout("moons_relu").split(r"\begin{document}")[0]
    probes = "\n".join(
        rf"\sbox\probe{{$\displaystyle {{}}{cell}$}}\typeout{{WIDTH {n} \the\wd\probe}}" for n, cell in enumerate(cells)
    )
    log = pdflatex(preamble + "\\begin{document}\\newsavebox\\probe\n" + probes + "\n\\end{document}\n", tmp_path)
    measured = {int(n): float(w) for n, w in re.findall(r"WIDTH (\d+) ([\d.]+)pt", log)}
    assert len(measured) == len(cells), log[-2000:]
    narrower = [(cell, measured[n], math_width(cell)) for n, cell in enumerate(cells) if math_width(cell) < measured[n]]
    assert not narrower


@pytest.mark.parametrize(
    ("token", "tex"), [("u₁₀", "u_{10}"), ("u₁", "u_{1}"), ("β₁ᵗ", r"\beta_{1}^{t}"), ("a₁b₂", "a_{1}b_{2}")]
)
def test_a_subscript_of_several_digits_is_one_subscript(token: str, tex: str) -> None:
    """u₁₀ as u_{1}_{0} is a double subscript, which stops pdflatex: a tenth name broke the handout."""
    assert name(token) == tex


LONG_NAME = "a_really_quite_extraordinarily_long_parameter_name_that_no_page_could_hold_in_one_line"


@pytest.fixture(scope="module")
def wide_handout(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """A sum of 24 products inside a call (tanh(w1·x + … + w24·x)), optionally times a parameter
    whose name alone is wider than half the page; each handout made once for the module (choosing
    its names takes seconds)."""

    @cache
    def handout_of(long_name: str = "") -> str:
        terms = " + ".join(f"w{i} * x" for i in range(1, 25))
        params = "\n".join(f"w{i} = 0.01" for i in range(1, 25)) + (f"\n{long_name} = 0.1" if long_name else "")
        factor = f" * {long_name}" if long_name else ""
        path = tmp_path_factory.mktemp("wide") / "wide.toml"
        path.write_text(
            f'title = "wide"\n[data]\nx = 0.5\ny = 0.2\n[params]\n{params}\n[model]\nz = "tanh({terms}){factor}"\n'
            '[loss]\nL = "(z - y) ** 2"\n[training]\nlearning_rate = 0.1\nepochs = 1\n',
            encoding="utf-8",
        )
        return render_latex(derive(open_scenario(path), 1))

    return handout_of


def test_a_handout_with_ten_names_or_more_numbers_them_as_single_subscripts(
    wide_handout: Callable[[str], str],
) -> None:
    tex = wide_handout(LONG_NAME)
    assert "u_{10}" in tex and not re.search(r"_\{\d+\}_\{", tex)


def test_a_long_sum_is_named_term_by_term_and_needs_no_scaling(wide_handout: Callable[[str], str]) -> None:
    """u₂ = u₁ + w3·x, not the whole sum again: a name stands for the first terms of a longer sum."""
    tex = wide_handout("")
    definitions = environments(tex)[0]  # "Written short from here on", before the forward pass's equations
    assert len(definitions) > 2 and all(re.match(r"u_\{\d+\} &= u_\{\d+\}\+", row) for row in definitions[1:])
    assert "resizebox" not in tex  # names and breaks fit it: nothing is scaled


def test_what_no_name_or_break_can_fit_is_scaled_to_the_page_and_only_that(
    wide_handout: Callable[[str], str],
) -> None:
    tex = wide_handout(LONG_NAME)
    widths = [environment_width(rows) for rows in environments(tex)]
    assert max(widths) <= TEXT_WIDTH
    scaled = re.findall(r"\\resizebox\{[\d.]+pt\}\{!\}\{\$\\displaystyle (.*?)\$\}", tex)
    assert scaled and all("long" in part for part in scaled)  # each holds the long name


def test_no_shipped_handout_is_scaled() -> None:
    assert not [s for s in SHIPPED if "resizebox" in handout(s)]


@pytest.mark.slow
@needs_pdflatex
def test_pdflatex_sets_a_handout_with_a_name_wider_than_half_the_page_with_no_overfull_line(
    wide_handout: Callable[[str], str], tmp_path: Path
) -> None:
    log = pdflatex(wide_handout(LONG_NAME), tmp_path)
    assert "Output written on handout.pdf" in log, log[-2000:]
    over = [float(points) for points in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert not [points for points in over if points > 1.0], over
