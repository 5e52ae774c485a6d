"""The key bar: the bindings of the screen and the app, paired keys side by side.

Textual's Footer keeps to one line, which at 80 columns holds about half of the
debugger's keys; this bar wraps between entries instead, up to MAX_LINES lines, so the
panels keep their room. Keys that do not fit are left out from the last in binding order
(the moves come first); help and quit always stay, and the help lists every key.
A click on a key presses it; a click on a description presses the entry's first key.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.keys import key_to_character
from textual.widget import Widget

from bpdbg.tui.keymap import display_key


@dataclass(frozen=True)
class Entry:
    keys: tuple[tuple[str, str], ...]  # (as shown, the key it presses)
    description: str


@dataclass(frozen=True)
class Spot:
    """Where a click presses a key: a line, and the columns [start, end)."""

    line: int
    start: int
    end: int
    key: str


def entries(bindings: list[Binding]) -> list[Entry]:
    """One entry per group, or per binding outside a group, in binding order."""
    found: list[tuple[list[tuple[str, str]], str]] = []
    groups: dict[str, int] = {}
    for binding in bindings:
        if not binding.show:
            continue
        first = binding.key.split(",")[0]
        key = (binding.key_display or display_key(first), first)
        group = binding.group.description if binding.group is not None else None
        if group is not None and group in groups:
            found[groups[group]][0].append(key)
            continue
        if group is not None:
            groups[group] = len(found)
        found.append(([key], group or binding.description))
    return [Entry(tuple(keys), description) for keys, description in found]


MAX_LINES = 2
PINNED = ("question_mark", "q")  # help and quit: shown however narrow the bar


def fitting(items: list[Entry], width: int, lines: int = MAX_LINES) -> list[Entry]:
    """The entries shown in `lines` lines: the pinned ones, and as many of the others as fit, in order."""
    pinned = [e for e in items if e.keys[0][1] in PINNED]
    others = [e for e in items if e.keys[0][1] not in PINNED]
    while others and len(lay_out([*others, *pinned], width)[0].split("\n")) > lines:
        others.pop()
    return [*others, *pinned]


def lay_out(items: list[Entry], width: int) -> tuple[Text, list[Spot]]:
    """Entries left to right, starting a new line where the next one would not fit; and where each key sits."""
    text = Text(no_wrap=True)
    spots: list[Spot] = []
    used = line = 0
    for entry in items:
        keys = "/".join(shown for shown, _ in entry.keys)
        size = len(keys) + 1 + len(entry.description)
        if used and used + 2 + size > width:
            text.append("\n")
            used = 0
            line += 1
        elif used:
            text.append("  ")
            used += 2
        start = used
        for n, (shown, key) in enumerate(entry.keys):
            end = start + len(shown) + (1 if n < len(entry.keys) - 1 else 0)
            spots.append(Spot(line, start, end, key))
            start = end
        spots.append(Spot(line, start, used + size, entry.keys[0][1]))  # the description
        text.append(keys, style="bold")
        text.append(f" {entry.description}", style="dim")
        used += size
    return text, spots


class KeyBar(Widget):
    """Built from the bindings; as many lines as the width needs."""

    def __init__(self, bindings: list[Binding], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._items = entries(bindings)
        self._laid: dict[int, tuple[Text, list[Spot]]] = {}  # by width

    def _layout(self, width: int) -> tuple[Text, list[Spot]]:
        if width not in self._laid:
            self._laid[width] = lay_out(fitting(self._items, width), width)
        return self._laid[width]

    def render(self) -> Text:
        return self._layout(self.content_region.width or 80)[0]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout(width)[0].split("\n"))

    def key_at(self, x: int, y: int) -> str | None:
        """The key a click at content offset (x, y) presses, if it is on one."""
        spots = self._layout(self.content_region.width or 80)[1]
        return next((s.key for s in spots if s.line == y and s.start <= x < s.end), None)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        key = None if offset is None else self.key_at(offset.x, offset.y)
        if key is not None:
            self.app.post_message(events.Key(key, key_to_character(key)))
