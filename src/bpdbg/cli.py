"""The `bpdbg` command: the debugger by default, and headless run / check / gradcheck / list."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
from click.shell_completion import CompletionItem

from bpdbg import __version__
from bpdbg.completion import SCENARIO, scenario_completions
from bpdbg.engine.limits import CHECKPOINT_BYTES, parse_memory
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.progress import Progress
from bpdbg.scenarios import DEFAULT, resolve, shipped

if TYPE_CHECKING:
    from bpdbg.engine.derivation_check import DerivationReport

EXIT_DIFFERS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by ctrl-c
JSON_CHUNK = 1000  # epochs trained between batches of `run --json` lines, so a long run streams


def _output_failed(error: OSError) -> None:
    """Report a closed pipe or a full disk in one line, and keep the exit from failing again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere at exit
    except (OSError, ValueError):
        pass
    try:
        click.echo(f"bpdbg: cannot write the output: {error.strerror or error}", err=True)
    except OSError:
        pass
    sys.exit(EXIT_DIFFERS)


_GROUP_OPTIONS = frozenset({"-h", "--help", "-V", "--version"})  # any other option is the debugger's


class _DebuggerByDefault(click.Group):
    """`bpdbg` and `bpdbg SCENARIO` open the debugger; other words are subcommands."""

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
            _output_failed(error)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's main, with output that cannot be written (closed pipe, full disk) as one line."""
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except OSError as error:
            _output_failed(error)


class _OneLineUsage(click.Command):
    """A mistake on the command line is one line, `bpdbg COMMAND: what is wrong`, and exit status 2."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            if parent is not None and parent.resilient_parsing:
                raise
            _usage(info_name or self.name or "", error.format_message())
            raise  # not reached: _usage exits


def _usage(command: str, message: str) -> None:
    click.echo(f"bpdbg {command}: {' '.join(message.split())}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class _Running:
    """The trainer a command is running, so an interruption can say how far it got, and its
    progress on stderr (when that is a terminal)."""

    trainer: Trainer | None = None

    def __init__(self) -> None:
        self.progress = Progress()


@contextmanager
def _interruptible() -> Iterator[_Running]:
    """Ctrl-c ends the command with one line and status 130, never a traceback."""
    running = _Running()
    try:
        yield running
    except KeyboardInterrupt:
        running.progress.clear()
        epoch = running.trainer.epochs_done if running.trainer is not None else 0
        click.echo(f"interrupted at epoch {epoch}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        running.progress.clear()


def _budget(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    """`--memory`, in bytes; a bad value is one line and exit status 2, as a bad scenario is."""
    if value is None or ctx.resilient_parsing:
        return CHECKPOINT_BYTES
    try:
        return parse_memory(value)
    except ValueError as error:
        click.echo(f"bpdbg: --memory: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)


MEMORY = click.option(
    "--memory",
    metavar="SIZE",
    callback=_budget,
    help="Memory for the parameters kept to replay any epoch (default 256MiB), e.g. 64MB, 1GB.",
)


def _load(scenario: str, memory: int = CHECKPOINT_BYTES) -> Trainer:
    """A trainer for the scenario, or a one-line error and exit status 2."""
    try:
        return open_scenario(resolve(scenario), memory)
    except ScenarioError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)


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
    click.get_current_context().with_resource(np.errstate(all="ignore"))


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
    help='TOML file rebinding keys by binding id, e.g. step_forward = "j".  [default: the config folder keymap.toml]',
)
def open_debugger(
    scenario: str, memory: int, served: bool, present: bool, screenshots: Path, keys: str, keymap: Path | None
) -> None:
    """Open the stepping debugger on SCENARIO (a file, or a shipped name)."""
    trainer = _load(scenario, memory)  # a bad file is reported the same way, terminal or not
    from bpdbg.tui.keymap import KeymapError  # the engine and the other commands never need Textual
    from bpdbg.tui.screens.lecture import set_up

    try:
        lecture = set_up(present, screenshots, keys, keymap)
    except KeymapError as error:
        click.echo(str(error), err=True)
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
    """Train SCENARIO headless and print its log the way the notes print it."""
    import json  # here and in the commands below: `bpdbg` opening the debugger starts without them

    from bpdbg.engine.report import Log
    from bpdbg.export.epochs import epoch_objects

    with _interruptible() as running:
        trainer = running.trainer = _load(scenario, memory)
        if as_written:
            trainer = running.trainer = _as_written(scenario, trainer)
        report = running.progress.watching(trainer, Path(scenario).stem)
        try:
            if as_json:
                while not trainer.finished:  # a chunk at a time, so a long run's lines come as it goes
                    first = trainer.epochs_done + 1
                    trainer.run(JSON_CHUNK, should_stop=report)
                    running.progress.clear()
                    for line in epoch_objects(trainer, first):
                        click.echo(json.dumps(line, allow_nan=False))
            else:
                trainer.run(should_stop=report)
                running.progress.clear()
                for log_line in Log(trainer).lines():
                    click.echo(log_line.text)
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


def _each(scenarios: tuple[str, ...], one: Callable[[str, Trainer, _Running], bool], memory: int) -> None:
    """Run `one` per scenario; exit 2 on bad input, 1 if any failed, else 0."""
    failed = bad = False
    with _interruptible() as running:
        for scenario in scenarios:
            try:
                trainer = running.trainer = open_scenario(resolve(scenario), memory)
                failed |= not one(scenario, trainer, running)
            except ScenarioError as error:
                click.echo(str(error), err=True)
                bad = True
    sys.exit(EXIT_BAD_INPUT if bad else EXIT_DIFFERS if failed else 0)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=SCENARIO)
@MEMORY
def check(scenarios: tuple[str, ...], memory: int) -> None:
    """Compare each SCENARIO's run with the notes' printed table, at the printed precision, and its
    [derivation] with backprop at every epoch."""
    from bpdbg.engine.check import compare_log, gradient_check, last_with_gradients

    def one(name: str, trainer: Trainer, running: _Running) -> bool:
        label = Path(name).stem
        derivation = _derivation(trainer, running.progress.watching(trainer, label))  # it watches the run: first
        running.progress.clear()
        table = _table(label, trainer, running)
        if derivation is not None:
            click.echo(f"{label}: {derivation.describe(trainer.program.scenario.loss.name)}")
        return table and (derivation is None or derivation.agrees)

    def _table(label: str, trainer: Trainer, running: _Running) -> bool:
        text = trainer.program.scenario.expected_text
        if text is None:
            click.echo(f"{label}: no expected table to compare with")
            return True
        trainer.run(should_stop=running.progress.watching(trainer, label))
        running.progress.clear()
        result = compare_log(trainer, text)
        if result.divergence is None:
            click.echo(f"{label}: agrees with the notes ({result.lines} printed lines)")
            return True
        found = result.divergence
        epoch = min(found.epoch or 1, trainer.epochs_done)
        checked = last_with_gradients(trainer, epoch)
        if checked is None:
            fd = f"finite differences have nothing to check (no epoch up to {epoch} reached its backward pass)"
        else:
            verdict = gradient_check(trainer, checked)
            agree = "confirm" if verdict.passed else "DISAGREE with"
            before = "" if checked == epoch else f"; epoch {epoch} ended before its backward pass"
            sampled = "".join(f"; {s.describe()}" for s in verdict.sampled)
            fd = (
                f"finite differences {agree} the engine's gradients there "
                f"(epoch {verdict.epoch}, worst relative error {verdict.worst:.1e}{before}{sampled})"
            )
        click.echo(f"{label}: DIFFERS from the notes at {found.describe()}; {fd}")
        return False

    _each(scenarios, one, memory)


def _derivation(trainer: Trainer, should_stop: Callable[[], bool] | None) -> DerivationReport | None:
    """The scenario's [derivation], entry by entry against backprop at every epoch (None: it has none)."""
    if not trainer.program.scenario.derivation:
        return None
    from bpdbg.engine.derivation_check import check_derivation

    return check_derivation(trainer, should_stop=should_stop)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=SCENARIO)
@click.option(
    "--after", default=3, show_default=True, type=click.IntRange(min=0), help="Also check after this many updates."
)
@MEMORY
def gradcheck(scenarios: tuple[str, ...], after: int, memory: int) -> None:
    """Compare every gradient of SCENARIO with central finite differences."""
    from bpdbg.engine.check import gradient_check

    def one(name: str, trainer: Trainer, running: _Running) -> bool:
        label = Path(name).stem
        trainer.run(after + 1)
        last = trainer.epochs_done
        stop = trainer.stop
        if stop is not None and stop.reason == "non-finite":  # its loss has no finite differences
            last = stop.epoch - 1
            if last < 1:
                click.echo(f"{label}: cannot check, {stop.message}")
                return False
        epochs = sorted({1, min(after + 1, last)})
        results = [gradient_check(trainer, epoch) for epoch in epochs]
        skipped = [r.skipped for r in results if r.skipped is not None]
        checked = [r for r in results if r.skipped is None]
        if not checked:
            click.echo(f"{label}: nothing to check ({'; '.join(skipped)})")
            return True
        worst = max(checked, key=lambda r: r.worst)
        ok = all(r.passed for r in checked)
        notes = [f"epochs checked: {', '.join(str(r.epoch) for r in checked)}", *skipped]
        notes += dict.fromkeys(s.describe() for r in checked for s in r.sampled)
        notes += dict.fromkeys(k.describe() for r in checked for k in r.kinks)
        verdict = "FAILED" if not ok else "ok away from kinks" if any(r.kinks for r in checked) else "ok"
        error = f"worst relative error {worst.worst:.1e} at {worst.where}, epoch {worst.epoch}"
        if worst.where == "-":  # every coordinate checked straddles a kink
            error = "no coordinate away from a kink to compare"
        click.echo(f"{label}: {verdict}, {error} ({'; '.join(notes)}; tolerance {worst.tolerance:.0e})")
        return ok

    _each(scenarios, one, memory)


@main.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--epoch", default=1, show_default=True, type=click.IntRange(min=1), help="The epoch to show.")
@click.option("--step", type=click.IntRange(min=1), help="The step of that epoch, from 1  [default: its last]")
def graph(scenario: str, epoch: int, step: int | None) -> None:
    """Print SCENARIO's computation graph as Graphviz DOT, with every value and gradient at that point."""
    from bpdbg.engine.graph import dot_at

    trainer = _load(scenario)
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


from bpdbg import cli_share  # noqa: E402, F401  (its commands, export and serve, use the helpers above)
