"""The shipped scenarios mangled at random: the broken files the fuzz tests give the loader and the CLI."""

from __future__ import annotations

import re

from hypothesis import strategies as st

from .conftest import SCENARIOS

TEXTS = {path.stem: path.read_bytes() for path in sorted(SCENARIOS.glob("*.toml"))}


@st.composite
def mangled(draw: st.DrawFn, leave_out: frozenset[str] = frozenset()) -> bytes:
    """A shipped scenario (but those left out) with a few random edits."""
    text = TEXTS[draw(st.sampled_from(sorted(set(TEXTS) - leave_out)))]
    for _ in range(draw(st.integers(1, 4))):
        if not text.strip():
            break
        lines = text.split(b"\n")
        kind = draw(st.sampled_from(["delete-line", "swap-lines", "swap-tokens", "bytes", "truncate", "duplicate"]))
        if kind == "delete-line":
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "swap-lines":
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "duplicate":
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
        elif kind == "swap-tokens":
            tokens = re.split(rb"(\s+)", text)
            words = [k for k, t in enumerate(tokens) if t.strip()]
            i, j = draw(st.sampled_from(words)), draw(st.sampled_from(words))
            tokens[i], tokens[j] = tokens[j], tokens[i]
            lines = b"".join(tokens).split(b"\n")
        elif kind == "bytes":
            data = bytearray(text)
            at = draw(st.integers(0, len(data) - 1))
            patch = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(patch)] = patch
            lines = bytes(data).split(b"\n")
        else:
            lines = text[: draw(st.integers(0, len(text)))].split(b"\n")
        text = b"\n".join(lines)
    return text
