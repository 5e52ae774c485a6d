"""The command palette (ctrl+p): every key of the debugger by name, for whoever forgot it.

A command presses the key, so it does just what the key does (refused while a run is using
the trainer, a dialog opened, and so on); the palette shows the key, as rebound by a keymap.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual import events
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import key_to_character

from bpdbg.tui.keymap import display_key


def commands(bindings: list[Binding]) -> list[tuple[str, str, str]]:
    """(title, what it does, key to press) per binding, the counts (and esc, which cancels one) left
    out. Those the key bar has no room for (S, F, x, X, Q) are in: the ones most worth finding by name."""
    from bpdbg.tui.screens.help import DETAILS  # the help dialog's module: loaded when the palette first opens

    found = []
    for binding in bindings:
        if binding.id is None or binding.id.startswith("count_") or binding.id == "clear_count":
            continue
        keys = " ".join(display_key(k) for k in binding.key.split(","))
        found.append((f"{binding.description}  ({keys})", DETAILS.get(binding.id, ""), binding.key.split(",")[0]))
    return found


class KeyCommands(Provider):
    """Reads the bindings from the app (`palette_bindings`), so a keymap's keys are the ones shown."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        bindings: list[Binding] = getattr(self.app, "palette_bindings", [])
        return [(title, details, partial(self._press, key)) for title, details, key in commands(bindings)]

    def _press(self, key: str) -> None:
        self.app.post_message(events.Key(key, key_to_character(key)))

    async def discover(self) -> Hits:
        for title, details, press in self._commands():
            yield DiscoveryHit(title, press, help=details or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, details, press in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), press, help=details or None)
