"""Whether the run reaches a position (an epoch, and a step of it), and if not, why, in one line.

`bpdbg graph --epoch --step` and the debugger's go-to dialog refuse the same input in the same
words, naming the range there is: the run ends where its epochs, its stop rule or a non-finite
value end it, and an epoch it stopped inside has fewer steps than the tape.
"""

from __future__ import annotations

from .trainer import Trainer


def outside_run(trainer: Trainer, epoch: int, step: int | None = None) -> str | None:
    """Why step `step` (from 1; None: any) of `epoch` is not in the run, or None if it is.

    Trains up to `epoch` first (never past the run's end), as only then is it known where the run ends.
    """
    trainer.run(max(epoch - trainer.epochs_done, 0))
    if not 1 <= epoch <= trainer.epochs_done:
        why = f" ({trainer.stop.message})" if trainer.stop is not None else ""
        return f"epoch {epoch} is not in the run: it has epochs 1 to {trainer.epochs_done}{why}"
    last = trainer.steps_in(epoch)
    if step is not None and not 1 <= step <= last:
        return f"step {step} is not in epoch {epoch}: it has steps 1 to {last}"
    return None
