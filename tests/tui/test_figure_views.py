"""The lower-right panel's views: `f` cycles parameters, figure and graph; `F` picks the figure's axes.

The engine makes the figure and the graph only while they are shown, and a step that keeps
the figure (within an epoch, before the update) does not build its plot again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import ContentSwitcher, Input, Static

from bpdbg.engine.figures import Regions, Surface
from bpdbg.engine.session import open_scenario
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.figure_axes import FigureAxesScreen
from bpdbg.tui.widgets.figure import FigurePanel

from .conftest import make_app, region_text, screen_cells, screen_grid, screen_text, wait_until

SIZE = (120, 40)


async def test_f_cycles_parameters_figure_and_graph_and_only_the_shown_one_is_made() -> None:
    app = make_app("gd_xy")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.debugger
        switcher = screen.query_one("#views", ContentSwitcher)
        seen = []
        for _ in range(4):
            snapshot = screen.snapshot
            assert snapshot is not None
            seen.append((switcher.current, snapshot.figure is not None, snapshot.graph is not None))
            await pilot.press("f")
            await pilot.pause()
        assert seen == [
            ("params", False, False),
            ("figure", True, False),
            ("graph", False, True),
            ("params", False, False),
        ]


async def test_the_figures_axes_write_a_negative_tick_with_a_real_minus() -> None:
    app = make_app("gd_xy")  # x and y from −5 to 5
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        panel = app.debugger.query_one(FigurePanel)
        inside = region_text(app, panel.region)
        y_labels = [line.split("┤")[0].strip(" │") for line in inside if "┤" in line]
        axis = next(row for row, line in enumerate(inside) if "└" in line)
        assert y_labels == ["5", "0", "−5"]
        assert inside[axis + 1].strip(" │").split() == ["−5", "0", "5"]
        assert not re.search(r"-\d", "\n".join(inside))  # no ASCII hyphen before a digit


async def test_a_data_point_keeps_its_regions_colour_around_it_on_either_theme() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        for theme in ("dark", "light"):
            await pilot.pause()
            region = app.debugger.query_one(FigurePanel).region
            lines = screen_grid(app)[region.y : region.bottom]
            cells = [cell for line in lines for cell in line[region.x : region.right]]
            region_colours = {re.sub(r"^fill: (#\w+).*", r"\1", style) for mark, style, _ in cells if mark == "█"}
            around_points = {background for mark, _, background in cells if mark == "●"}
            assert around_points and around_points <= region_colours, theme
            await pilot.press("t")


@pytest.mark.slow
async def test_a_step_within_an_epoch_keeps_the_figure_and_its_plot() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        panel = app.debugger.query_one(FigurePanel)
        built = panel._built
        assert isinstance(app.debugger.snapshot.figure, Regions) and built is not None  # type: ignore[union-attr]
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert panel._built is built
        await pilot.press("e")
        await pilot.pause()
        assert panel._built is not built and "decision regions, epoch 2" in screen_text(app)


@pytest.mark.slow
async def test_capital_f_draws_the_loss_over_two_numbers_named_and_refuses_a_wrong_one() -> None:
    app = make_app("moons_relu")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FigureAxesScreen)
        dialog.query_one("#x", Input).value = "W1[5,0]"
        dialog.query_one("#y", Input).value = "b2"
        await pilot.press("enter")
        await pilot.pause()
        assert str(dialog.query_one("#error", Static).render()) == "'W1[5,0]' is not an entry of W1 (2×4)"
        dialog.query_one("#x", Input).value = "W1[0,1]"
        await pilot.press("enter")
        await pilot.pause()
        figure = app.debugger.snapshot.figure  # type: ignore[union-attr]
        assert isinstance(figure, Surface) and figure.names == ("W1[0,1]", "b2")
        assert app.debugger.query_one("#views", ContentSwitcher).current == "figure"
        assert "L over W1[0,1], b2 · slice" in screen_text(app)


@pytest.mark.parametrize("size", [(120, 40), (200, 60)])
async def test_the_decision_regions_fill_the_plot_however_wide_it_is(size: tuple[int, int]) -> None:
    """moons' regions cover the whole plot, the figure maximized (m) on a wide terminal too:
    no column or row of the plot is left without its region's colour."""
    app = make_app("moons_relu")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f", "m")
        await pilot.pause()
        panel = app.debugger.query_one(FigurePanel)
        plot = region_text(app, panel.content_region)
        top = next(i for i, row in enumerate(plot) if "┌" in row)
        bottom = next(i for i, row in enumerate(plot) if "└" in row)
        left, right = plot[top].index("┌"), plot[top].rindex("┐")
        inside = [row[left + 1 : right] for row in plot[top + 1 : bottom]]
        assert len(inside[0]) > 96  # wider than the engine's grid of the regions
        assert all(" " not in row for row in inside), "\n".join(inside)


async def graph_rows(size: tuple[int, int], steps: str) -> list[str]:
    """The graph panel's rows of text, at a size, after `f f` and some steps of two_neurons."""
    from bpdbg.tui.widgets.graph import GraphPanel

    app = make_app("two_neurons")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f", "f", *steps)
        await pilot.pause()
        return region_text(app, app.debugger.query_one(GraphPanel).scrollable_content_region)


GRAPH_TEXT = re.compile(r"[^\s─│╭╮╰╯┬┴├┤┼]+")  # a label, value or gradient, or an op's mark


@pytest.mark.parametrize(("size", "steps"), [((80, 24), "6n"), ((120, 40), "11n"), ((200, 60), "14n")])
async def test_a_graph_wider_than_its_panel_never_cuts_a_label_or_a_number_silently(
    size: tuple[int, int], steps: str
) -> None:
    """two_neurons' graph is wider than the panel and is shown from where the step is. Every
    label, value and gradient in view is whole, as the whole graph (at 400 columns) has it, or,
    where the panel's edge cuts it, ends or begins with …: never y_ha for y_hat, nor −0.020 for
    −0.02062 or 25 for 0.25."""
    whole = {word for row in await graph_rows((400, 60), steps) for word in GRAPH_TEXT.findall(row)}
    shown = [word for row in await graph_rows(size, steps) for word in GRAPH_TEXT.findall(row)]
    cut = [word for word in shown if word not in whole]
    assert len(cut) < len(shown)
    for word in cut:
        part = word.strip("…")
        assert word != part, f"{word!r} is cut without …"
        assert any(w.startswith(part) or w.endswith(part) for w in whole), word


def luminance(css: str) -> float:
    """How light a cell's colour is, 0 to 255, from its CSS (`fill: #rrggbb; …`)."""
    found = re.search(r"fill: #([0-9a-fA-F]{6})", css)
    assert found is not None, css
    r, g, b = (int(found.group(1)[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


@pytest.mark.parametrize(("theme_keys", "light"), [((), False), (("t",), True)])
async def test_the_decision_regions_are_shaded_towards_the_background_so_the_data_stand_out(
    theme_keys: tuple[str, ...], light: bool
) -> None:
    """On the dark theme a region is its class's colour darkened; on the light one (the one for a
    projector) lightened: darkened there, the blue points vanished into a navy region."""
    app = make_app("moons_relu")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*theme_keys, "f")
        await pilot.pause()
        region = app.debugger.query_one(FigurePanel).content_region
        cells = [cell for row in screen_cells(app)[region.y : region.bottom] for cell in row]
        shades = [luminance(style) for text, style in cells if "█" in text]
        points = [luminance(style) for text, style in cells if "●" in text]
        assert shades and points
        if light:
            assert min(shades) > max(points), "lighter than every point"
        else:
            assert max(shades) < min(points), "darker than every point"


@pytest.mark.parametrize(("theme_keys", "light"), [((), False), (("t",), True)])
async def test_the_current_point_stands_out_on_either_theme(theme_keys: tuple[str, ...], light: bool) -> None:
    """gd_xy's figure marks where the cursor stands with ◆: white on the dark theme, black on the
    light one (white, it vanished into the light theme's white)."""
    app = make_app("gd_xy")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*theme_keys, "f", "e", "e")
        await pilot.pause()
        region = app.debugger.query_one(FigurePanel).content_region
        cells = [cell for row in screen_cells(app)[region.y : region.bottom] for cell in row]
        marks = [luminance(style) for text, style in cells if "◆" in text]
        assert marks
        assert all(mark < 64 for mark in marks) if light else all(mark > 192 for mark in marks)


async def test_capital_f_shows_the_two_numbers_whole_at_80_by_24() -> None:
    """The dialog opens with the figure's two numbers, W2[2,0] and W2[3,0] on moons: both are
    shown whole in their fields, not W2[3,0 or [2,0] with the rest scrolled out of sight."""
    app = make_app("moons_relu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FigureAxesScreen)
        text = screen_text(app)
        for axis in ("x", "y"):
            value = dialog.query_one(f"#{axis}", Input).value
            assert len(value) > 5 and re.search(rf"▊\s*{re.escape(value)}\s*▎", text), (value, text)


async def test_the_graph_shows_a_one_entry_matrix_by_its_number_where_its_shape_leaves_no_room() -> None:
    """net_221's z2, y_hat and their gradients are 1×1: in a node ten columns wide, '1×1 [' left
    no room for the number, and '∂ 1×1 […' hid the very gradient the step computed."""
    from bpdbg.tui.format import compact
    from bpdbg.tui.widgets.graph import GraphPanel

    app = make_app("net_221_sigmoid")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f", "f", "1", "0", "n")  # into the backward pass, past ∂L/∂z2
        await pilot.pause()
        graph = app.debugger.snapshot.graph  # type: ignore[union-attr]
        assert graph is not None
        text = "\n".join(region_text(app, app.debugger.query_one(GraphPanel).region))
        assert "1×1 […" not in text and "∂ 1×1 […" not in text, text
        shown = [
            compact(float(g.reshape(-1)[0]), 8)
            for node, g in zip(graph.graph.nodes, graph.grads, strict=True)
            if node.kind != "op" and g is not None and g.size == 1 and g.ndim == 2
        ]
        assert shown and any(f"∂ {number}" in text for number in shown), (shown, text)


DIVERGING = Path(__file__).parent / "scenarios" / "diverging.toml"


@pytest.mark.parametrize("size", [(80, 24), (220, 60)])
async def test_a_diverged_runs_figure_is_drawn_however_large_its_losses(size: tuple[int, int]) -> None:
    """x² with too large a step: by the end the loss is near the largest float, and the figure's
    axes still place their ticks (a tick's row worked out as rows × distance overflowed)."""
    app = DebuggerApp(open_scenario(DIVERGING))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("G")
        await wait_until(pilot, lambda: app.debugger.busy is None, "the run to the end")
        await pilot.press("f")
        await wait_until(pilot, lambda: not app.debugger.figure_waits, "the figure being made")
        inside = "\n".join(region_text(app, app.debugger.query_one(FigurePanel).region))
        assert "cannot draw" not in inside, inside
        assert "┤" in inside and any("\u2801" <= c <= "\u28ff" for c in inside), inside
