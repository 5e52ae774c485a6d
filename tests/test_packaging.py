"""The wheel ships every package: setuptools silently drops a subpackage pyproject.toml does not list."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_source_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {name: ROOT / folder for name, folder in config["package-dir"].items()}
    found = set()
    for name, folder in folders.items():
        for init in folder.rglob("__init__.py"):
            relative = init.parent.relative_to(folder).parts
            found.add(".".join((name, *relative)))
    assert found == listed


def test_the_scenarios_ship_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "*.toml" in config["package-data"]["bpdbg.scenarios"]
    shipped = {path.name for path in (ROOT / "scenarios").iterdir() if path.suffix not in (".toml", ".py")}
    data = [name for name in shipped if name != "__pycache__"]
    assert data, "the scenarios read data files"
    for name in data:  # a data file a shipped scenario reads, or its licence, must ship with it
        assert any(Path(name).match(pattern) for pattern in config["package-data"]["bpdbg.scenarios"]), name
    assert (ROOT / "scenarios" / "__init__.py").exists()  # a package, so its data installs beside it


def test_the_license_is_declared_the_way_pep_639_asks() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = config["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "Copyright (c) 2026 the bpdbg authors" in (ROOT / "LICENSE").read_text()
    assert "setuptools>=77" in config["build-system"]["requires"]  # the first that reads license-files
    assert "Typing :: Typed" in project["classifiers"] and (ROOT / "src" / "bpdbg" / "py.typed").exists()
