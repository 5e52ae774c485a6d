"""The check strip in the debugger: `X` to the first difference from the notes, finite
differences for the step on screen, and `Q`, predict then reveal.

two_neurons has 25 steps an epoch: forward 0-5, loss 6-8, backward 9-20 (20 is ∂L/∂w1), update 21-24.
"""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input

from bpdbg.engine.cursor import Position

from ..conftest import WIDE
from .conftest import make_app, screen_text, wait_until

SIZE = (80, 24)
PLAIN = """
title = "No table from the notes"
[params]
w = 0.5
[loss]
L = "w * w"
[training]
learning_rate = 0.1
epochs = 2
"""
W1_GRADIENT, W1_UPDATE = 20, 21


def strip(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The check strip's three lines, as the screen shows them where the strip is."""
    region = app.debugger.query_one("#check").region
    lines = screen_text(app).splitlines()[region.y : region.bottom]
    return [line[region.x : region.right].strip() for line in lines]


async def test_x_goes_to_the_update_of_w1_where_two_neurons_first_differs_from_the_notes() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("X")
        await wait_until(pilot, lambda: app.debugger.cursor.position == Position(1, W1_UPDATE), "X to move")
        assert app.debugger.notice.startswith("first difference from the notes: epoch 1, w1: the notes print 0.2060")
        notes, engine, _ = strip(app)
        assert notes.startswith("notes") and "W = [0.2060, 0.2058]" in notes
        assert engine.startswith("engine ✗") and "W = [0.3003, 0.2058]" in engine


async def test_x_runs_an_agreeing_scenario_to_its_end_and_says_it_agrees() -> None:
    app = make_app("neuron_sigmoid", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("X")
        await wait_until(pilot, lambda: "agrees" in app.debugger.notice, "the comparison to end")
        assert app.debugger.notice == "the engine agrees with all 20 lines of the notes"
        assert app.debugger.cursor.trainer.finished


async def test_x_on_a_scenario_without_a_table_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plain.toml"
    path.write_text(PLAIN, encoding="utf-8")
    app = make_app(path, whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("X")
        await pilot.pause()
        assert app.debugger.notice == "this scenario has no table from the notes to compare with"


async def test_a_gradient_step_shows_central_differences_once_they_arrive() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"20n")
        await wait_until(pilot, lambda: "✓" in strip(app)[2], "the finite differences")
        assert strip(app)[2].startswith("∂L/∂w1 = −0.002537 · central difference −0.002537 ✓")
        assert re.search(r"  error \de−\d+\b", strip(app)[2])  # a real minus, as every number on screen has


async def test_a_gradient_at_a_kink_is_said_to_be_one_not_marked_wrong(tmp_path: Path) -> None:
    from ..test_step_checks import DEAD_RELU

    (tmp_path / "dead.toml").write_text(DEAD_RELU, encoding="utf-8")
    app = make_app(tmp_path / "dead.toml", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        step = next(s.index for s in app.cursor.program.steps if s.label == "∂L/∂z")
        await pilot.press(*str(step), "n")
        await wait_until(pilot, lambda: "kink" in strip(app)[2], "the finite differences")
        assert strip(app)[2].startswith("∂L/∂z = 0 · central difference −2 · at a kink, not compared (slopes 0 b")
        assert "✗" not in strip(app)[2]


async def test_q_asks_the_next_step_grades_the_answer_reveals_it_and_keeps_score() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "quiz-answer"
        assert "score 0/0" in strip(app)[0] and "step 2" in strip(app)[0]
        await pilot.press(*"0.25", "enter")  # z1 = w1·x + b1 = 0.3·0.5 + 0.1
        await wait_until(pilot, lambda: app.debugger.cursor.position == Position(1, 1), "the reveal")
        assert "score 1/1" in strip(app)[0]
        assert strip(app)[2].startswith("✓ right (the same to 4 significant figures): you said 0.25, z1 = 0.25")
        await pilot.press(*"0.9", "enter")  # a1 = sigmoid(0.25) = 0.5622
        await wait_until(pilot, lambda: app.debugger.cursor.position == Position(1, 2), "the second reveal")
        assert "score 1/2" in strip(app)[0] and strip(app)[2].startswith("✗ wrong")
        assert "a1 = 0.5622" in strip(app)[2]


async def test_q_with_no_number_typed_asks_again_and_q_ends_the_quiz() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.debugger.cursor.position == Position(1, 0)
        assert "not a number" in strip(app)[2]
        await pilot.press("Q")  # typed in the box, it still ends the quiz
        await pilot.pause()
        assert app.debugger.notice == "quiz ended: 0 of 0 right"
        assert app.focused is None and strip(app)[0].startswith("notes")


async def test_keys_that_write_no_number_still_work_in_the_box_and_the_question_follows_the_cursor() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await pilot.pause()
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: app.debugger.cursor.position == Position(1, 2), "n to step")
        assert "step 4" in strip(app)[0] and "score 0/0" in strip(app)[0]
        assert app.focused is not None and app.focused.id == "quiz-answer"
        await pilot.press("e")  # an exponent, in the box: not the next epoch
        assert app.debugger.cursor.position == Position(1, 2)
        assert isinstance(app.focused, Input) and app.focused.value == "e"


async def test_esc_leaves_the_box_for_the_keys_a_number_is_written_with_and_tab_goes_back() -> None:
    app = make_app("two_neurons", whole_tape=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await pilot.pause()
        await pilot.press("escape", "e")
        await wait_until(pilot, lambda: app.debugger.cursor.position == Position(2, 0), "e for the next epoch")
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "quiz-answer"


async def test_a_large_steps_finite_differences_arrive_from_a_worker(tmp_path: Path) -> None:
    path = tmp_path / "wide.toml"
    path.write_text(WIDE, encoding="utf-8")
    app = make_app(path, whole_tape=True)
    async with app.run_test(size=(120, 40)) as pilot:
        program = app.debugger.cursor.program
        last = max(s.index for s in program.steps if s.backward is not None and s.label == "∂L/∂W")
        await pilot.press(*f"{last}n")
        await wait_until(pilot, lambda: "✓" in strip(app)[2], "the worker's finite differences")
        assert "the worst of 16/5,000 entries" in strip(app)[2]
