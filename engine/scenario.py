"""The validated form of a scenario file: what the loader hands to the compiler.

Everything here is already checked (names, types, ranges); expressions are parsed
trees. Each item remembers where it came from so that later errors can point there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .expr import Node


@dataclass(frozen=True)
class Place:
    """A position in a scenario file, for error messages: FILE:LINE:COL."""

    path: str
    line: int
    column: int
    where: str  # e.g. "model.z1"

    def at_column(self, offset: int) -> Place:
        return Place(self.path, self.line, self.column + offset, self.where)


class ScenarioError(Exception):
    """A problem with a scenario, reported as one line: FILE:LINE:COL: where: what."""

    def __init__(self, place: Place, message: str) -> None:
        super().__init__(f"{place.path}:{place.line}:{place.column}: {place.where}: {message}")
        self.place = place
        self.message = message


@dataclass(frozen=True)
class Expression:
    name: str
    text: str
    tree: Node
    place: Place  # column points at the first character inside the quotes

    def error(self, message: str, column: int = 0) -> ScenarioError:
        return ScenarioError(self.place.at_column(column), message)


@dataclass(frozen=True)
class Param:
    name: str
    value: np.ndarray  # float64, drawn or given
    place: Place


StopCheck = Literal["before_backward", "after_update"]
OptimizerKind = Literal["sgd", "momentum", "adam"]
LogWhen = Literal["epoch", "early_stop"]


@dataclass(frozen=True)
class Optimizer:
    """How gradients become updates, with each optimizer's own settings (PyTorch's defaults)."""

    kind: OptimizerKind = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8


@dataclass(frozen=True)
class StopRule:
    condition: Expression
    check: StopCheck  # before the backward pass (on the loss just computed), or after the update


@dataclass(frozen=True)
class LogField:
    """One `{expression:spec}` of a log format; `start` is where the expression begins in the format."""

    text: str
    tree: Node
    spec: str
    start: int


@dataclass(frozen=True)
class LogBlock:
    """Lines the notes' code prints, and the epochs it prints them at."""

    format: str
    when: LogWhen
    first: int = 1
    every: int = 1
    at: tuple[int, ...] = ()
    place: Place | None = None
    parts: tuple[str | LogField, ...] = ()  # the format, parsed once by the loader

    def prints_at(self, epoch: int) -> bool:
        if self.at:
            return epoch in self.at
        return epoch >= self.first and (epoch - self.first) % self.every == 0

    def epochs_between(self, first: int, last: int) -> Iterable[int]:
        """The epochs `prints_at` holds for from `first` to `last`, found without asking each one."""
        if self.at:
            return [epoch for epoch in self.at if first <= epoch <= last]
        start = self.first + max(0, -(-(first - self.first) // self.every)) * self.every
        return range(start, last + 1, self.every)


ClaimKind = Literal["gradient", "local", "update", "nothing"]


@dataclass(frozen=True)
class Claim:
    """What a derivation entry says it is: ∂L/∂q, a local ∂a/∂b, the new value of a parameter,
    or nothing (a step on the way); `scale` for a per-example gradient such as the notes' m·∂L/∂Z2."""

    kind: ClaimKind
    of: str = ""  # gradient: q; local: a; update: the parameter
    wrt: str = ""  # local: b
    scale: Expression | None = None

    def describe(self, loss: str) -> str:
        factor = f"{self.scale.text}·" if self.scale is not None else ""
        if self.kind == "gradient":
            return f"{factor}∂{loss}/∂{self.of}"
        if self.kind == "local":
            return f"{factor}∂{self.of}/∂{self.wrt}"
        return f"update of {self.of}" if self.kind == "update" else "nothing"


@dataclass(frozen=True)
class DerivationEntry:
    """One line of a hand derivation: a name, a formula over the model's names and earlier
    entries (or a number given outright, such as a value left over from an earlier cell)."""

    name: str
    formula: Expression
    claim: Claim
    value: np.ndarray | None = None  # a number or array given outright, not computed from the model

    @property
    def given(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Scenario:
    path: Path
    title: str
    source: str
    description: str
    data: dict[str, np.ndarray]
    params: tuple[Param, ...]
    model: tuple[Expression, ...]
    loss: Expression
    metrics: tuple[Expression, ...]
    learning_rate: float | Expression  # a number, or an expression of `epoch`
    epochs: int
    stop: StopRule | None
    log: tuple[LogBlock, ...] = ()
    expected_text: str | None = None
    expected_place: Place | None = None
    places: dict[str, Place] = field(default_factory=dict)
    optimizer: Optimizer = Optimizer()
    derivation: tuple[DerivationEntry, ...] = ()
    breakpoints: tuple[Expression, ...] = ()  # [[breakpoint]] when = "…": the debugger opens with them set

    @property
    def name(self) -> str:
        return self.path.stem
