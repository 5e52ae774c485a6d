"""The worked examples of the notes, shipped as scenario files, and finding one by name."""

from __future__ import annotations

from pathlib import Path

from bpdbg.engine.scenario import Place, ScenarioError

DEFAULT = "two_neurons"


class NoSuchScenario(ScenarioError):
    """A name that is neither a file nor a shipped scenario; its message lists the shipped ones."""


def shipped() -> dict[str, Path]:
    """The scenario files that come with bpdbg, by name: the package data beside this module.

    Read as files on disk, as importlib.resources gives them for an installed package (and
    without loading it, which the debugger's start would otherwise pay for).
    """
    folder = Path(__file__).parent
    return {entry.stem: entry for entry in sorted(folder.iterdir(), key=str) if entry.name.endswith(".toml")}


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
        raise NoSuchScenario(
            Place(name_or_path, 1, 1, "file"), f"no such file, and no shipped scenario of that name (shipped: {names})"
        )
    return found
