"""The type check, run with the tests so that CI runs it: mypy over every package of bpdbg.

bpdbg's packages live in folders of other names (bpdbg.engine is engine/, see
[tool.setuptools.package-dir]), and an editable install finds them by an import hook
mypy cannot follow. So mypy reads them through a tree of links that mirrors the
installed layout, kept under .mypy_cache with mypy's own cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".mypy_cache" / "packages"


def package_dirs() -> dict[str, Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in config.items()}


def link_tree() -> Path:
    """TREE/bpdbg/… as installed: each package folder linked in under its package name."""
    shutil.rmtree(TREE, ignore_errors=True)
    for name, folder in sorted(package_dirs().items()):
        target = TREE.joinpath(*name.split("."))
        if name == "bpdbg":  # the top package holds the others: link its files and subpackages one by one
            target.mkdir(parents=True)
            for entry in folder.iterdir():
                if entry.suffix in (".py", ".typed") or (entry / "__init__.py").exists():
                    (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
        else:
            target.symlink_to(folder, target_is_directory=True)
    return TREE


def readable(output: str) -> str:
    """mypy's report with the tree's paths turned back into the repository's."""
    for name, folder in sorted(package_dirs().items(), key=lambda item: -len(item[0])):
        linked = TREE.joinpath(*name.split("."))
        for shown in (str(linked), str(linked.relative_to(ROOT))):
            output = output.replace(shown + os.sep, str(folder.relative_to(ROOT)) + os.sep)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="links a tree of the packages")
def test_mypy_passes_on_every_package(record_property: pytest.RecordProperty) -> None:
    tree = link_tree()
    env = {**os.environ, "MYPYPATH": str(tree)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "-p", "bpdbg"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - started
    record_property("mypy_seconds", round(seconds, 1))
    print(f"mypy: {seconds:.1f} s")
    assert done.returncode == 0, f"mypy ({seconds:.1f} s):\n{readable(done.stdout + done.stderr)}"
