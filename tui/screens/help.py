"""The `?` screen: every key, read from the bindings themselves so it can never drift."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bpdbg.tui.keymap import display_key

INTRO = (
    "Lower case moves forward, upper case goes back (as gdb's n / N). "
    "Type a number before a move to repeat it: 50n takes fifty steps, as n does them."
)

DETAILS = {
    "run": "run / pause; pausing takes effect at once",
    "faster": "run faster (steps per second)",
    "slower": "run slower",
    "goto": "go to an epoch and step",
    "rewind": "rewind to the first step",
    "to_end": "run to the end, at full speed",
    "add_breakpoint": "break at any step where a condition holds, e.g. loss < 0.05, max(A1) == 0",
    "list_breakpoints": "list the breakpoints, and delete one or all of them",
    "next_hit": "continue to the next step where a breakpoint holds (in the background; space/esc stops)",
    "prev_hit": "back to the previous step where a breakpoint holds",
    "open": "open another scenario (a file or a shipped name); a bad file is reported and this one stays",
    "export_epoch": "export this epoch's whole derivation to a Markdown file",
    "figure_axes": "the figure's axes: the loss over two numbers you name, e.g. W1[0,1] and b2",
    "count_1": "count before a move: 50n",
    "chain_down": "scroll the chain-rule panel down (a long chain at 80×24)",
    "chain_up": "scroll the chain-rule panel up",
    "step_forward": "step forward: one named quantity (named view) or one operation",
    "step_back": "step back: one named quantity (named view) or one operation",
    "toggle_view": "named view (z1, a1, …, ∂L/∂z2, …) or every operation of the tape",
    "next_phase": "next phase (forward, loss, backward, update)",
    "prev_phase": "previous phase",
    "next_epoch": "next epoch",
    "prev_epoch": "start of this epoch, or the previous one",
    "bookmark": "bookmark this step, or remove its bookmark (kept with the scenario's session)",
    "next_bookmark": "jump to the next bookmark (after the last, the first)",
    "first_difference": "go to the first difference from the notes' printed table",
    "quiz": "quiz: predict the next step's value, then see it graded and revealed (enter submits)",
    "present": "presenter mode: large digits, black on white, the chain rule given the room",
    "screenshot": "save the screen as an SVG (--screenshots DIR, default the current folder)",
    "first_wrong": "jump to the first ✗: the first derivation entry that differs from backprop",
    "help": "this help (ctrl+p lists every command by name)",
    "inspect": "inspect the current step's value: every number in full, shape, min, max, mean, norm"
    " (a click on a parameter's number inspects it; on its name, shows its chain)",
    "cycle_view": "switch the lower-right view: parameters, the figure (loss surface or decision regions), the graph",
    "maximize": "maximize the current panel (the last one clicked, else the lower right); esc or m restores",
    "toggle_log": "loss plot: log / linear scale (log is chosen by itself over more than two decades)",
    "theme": "light / dark theme (light reads better on a projector)",
    "quit": "quit",
}


def key_names(binding: Binding) -> str:
    """All the keys of a binding, as a person types them."""
    names = {
        "right": "→",
        "left": "←",
        "space": "space",
        "right_square_bracket": "]",
        "left_square_bracket": "[",
        "plus": "+",
        "equals_sign": "=",
        "minus": "-",
        "question_mark": "?",
        "home": "Home",
        "end": "End",
        "pagedown": "PgDn",
        "pageup": "PgUp",
    }
    if binding.id == "count_1":
        return "0-9"
    return " ".join(names.get(k) or display_key(k) for k in binding.key.split(","))


def help_table(bindings: list[Binding]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for binding in bindings:
        if binding.id in DETAILS:
            table.add_row(key_names(binding), DETAILS[binding.id])
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the app's and the debugger screen's bindings; any of ? q esc closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "close", id="close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Static(Text("bpdbg keys", style="bold"))
            yield Static(INTRO, classes="hint")
            yield Static(help_table(self.bindings))

    def action_close(self) -> None:
        self.dismiss(None)
