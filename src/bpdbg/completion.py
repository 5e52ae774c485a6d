"""Shell completion of scenario arguments: shipped names, then *.toml files and folders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bpdbg.scenarios import shipped

if TYPE_CHECKING:  # click's completion module loads when the shell asks for completions
    from click.shell_completion import CompletionItem


def scenario_completions(incomplete: str) -> list[CompletionItem]:
    """Shipped names, then *.toml files and folders, that start with what was typed."""
    from click.shell_completion import CompletionItem

    items = [CompletionItem(name) for name in shipped() if name.startswith(incomplete)]
    folder, _, stem = incomplete.rpartition("/")
    base = Path(folder).expanduser() if folder else Path("/" if incomplete.startswith("/") else ".")
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return items
    for entry in entries:
        if not entry.name.startswith(stem) or (entry.name.startswith(".") and not stem.startswith(".")):
            continue
        shown = f"{folder}/{entry.name}" if folder or incomplete.startswith("/") else entry.name
        if entry.is_dir():
            items.append(CompletionItem(f"{shown}/"))
        elif entry.suffix == ".toml":
            items.append(CompletionItem(shown))
    return items


class ScenarioType(click.types.StringParamType):
    """A scenario file or shipped name; completes both in the shell."""

    name = "scenario"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The name as given; an empty one (a shell variable left unset) names nothing, not the current folder."""
        text = str(super().convert(value, param, ctx))
        if not text:
            self.fail("the name is empty: give a scenario file or a shipped name", param, ctx)
        return text

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return scenario_completions(incomplete)


SCENARIO = ScenarioType()
