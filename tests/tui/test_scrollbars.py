"""The panels' scrollbars: the chain rule's stays in place, and every bar draws what Textual's would.

A scrollbar that comes and goes lays the whole screen out again, so the chain rule keeps its
bar and draws it blank while every line fits. Each bar keeps the lines it drew for each look;
whatever it hands back must be what Textual draws for that look.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar

from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.params import ParamsPanel
from bpdbg.tui.widgets.scrollbar import KeptScrollBar
from bpdbg.tui.widgets.tape import TapePanel
from tests.tui.conftest import make_app


def drawn_afresh(bar: ScrollBar) -> list[list[Segment]]:
    """The bar's lines as Textual draws them, every line made again: each cell's text and style."""
    bar._styles_cache.clear()  # Textual keeps the lines it drew last
    return [list(line) for line in ScrollBar.render_lines(bar, bar.size.region)]


def shown(bar: ScrollBar) -> list[list[Segment]]:
    return [list(line) for line in bar.render_lines(bar.size.region)]


async def test_the_chain_rules_scrollbar_stays_and_is_blank_while_every_line_fits() -> None:
    app = make_app("moons_relu", whole_tape=True)
    async with app.run_test(size=(120, 40)) as pilot:
        chain = app.screen.query_one(ChainPanel)
        seen = set()
        await pilot.press("2", "6", "n")  # to the last forward steps, whose chain rule fits the panel
        for _ in range(12):  # then into the backward pass, where the whole chain of W2 does not
            await pilot.press("n")
            await pilot.pause()
            bar = chain.vertical_scrollbar
            fits = chain.virtual_size.height <= chain.scrollable_content_region.height
            seen.add(fits)
            assert bar.display, "the chain rule's scrollbar never goes"
            lines = shown(bar)
            if fits:
                assert all(not segment.text.strip() for line in lines for segment in line), "nothing to scroll: blank"
            else:
                assert lines == drawn_afresh(bar)
        assert seen == {True, False}, "the steps taken should include both kinds"


async def test_a_scrollbar_draws_each_look_once_and_hands_back_what_textual_draws() -> None:
    app = make_app("moons_relu", whole_tape=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bars = [app.screen.query_one(kind).vertical_scrollbar for kind in (TapePanel, ParamsPanel)]
        assert all(isinstance(bar, KeptScrollBar) for bar in bars)
        tape_bar = bars[0]
        region = tape_bar.size.region
        first_look = tape_bar.render_lines(region)
        for key in "n" * 10 + "N" * 10:  # the tape and the parameters scroll down and back up
            await pilot.press(key)
            await pilot.pause()
            for bar in bars:
                if bar.display:
                    assert shown(bar) == drawn_afresh(bar)
        assert tape_bar.render_lines(region) is first_look, "back at the top: the lines drawn there at first"
        for key in "t" + "n" * 8:  # in the other theme, its own colours
            await pilot.press(key)
            await pilot.pause()
            for bar in bars:
                if bar.display:
                    assert shown(bar) == drawn_afresh(bar)
        part = [list(line) for line in tape_bar.render_lines(Region(0, 1, 1, region.height - 2))]
        assert part == shown(tape_bar)[1:-1]


async def test_a_chain_rule_that_fits_has_nothing_to_scroll_after_its_panel_shrinks() -> None:
    """gd_x2's first step is one line. `f` brings the figure, which takes rows from the chain rule:
    the panel must still fit it whole, with a blank scrollbar and nothing for `d` to scroll to."""
    app = make_app("gd_x2")
    async with app.run_test(size=(80, 24)) as pilot:
        chain = app.screen.query_one(ChainPanel)
        await pilot.pause()
        tall = chain.scrollable_content_region.height
        await pilot.press("f")
        await pilot.pause()
        assert chain.scrollable_content_region.height < tall, "the figure should take rows from the chain rule"
        assert chain.max_scroll_y == 0
        assert all(not segment.text.strip() for line in shown(chain.vertical_scrollbar) for segment in line)
        await pilot.press("d")
        await pilot.pause()
        assert chain.scroll_y == 0
