"""A panel's scrollbar follows its lines as a step changes them, although a step repaints only
what changed (the chain rule's scrollbar stays, so its coming and going never lays the screen
out); and the chain panel's lines, a kept chain's among them, are the ones writing the step and
its chain afresh gives."""

from __future__ import annotations

from rich.text import Text
from textual.pilot import Pilot

from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.widgets.chain import ChainPanel, describe
from bpdbg.tui.widgets.chain_text import write_chain

from .conftest import make_app

SIZE = (120, 40)


def chain_of(app: DebuggerApp) -> ChainPanel:
    return app.debugger.query_one(ChainPanel)


async def step_until(app: DebuggerApp, pilot: Pilot[None], longer: bool) -> None:
    """Step on until the chain rule's lines do (or do not) outgrow its panel."""
    chain = chain_of(app)
    for _ in range(200):
        await pilot.press("n")
        await pilot.pause()
        if (chain.virtual_size.height > chain.scrollable_content_region.height) == longer:
            return
    raise AssertionError(f"no step whose chain rule is {'longer' if longer else 'shorter'} than its panel")


async def test_the_chain_rules_scrollbar_stays_and_follows_its_lines_beyond_the_panel_and_back() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        chain = chain_of(app)
        for longer in (True, False, True):
            await step_until(app, pilot, longer)
            bar = chain.vertical_scrollbar
            assert chain.show_vertical_scrollbar and bar.display  # it never comes or goes
            assert bar.window_virtual_size == chain.virtual_size.height
            assert bar.window_size == chain.scrollable_content_region.height
            overflow = chain.virtual_size.height - chain.scrollable_content_region.height
            assert chain.max_scroll_y == max(overflow, 0) and (overflow > 0) == longer


async def test_the_last_line_of_a_long_chain_rule_can_be_scrolled_to() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await step_until(app, pilot, True)
        chain = chain_of(app)
        lines = [str(content) for content, _ in chain._lines if str(content).strip()]
        for _ in range(chain.virtual_size.height // max(chain.scrollable_content_region.height - 1, 1) + 1):
            await pilot.press("d")
        await pilot.pause()
        assert chain.scroll_offset.y == chain.max_scroll_y > 0
        shown = [chain.render_line(y).text.rstrip() for y in range(chain.scrollable_content_region.height)]
        assert lines[-1].rstrip() in shown


async def test_the_chain_panel_writes_a_kept_chain_as_the_step_and_chain_written_as_one_text() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        chain = chain_of(app)
        with_chain = 0
        for _ in range(20):  # an epoch of the named view and more: each parameter's chain shown twice
            snapshot = app.debugger.snapshot
            assert snapshot is not None
            text = describe(snapshot)
            if snapshot.chain is not None:
                write_chain(text, snapshot.chain)
                with_chain += 1
            expected: list[Text] = list(text.split("\n"))
            assert [(t.plain, t.spans) for t in chain._described] == [(t.plain, t.spans) for t in expected]
            await pilot.press("n")
            await pilot.pause()
        assert with_chain >= 8
