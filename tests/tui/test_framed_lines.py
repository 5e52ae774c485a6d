"""A panel frames its content lines itself (tui/widgets/framed.py): every line it draws must be the
line Textual's own styling draws, for every panel, in every state a step, the current panel's
brighter border and a theme give it."""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.strip import Strip

from bpdbg.tui.widgets.framed import FramedLines
from bpdbg.tui.widgets.lines import LinesView
from tests.tui.conftest import make_app


def lines_both_ways(view: LinesView) -> tuple[list[Strip], list[Strip]]:
    """The panel's lines framed here, and as Textual's own cache styles them, each drawn afresh."""
    ours = view._styles_cache
    assert isinstance(ours, FramedLines)
    region = view.region.reset_offset  # the whole panel, border and all, as the compositor asks
    ours.clear()
    framed = view.render_lines(region)
    view._styles_cache = StylesCache()
    try:
        textuals = view.render_lines(region)
    finally:
        view._styles_cache = ours
    return framed, textuals


async def test_every_panels_lines_are_the_lines_textual_draws() -> None:
    app = make_app("moons_relu", whole_tape=True)
    async with app.run_test(size=(100, 30)) as pilot:
        checked = 0
        # The first frame, the backward pass, another panel made current (its brighter border), a theme.
        for move in ((), ("3", "0", "n"), "#chain", ("t",)):
            if isinstance(move, str):
                await pilot.click(move)
            else:
                await pilot.press(*move)
            await pilot.pause()
            for view in app.screen.query(LinesView):
                if view.display and view.size.height:
                    framed, textuals = lines_both_ways(view)
                    assert [list(line) for line in framed] == [list(line) for line in textuals], type(view).__name__
                    checked += 1
        assert checked >= 16
