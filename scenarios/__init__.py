"""The worked examples of the notes, shipped as scenario files, and finding one by name."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bpdbg.engine.scenario import Place, ScenarioError

DEFAULT = "two_neurons"


def shipped() -> dict[str, Path]:
    """The scenario files that come with bpdbg, by name."""
    folder = resources.files(__name__)
    return {
        Path(str(entry)).stem: Path(str(entry))
        for entry in sorted(folder.iterdir(), key=str)
        if str(entry).endswith(".toml")
    }


def resolve(name_or_path: str) -> Path:
    """A path as given if it exists or looks like one; otherwise the shipped scenario of that name."""
    path = Path(name_or_path)
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a name too long for the system: reading the file says so, in one line
        return path
    if exists or path.suffix == ".toml" or "/" in name_or_path:
        return path
    found = shipped().get(name_or_path)
    if found is None:
        names = ", ".join(shipped())
        raise ScenarioError(
            Place(name_or_path, 1, 1, "file"), f"no such file, and no shipped scenario of that name (shipped: {names})"
        )
    return found
