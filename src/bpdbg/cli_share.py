"""The commands that take the debugger out of the terminal: `export` for handouts and spreadsheets,
`serve` for a web browser."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bpdbg.cli import main
from bpdbg.cli_base import EXIT_BAD_INPUT, EXIT_DIFFERS, interruptible, load, named_file, usage
from bpdbg.completion import SCENARIO
from bpdbg.engine.scenario import ScenarioError
from bpdbg.scenarios import DEFAULT


@main.command()
@click.argument("scenario", type=SCENARIO)
@click.option(
    "--format", "form", required=True, type=click.Choice(["md", "tex", "csv", "jsonl"]), help="What to write."
)
@click.option("--epoch", type=click.IntRange(min=1), help="The epoch to derive (md, tex), counted from 1.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=named_file,
    help="A file (default: stdout).",
)
def export(scenario: str, form: str, epoch: int | None, output: Path | None) -> None:
    """Write one epoch's whole derivation (md, tex), or the run epoch by epoch (csv, jsonl).

    SCENARIO is a file, or a shipped name (see `bpdbg list`).
    """
    from bpdbg.export.derivation import NoSuchEpoch
    from bpdbg.export.documents import EPOCH_FORMATS, epoch_document, run_table
    from bpdbg.export.files import write_whole

    if form in EPOCH_FORMATS and epoch is None:
        usage("export", f"--format {form} writes one epoch: add --epoch N")
    if form not in EPOCH_FORMATS and epoch is not None:
        usage("export", f"--format {form} writes every epoch: leave out --epoch")
    with interruptible() as running:
        trainer = running.trainer = load(scenario)
        try:
            pieces = iter([epoch_document(trainer, epoch, form)]) if epoch is not None else run_table(trainer, form)
            if output is None:
                for piece in pieces:
                    click.echo(piece, nl=False)
            else:
                try:
                    write_whole(output, pieces)
                except OSError as error:
                    click.echo(f"bpdbg: cannot write {output}: {error.strerror or error}", err=True)
                    sys.exit(EXIT_DIFFERS)
        except NoSuchEpoch as error:
            click.echo(f"{trainer.program.scenario.path}: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
    stop = trainer.stop
    if epoch is None and stop is not None and stop.reason == "non-finite":
        click.echo(f"{trainer.program.scenario.path}: {stop.message}", err=True)
        sys.exit(EXIT_DIFFERS)


@main.command()
@click.argument("scenario", default=DEFAULT, type=SCENARIO)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("--public-url", help="The address browsers reach it by, if not http://HOST:PORT (a proxy, 0.0.0.0).")
def serve(scenario: str, host: str, port: int, public_url: str | None) -> None:
    """Serve the debugger on SCENARIO to a web browser (needs `pip install "bpdbg[web]"`).

    SCENARIO is a file, or a shipped name (see `bpdbg list`). [default: two_neurons]
    """
    from bpdbg.serve import MissingExtra, address, exposure_warning
    from bpdbg.serve import serve as serve_forever

    trainer = load(scenario)  # a bad file is reported here, once, not in every browser tab
    warning = exposure_warning(host, port)
    if warning is not None:
        click.echo(warning, err=True)
    try:
        serve_forever(trainer.program.scenario.path.resolve(), host, port, public_url)
    except MissingExtra as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_BAD_INPUT)
    except OSError as error:
        click.echo(f"bpdbg serve: cannot listen on {address(host, port)}: {error.strerror or error}", err=True)
        sys.exit(EXIT_DIFFERS)
