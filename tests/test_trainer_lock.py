"""Training never lets go of the interpreter lock for a moment every epoch.

`G` trains in a worker thread while the app's thread waits for the lock to draw a frame or to
answer a key. NumPy's dot family lets go of the lock around its BLAS call however small the
arrays, and a thread waiting for the lock is woken at each such release, only to find it taken
again a fraction of a microsecond later. One such call an epoch (the trainer's finiteness check
was one) woke the app's thread thousands of times in a run of net_221, taking more CPU than all
the frames it drew, and slowed the worker too. Ufuncs (matmul among them) let go only over large
arrays, where the moment is long enough for the waiting thread to take the lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import numpy as np
import pytest

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped

DOT_FAMILY = ("dot", "vdot", "inner", "tensordot")
METHODS = {f"ndarray.{name}" for name in DOT_FAMILY}


@contextmanager
def dot_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The dot family's calls made inside the block: np.dot(...) and the like (looked up when
    called), and array.dot(...), a method of the array, seen as the interpreter calls it."""
    called: list[str] = []

    def recording(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            called.append(f"np.{function.__name__}")
            return function(*args, **kwargs)

        return call

    for name in DOT_FAMILY:
        monkeypatch.setattr(np, name, recording(getattr(np, name)))

    def watch(frame: FrameType, event: str, arg: object) -> None:
        name = str(getattr(arg, "__qualname__", ""))
        if event == "c_call" and name in METHODS:
            called.append(name)

    sys.setprofile(watch)
    try:
        yield called
    finally:
        sys.setprofile(None)


@pytest.mark.parametrize("name", sorted(shipped()))
def test_an_epoch_makes_no_call_that_lets_go_of_the_lock_for_a_moment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer = open_scenario(shipped()[name])
    with dot_calls(monkeypatch) as called:
        trainer.run(epochs=3)
    assert trainer.epochs_done == min(3, trainer.max_epochs)
    assert called == []


def test_both_ways_of_calling_dot_are_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above cannot pass by seeing nothing."""
    row = np.ones(3)
    with dot_calls(monkeypatch) as called:
        row.dot(row)
        np.dot(row, row)
        np.vdot(row, row)
    assert called == ["ndarray.dot", "np.dot", "np.vdot"]
