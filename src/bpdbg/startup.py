"""The `bpdbg` command's start: the cyclic garbage collector waits until the first frame is drawn.

Starting the debugger creates some 80,000 objects the collector tracks, nearly all of them living
as long as it does (modules, classes, the stylesheet, the widgets), and almost no garbage. The
collector would walk them over and over while they are made, one full pass alone taking 30 to
40 ms, and find next to nothing. So the command holds it off while it starts; a command that is not the debugger lets
it resume before it does its work, and the debugger once its first frame is on screen, with one
full pass then, while the user reads it, rather than in the middle of a later key.
"""

from __future__ import annotations

import gc

_held = False  # whether this process started through `main`, holding the collector off


def main() -> None:
    """The `bpdbg` command (`python -m bpdbg` too): the collector held off while the modules load."""
    global _held
    gc.disable()
    _held = True
    from bpdbg.cli import main as command

    command()


def resume_collection() -> None:
    """The collector as usual again (nothing to do unless `main` held it off): one full pass now."""
    global _held
    if _held:
        _held = False
        gc.enable()
        gc.collect()
