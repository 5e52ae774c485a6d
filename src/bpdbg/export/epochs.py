"""The run epoch by epoch, as `run --json` writes it, and the same numbers as CSV columns.

One object per epoch: the loss, the parameters after that epoch's update, the gradients
it used and the metrics. CSV flattens each matrix into a column per entry, named as the
breakpoints name them: `W1[0,1]`, and `grad(W1)[0,1]` for its gradient.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np

from bpdbg.engine.messages import coordinate
from bpdbg.engine.trainer import Trainer


def number(value: object) -> object:
    """A number or nested list for JSON; a non-finite value is null (strict JSON has no NaN)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return float(array) if np.isfinite(array) else None
    return np.where(np.isfinite(array), array, np.array(None)).tolist()


def epoch_objects(trainer: Trainer, first: int = 1) -> Iterator[dict[str, object]]:
    """One object per epoch run so far, from `first` on."""
    program = trainer.program
    metrics = [e.name for e in program.scenario.metrics]
    for epoch in range(first, trainer.epochs_done + 1):
        record = trainer.record(epoch)
        grads = {name: number(value) for name, value in record.gradients(program).items()}
        line: dict[str, object] = {
            "epoch": epoch,
            "loss": number(trainer.losses[epoch - 1]),
            "params": {name: number(v) for name, v in trainer.params_after(epoch).items()},
            "grads": grads,
            "metrics": {m: number(record.value(program.named[m])) for m in metrics},
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
