"""The check strip under the panels: the notes' row beside the engine's, finite differences,
and, in quiz mode (`Q`), the next step to predict with a box to type the prediction in.

Three lines high whatever it shows, so that neither a step nor the quiz moves the panels.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.widgets.check_text import gradient_line, prompt, quiz_question, quiz_verdict, summary, table_lines
from bpdbg.tui.widgets.lines import drawing_failed
from bpdbg.tui.widgets.panel import SnapshotView

ANSWER = r"[-−+0-9.eE ]*"  # what a prediction may be typed with: a number


class AnswerBox(Input):
    """Where the prediction is typed; enter submits it (to the screen), esc leaves the box.

    Only what a number is written with is typed into it: any other key (n, o, X, Q …) is left
    to the debugger's bindings, so the debugger's keys still work while the box is focused.
    Focusable only in quiz mode: otherwise the screen would focus it first.
    """

    can_focus = False
    BINDINGS = [Binding("escape", "leave", "leave the box", show=False)]  # noqa: RUF012 (read as a class default)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Which keys the box takes from the bindings: only those a number is typed with."""
        return character is not None and character.isprintable() and re.fullmatch(ANSWER, character) is not None

    async def _on_key(self, event: events.Key) -> None:
        """Runs before Input's own handler, which types any printable character and stops the key."""
        if not self.check_consume_key(event.key, event.character):
            event.character = None  # not printable now: Input leaves it, and it bubbles on to the bindings

    def action_leave(self) -> None:
        self.screen.set_focus(None)


def _same(shown: object, line: object) -> bool:
    """Whether a row already shows this line: rich's Text compares only its text and spans."""
    if isinstance(shown, Text) and isinstance(line, Text):
        return (shown.plain, shown.spans, shown.style, shown.no_wrap, shown.overflow, shown.justify, shown.end) == (
            line.plain,
            line.spans,
            line.style,
            line.no_wrap,
            line.overflow,
            line.justify,
            line.end,
        )
    return type(shown) is type(line) and isinstance(line, str) and shown == line


class CheckStrip(SnapshotView, Vertical):
    DEFAULT_CSS = """
    CheckStrip { height: 3; padding: 0 1; background: $boost; }
    CheckStrip Static { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    CheckStrip #quiz-row { height: 1; display: none; }
    CheckStrip #quiz-row Label { width: auto; max-width: 60%; padding-right: 1; text-style: bold; }
    CheckStrip AnswerBox, CheckStrip AnswerBox:focus { border: none; height: 1; width: 1fr; padding: 0 1; }
    CheckStrip.-quiz #quiz-row { display: block; }
    CheckStrip.-quiz #check-2 { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="check-1")
        yield Static(id="check-2")
        with Horizontal(id="quiz-row"):
            yield Label(id="quiz-prompt")
            yield AnswerBox(placeholder="your prediction", restrict=ANSWER, id="quiz-answer")
        yield Static(id="check-3")

    def _set(self, *lines: object) -> None:
        """Each line that differs from the one shown: one row high whatever it holds, so the
        screen is not laid out again (most steps change none of the three)."""
        for n, line in enumerate(lines, 1):
            row = self.query_one(f"#check-{n}", Static)
            if not _same(row.content, line):
                row.update(line, layout=False)  # type: ignore[arg-type]

    def show(self, snapshot: Snapshot) -> None:
        checks = snapshot.checks
        if checks is None:
            self._set("", "", "")
            return
        quiz = checks.quiz
        was_quiz = self.has_class("-quiz")
        self.set_class(quiz is not None, "-quiz")
        box = self.query_one(AnswerBox)
        if quiz is not None:
            self.query_one("#quiz-prompt", Label).update(prompt(quiz.question))
            self._set(quiz_question(quiz), "", quiz_verdict(quiz, snapshot))
            if not was_quiz:
                box.value = ""
                box.can_focus = True
                box.focus()
            return
        if was_quiz:
            box.can_focus = False
            if box.has_focus:
                self.screen.set_focus(None)
        width = max(self.content_region.width or self.app.size.width - 2, 20)
        first, second = table_lines(checks, width)
        gradient = gradient_line(snapshot)
        if gradient is None:
            self._set(first, second, summary(checks) if checks.notes is not None and checks.notes.pairs else "")
        else:
            self._set(first, second, gradient)

    def fail(self, error: Exception) -> None:
        self._set(drawing_failed(error), "", "")
