"""`s`: the screen as an SVG, for slides and handouts, saved where the user asked."""

from __future__ import annotations

import re
from pathlib import Path

from bpdbg.tui.config import write_atomically

MAX_TRIES = 1000  # names tried before giving up: far more shots of one step than anyone takes


def screenshot_name(scenario: Path, epoch: int, step: int) -> str:
    """Named by where it was taken, so a folder of them sorts into the lecture's order."""
    stem = re.sub(r"[^\w.-]+", "_", scenario.stem) or "scenario"
    return f"{stem}-epoch{epoch}-step{step + 1}"


def save_svg(folder: Path, name: str, svg: str) -> Path:
    """Write `svg` as FOLDER/NAME.svg, or NAME-2.svg and so on if that is taken; never a half-written
    file, as it is written to a temporary file and renamed. Raises OSError (a missing or read-only folder)."""
    folder = folder.resolve()
    for n in range(1, MAX_TRIES + 1):
        path = folder / (f"{name}.svg" if n == 1 else f"{name}-{n}.svg")
        if not path.exists():
            write_atomically(path, svg)
            return path
    raise FileExistsError(f"{folder / name}.svg and {MAX_TRIES - 1} numbered copies exist")
