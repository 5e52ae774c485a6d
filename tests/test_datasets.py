"""The generated datasets need NumPy alone: make_moons, make_circles, make_blobs and the spiral.

Each generator's numbers are specified in its own module (test_datasets_moons,
test_datasets_circles_and_blobs, test_datasets_spiral); this one holds what is true of
the module as a whole: it imports nothing but NumPy and the standard library, so the
engine runs where scikit-learn and SciPy are not installed.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys

from bpdbg.engine import datasets


class TestDependencies:
    """The engine must run where only NumPy is installed."""

    def test_imports_only_numpy_and_the_standard_library(self) -> None:
        tree = ast.parse(inspect.getsource(datasets))
        roots: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
        third_party = roots - set(sys.stdlib_module_names) - {"__future__"}
        assert third_party == {"numpy"}

    def test_importing_does_not_load_scikit_learn_or_scipy(self) -> None:
        code = (
            "import sys\n"
            "from bpdbg.engine.datasets import make_moons\n"
            "make_moons(20, 0.1, 0)\n"
            "loaded = sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('sklearn', 'scipy'))\n"
            "print(loaded)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "[]"
