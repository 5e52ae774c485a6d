"""The chain rule of the current step, in the scenario's names and with the engine's numbers."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from bpdbg.engine.chain import Chain
from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import compact, is_scalar, signed
from bpdbg.tui.widgets.lines import Line, LinesView

SYMBOL = "bold"
NUMBER = "bold cyan"
NOTE = "dim italic"
ROOM = 48  # characters a value takes at least; a wider panel gives values more


def _times(*parts: object, room: int) -> str:
    return " · ".join(signed(p, room) if is_scalar(p) else compact(p, room) for p in parts)


def describe(snapshot: Snapshot, room: int = ROOM) -> Text:
    """Everything the panel says about the current step, as one styled text; a value takes up to `room`."""
    step = snapshot.step
    text = Text()
    text.append(f"step {step.index + 1}/{len(snapshot.steps)} · {step.phase} · {step.node}\n", style=NOTE)
    text.append(step.formula + "\n", style=SYMBOL)
    if snapshot.factors:
        _backward(text, snapshot, room)
    elif step.phase == "update":
        _update(text, snapshot, room)
    else:
        text.append(f"{step.label} = ", style=SYMBOL)
        text.append(compact(snapshot.value, room), style=NUMBER)
        text.append("\n")
    if snapshot.chain is not None:
        _chain(text, snapshot.chain, room)
    return text


def _backward(text: Text, snapshot: Snapshot, room: int) -> None:
    """The notes' way: the product in symbols, then in the scenario's names, then in numbers."""
    upstream, local, product = snapshot.factors
    label = len(snapshot.step.label)
    pad = " " * (label + 1 if label <= 12 else 4)  # under the first "=", unless that is far out
    if local.value is None:
        # A matrix product has no single local factor: show its operands and its result.
        width = max(len(upstream.symbol), len(local.symbol), len(product.symbol))
        text.append(f"  {upstream.symbol.ljust(width)} = ", style=SYMBOL)
        text.append(compact(upstream.value, room) + "\n", style=NUMBER)
        text.append(f"  {local.symbol.ljust(width)} = {local.formula}", style=SYMBOL)
        text.append("  (a matrix product)\n", style=NOTE)
        text.append(f"  {product.symbol.ljust(width)} = ", style=SYMBOL)
        text.append(compact(product.value, room) + "\n", style=NUMBER)
    else:
        text.append(f"{pad}= {signed(upstream.value, room)} · {local.formula}\n")
        text.append(f"{pad}= {_times(upstream.value, local.value, room=room)}")
        result = compact(product.value, room)
        text.append("\n" + pad if not is_scalar(product.value) else " ")
        text.append("= ")
        text.append(result + "\n", style=NUMBER)
    info = snapshot.step.backward
    if info is not None and info.total_slot is not None:
        text.append(f"  added to the earlier part: {snapshot.step.label} = ", style=NOTE)
        text.append(compact(snapshot.value, room) + "\n", style=NUMBER)
    if info is not None and info.summed_axes:
        text.append("  (the product is summed over the broadcast axes)\n", style=NOTE)


def _update(text: Text, snapshot: Snapshot, room: int) -> None:
    param = next((p for p in snapshot.params if p.touched), None)
    if param is None:
        return
    chain = snapshot.chain  # a parameter's, or for an optimizer's state the parameter's it belongs to
    grad, gradient = (chain.symbol, chain.total) if chain is not None else (f"gradient of {param.name}", param.grad)
    for name, value in ((grad, gradient), ("change", param.change), (param.name, param.value)):
        text.append(f"  {name} = ", style=SYMBOL)
        text.append(compact(value, room) + "\n", style=NUMBER)


def _chain(text: Text, chain: Chain, room: int) -> None:
    text.append(f"\nthe whole chain for {chain.symbol}", style=NOTE)
    text.append(f" ({chain.count} paths, summed)\n" if chain.count > 1 else "\n", style=NOTE)
    for n, path in enumerate(chain.paths, 1):
        if len(chain.paths) > 1:
            text.append(f" path {n}\n", style=NOTE)
        text.append(f"  {chain.symbol} = " if len(chain.paths) == 1 else "    ", style=SYMBOL)
        text.append(" · ".join(f.symbol for f in path) + "\n", style=SYMBOL)
        width = max(len(f.symbol) for f in path)
        for factor in path:
            text.append(f"    {factor.symbol.ljust(width)}  ", style=SYMBOL)
            text.append(f"{factor.formula} = ")
            if factor.value is None:
                text.append("matrix product\n", style=NOTE)
            else:
                text.append(compact(factor.value, room) + "\n", style=NUMBER)
    if chain.left_out:
        text.append(f"  … {chain.left_out} more paths not shown\n", style=NOTE)
    text.append(f"  {chain.symbol} = ", style=SYMBOL)
    text.append(compact(chain.total, room) + "\n", style=NUMBER)


class ChainPanel(LinesView):
    """Rewritten on every step, wrapped to the panel's width, and always starting at the top.

    The lines are padded to whole panel heights: a scroll view's height change lays out
    the whole screen again, and padded, the height seldom changes from one step to the next.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Chain rule"
        self._snapshot: Snapshot | None = None

    def show(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.show_lines()
        self.scroll_home(animate=False, immediate=True)

    def lines_for(self, width: int) -> list[Line]:
        if self._snapshot is None:
            return []
        lines: list[Line] = []
        for line in describe(self._snapshot, max(ROOM, width - 40)).split("\n"):
            # Most lines fit; wrapping only those that do not saves most of the wrapping's cost.
            lines.extend(
                (part, "") for part in ([line] if line.cell_len <= width else line.wrap(self.app.console, width))
            )
        view = max(self.scrollable_content_region.height, 1)
        lines.extend(("", "") for _ in range(-len(lines) % view))
        return lines
