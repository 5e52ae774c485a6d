"""What every `bpdbg` command shares: how it ends (exit statuses, one-line errors, ctrl-c), its
`--memory` budget, and opening a scenario, so each command's own module says only what it does."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from bpdbg.engine.limits import CHECKPOINT_BYTES, parse_memory
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.progress import Progress
from bpdbg.scenarios import resolve

EXIT_DIFFERS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by ctrl-c


def output_failed(error: OSError) -> None:
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


class OneLineUsage(click.Command):
    """A mistake on the command line is one line, `bpdbg COMMAND: what is wrong`, and exit status 2."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            if parent is not None and parent.resilient_parsing:
                raise
            usage(info_name or self.name or "", error.format_message())
            raise  # not reached: usage exits


def usage(command: str, message: str) -> None:
    click.echo(f"bpdbg {command}: {' '.join(message.split())}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class Running:
    """The trainer a command is running, so an interruption can say how far it got, and its
    progress on stderr (when that is a terminal)."""

    trainer: Trainer | None = None

    def __init__(self) -> None:
        self.progress = Progress()


@contextmanager
def interruptible() -> Iterator[Running]:
    """Ctrl-c ends the command with one line and status 130, never a traceback."""
    running = Running()
    try:
        yield running
    except KeyboardInterrupt:
        running.progress.clear()
        epoch = running.trainer.epochs_done if running.trainer is not None else 0
        click.echo(f"interrupted at epoch {epoch}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    finally:
        running.progress.clear()


def named_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An option's file, refused when its name is empty (`-o ''`, an unset shell variable): click
    reads '' as the current folder and lets it through."""
    if value is not None and not value.name:
        raise click.BadParameter("the file name is empty")
    return value


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


def load(scenario: str, memory: int = CHECKPOINT_BYTES) -> Trainer:
    """A trainer for the scenario, or a one-line error and exit status 2."""
    try:
        return open_scenario(resolve(scenario), memory)
    except ScenarioError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
