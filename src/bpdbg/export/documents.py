"""What `bpdbg export` writes, by format: an epoch's derivation, or the run epoch by epoch."""

from __future__ import annotations

import json
from collections.abc import Iterator

from bpdbg.engine.trainer import Trainer
from bpdbg.export.derivation import derive
from bpdbg.export.epochs import csv_text, epoch_objects
from bpdbg.export.latex import render_latex
from bpdbg.export.markdown import render_markdown

EPOCH_FORMATS = ("md", "tex")
RUN_FORMATS = ("csv", "jsonl")
CHUNK = 1000  # epochs trained between pieces of a run's table, so a long run streams


def epoch_document(trainer: Trainer, epoch: int, form: str) -> str:
    """Epoch `epoch`'s whole derivation as Markdown or LaTeX. Raises NoSuchEpoch past the run's end."""
    derivation = derive(trainer, epoch)
    return render_latex(derivation) if form == "tex" else render_markdown(derivation)


def run_table(trainer: Trainer, form: str) -> Iterator[str]:
    """The run from its first epoch to its end, as CSV or JSON Lines, a chunk of epochs at a time."""
    done = 0
    header = True
    while True:
        lines = list(epoch_objects(trainer, done + 1)) if trainer.epochs_done > done else []
        done = trainer.epochs_done
        if form == "csv":
            yield csv_text(trainer, lines, header)
            header = False
        else:
            yield "".join(json.dumps(line, allow_nan=False) + "\n" for line in lines)
        if trainer.finished:
            return
        trainer.run(CHUNK)
