"""The `bpdbg` command: the debugger by default, and headless run / graph / list here.

`check` and `gradcheck` live in cli_check.py, `export` and `serve` in cli_share.py; what every
command shares (exit statuses, one-line errors, ctrl-c, --memory, loading) in cli_base.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from bpdbg import __version__
from bpdbg.cli_base import (
    EXIT_BAD_INPUT,
    EXIT_DIFFERS,
    MEMORY,
    OneLineUsage,
    interruptible,
    load,
    named_file,
    output_failed,
)
from bpdbg.completion import SCENARIO, scenario_completions
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import DEFAULT, shipped
from bpdbg.startup import resume_collection

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

JSON_CHUNK = 1000  # epochs trained between batches of `run --json` lines, so a long run streams
JSON_CHUNK_BYTES = 64 << 20  # and at most this much of their gradients and parameters held meanwhile

_GROUP_OPTIONS = frozenset({"-h", "--help", "-V", "--version"})  # any other option is the debugger's


class _DebuggerByDefault(click.Group):
    """`bpdbg` and `bpdbg SCENARIO` open the debugger; other words are subcommands, each of which
    reports a mistake on its command line in one line."""

    command_class = OneLineUsage

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # While the shell completes (resilient parsing), a lone word may be a command being typed.
        rewrite = bool(args) if ctx.resilient_parsing else True
        if rewrite and (not args or (args[0] not in self.commands and args[0] not in _GROUP_OPTIONS)):
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Commands, and scenarios too: `bpdbg SCENARIO` opens the debugger."""
        items = super().shell_complete(ctx, incomplete)
        if not incomplete.startswith("-"):
            items += scenario_completions(incomplete)
        return items

    def invoke(self, ctx: click.Context) -> Any:
        """The command, with a failed write reported here: click would end a closed pipe silently."""
        try:
            return super().invoke(ctx)
        except OSError as error:
            output_failed(error)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's main, with output that cannot be written (closed pipe, full disk) as one line."""
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except OSError as error:
            output_failed(error)


@click.group(cls=_DebuggerByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="bpdbg")
def main() -> None:
    """bpdbg: step through backpropagation one operation at a time.

    \b
    bpdbg                      open the debugger on the default scenario (two_neurons)
    bpdbg SCENARIO             open the debugger on a scenario file or shipped name
    bpdbg SCENARIO --present   ... in presenter mode; `bpdbg open -h` for every lecture option
    bpdbg run SCENARIO         print the training log as the notes print it
    bpdbg run --as-written S   train with the scenario's own [derivation] instead of backprop
    bpdbg check SCENARIO...    compare with the notes' printed tables and check each derivation
    bpdbg gradcheck SCENARIO...  compare gradients with finite differences
    bpdbg graph SCENARIO       print the computation graph as Graphviz DOT
    bpdbg list                 list the shipped scenarios
    bpdbg export SCENARIO ...  an epoch's derivation (md, tex), or the run (csv, jsonl)
    bpdbg serve [SCENARIO]     serve the debugger to a web browser
    """
    # A diverging run is reported as a non-finite value at a named step; NumPy's own
    # overflow and divide warnings would only repeat it, as noise on the terminal.
    context = click.get_current_context()
    context.with_resource(np.errstate(all="ignore"))
    if context.invoked_subcommand != "open":  # the debugger resumes it once its first frame is drawn
        resume_collection()


@main.command("open")
@click.argument("scenario", default=DEFAULT, type=SCENARIO)
@MEMORY
@click.option("--served", is_flag=True, hidden=True, help="Run under `bpdbg serve`: the browser is the terminal.")
@click.option("--present", is_flag=True, help="Start in presenter mode (large digits, black on white); z toggles it.")
@click.option(
    "--screenshots",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    help="Folder where s saves SVG screenshots.  [default: the current folder]",
)
@click.option("--keys", default="", help='Keys pressed at start, e.g. "3e5n"; <name> for a named key, e.g. <enter>.')
@click.option(
    "--keymap",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=named_file,
    help='TOML file rebinding keys by binding id, e.g. step_forward = "j".  [default: the config folder keymap.toml]',
)
def open_debugger(
    scenario: str, memory: int, served: bool, present: bool, screenshots: Path, keys: str, keymap: Path | None
) -> None:
    """Open the stepping debugger on SCENARIO (a file, or a shipped name)."""
    trainer = load(scenario, memory)  # a bad file is reported the same way, terminal or not
    from bpdbg.tui.keymap import KeymapError, KeysError  # the engine and the other commands never need Textual
    from bpdbg.tui.screens.lecture import set_up

    try:
        lecture = set_up(present, screenshots, keys, keymap)
    except KeymapError as error:  # a keymap's error names its file; --keys is the command line's
        click.echo(f"bpdbg: {error}" if isinstance(error, KeysError) else str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("bpdbg: the debugger needs a terminal; for a log without one, use `bpdbg run SCENARIO`", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from bpdbg.tui.app import DebuggerApp

    app = DebuggerApp(trainer, lecture)
    app.run()
    sys.exit(app.return_code or 0)


@main.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per epoch (JSON Lines).")
@click.option(
    "--as-written", is_flag=True, help="Update the parameters with the scenario's [derivation], not backprop."
)
@MEMORY
def run(scenario: str, as_json: bool, as_written: bool, memory: int) -> None:
    """Train SCENARIO headless and print its log the way the notes print it.

    SCENARIO is a file, or a shipped name (see `bpdbg list`).
    """
    import json  # here and in the commands below: `bpdbg` opening the debugger starts without them

    from bpdbg.engine.report import Log
    from bpdbg.export.epochs import catching, epoch_objects

    with interruptible() as running:
        trainer = running.trainer = load(scenario, memory)
        if as_written:
            trainer = running.trainer = _as_written(scenario, trainer)
        report = running.progress.watching(trainer, Path(scenario).stem)
        try:
            if as_json:
                # A chunk at a time, so a long run's lines come as it goes, and what is caught of
                # each epoch (its gradients and parameters) never takes much memory.
                chunk = max(1, min(JSON_CHUNK, JSON_CHUNK_BYTES // (16 * trainer.program.n_params + 1)))
                with catching(trainer) as caught:
                    while not trainer.finished:
                        first = trainer.epochs_done + 1
                        trainer.run(chunk, should_stop=report)
                        running.progress.clear()
                        for line in epoch_objects(trainer, first, caught):
                            click.echo(json.dumps(line, allow_nan=False))
                        caught.clear()
            else:
                trainer.run(should_stop=report)
                running.progress.clear()
                for log_line in Log(trainer).lines():
                    click.echo(log_line.printed)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
    stop = trainer.stop
    if stop is not None and stop.reason == "non-finite":
        click.echo(f"{trainer.program.scenario.path}: {stop.message}", err=True)
        sys.exit(EXIT_DIFFERS)


def _as_written(scenario: str, trainer: Trainer) -> Trainer:
    """A trainer whose updates are the derivation's own; stderr names each formula used."""
    from bpdbg.engine.as_written import as_written, written_updates
    from bpdbg.engine.derivation import Derivation

    program = trainer.program
    label = Path(scenario).stem
    if not program.scenario.derivation:
        click.echo(f"{program.scenario.path}: --as-written needs a [derivation] section", err=True)
        sys.exit(EXIT_BAD_INPUT)
    derivation = Derivation(program)
    try:
        written = Trainer(as_written(derivation), trainer.memory)
    except ScenarioError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
    updates = written_updates(derivation)
    used = [f"{e.name} = {e.formula.text} (line {e.formula.place.line})" for e in updates.values()]
    kept = [p.name for p in program.params if p.name not in updates]
    if not used:
        click.echo(f"{label}: the derivation writes no update, so every parameter is updated by backprop", err=True)
        return written
    note = f"; backprop's update for {', '.join(kept)}" if kept else ""
    click.echo(f"{label}: trained as written, not by backprop: {'; '.join(used)}{note}", err=True)
    return written


@main.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--epoch", default=1, show_default=True, type=click.IntRange(min=1), help="The epoch to show.")
@click.option("--step", type=click.IntRange(min=1), help="The step of that epoch, counted from 1.  [default: its last]")
def graph(scenario: str, epoch: int, step: int | None) -> None:
    """Print SCENARIO's computation graph as Graphviz DOT, with every value and gradient at that point.

    SCENARIO is a file, or a shipped name (see `bpdbg list`).
    """
    from bpdbg.engine.graph import dot_at

    with interruptible() as running:
        trainer = running.trainer = load(scenario)
        try:
            click.echo(dot_at(trainer, epoch, step), nl=False)
        except ValueError as error:
            click.echo(f"{Path(scenario).stem}: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)


@main.command("list")
def list_scenarios() -> None:
    """List the scenarios that ship with bpdbg."""
    from bpdbg.engine.loader import load_scenario

    for name, path in shipped().items():
        try:
            title = load_scenario(path).title
        except ScenarioError as error:
            title = f"(cannot load: {error.message})"
        click.echo(f"{name:<20} {title}")


from bpdbg import cli_check, cli_share  # noqa: E402, F401  (their commands join `main`, defined above)
