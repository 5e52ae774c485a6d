"""The training log as the notes print it, rendered from what the engine computed.

A `[[log]]` block's format is the notes' own f-string (`Loss = {loss:.4f}`); each
field is an expression in the scenario's names, evaluated on the engine's values.
Every number printed remembers which field and which exact value it came from, so
that `check` can compare it with the notes at the notes' printed precision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .evaluate import field_value, gradient_key
from .expr import Call, names_in, walk
from .logformat import parse_log_format
from .scenario import LogBlock, LogField, Place
from .trainer import Trainer

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])|(?<![\w.])[-+]?(?:nan|inf)\b")


@dataclass(frozen=True)
class Number:
    text: str
    field: str | None  # the template field it was printed from; None for literal text
    value: float | None  # the exact value behind it


@dataclass(frozen=True)
class LogLine:
    epoch: int
    text: str  # without the spaces around it, as the notes' printed table is compared
    numbers: tuple[Number, ...]
    printed: str  # as the notes' print() writes it: leading spaces and NumPy's row indents kept


_DEFAULT_FORMAT = "epoch {epoch}: loss = {loss:.6g}"
_DEFAULT_STOP = "stopped early at epoch {epoch}: loss = {loss:.6g}"
#: What `bpdbg run` prints for a scenario that has no [[log]] of its own: each epoch's loss, and
#: an early stop (else a stop before the backward pass would end the log without a word).
DEFAULT_LOG = (
    LogBlock(_DEFAULT_FORMAT, "epoch", parts=tuple(parse_log_format(_DEFAULT_FORMAT))),
    LogBlock(_DEFAULT_STOP, "early_stop", parts=tuple(parse_log_format(_DEFAULT_STOP))),
)


def printed_elements(array: np.ndarray) -> np.ndarray:
    """The elements NumPy prints, in order: all of them, or only the first and last few along
    each long axis of an array it summarises with `...` (over `threshold` elements)."""
    options = np.get_printoptions()
    if array.size <= options["threshold"]:
        return array.reshape(-1)
    edge = options["edgeitems"]
    kept = [np.r_[0:edge, n - edge : n] if n > 2 * edge else np.arange(n) for n in array.shape]
    return np.asarray(array[np.ix_(*kept)]).reshape(-1)


class Template:
    """A parsed `[[log]]` format: literal text and expression fields (the loader has checked it)."""

    def __init__(self, block: LogBlock) -> None:
        self.block = block
        self.place = block.place or Place("log", 1, 1, "log")
        self.parts = block.parts

    @cached_property
    def names(self) -> set[str]:
        return {n.id for part in self.parts if isinstance(part, LogField) for n in names_in(part.tree)}

    @cached_property
    def gradients(self) -> set[str]:
        """The names whose gradient a field prints, grad(w)."""
        return {
            call.args[0].id  # type: ignore[union-attr]
            for part in self.parts
            if isinstance(part, LogField)
            for call in walk(part.tree)
            if isinstance(call, Call) and call.func == "grad"
        }

    def render(self, epoch: int, values: dict[str, object]) -> list[LogLine]:
        lines: list[tuple[str, list[Number]]] = [("", [])]
        for part in self.parts:
            if isinstance(part, str):
                pieces = [
                    (text, [Number(m.group(), None, None) for m in NUMBER.finditer(text)]) for text in part.split("\n")
                ]
            else:
                pieces = self._field(part, values)
            for i, (text, numbers) in enumerate(pieces):
                if i > 0:
                    lines.append(("", []))
                last_text, last_numbers = lines[-1]
                lines[-1] = (last_text + text, last_numbers + numbers)
        return [LogLine(epoch, text.strip(), tuple(numbers), text.rstrip()) for text, numbers in lines if text.strip()]

    def _field(self, field: LogField, values: dict[str, object]) -> list[tuple[str, list[Number]]]:
        value = field_value(field, values, self.place)
        array = np.asarray(value, dtype=np.float64)
        if isinstance(value, int):  # epoch numbers print as the notes print them: 1, not 1.0
            # A precision without a type (".4") is an error for an int in Python; print it as a float then.
            bare_precision = "." in field.spec and field.spec[-1] not in "eEfFgG%"
            text = format(float(value) if bare_precision else value, field.spec)
        elif field.spec.endswith("d"):  # whole by the loader's check; past 2**53 held as a float
            number = float(value)  # type: ignore[arg-type]
            text = format(int(number), field.spec) if np.isfinite(number) else format(number, field.spec[:-1] + "f")
        elif array.ndim == 0:
            text = format(float(array), field.spec)
        elif field.spec:
            text = np.array2string(array, formatter={"float_kind": lambda v: format(v, field.spec)})
        else:
            text = str(array)
        lines = [(line, [m.group() for m in NUMBER.finditer(line)]) for line in text.split("\n")]
        shown = printed_elements(array) if array.ndim else array.reshape(-1)
        flat = iter(shown.tolist())
        if sum(len(found) for _, found in lines) != shown.size:  # never pair a number with the wrong value
            flat = iter(())
        return [(line, [Number(t, field.text, next(flat, None)) for t in found]) for line, found in lines]


class Log:
    """Renders a trainer's log, block by block, the way the notes print it."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        scenario = trainer.program.scenario
        self.templates = [Template(block) for block in scenario.log or DEFAULT_LOG]

    def values(self, epoch: int, names: set[str], gradients: set[str] | None = None) -> dict[str, object]:
        """The values a log line of `epoch` may print: parameters after its update, the rest and the
        gradients as that epoch computed them (nan for a gradient an early-stopped epoch never reached)."""
        trainer = self.trainer
        program = trainer.program
        values: dict[str, object] = {"epoch": epoch, "loss": float(trainer.losses[epoch - 1])}
        params = {p.name for p in program.params}
        if names - params - {"epoch", "loss"} or gradients:
            record = trainer.record(epoch)
            values.update({name: record.value(slot) for name, slot in program.named.items()})
            for name in gradients or ():
                gradient = record.value(program.grad_of[name])
                values[gradient_key(name)] = np.nan if gradient is None else gradient
        values.update(trainer.params_after(epoch))
        return values

    def lines(self) -> list[LogLine]:
        return [line for epoch in self.printing_epochs(1, self.trainer.epochs_done) for line in self.lines_in(epoch)]

    def printing_epochs(self, first: int, last: int) -> list[int]:
        """The epochs from `first` to `last` at which a block may print, in order; at every other
        epoch `lines_in` prints nothing. A long run prints at few of its epochs, and its log is
        rendered by asking only those."""
        epochs: set[int] = set()
        for template in self.templates:
            if template.block.when == "epoch":
                epochs.update(template.block.epochs_between(first, last))
        stop = self.trainer.stop
        if stop is not None and stop.reason == "early" and first <= stop.epoch <= last:
            epochs.add(stop.epoch)
        return sorted(epochs)

    def lines_in(self, epoch: int) -> list[LogLine]:
        """What the log prints for one epoch the trainer has run (nothing, for most epochs of a long run)."""
        stop = self.trainer.stop
        out: list[LogLine] = []
        completed = not (stop is not None and epoch == stop.epoch and stop.step is not None)
        for template in self.templates:
            block = template.block
            if block.when == "epoch" and completed and block.prints_at(epoch):
                out += template.render(epoch, self.values(epoch, template.names, template.gradients))
        if stop is not None and stop.reason == "early" and epoch == stop.epoch:
            for template in self.templates:
                if template.block.when == "early_stop":
                    out += template.render(epoch, self.values(epoch, template.names, template.gradients))
        return out
