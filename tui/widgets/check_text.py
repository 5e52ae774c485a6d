"""The check strip's lines: the notes' row beside the engine's, finite differences, the quiz.

Presentation only: every verdict (which number differs, ✓ or ✗, right or wrong) is the
engine's, in the snapshot's `checks`; here it is only laid out and coloured.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from bpdbg.engine.checks import StepChecks
from bpdbg.engine.cursor import Snapshot
from bpdbg.engine.notation import substitute
from bpdbg.engine.notes_table import NotesRow, PrintedPair
from bpdbg.engine.quiz import Question, QuizView, Verdict
from bpdbg.engine.report import NUMBER
from bpdbg.tui.format import compact, is_scalar, number, tidy

LABEL = 9  # the width of a row's label: "notes", "engine ✗"
DIM = "dim"
RIGHT = "bold green"
WRONG = "bold red"
PENDING = "…"


def _line(*parts: tuple[str, str]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for content, style in parts:
        text.append(content, style=style)
    return text


def _spans(line: str) -> list[tuple[int, int]]:
    return [m.span() for m in NUMBER.finditer(line)]


def _window(pair: PrintedPair, width: int) -> int:
    """Where both lines start on screen: at 0, or late enough that the first differing number shows."""
    differing = [i for i, n in enumerate(pair.numbers) if not n.same]
    spans = _spans(pair.engine.text)
    if not differing or differing[0] >= len(spans):
        return 0
    end = spans[differing[0]][1]
    room = width - LABEL
    return max(0, end - room + 8) if end > room else 0


def _marked(line: str, spans: list[tuple[int, int]], marked: set[int], style: str, start: int) -> Text:
    """The line with the numbers at `marked` styled, shown from `start` (an ellipsis for what is cut)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    position = 0
    for i, (a, b) in enumerate(spans):
        text.append(line[position:a])
        text.append(line[a:b], style=style if i in marked else "")
        position = b
    text.append(line[position:])
    return Text.assemble(("…", DIM), text[start + 1 :]) if start else text


def _pair_to_show(row: NotesRow) -> PrintedPair:
    """The epoch's line that differs, else the first that prints a value (not a heading like `Updated W1:`)."""
    differing = [p for p in row.pairs if p.divergence is not None]
    printing = [p for p in row.pairs if any(n.field is not None for n in p.numbers)]
    return (differing or printing or list(row.pairs))[0]


def table_lines(checks: StepChecks, width: int) -> list[Text]:
    """Two lines: the notes' printed line for this epoch above the engine's, differences marked."""
    row = checks.notes
    if row is None:
        return [_line(("no table from the notes for this scenario", DIM)), summary(checks)]
    if not row.pairs:
        return [_line(("notes".ljust(LABEL), "bold"), (f"print nothing at epoch {row.epoch}", DIM)), summary(checks)]
    pair = _pair_to_show(row)
    count = len(row.pairs)
    which = f"  (line {row.pairs.index(pair) + 1} of {count} at epoch {row.epoch})" if count > 1 else ""
    if pair.notes is None:
        return [
            _line(("notes".ljust(LABEL), "bold"), (f"their table ends after {row.notes_lines} lines", DIM)),
            _line(("engine".ljust(LABEL), "bold"), (pair.engine.text, "")),
        ]
    differing = {i for i, n in enumerate(pair.numbers) if not n.same}
    start = _window(pair, width)
    printed = _marked(pair.notes, _spans(pair.notes), differing, "bold", start)
    notes = Text.assemble(("notes".ljust(LABEL), "bold"), printed)
    agrees = pair.divergence is None
    label = ("engine ✓ ", RIGHT) if agrees else ("engine ✗ ", WRONG)
    engine = Text.assemble(
        label, _marked(pair.engine.text, _spans(pair.engine.text), differing, "bold reverse red", start)
    )
    if pair.divergence is not None and not differing:  # the words differ, not a number
        engine.append(f"  {pair.divergence.describe()}", style=WRONG)
    if which:
        notes.append(which, style=DIM)
    for text in (notes, engine):
        text.no_wrap, text.overflow = True, "ellipsis"
    return [notes, engine]


def summary(checks: StepChecks) -> Text:
    """The table as a whole: where it first differs from the engine (X goes there), or that it agrees."""
    if checks.notes is None:
        return _line(("finite differences check each gradient of the backward pass", DIM))
    found = checks.first_difference
    if found is not None:
        return _line(("✗ first difference from the notes: ", WRONG), (found.describe(), ""), ("  (X goes there)", DIM))
    if checks.table_settled:
        return _line(("✓ ", RIGHT), (f"the engine agrees with all {checks.notes.notes_lines} lines of the notes", ""))
    # Of the epochs up to the one shown, whatever the trainer has run: a step looks the same however reached.
    upto = f"up to this epoch ({checks.notes.epoch}) the engine agrees with the notes"
    return _line(("✓ ", RIGHT), (upto, ""), ("  (X looks further)", DIM))


def gradient_line(snapshot: Snapshot) -> Text | None:
    """The engine's gradient beside central finite differences, with ✓ or ✗; None off the backward pass."""
    checks = snapshot.checks
    step = snapshot.step
    if checks is None or step.backward is None:
        return None
    estimate = checks.gradient
    if estimate is None and checks.pending is None:
        return _line(("a part of ", DIM), (step.label, ""), ("; finite differences check it once all is added", DIM))
    if estimate is None:
        return _line((step.label, "bold"), (" · central difference ", DIM), (PENDING, "bold"))
    where = f"[{','.join(map(str, estimate.where))}]" if estimate.where else ""
    text = _line(
        (f"{step.label}{where} = ", "bold"),
        (number(estimate.engine), "bold cyan"),
        (" · central difference ", DIM),
        (number(estimate.numeric), "bold cyan"),
    )
    if estimate.slopes is not None:  # at a kink, as gradcheck says: the difference averages two slopes
        below, above = estimate.slopes
        text.append(f" · at a kink, not compared (slopes {number(below)} below, {number(above)} above)", style=DIM)
        return text
    text.append(" ")
    text.append(*(("✓", RIGHT) if estimate.passed else ("✗", WRONG)))
    text.append(f"  error {tidy(f'{estimate.worst:.0e}')}", style=DIM)
    if estimate.shape:
        size = int(np.prod(estimate.shape))
        text.append(f", the worst of {estimate.compared}/{size:,} entries", style=DIM)
    if estimate.kinks:
        text.append(f"; {estimate.kinks} at a kink, not compared", style=DIM)
    return text


# -- the quiz ---------------------------------------------------------------------------------


def quiz_question(quiz: QuizView) -> Text:
    right, asked = quiz.score
    text = _line(("quiz ", "bold reverse"), (f" score {right}/{asked}  ", "bold"))
    question = quiz.question
    if question is None:
        text.append("the run ends here: there is no next step to predict", style=DIM)
        return text
    step = question.step
    text.append(f"next: epoch {question.epoch} step {step.index + 1} · {step.phase} · ", style=DIM)
    text.append(step.formula, style="bold")
    return text


def prompt(question: Question | None) -> str:
    if question is None:
        return "Q ends the quiz"
    entry = " (one entry)" if question.entry else ""
    return f"{question.asked}{entry} ="


def quiz_verdict(quiz: QuizView, snapshot: Snapshot) -> Text:
    """The last answer graded, and the value revealed with its derivation (the step now shown)."""
    verdict = quiz.last
    if verdict is None:
        return _line(("type your prediction, enter grades it · esc leaves the box · Q ends the quiz", DIM))
    if verdict.right is None:
        return _line(("✗ ", WRONG), (f"{verdict.why}; type a number, e.g. 0.25 or −1.5e-3", ""))
    mark = ("✓ right", RIGHT) if verdict.right else ("✗ wrong", WRONG)
    text = _line(mark, (f" ({verdict.why}): you said {verdict.answer.strip()}, ", ""))
    text.append(f"{verdict.question.asked} = ", style="bold")
    text.append(number(verdict.question.truth), style="bold cyan")
    derivation = _derivation(verdict, snapshot)
    if derivation:
        text.append("  ·  " + derivation, style=DIM)
    return text


def _derivation(verdict: Verdict, snapshot: Snapshot) -> str:
    """How the revealed value comes about, in numbers where the step is the one now on screen."""
    step = verdict.question.step
    if snapshot.position.step != step.index or snapshot.position.epoch != verdict.question.epoch:
        return step.formula
    line = snapshot.line
    if line is not None and line.scalar and not line.parts:  # the numbers in place, as the chain panel writes them
        numbers = substitute(line.template, [compact(t.value) for t in line.terms])
        return f"{line.target} = {line.formula} = {numbers} = {compact(line.value)}"
    if is_scalar(snapshot.value):
        return f"{step.formula} = {compact(snapshot.value)}"
    return f"{step.formula}, a {compact(snapshot.value, 24)}"
