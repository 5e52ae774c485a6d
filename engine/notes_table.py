"""The notes' printed table beside the engine's own log, one epoch at a time, for the debugger.

`bpdbg check` compares the whole table at once; the debugger needs the lines of the epoch
on screen as the cursor reaches it. The notes' lines carry no epoch: they are paired with
the engine's log line by line, as `check.compare_log` pairs them, so the engine's log is
rendered in order, as far as the cursor has gone, and kept (most epochs print nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from .check import Divergence, NumberCheck, compare_line, compare_lines, compare_numbers, expected_lines
from .report import Log, LogLine
from .trainer import Trainer

KEPT_ROWS = 16


@dataclass(frozen=True)
class PrintedPair:
    """One line of the log: the notes' as printed (None past the end of their table) and the engine's."""

    line: int  # 1-based line of the log
    notes: str | None
    engine: LogLine
    numbers: tuple[NumberCheck, ...]  # each printed number beside the engine's at the notes' precision
    divergence: Divergence | None


@dataclass(frozen=True)
class NotesRow:
    """What the log prints at one epoch, beside what the notes printed there."""

    epoch: int
    pairs: tuple[PrintedPair, ...]  # empty when the log prints nothing at this epoch
    notes_lines: int  # how many lines the notes' table has

    @property
    def agrees(self) -> bool:
        return all(pair.divergence is None for pair in self.pairs)


class NotesTable:
    """The notes' table of one scenario, paired with the engine's log as the trainer runs."""

    def __init__(self, trainer: Trainer, expected: str) -> None:
        self.trainer = trainer
        self.expected = expected
        self.notes = expected_lines(expected)
        self._log = Log(trainer)
        self._lines: list[LogLine] = []
        self._by_epoch: dict[int, tuple[int, int]] = {}  # epoch → its lines' range in the log
        self._rendered = 0  # epochs whose lines are in _lines
        self._rows: dict[int, NotesRow] = {}  # the last few epochs paired, as the cursor moves within one
        self._first: Divergence | None = None  # the first difference among the lines rendered
        self._final: tuple[Divergence | None] | None = None  # compare_log's word, once the run has ended

    def _render_to(self, epoch: int) -> None:
        last = min(epoch, self.trainer.epochs_done)
        for e in self._log.printing_epochs(self._rendered + 1, last):
            start = len(self._lines)
            self._lines += self._log.lines_in(e)
            self._by_epoch[e] = (start, len(self._lines))
            for index in range(start, len(self._lines)):
                if self._first is None and index < len(self.notes):
                    self._first = compare_line(index + 1, self.notes[index], self._lines[index])
        self._rendered = max(self._rendered, last)

    def row(self, epoch: int) -> NotesRow:
        """The engine's lines of `epoch` (which the trainer has run) and the notes' at the same places."""
        row = self._rows.get(epoch)
        if row is None:
            row = self._rows[epoch] = self._pair(epoch)
            while len(self._rows) > KEPT_ROWS:
                del self._rows[next(iter(self._rows))]
        return row

    def _pair(self, epoch: int) -> NotesRow:
        self._render_to(epoch)
        start, end = self._by_epoch.get(epoch, (0, 0))
        pairs = []
        for index in range(start, end):
            mine = self._lines[index]
            printed = self.notes[index] if index < len(self.notes) else None
            numbers = tuple(compare_numbers(printed, mine)) if printed is not None else ()
            divergence = compare_line(index + 1, printed, mine) if printed is not None else None
            pairs.append(PrintedPair(index + 1, printed, mine, numbers, divergence))
        return NotesRow(epoch, tuple(pairs), len(self.notes))

    def first_difference(self, upto: int) -> tuple[Divergence | None, bool]:
        """The first difference in the epochs up to `upto`, and whether the whole table is settled.

        It depends on the epoch asked about, not on how far the trainer happens to have run, so
        that a step shows the same whichever way the cursor came to it. Settled when a difference
        is found, or when `upto` is the run's last epoch: then `compare_log`'s comparison has the last word,
        which also notices a table longer or shorter than the log.
        """
        trainer = self.trainer
        upto = min(upto, trainer.epochs_done)
        self._render_to(upto)
        first = self._first
        if first is not None and first.epoch is not None and first.epoch <= upto:
            return first, True
        if trainer.finished and upto == trainer.epochs_done:
            if self._final is None:  # every epoch's lines are rendered: compared as `compare_log` would
                self._final = (compare_lines(self.notes, self._lines).divergence,)
            return self._final[0], True
        return None, False
