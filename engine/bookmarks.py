"""Bookmarks: steps a lecturer marks to come back to, kept in timeline order."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the cursor holds the bookmarks, so it imports this module, not the other way
    from .cursor import Position


class Bookmarks:
    """A sorted set of positions; jumping goes to the next one after where the cursor stands, and
    from the last back to the first, so a prepared lecture can be walked through with one key."""

    def __init__(self, positions: Iterable[Position] = ()) -> None:
        self._marks: list[Position] = sorted(set(positions))

    def __len__(self) -> int:
        return len(self._marks)

    def __contains__(self, position: object) -> bool:
        return position in self._marks

    @property
    def positions(self) -> tuple[Position, ...]:
        return tuple(self._marks)

    def toggle(self, position: Position) -> bool:
        """Mark `position`, or unmark it if it was marked; True if it is marked now."""
        if position in self._marks:
            self._marks.remove(position)
            return False
        insort(self._marks, position)
        return True

    def after(self, position: Position) -> Position | None:
        """The first bookmark after `position`, cycling to the first one; None if there are none."""
        if not self._marks:
            return None
        at = bisect_right(self._marks, position)
        return self._marks[at % len(self._marks)]

    def number(self, position: Position) -> int:
        """Which bookmark `position` is, counted from 1 (0 if it is not one)."""
        return self._marks.index(position) + 1 if position in self._marks else 0
