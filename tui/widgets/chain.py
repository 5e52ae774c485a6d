"""The chain rule of the current step, in the scenario's names and with the engine's numbers."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events

from bpdbg.engine.chain import Chain
from bpdbg.engine.cursor import Snapshot
from bpdbg.tui.format import compact
from bpdbg.tui.widgets.chain_text import NOTE, NUMBER, SYMBOL, cut_row, wrap_summary, write_chain, write_line
from bpdbg.tui.widgets.lines import Line, LinesView

KEPT_CHAINS = 32  # more than the parameters and states of any shipped scenario


def describe(snapshot: Snapshot) -> Text:
    """Everything the panel says about the current step but the parameter's whole chain, as one styled text."""
    step = snapshot.step
    text = Text()
    view = " · named view" if snapshot.named_view else ""
    # A backward step works at the op whose output's gradient it takes further: ∂L/∂y_hat is made at L.
    where = f"backward through {step.node}" if step.phase == "backward" else f"{step.phase} · {step.node}"
    text.append(f"step {step.index + 1}/{len(snapshot.steps)} · {where}{view}\n", style=NOTE)
    if snapshot.line is not None:
        write_line(text, snapshot.line)
    elif step.phase == "update":
        text.append(step.formula + "\n", style=SYMBOL)
        _update(text, snapshot)
    if snapshot.inside:
        text.append("\ninside it, step by step (v shows every step):\n", style=NOTE)
        for line in snapshot.inside:
            write_line(text, line, "  ")
    return text


def chain_lines(chain: Chain) -> list[Text]:
    """A parameter's whole chain rule, line by line, as the panel writes it below the step."""
    text = Text()
    write_chain(text, chain)
    return list(text.split("\n"))


def _update(text: Text, snapshot: Snapshot) -> None:
    param = next((p for p in snapshot.params if p.touched), None)
    if param is None:
        return
    chain = snapshot.chain  # a parameter's, or for an optimizer's state the parameter's it belongs to
    grad, gradient = (chain.symbol, chain.total) if chain is not None else (f"gradient of {param.name}", param.grad)
    for name, value in ((grad, gradient), ("change", param.change), (param.name, param.value)):
        text.append(f"  {name} = ", style=SYMBOL)
        text.append(compact(value) + "\n", style=NUMBER)


class ChainPanel(LinesView):
    """Rewritten on every step, wrapped to the panel's width, and always starting at the top.

    The lines are padded to whole panel heights, so the scrollbar's length seldom changes
    from one step to the next; the scrollbar stays in place, blank while every line fits.
    """

    DEFAULT_CSS = """
    ChainPanel { overflow-y: scroll; }
    """
    steady_scrollbar = True  # never hidden (overflow-y: scroll above), blank while every line fits

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = "Chain rule"
        self._described: list[Text] = []  # the snapshot's text, split into lines, before wrapping
        # Each chain shown, and its lines, by the chain's identity: the engine makes one per parameter
        # and epoch, and a parameter's gradient step and its update, far apart, show the same one.
        self._chains: dict[int, tuple[Chain, list[Text]]] = {}
        self._padded_for = 0  # the panel height the lines were last padded to whole pages of

    def show(self, snapshot: Snapshot) -> None:
        step = describe(snapshot)
        chain = snapshot.chain
        if chain is None:
            self._described = list(step.split("\n"))
        elif not step.plain.endswith("\n"):  # its last line goes on into the chain's first: write them as one
            write_chain(step, chain)
            self._described = list(step.split("\n"))
        else:
            self._described = [*step.split("\n"), *self._lines_of(chain)]
        self.show_lines()
        self.scroll_home(animate=False, immediate=True)

    def _lines_of(self, chain: Chain) -> list[Text]:
        """A chain's lines, written once for as long as its epoch is shown."""
        kept = self._chains.get(id(chain))
        if kept is None or kept[0] is not chain:
            if len(self._chains) >= KEPT_CHAINS:  # another epoch: the chains of the last are done with
                self._chains.clear()
            kept = self._chains[id(chain)] = (chain, chain_lines(chain))
        return kept[1]

    def lines_for(self, width: int) -> list[Line]:
        lines: list[Line] = []
        # Written once per snapshot, and again only at a new width (a resize).
        for line in self._described:
            # Most lines fit; wrapping only those that do not saves most of the wrapping's cost.
            if line.cell_len <= width:
                lines.append((line, ""))
            else:
                console = self.app.console
                cut = cut_row(line, width)
                parts = [cut] if cut is not None else wrap_summary(line, width, console)
                lines.extend((part, "") for part in (parts if parts is not None else line.wrap(console, width)))
        view = self._padded_for = max(self.scrollable_content_region.height, 1)
        lines.extend(("", "") for _ in range(-len(lines) % view))
        return lines

    def on_resize(self, event: events.Resize) -> None:
        """Pages of the old height would leave lines that fit scrolling into blanks (`f`, `m`, a
        shorter terminal): pad them again to the new one. A new width remakes them anyway."""
        if self._padded_for and self._padded_for != max(self.scrollable_content_region.height, 1):
            self.show_lines()
