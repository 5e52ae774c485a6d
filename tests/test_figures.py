"""The figures' numbers: a grid evaluation of the loss agrees with the tape run point by point,
gd_xy's surface is the notes' x² + 3y² over their −5…5 square with the descent path, and moons'
decision regions come with the accuracy the model has on the data."""

from __future__ import annotations

import numpy as np
import pytest

from bpdbg.engine.batched import Entry, losses_at
from bpdbg.engine.cursor import Cursor
from bpdbg.engine.figures import Curve, NoFigure, Regions, Surface, figure_for, parse_entry
from bpdbg.engine.session import open_scenario
from bpdbg.scenarios import shipped


def trainer_for(name: str):  # type: ignore[no-untyped-def]
    return open_scenario(shipped()[name])


@pytest.mark.parametrize("name", ["moons_relu", "neuron_batch", "net_221_sigmoid", "two_neurons_layer"])
def test_one_batched_pass_gives_the_loss_the_tape_gives_at_each_point(name: str) -> None:
    trainer = trainer_for(name)
    trainer.run(2)
    program = trainer.program
    row = trainer.row(1)
    entries = [Entry(p, index) for p in program.params for index in np.ndindex(p.shape)][-2:]
    points = np.random.default_rng(0).normal(size=(7, 2))
    batched = losses_at(program, program.unflatten(row), 2, entries, points)
    for got, point in zip(batched, points, strict=True):
        moved = row.copy()
        for entry, value in zip(entries, point, strict=True):
            moved[entry.param.offset + int(np.ravel_multi_index(entry.index, entry.param.shape))] = value
        assert got == pytest.approx(trainer.loss_at(moved), rel=1e-12, abs=1e-300)


def test_gd_xy_is_the_notes_figure_contours_of_x2_plus_3y2_with_the_path_so_far() -> None:
    figure = figure_for(trainer_for("gd_xy"), 4)
    assert isinstance(figure, Surface)
    assert figure.names == ("x", "y") and figure.held is None
    assert (figure.xs[0], figure.xs[-1], figure.ys[0], figure.ys[-1]) == (-5, 5, -5, 5)  # the notes' grid
    assert figure.lines and {index for index, _ in figure.lines} == set(range(len(figure.levels)))
    for index, line in figure.lines:  # each contour line lies on its level of f, to the grid's accuracy
        assert line[:, 0] ** 2 + 3 * line[:, 1] ** 2 == pytest.approx(figure.levels[index], rel=0.05)
    # The parameters entering epochs 1…4, as the notes' `path` holds them, and the point after epoch 4.
    np.testing.assert_allclose(figure.path, [[4, -4], [2.4, 0.8], [1.44, -0.16], [0.864, 0.032]], rtol=1e-12)
    assert figure.point == pytest.approx((0.5184, -0.0064))


def test_gd_x2_is_the_curve_with_the_point() -> None:
    figure = figure_for(trainer_for("gd_x2"), 2)
    assert isinstance(figure, Curve)
    assert figure.losses == pytest.approx(figure.xs**2)
    assert figure.path_losses.tolist() == pytest.approx([16.0, 5.76])
    assert (figure.point, figure.point_loss) == pytest.approx((1.44, 1.44**2))


def test_moons_shows_its_decision_regions_and_the_accuracy_on_the_data() -> None:
    trainer = trainer_for("moons_relu")
    figure = figure_for(trainer, 1000)
    assert isinstance(figure, Regions)
    record = trainer.record(1000)
    a2 = record.value(trainer.program.named["A2"])
    y = trainer.program.scenario.data["y"]
    assert figure.accuracy == float(np.mean((a2 > 0.5) == y))
    assert figure.accuracy > 0.8 and set(np.unique(figure.classes)) == {0, 1}
    assert figure.points.shape == (200, 2) and figure.rule == "class 1 where A2 > 0.5"


def test_a_slice_along_two_chosen_entries_holds_the_others() -> None:
    figure = figure_for(trainer_for("moons_relu"), 3, ["W1[0,1]", "b2"])
    assert isinstance(figure, Surface)
    assert figure.names == ("W1[0,1]", "b2") and figure.held is not None
    assert len(figure.path) == 3


def test_an_entry_is_named_as_the_notes_index_it_and_a_wrong_one_is_refused() -> None:
    program = trainer_for("moons_relu").program
    assert parse_entry(program, "b1[2]").index == (0, 2)
    for text, says in [
        ("W3", "not a parameter"),
        ("W1[2,0]", "not an entry of W1 (2×4)"),
        ("W1[", "not a parameter or"),
    ]:
        with pytest.raises(ValueError, match=says.replace("(", r"\(").replace(")", r"\)")):
            parse_entry(program, text)


def test_the_figure_is_made_once_per_epoch_and_point_not_per_step() -> None:
    cursor = Cursor(trainer_for("moons_relu"))
    cursor.show_figure = True
    first = cursor.snapshot().figure
    cursor.forward(5)
    assert cursor.snapshot().figure is first
    cursor.next_epoch()
    assert cursor.snapshot().figure is not first


def test_a_loss_that_is_nowhere_finite_gives_no_figure_and_says_why(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nowhere.toml"
    path.write_text(
        'title = "log of a negative"\n[params]\nw = 1.0\nv = 2.0\n[loss]\nL = "log(-(w ** 2) - v ** 2 - 1)"\n'
        "[training]\nlearning_rate = 0.1\nepochs = 2\n"
    )
    figure = figure_for(open_scenario(path), 1)
    assert figure == NoFigure("no figure: the loss is not finite anywhere on the grid")


def test_a_larger_model_is_sliced_by_default_where_epoch_1s_gradients_are_largest() -> None:
    trainer = trainer_for("net_221_sigmoid")
    figure = figure_for(trainer, 2)
    assert isinstance(figure, Surface) and figure.held is not None
    sizes = {
        f"{name}[{','.join(map(str, index))}]" if np.size(grad) > 1 else name: abs(float(grad[index]))
        for name, grad in trainer.grads_at(1).items()
        for index in np.ndindex(np.shape(grad))
    }
    assert sorted(figure.names, key=lambda n: -sizes[n]) == sorted(sizes, key=lambda n: -sizes[n])[:2]
