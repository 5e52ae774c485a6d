"""Keys by binding id: a lecturer's keymap file, and a key sequence replayed at start.

A keymap is TOML, one line per binding to rebind, by the binding's id in tui/keys.py:

    step_forward = "j"            # j instead of n and →
    step_back = ["k", "left"]     # several keys

Textual applies it (`App.set_keymap`); this module checks it first, so an unknown id, a key
that is not a key, or a key given to two bindings is one line naming the file and the place,
and gives the bindings as rebound for the key bar, the help and the command palette to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from textual.binding import Binding
from textual.keys import Keys, _character_to_key, format_key, key_to_character

from bpdbg.engine.messages import did_you_mean, printable, shown
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.source_map import SourceMap
from bpdbg.engine.toml_text import parse_toml
from bpdbg.tui.config import config_dir

MAX_KEYMAP_BYTES = 64 * 1024  # a keymap is a few dozen lines
KEY_NAMES = frozenset(k.value for k in Keys if not k.value.startswith("<")) | {"space"}
SHOWN = {"right": "→", "left": "←", "up": "↑", "down": "↓", "home": "Home", "end": "End", "space": "space"}
SHOWN |= {"pagedown": "PgDn", "pageup": "PgUp", "escape": "Esc", "enter": "Enter", "tab": "Tab"}
NAMED = re.compile(r"<([^<>]*)>")


class KeymapError(Exception):
    """A keymap or key sequence that cannot be used, as one line."""


class KeysError(KeymapError):
    """A mistake in `--keys`: an option on the command line, so reported as the command's own error
    (`bpdbg: --keys: …`), where a keymap's names its file and place."""


def default_keymap_file() -> Path:
    return config_dir() / "keymap.toml"


def normal_key(key: str) -> str | None:
    """A key as Textual names it ("?" → "question_mark"), or None if it is not a key."""
    key = key.strip()
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() else None
    if key in KEY_NAMES or key_to_character(key) is not None:
        return key
    return None


def display_key(key: str) -> str:
    """A key as a person types it: "apostrophe" → "'", "pagedown" → "PgDn"."""
    if key in SHOWN:
        return SHOWN[key]
    character = key_to_character(key)
    return character if character is not None and character.isprintable() else format_key(key)


def load_keymap(path: Path, bindings: list[Binding]) -> dict[str, str]:
    """The keymap in `path`, checked against the bindings: binding id → "key,key"."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_KEYMAP_BYTES + 1)
    except OSError as error:
        raise KeymapError(f"{printable(str(path))}: cannot read the keymap: {error.strerror or error}") from None
    if len(raw) > MAX_KEYMAP_BYTES:
        raise KeymapError(f"{printable(str(path))}: a keymap is at most {MAX_KEYMAP_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
        source = SourceMap(str(path), text)
        document = parse_toml(text, source)
    except UnicodeDecodeError as error:
        raise KeymapError(f"{printable(str(path))}: not UTF-8 text (byte {error.start})") from None
    except ScenarioError as error:
        raise KeymapError(str(error)) from None
    known = {b.id: b for b in bindings if b.id is not None}
    keymap: dict[str, str] = {}
    for binding_id, value in document.items():
        where = source.place(binding_id, binding_id)
        place = f"{where.path}:{where.line}:{where.column}: {where.where}"
        if binding_id not in known:
            raise KeymapError(f"{place}: no binding has this id{did_you_mean(binding_id, set(known))}")
        keys = [value] if isinstance(value, str) else value
        if not (isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys)):
            raise KeymapError(f'{place}: expected a key in quotes, e.g. "j", or a list of keys, e.g. ["j", "down"]')
        normal = []
        for key in keys:
            name = normal_key(key)
            if name is None:
                raise KeymapError(f"{place}: {shown(key)} is not a key (a character, or a name such as pagedown)")
            normal.append(name)
        keymap[binding_id] = ",".join(dict.fromkeys(normal))
    _check_clashes(rebound(bindings, keymap), path)
    return keymap


def _check_clashes(bindings: list[Binding], path: Path) -> None:
    """One key, one binding: a key given to two would leave one of them unreachable."""
    owner: dict[str, str] = {}
    for binding in bindings:
        for key in binding.key.split(","):
            other = owner.setdefault(key, binding.id or binding.action)
            if other != (binding.id or binding.action):
                raise KeymapError(
                    f"{printable(str(path))}: the key {display_key(key)!r} is bound to both {other} and {binding.id}"
                )


def rebound(bindings: list[Binding], keymap: Mapping[str, str]) -> list[Binding]:
    """The bindings as the keymap rebinds them, in the same order; the rest unchanged."""
    out = []
    for binding in bindings:
        keys = keymap.get(binding.id or "")
        if keys is None:
            out.append(binding)
        else:
            out.append(binding.with_key(key=keys, key_display=display_key(keys.split(",")[0])))
    return out


def key_sequence(text: str, bindings: list[Binding]) -> list[str]:
    """`--keys` text as the keys to press: each character a key of the debugger, and <name> for a
    named key (<enter>, <space>, <right>), so a dialog opened on the way can be answered."""
    bound = {key for b in bindings for key in b.key.split(",")}
    keys: list[str] = []
    at = 0
    while at < len(text):
        named = NAMED.match(text, at)
        if named is not None:
            key = normal_key(named.group(1)) if len(named.group(1)) != 1 else None
            if key is None:
                raise KeysError(f"--keys: unknown key name {named.group(0)!r} at character {at + 1}")
            at = named.end()
        else:
            key = normal_key(text[at])
            if key is None or key not in bound:
                raise KeysError(f"--keys: unknown key {text[at]!r} at character {at + 1} (no binding uses it)")
            at += 1
        keys.append(key)
    return keys
