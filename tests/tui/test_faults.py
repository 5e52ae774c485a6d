"""Faults a lecturer can meet: each is a message on screen and the app stays up.

A panel that cannot draw says so in one line; extreme losses still plot; user text is
shown literally, never read as markup; an unexpected error ends the app with one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from bpdbg.engine.session import open_scenario
from bpdbg.tui.app import DebuggerApp
from bpdbg.tui.screens.breakpoint import BreakpointScreen
from bpdbg.tui.screens.open import OpenScreen
from bpdbg.tui.widgets.chain import ChainPanel
from bpdbg.tui.widgets.loss import LossPanel
from bpdbg.tui.widgets.params import ParamsPanel

from .conftest import make_app, region_text, screen_text

SIZE = (80, 24)


def scenario(tmp_path: Path, x: str, rate: str, epochs: int = 5, title: str = "extreme") -> Path:
    """gradient descent on f = x², with x and the learning rate chosen to reach an extreme loss."""
    path = tmp_path / "extreme.toml"
    path.write_text(
        f'title = "{title}"\n\n[params]\nx = {x}\n\n[loss]\nf = "x ** 2"\n\n'
        f"[training]\nlearning_rate = {rate}\nepochs = {epochs}\n",
        encoding="utf-8",
    )
    return path


def loss_panel_text(app: DebuggerApp) -> str:
    """The loss panel's rows of the screen, as text."""
    return "\n".join(region_text(app, app.debugger.query_one(LossPanel).region))


def has_curve(text: str) -> bool:
    return any("\u2801" <= char <= "\u28ff" for char in text)  # braille dots


def raise_(*_: object) -> None:
    raise ValueError("no [bold]luck[/]")


class TestAPanelThatCannotDraw:
    async def test_a_text_panel_shows_its_error_in_one_line_and_the_app_stays_up(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(ChainPanel, "lines_for", raise_)
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("n", "n")
            await pilot.pause()
            assert "cannot draw this panel: no [bold]luck[/]" in screen_text(app)
            assert app.is_running and app.debugger.cursor.snapshot().step.label == "z2"  # two named steps on

    async def test_the_loss_plot_shows_its_error_in_one_line_and_the_app_stays_up(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(LossPanel, "_draw", raise_)
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            await pilot.pause()
            assert "cannot draw this panel: no [bol…" in loss_panel_text(app)
            assert app.is_running


class Crashing(DebuggerApp):
    def on_mount(self) -> None:
        raise RuntimeError("a fault\nover two lines")


def test_an_unexpected_error_ends_the_app_with_one_line_and_a_failure_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = Crashing(open_scenario(Path(__file__).parents[2] / "scenarios" / "gd_x2.toml"))
    app.run(headless=True, size=SIZE)
    assert app.return_code == 1
    err = capsys.readouterr().err
    assert err.strip() == "bpdbg: internal error: RuntimeError: a fault over two lines"


class TestExtremeLosses:
    @pytest.mark.parametrize(
        ("x", "rate", "scale"),
        [("1.0e154", "0.0001", "×1e308"), ("1.0e-160", "0.1", "×1e-32")],
        ids=["loss near 1e308", "parameter near 1e-160"],
    )
    async def test_a_loss_near_the_ends_of_the_floats_still_plots(
        self, tmp_path: Path, x: str, rate: str, scale: str
    ) -> None:
        app = DebuggerApp(open_scenario(scenario(tmp_path, x, rate)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = loss_panel_text(app)
            assert has_curve(text) and scale in text and "cannot draw" not in text

    async def test_a_loss_that_overflows_ends_the_curve_where_it_was_finite(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(scenario(tmp_path, "1.0e152", "5.0", epochs=10)))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("G")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "non-finite value at epoch 4" in screen_text(app)
            assert has_curve(loss_panel_text(app))

    async def test_a_loss_infinite_from_the_start_is_marked_on_the_axes(self, tmp_path: Path) -> None:
        app = DebuggerApp(open_scenario(scenario(tmp_path, "1.0e200", "0.1")))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            text = loss_panel_text(app)
            assert "✗ epoch 1: ∞" in text and "└" in text and "cannot draw" not in text


class TestUserTextIsShownLiterally:
    async def test_a_file_name_with_markup_in_the_open_dialog_is_reported_as_typed(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("o", *"[/foo]", "enter")
            await pilot.pause()
            assert isinstance(app.screen, OpenScreen)
            assert "[/foo]:1:1: file: no such file" in str(app.screen.query_one("#error", Static).render())

    async def test_a_breakpoint_with_markup_is_reported_and_the_dialog_stays(self) -> None:
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("b", *"loss < 1 [/]", "enter")
            await pilot.pause()
            assert isinstance(app.screen, BreakpointScreen)
            assert "not allowed" in str(app.screen.query_one("#error", Static).render())

    async def test_a_title_with_a_click_action_is_plain_text(self, tmp_path: Path) -> None:
        title = "[@click=app.quit]quit[/] [b]x[/b]"
        app = DebuggerApp(open_scenario(scenario(tmp_path, "4.0", "0.1", title=title)))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert title in screen_text(app)
            await pilot.click(offset=(screen_text(app).splitlines()[1].index(title) + 2, 1))
            assert app.is_running


class TestAPanelThatCannotTakeASnapshot:
    @pytest.mark.parametrize("panel", [ParamsPanel, LossPanel])
    async def test_it_says_why_and_the_other_panels_follow_the_cursor(
        self, monkeypatch: pytest.MonkeyPatch, panel: type[ParamsPanel | LossPanel]
    ) -> None:
        monkeypatch.setattr(panel, "show", raise_)
        app = make_app("two_neurons")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e", "n")
            await pilot.pause()
            text = screen_text(app)
            assert "cannot draw this panel: no [bol" in text
            assert "epoch 2/20  step 3/25" in text  # a1, the second named step of epoch 2
