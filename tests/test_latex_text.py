"""Words in a LaTeX handout (titles, sources, descriptions, remarks) in any script a lecturer
writes: what pdflatex can set is set, and what it cannot is named by its code point, so the
document always compiles."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.export.derivation import derive
from bpdbg.export.latex import render_latex
from bpdbg.export.latex_math import text

PDFLATEX = shutil.which("pdflatex")

TITLE = "Ωμέγα — 5 % off, ∂L/∂w ✓ (中文 😀), Ärger über Œuvre “q” \\u0007"


@pytest.mark.parametrize(
    ("plain", "tex"),
    [
        ("Ω", r"$\Omega$"),
        ("Δw", r"$\Delta$w"),
        ("έ", r"$\varepsilon$"),  # an accented Greek letter, set without its accent
        ("Α", "A"),  # Greek capitals that look like Latin ones are Latin ones in LaTeX
        ("✓", r"$\checkmark$"),
        ("中文", "[U+4E2D][U+6587]"),
        ("😀", "[U+1F600]"),
        ("a\x07b\x1b[2J", "a[U+0007]b[U+001B][2J"),  # control characters, which pdflatex refuses
        ("é ü ß Œ — “q” …", "é ü ß Œ — “q” $\\ldots$"),
    ],
)
def test_each_character_is_set_or_named(plain: str, tex: str) -> None:
    assert text(plain) == tex


@pytest.mark.slow
@pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed on this machine")
def test_a_handout_titled_in_any_script_compiles(write_scenario, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_scenario(
        f'title = "{TITLE}"\n[params]\nw = 0.5\n[loss]\nL = "(w - 1) ** 2"\n'
        "[training]\nlearning_rate = 0.1\nepochs = 1\n"
    )
    (tmp_path / "handout.tex").write_text(render_latex(derive(open_scenario(path), 1)), encoding="utf-8")
    command = [str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", "handout.tex"]
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    log = (tmp_path / "handout.log").read_text(errors="replace")
    assert "Output written on handout.pdf" in log, log[-2000:]
