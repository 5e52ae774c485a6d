"""The run epoch by epoch, as `run --json` writes it, and the same numbers as CSV columns.

One object per epoch: the loss, the parameters after that epoch's update, the gradients
it used and the metrics. CSV flattens each matrix into a column per entry, named as the
breakpoints name them: `W1[0,1]`, and `grad(W1)[0,1]` for its gradient.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpdbg.engine.messages import coordinate
from bpdbg.engine.tape import Program, Values
from bpdbg.engine.trainer import EpochRecord, Trainer


def number(value: object) -> object:
    """A number or nested list for JSON; a non-finite value is null (strict JSON has no NaN)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array) if np.isfinite(array) else None
    if np.isfinite(array).all():
        return array.tolist()
    return np.where(np.isfinite(array), array, np.array(None)).tolist()


@dataclass(frozen=True)
class Caught:
    """What an epoch's object needs of the values it computed; `params` is None where the epoch
    made no update (it stopped early), and the parameters are then the ones it began with."""

    grads: dict[str, Any]
    metrics: dict[str, Any]
    params: dict[str, Any] | None


def caught_from(program: Program, values: Sequence[Any]) -> Caught:
    """From an epoch's values, as it ran or as a replay computes them again."""
    params = {p.name: values[p.update_slot] for p in program.params}
    return Caught(
        EpochRecord(0, tuple(values), len(values)).gradients(program),
        {e.name: values[program.named[e.name]] for e in program.scenario.metrics},
        None if any(value is None for value in params.values()) else params,
    )


@contextmanager
def catching(trainer: Trainer) -> Iterator[dict[int, Caught]]:
    """Catch each epoch's gradients, metrics and new parameters as the trainer runs it.

    `epoch_objects` then takes them from here: finding them afterwards replays every epoch,
    which took `run --json` twice as long as the training. The caller empties the dict as it
    writes the epochs out, so it holds at most a chunk of them.
    """
    caught: dict[int, Caught] = {}

    def catch(epoch: int, values: Values) -> None:
        caught[epoch] = caught_from(trainer.program, values)

    before, trainer.observe = trainer.observe, catch
    try:
        yield caught
    finally:
        trainer.observe = before


def epoch_objects(
    trainer: Trainer, first: int = 1, caught: Mapping[int, Caught] | None = None
) -> Iterator[dict[str, object]]:
    """One object per epoch run so far, from `first` on: from what was caught as it ran, or
    else from a replay of the epoch."""
    for epoch in range(first, trainer.epochs_done + 1):
        found = (caught or {}).get(epoch) or caught_from(trainer.program, trainer.record(epoch).values)
        params = trainer.params_after(epoch) if found.params is None else found.params
        line: dict[str, object] = {
            "epoch": epoch,
            "loss": number(trainer.losses[epoch - 1]),
            "params": {name: number(v) for name, v in params.items()},
            "grads": {name: number(v) for name, v in found.grads.items()},
            "metrics": {name: number(v) for name, v in found.metrics.items()},
        }
        if epoch == trainer.epochs_done and trainer.stop is not None:
            line["stop"] = trainer.stop.reason
        yield line


def _entries(name: str, shape: tuple[int, ...]) -> list[str]:
    """A column name per entry: `w1` for a number, `b[2]`, `W1[0,1]`."""
    return [coordinate(name, shape, index) for index in np.ndindex(*shape)]


def csv_header(trainer: Trainer) -> list[str]:
    program = trainer.program
    columns = ["epoch", "loss", *(m.name for m in program.scenario.metrics)]
    columns += [c for p in program.params for c in _entries(p.name, p.shape)]
    columns += [c for p in program.params if p.grad_slot is not None for c in _entries(f"grad({p.name})", p.shape)]
    return [*columns, "stop"]


def _flat(value: object) -> list[object]:
    return [value] if not isinstance(value, list) else [x for item in value for x in _flat(item)]


def csv_row(trainer: Trainer, line: dict[str, object]) -> list[object]:
    """One epoch's object as a row under `csv_header`; a number not computed (or not finite) is empty."""
    program = trainer.program
    params, grads, metrics = line["params"], line["grads"], line["metrics"]
    assert isinstance(params, dict) and isinstance(grads, dict) and isinstance(metrics, dict)
    row: list[object] = [line["epoch"], line["loss"], *(metrics[m.name] for m in program.scenario.metrics)]
    row += [x for p in program.params for x in _flat(params[p.name])]
    for p in program.params:
        if p.grad_slot is not None:
            row += _flat(grads[p.name]) if p.name in grads else [None] * p.size
    row.append(line.get("stop"))
    return ["" if cell is None else cell for cell in row]


def csv_text(trainer: Trainer, lines: list[dict[str, object]], header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(csv_header(trainer))
    writer.writerows(csv_row(trainer, line) for line in lines)
    return out.getvalue()
