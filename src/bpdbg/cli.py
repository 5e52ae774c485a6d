"""The `bpdbg` command: the debugger by default, and headless run / check / gradcheck / list."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import numpy as np
from click.shell_completion import CompletionItem

from bpdbg import __version__
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import DEFAULT, resolve, shipped

EXIT_DIFFERS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by ctrl-c
JSON_CHUNK = 1000  # epochs trained between batches of `run --json` lines, so a long run streams


def _scenario_completions(incomplete: str) -> list[CompletionItem]:
    """Shipped names, then *.toml files and folders, that start with what was typed."""
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

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return _scenario_completions(incomplete)


SCENARIO = ScenarioType()


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


class _DebuggerByDefault(click.Group):
    """`bpdbg` and `bpdbg SCENARIO` open the debugger; other words are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # While the shell completes (resilient parsing), a lone word may be a command being typed.
        rewrite = bool(args) if ctx.resilient_parsing else True
        if rewrite and (not args or (args[0] not in self.commands and not args[0].startswith("-"))):
            args = ["open", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Commands, and scenarios too: `bpdbg SCENARIO` opens the debugger."""
        items = super().shell_complete(ctx, incomplete)
        if not incomplete.startswith("-"):
            items += _scenario_completions(incomplete)
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


class _Running:
    """The trainer a command is running, so an interruption can say how far it got."""

    trainer: Trainer | None = None


@contextmanager
def _interruptible() -> Iterator[_Running]:
    """Ctrl-c ends the command with one line and status 130, never a traceback."""
    running = _Running()
    try:
        yield running
    except KeyboardInterrupt:
        epoch = running.trainer.epochs_done if running.trainer is not None else 0
        click.echo(f"interrupted at epoch {epoch}", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _load(scenario: str) -> Trainer:
    """A trainer for the scenario, or a one-line error and exit status 2."""
    try:
        return open_scenario(resolve(scenario))
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
    bpdbg run SCENARIO         print the training log as the notes print it
    bpdbg check SCENARIO...    compare with the notes' printed tables
    bpdbg gradcheck SCENARIO...  compare gradients with finite differences
    bpdbg graph SCENARIO       print the computation graph as Graphviz DOT
    bpdbg list                 list the shipped scenarios
    """
    # A diverging run is reported as a non-finite value at a named step; NumPy's own
    # overflow and divide warnings would only repeat it, as noise on the terminal.
    click.get_current_context().with_resource(np.errstate(all="ignore"))


@main.command("open")
@click.argument("scenario", default=DEFAULT, type=SCENARIO)
def open_debugger(scenario: str) -> None:
    """Open the stepping debugger on SCENARIO (a file, or a shipped name)."""
    trainer = _load(scenario)  # a bad file is reported the same way, terminal or not
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("bpdbg: the debugger needs a terminal; for a log without one, use `bpdbg run SCENARIO`", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from bpdbg.tui.app import DebuggerApp  # the engine and the other commands never need Textual

    app = DebuggerApp(trainer)
    app.run()
    sys.exit(app.return_code or 0)


def _number(value: object) -> object:
    """A number or nested list for JSON; a non-finite value is null (strict JSON has no NaN)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array) if np.isfinite(array) else None
    return np.where(np.isfinite(array), array, np.array(None)).tolist()


def _json_lines(trainer: Trainer, first: int = 1) -> Iterator[dict[str, object]]:
    """One object per epoch run so far, from `first` on."""
    program = trainer.program
    metrics = [e.name for e in program.scenario.metrics]
    for epoch in range(first, trainer.epochs_done + 1):
        record = trainer.record(epoch)
        grads = {name: _number(value) for name, value in record.gradients(program).items()}
        line: dict[str, object] = {
            "epoch": epoch,
            "loss": _number(trainer.losses[epoch - 1]),
            "params": {name: _number(v) for name, v in trainer.params_after(epoch).items()},
            "grads": grads,
            "metrics": {m: _number(record.value(program.named[m])) for m in metrics},
        }
        if epoch == trainer.epochs_done and trainer.stop is not None:
            line["stop"] = trainer.stop.reason
        yield line


@main.command()
@click.argument("scenario", type=SCENARIO)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per epoch (JSON Lines).")
def run(scenario: str, as_json: bool) -> None:
    """Train SCENARIO headless and print its log the way the notes print it."""
    import json  # here and in the commands below: `bpdbg` opening the debugger starts without them

    from bpdbg.engine.report import Log

    with _interruptible() as running:
        trainer = running.trainer = _load(scenario)
        try:
            if as_json:
                while not trainer.finished:  # a chunk at a time, so a long run's lines come as it goes
                    first = trainer.epochs_done + 1
                    trainer.run(JSON_CHUNK)
                    for line in _json_lines(trainer, first):
                        click.echo(json.dumps(line, allow_nan=False))
            else:
                trainer.run()
                for log_line in Log(trainer).lines():
                    click.echo(log_line.text)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
    stop = trainer.stop
    if stop is not None and stop.reason == "non-finite":
        click.echo(f"{trainer.program.scenario.path}: {stop.message}", err=True)
        sys.exit(EXIT_DIFFERS)


def _each(scenarios: tuple[str, ...], one: Callable[[str, Trainer], bool]) -> None:
    """Run `one` per scenario; exit 2 on bad input, 1 if any failed, else 0."""
    failed = bad = False
    with _interruptible() as running:
        for scenario in scenarios:
            try:
                trainer = running.trainer = open_scenario(resolve(scenario))
                failed |= not one(scenario, trainer)
            except ScenarioError as error:
                click.echo(str(error), err=True)
                bad = True
    sys.exit(EXIT_BAD_INPUT if bad else EXIT_DIFFERS if failed else 0)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=SCENARIO)
def check(scenarios: tuple[str, ...]) -> None:
    """Compare each SCENARIO's run with the notes' printed table, at the printed precision."""
    from bpdbg.engine.check import compare_log, gradient_check, last_with_gradients

    def one(name: str, trainer: Trainer) -> bool:
        label = Path(name).stem
        text = trainer.program.scenario.expected_text
        if text is None:
            click.echo(f"{label}: no expected table to compare with")
            return True
        trainer.run()
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

    _each(scenarios, one)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=SCENARIO)
@click.option(
    "--after", default=3, show_default=True, type=click.IntRange(min=0), help="Also check after this many updates."
)
def gradcheck(scenarios: tuple[str, ...], after: int) -> None:
    """Compare every gradient of SCENARIO with central finite differences."""
    from bpdbg.engine.check import gradient_check

    def one(name: str, trainer: Trainer) -> bool:
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
        click.echo(
            f"{label}: {'ok' if ok else 'FAILED'}, worst relative error {worst.worst:.1e} at "
            f"{worst.where}, epoch {worst.epoch} ({'; '.join(notes)}; tolerance {worst.tolerance:.0e})"
        )
        return ok

    _each(scenarios, one)


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
