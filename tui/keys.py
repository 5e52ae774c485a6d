"""Every key of the debugger, in one place: the screens, the key bar and the help all read it."""

from __future__ import annotations

from textual.binding import Binding

STEP = Binding.Group("step", compact=True)
PHASE = Binding.Group("phase", compact=True)
EPOCH = Binding.Group("epoch", compact=True)
SPEED = Binding.Group("speed", compact=True)
BREAK = Binding.Group("breaks", compact=True)
SCROLL = Binding.Group("scroll chain", compact=True)
BOOKMARK = Binding.Group("bookmark", compact=True)
VIEW = Binding.Group("views", compact=True)

COUNT_KEYS = [
    Binding(d, f"digit({d})", "count", show=d == "1", key_display="0-9", id=f"count_{d}") for d in "1234567890"
]

DEBUGGER_BINDINGS = [
    Binding("n,right", "step(1)", "step", key_display="n", id="step_forward", group=STEP),
    Binding("N,left", "step(-1)", "step back", key_display="N", id="step_back", group=STEP),
    Binding("p,right_square_bracket", "phase(1)", "phase", key_display="p", id="next_phase", group=PHASE),
    Binding("P,left_square_bracket", "phase(-1)", "phase back", key_display="P", id="prev_phase", group=PHASE),
    Binding("e", "epoch(1)", "epoch", id="next_epoch", group=EPOCH),
    Binding("E", "epoch(-1)", "epoch back", id="prev_epoch", group=EPOCH),
    Binding("space", "toggle_run", "run", key_display="space", id="run"),
    Binding("plus,equals_sign", "speed(1)", "faster", key_display="+", id="faster", group=SPEED),
    Binding("minus", "speed(-1)", "slower", key_display="-", id="slower", group=SPEED),
    Binding("g", "goto", "go to", id="goto"),
    Binding("r,home", "rewind", "rewind", id="rewind"),
    Binding("G,end", "to_end", "end", id="to_end"),
    Binding("b", "add_breakpoint", "break", id="add_breakpoint", group=BREAK),
    Binding("B", "list_breakpoints", "list breakpoints", id="list_breakpoints", group=BREAK),
    Binding("c", "continue(1)", "continue to the next hit", id="next_hit", group=BREAK),
    Binding("C", "continue(-1)", "back to the previous hit", id="prev_hit", group=BREAK),
    Binding("o", "open", "open", id="open"),
    Binding("S", "export_epoch", "export epoch", show=False, id="export_epoch"),
    Binding("v", "toggle_view", "named view", id="toggle_view"),
    Binding("F", "figure_axes", "figure axes", show=False, id="figure_axes"),
    Binding("d,pagedown", "scroll_chain(1)", "scroll chain down", key_display="d", id="chain_down", group=SCROLL),
    Binding("u,pageup", "scroll_chain(-1)", "scroll chain up", key_display="u", id="chain_up", group=SCROLL),
    Binding("k", "bookmark", "bookmark", id="bookmark", group=BOOKMARK),
    Binding("apostrophe", "next_bookmark", "next bookmark", key_display="'", id="next_bookmark", group=BOOKMARK),
    Binding("x", "first_wrong", "first ✗", show=False, id="first_wrong"),
    Binding("i", "inspect", "inspect", id="inspect"),
    Binding("f", "cycle_view", "switch view", id="cycle_view", group=VIEW),
    Binding("m", "maximize", "maximize", id="maximize", group=VIEW),
    Binding("l", "toggle_log", "log scale", id="toggle_log"),
    Binding("X", "first_difference", "first difference from the notes", show=False, id="first_difference"),
    Binding("Q", "quiz", "quiz: predict, then reveal", show=False, id="quiz"),
    *COUNT_KEYS,
    Binding("escape", "clear_count", "cancel count", show=False, id="clear_count"),
]

APP_BINDINGS = [
    Binding("question_mark", "help", "help", key_display="?", id="help"),
    Binding("t", "toggle_theme", "theme", id="theme"),
    Binding("z", "present", "present", id="present"),
    Binding("s", "save_svg", "screenshot", id="screenshot"),
    Binding("q", "quit", "quit", id="quit"),
]

MOVES_CURSOR = frozenset(
    {
        "step_forward",
        "step_back",
        "next_phase",
        "prev_phase",
        "next_epoch",
        "prev_epoch",
        "goto",
        "rewind",
        "to_end",
        "open",
        "toggle_view",
        "add_breakpoint",
        "export_epoch",
        "bookmark",
        "next_bookmark",
        "first_wrong",
        "list_breakpoints",
        "next_hit",
        "prev_hit",
        "cycle_view",
        "figure_axes",
        "first_difference",
        "quiz",
    }
)
"""Bindings that move or replace the cursor, change what its snapshot shows, or read the trainer
(an export): refused while a worker holds the trainer, as the snapshot would read it."""


def cursor_keys(bindings: list[Binding]) -> frozenset[str]:
    """The keys of the bindings in MOVES_CURSOR, as they are bound (a keymap may rebind them)."""
    return frozenset(key for b in bindings if b.id in MOVES_CURSOR for key in b.key.split(","))


CURSOR_KEYS = cursor_keys(DEBUGGER_BINDINGS)
