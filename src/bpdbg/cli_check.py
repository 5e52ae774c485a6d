"""The commands that check a scenario: `check` against the notes' printed table and its own
[derivation], `gradcheck` against central finite differences; both take several scenarios."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bpdbg.cli import main
from bpdbg.cli_base import EXIT_BAD_INPUT, EXIT_DIFFERS, MEMORY, Running, interruptible
from bpdbg.completion import SCENARIO
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer
from bpdbg.scenarios import resolve

if TYPE_CHECKING:
    from bpdbg.engine.check import GradCheck, Kink
    from bpdbg.engine.derivation_check import DerivationReport


def _each(scenarios: tuple[str, ...], one: Callable[[str, Trainer, Running], bool], memory: int) -> None:
    """Run `one` per scenario; exit 2 on bad input, 1 if any failed, else 0."""
    failed = bad = False
    with interruptible() as running:
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
    [derivation] with backprop at every epoch.

    Each SCENARIO is a file, or a shipped name (see `bpdbg list`).
    """
    from bpdbg.engine.check import compare_log, gradient_check, last_with_gradients

    def one(name: str, trainer: Trainer, running: Running) -> bool:
        label = Path(name).stem
        derivation = _derivation(trainer, running.progress.watching(trainer, label))  # it watches the run: first
        running.progress.clear()
        table = _table(label, trainer, running)
        if derivation is not None:
            click.echo(f"{label}: {derivation.describe(trainer.program.scenario.loss.name)}")
        return table and (derivation is None or derivation.agrees)

    def _table(label: str, trainer: Trainer, running: Running) -> bool:
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
    """Compare every gradient of SCENARIO with central finite differences.

    Each SCENARIO is a file, or a shipped name (see `bpdbg list`).
    """
    from bpdbg.engine.check import gradient_check

    def one(name: str, trainer: Trainer, running: Running) -> bool:
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
        results = [
            gradient_check(trainer, epoch, progress=running.progress.counting(f"{label}, epoch {epoch}", "coordinate"))
            for epoch in epochs
        ]
        running.progress.clear()
        skipped = [r.skipped for r in results if r.skipped is not None]
        checked = [r for r in results if r.skipped is None]
        if not checked:
            click.echo(f"{label}: nothing to check ({'; '.join(skipped)})")
            return True
        worst = max(checked, key=lambda r: r.worst)
        ok = all(r.passed for r in checked)
        notes = [f"epochs checked: {', '.join(str(r.epoch) for r in checked)}", *skipped]
        notes += dict.fromkeys(s.describe() for r in checked for s in r.sampled)
        notes += _kinks(checked)
        verdict = "FAILED" if not ok else "ok away from kinks" if any(r.kinks for r in checked) else "ok"
        error = f"worst relative error {worst.worst:.1e} at {worst.where}, epoch {worst.epoch}"
        if worst.where == "-":  # every coordinate checked straddles a kink
            error = "no coordinate away from a kink to compare"
        click.echo(f"{label}: {verdict}, {error} ({'; '.join(notes)}; tolerance {worst.tolerance:.0e})")
        return ok

    _each(scenarios, one, memory)


def _kinks(checked: list[GradCheck]) -> list[str]:
    """Each coordinate not compared, once, with the epochs it was not compared at: the worst
    error is named with its epoch, and the same coordinate may be compared at another."""
    epochs: dict[Kink, list[int]] = {}
    for result in checked:
        for kink in result.kinks:
            epochs.setdefault(kink, []).append(result.epoch)
    return [
        kink.describe(f"at epoch {at[0]}" if len(at) == 1 else f"at epochs {', '.join(map(str, at[:-1]))} and {at[-1]}")
        for kink, at in epochs.items()
    ]
