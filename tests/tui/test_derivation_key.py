"""`x`: jump to the first derivation entry that differs from backprop, and say why it differs."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from bpdbg.engine.cursor import Cursor, Position
from bpdbg.engine.session import open_scenario

from .conftest import SCENARIOS, make_app, screen_text

HERE = Path(__file__).resolve().parent.parent.parent / "scenarios"


async def press_x(pilot: Pilot[None]) -> None:
    """`x`, and wait for its search, a worker's, to end."""
    await pilot.pause()
    await pilot.press("x")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_x_stands_on_the_notes_w1_update_and_says_why() -> None:
    app = make_app("two_neurons")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_x(pilot)
        assert app.debugger.cursor.position == Position(1, 21)  # the update of w1
        assert app.debugger.busy is None
        status = "\n".join(screen_text(app).splitlines()[:2])
        assert "first ✗ at epoch 1: w1 = w2 - learning_rate * dL_dw1; uses w2" in status
        assert not app._notifications  # the reason fits the bar: nothing more is shown


async def test_at_80_columns_the_reason_the_bar_cuts_is_shown_whole_in_a_notification() -> None:
    app = make_app("two_neurons")
    async with app.run_test(size=(80, 24)) as pilot:
        await press_x(pilot)
        reason = app.debugger.notice
        assert reason.endswith("the true update of w1 depends on w1, not w2")
        assert reason not in screen_text(app).replace("\n", " ")  # the bar cuts it…
        assert [n.message for n in app._notifications] == [reason]  # …so it is told whole, once
        await pilot.press("n")
        assert len(app._notifications) == 1


async def test_x_in_a_correct_derivation_stays_put_and_says_every_entry_agrees() -> None:
    app = make_app("gd_x2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n", "x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.debugger.cursor.position == Position(1, 1)
        assert "no ✗: every derivation entry agrees in the epochs run so far (1 to 1)" in screen_text(app)


async def test_x_without_a_derivation_says_so(tmp_path: Path) -> None:
    text = (HERE / "gd_x2.toml").read_text()
    path = tmp_path / "plain.toml"
    path.write_text(text[: text.index("# The notes' loop")])
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app.debugger.cursor.position == Position(1, 0)
        assert "this scenario has no [derivation] to check" in screen_text(app)


def test_a_mark_shows_values_only_once_its_step_is_reached() -> None:
    assert "two_neurons" in SCENARIOS
    cursor = Cursor(open_scenario(HERE / "two_neurons.toml"))
    cursor.goto(1, 20)
    before = {m.name: m for m in cursor.snapshot().marks}
    assert before["w1"].verdict == "·" and before["w1"].value is None
    assert before["dL_dw1"].verdict == "✓" and before["dL_dw1"].step == 20
    cursor.goto(1, 21)
    w1 = next(m for m in cursor.snapshot().marks if m.name == "w1")
    assert (w1.verdict, w1.step, round(float(w1.value), 4), round(float(w1.true), 4)) == ("✗", 21, 0.2060, 0.3003)
    assert w1.note == "uses w2; the true update of w1 depends on w1, not w2"


def test_an_entry_that_cannot_be_computed_shows_its_finding_beside_its_step(tmp_path: Path) -> None:
    text = (HERE / "neuron_batch.toml").read_text().replace("z = 0.48528831242974196", "# z left out")
    path = tmp_path / "batch.toml"
    path.write_text(text)
    cursor = Cursor(open_scenario(path))
    mark = next(m for m in cursor.snapshot().marks if m.name == "dy_hat_dz")
    assert mark.verdict == "?"
    assert mark.note == "the model does not define 'z'; did you mean 'Z'?"
