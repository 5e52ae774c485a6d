"""Long engine work off the event loop: training in chunks, and what it tells the screen.

The engine is not thread-safe, so while a worker runs it is the only code that touches
the trainer; the screen learns how far it got only from these messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from bpdbg.engine.messages import one_line
from bpdbg.engine.search import Found
from bpdbg.engine.trainer import Trainer

CHUNK_SECONDS = (0.02, 0.1)  # a chunk shorter than this grows, longer shrinks: a stop is honoured soon
PROGRESS_AFTER = 0.2  # seconds before a run shows its progress: a short run just ends
# Seconds between progress reports. Each report wakes the event loop twice (the message, then the
# status bar's frame), and each wake-up takes the interpreter's lock from the training thread and
# hands it back: a few reports a second keep the count moving without slowing the run.
PROGRESS_EVERY = 0.25
MAX_CHUNK = 1 << 20


@dataclass(eq=False)
class RunProgress(Message, bubble=False):
    """Epochs trained so far by a run to the end (for the screen alone: it does not bubble to the app)."""

    epochs_done: int
    max_epochs: int


@dataclass(eq=False)
class RunEnded(Message, bubble=False):
    """The worker has let go of the trainer: stopped by the user, finished, or failed.

    `found` is where the cursor goes: the end of a run, or a breakpoint hit a search found.
    For the screen alone: it does not bubble to the app."""

    found: Found | None
    error: str | None = None


Job = Callable[[Callable[[], bool], Callable[[int], None]], Found]
"""Long engine work: given `should_stop` and `report(epoch)`, it returns where it ended."""


def perform(job: Job, should_stop: Callable[[], bool], post: Callable[[Message], object], max_epochs: int) -> None:
    """Run `job` in a worker, posting its progress and, last, where it ended (or why it failed)."""

    def progress(done: int) -> None:
        post(RunProgress(done, max_epochs))

    try:
        found = job(should_stop, progress)
    except Exception as error:  # the engine's fault is reported on screen; the app stays up
        post(RunEnded(None, error=one_line(error)))
    else:
        post(RunEnded(found))


def throttled(report: Callable[[int], None]) -> Callable[[int], None]:
    """`report`, called at most every PROGRESS_EVERY seconds and only once the work has taken
    PROGRESS_AFTER: a search reports every epoch it looks at, each report a repaint."""
    due = time.perf_counter() + PROGRESS_AFTER

    def maybe(epoch: int) -> None:
        nonlocal due
        now = time.perf_counter()
        if now >= due:
            due = now + PROGRESS_EVERY
            report(epoch)

    return maybe


def to_the_end(trainer: Trainer) -> Job:
    """Running to the end (`G`) as a job: it ends at the last step of the last epoch run."""

    def job(should_stop: Callable[[], bool], report: Callable[[int], None]) -> Found:
        stopped = run_in_chunks(trainer, should_stop, report)
        last = trainer.epochs_done
        return Found(last, trainer.steps_in(last) - 1, stopped=stopped)

    return job


AT_ONCE_SECONDS = 0.03  # work a key does on the screen's thread before the rest goes to a worker


def trained_at_once(trainer: Trainer, until: int) -> bool:
    """Train towards epoch `until` on the screen's thread for AT_ONCE_SECONDS at most: True if
    that reached it (or the run's end), False if the rest must go to a worker."""
    due = time.perf_counter() + AT_ONCE_SECONDS
    return not run_in_chunks(trainer, lambda: time.perf_counter() > due, lambda done: None, until=until)


def run_in_chunks(
    trainer: Trainer, should_stop: Callable[[], bool], report: Callable[[int], None], until: int | None = None
) -> bool:
    """Train to the end (or to epoch `until`) a chunk of epochs at a time; True if `should_stop` ended it first.

    Chunks are sized so that each takes a few hundredths of a second, so a stop request is
    honoured that quickly; progress is reported a few times a second once the run has taken
    a moment, as each report repaints the status bar.
    """
    chunk = 1
    begun = time.perf_counter()
    reported = begun + PROGRESS_AFTER - PROGRESS_EVERY
    while not trainer.finished and (until is None or trainer.epochs_done < until):
        if should_stop():
            return True
        started = time.perf_counter()
        trainer.run(epochs=chunk if until is None else min(chunk, until - trainer.epochs_done), should_stop=should_stop)
        took = time.perf_counter() - started
        if took < CHUNK_SECONDS[0]:
            chunk = min(chunk * 2, MAX_CHUNK)
        elif took > CHUNK_SECONDS[1]:
            chunk = max(chunk // 2, 1)
        if started + took - reported >= PROGRESS_EVERY:
            reported = started + took
            report(trainer.epochs_done)
    return False
