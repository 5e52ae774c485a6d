"""The key bar: every binding of the screen and the app, paired keys side by side.

Textual's Footer keeps to one line, which at 80 columns holds about half of the
debugger's keys; this bar wraps between entries instead, so every key stays on screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget


def entries(bindings: list[Binding]) -> list[tuple[str, str]]:
    """(keys, description) per group, or per binding outside a group, in binding order."""
    found: list[tuple[list[str], str]] = []
    groups: dict[str, int] = {}
    for binding in bindings:
        if not binding.show:
            continue
        key = binding.key_display or binding.key.split(",")[0]
        group = binding.group.description if binding.group is not None else None
        if group is not None and group in groups:
            found[groups[group]][0].append(key)
            continue
        if group is not None:
            groups[group] = len(found)
        found.append(([key], group or binding.description))
    return [("/".join(keys), description) for keys, description in found]


def lay_out(items: list[tuple[str, str]], width: int) -> Text:
    """Entries left to right, starting a new line where the next one would not fit."""
    text = Text(no_wrap=True)
    used = 0
    for keys, description in items:
        size = len(keys) + 1 + len(description)
        if used and used + 2 + size > width:
            text.append("\n")
            used = 0
        elif used:
            text.append("  ")
            used += 2
        text.append(keys, style="bold")
        text.append(f" {description}", style="dim")
        used += size
    return text


class KeyBar(Widget):
    """Built from the bindings; as many lines as the width needs."""

    def __init__(self, bindings: list[Binding], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._items = entries(bindings)

    def render(self) -> Text:
        return lay_out(self._items, self.content_region.width or 80)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(lay_out(self._items, width).split("\n"))
