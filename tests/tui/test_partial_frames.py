"""The screen that a key's partial updates leave on the terminal is the screen a full render draws.

A panel repaints only the lines a step changed, and keeps lines it has drawn. A model terminal
here applies every frame the app hands over, as a terminal would, and after each key it is
compared cell by cell with a full render of the same state: a line a panel changed without
asking for its repaint would leave stale cells behind and fail the comparison.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import ControlType, Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.pilot import Pilot
from textual.screen import Screen

from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.main import MainScreen

Cell = tuple[str, Style | None]


class Terminal:
    """Cells as a terminal holds them after the frames written to it."""

    def __init__(self) -> None:
        self.rows: list[list[Cell]] = []

    def clear(self, width: int, height: int) -> None:
        self.rows = [[(" ", None)] * width for _ in range(height)]

    def write(self, segments: Iterable[Segment]) -> None:
        x = y = 0
        for segment in segments:
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = int(code[1]), int(code[2])
                continue
            for cell in cells_of([segment]):
                if 0 <= y < len(self.rows) and 0 <= x < len(self.rows[y]):
                    self.rows[y][x] = cell
                x += 1


def cells_of(segments: Iterable[Segment]) -> list[Cell]:
    """One entry per cell: a wide character, then an empty one for each further cell it covers."""
    row: list[Cell] = []
    for segment in segments:
        for character in segment.text.replace("\n", ""):
            row.append((character, segment.style))
            row.extend(("", segment.style) for _ in range(cell_len(character) - 1))
    return row


class WatchedApp(DebuggerApp):
    """The debugger with a model terminal that receives every frame, as the real one would."""

    def __init__(self, scenario: str) -> None:
        super().__init__(open_scenario(shipped()[scenario]))
        self.terminal = Terminal()
        self.partial_frames = 0

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        if isinstance(renderable, LayoutUpdate | ChopsUpdate) and not self._batch_count:
            if isinstance(renderable, LayoutUpdate):
                self.terminal.clear(*self.size)
            else:
                self.partial_frames += 1
            self.terminal.write(renderable.__rich_console__(self.console, self.console.options))  # type: ignore[arg-type]
        super()._display(screen, renderable)


def settled(screen: Screen[object]) -> bool:
    """Nothing left for the screen to lay out or draw."""
    return not (
        screen._layout_required
        or screen._repaint_required
        or screen._scroll_required
        or screen._dirty_widgets
        or screen._compositor._dirty_regions
    )


async def drawn(pilot: Pilot[None], app: WatchedApp) -> None:
    for _ in range(100):
        await pilot.pause()
        if settled(app.screen):
            return
    raise AssertionError("the screen never finished drawing")


def mismatches(app: WatchedApp) -> list[str]:
    """Rows where the model terminal differs from a full render of the screen as it is now."""
    width, _ = app.size
    full = app.screen._compositor.render_strips()
    found = []
    for y, (shown, strip) in enumerate(zip(app.terminal.rows, full, strict=True)):
        expected = cells_of(strip)[:width]
        if shown != expected:
            text = "".join(character for character, _ in shown)
            wanted = "".join(character for character, _ in expected)
            found.append(f"row {y}: terminal {text!r} / full render {wanted!r}")
    return found


# Steps, rewinds, the lower-right panel cycled, a resize, presenter mode, a maximized panel.
KEYS = [
    *"nnnnnnnn",
    *"ppp",
    "N",
    "P",
    *"nnn",
    *"fnfnfn",
    (80, 24),
    *"nnpp",
    "z",
    *"nnp",
    "z",
    (120, 40),
    "m",
    *"nn",
    "escape",
    "E",
    "e",
    *"nn",
]


@pytest.mark.slow
async def test_after_each_key_the_terminal_shows_what_a_full_render_draws() -> None:
    app = WatchedApp("moons_relu")
    async with app.run_test(size=(120, 40)) as pilot:
        await drawn(pilot, app)
        assert isinstance(app.screen, MainScreen)
        for key in KEYS:
            if isinstance(key, tuple):
                await pilot.resize_terminal(*key)
            else:
                await pilot.press(key)
            await drawn(pilot, app)
            assert mismatches(app) == [], f"after {key!r}"
        assert app.partial_frames > len(KEYS) // 2  # the keys were drawn by partial updates


class MissesTheTopRow(Compositor):
    """A compositor that never writes a region starting on the top row after the first frame: a
    missed repaint, which the comparison above exists to catch."""

    def render_partial_update(self) -> ChopsUpdate | None:
        self._dirty_regions = {region for region in self._dirty_regions if region.y > 0}
        return super().render_partial_update()


async def test_a_repaint_that_never_reaches_the_terminal_leaves_a_difference_the_comparison_finds() -> None:
    app = WatchedApp("moons_relu")
    async with app.run_test(size=(120, 40)) as pilot:
        await drawn(pilot, app)
        app.screen._compositor = MissesTheTopRow()
        app.screen._refresh_layout(size=app.size)  # the new compositor is laid out, then drawn in full
        await drawn(pilot, app)
        assert mismatches(app) == []
        for _ in range(3):
            await pilot.press("n")
            await drawn(pilot, app)
        assert any(row.startswith("row 0:") for row in mismatches(app))
