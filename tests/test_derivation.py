"""Hand derivations, checked: each [derivation] entry against what backprop computes, every epoch.

The shipped scenarios carry the notes' own derivations, transcribed from their code. Where the
notes are right every entry agrees; where they are wrong `check` names the first wrong entry and
why, and `run --as-written` reproduces the notes' printed table from the notes' own formulas.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bpdbg.cli import main
from bpdbg.engine.as_written import as_written
from bpdbg.engine.check import compare_log, expected_lines
from bpdbg.engine.derivation import Derivation, agrees
from bpdbg.engine.derivation_check import check_derivation
from bpdbg.engine.report import Log
from bpdbg.engine.scenario import ScenarioError
from bpdbg.engine.session import open_scenario
from bpdbg.engine.trainer import Trainer

from .conftest import SCENARIOS, SHIPPED, trainer_for

FAST_AND_RIGHT = ["gd_x2", "gd_xy", "neuron_identity", "neuron_sigmoid", "two_neurons_layer"]
SLOW_AND_RIGHT = ["moons_relu", "net_221_sigmoid", "digits_softmax"]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_every_shipped_scenario_carries_a_derivation() -> None:
    for name in SHIPPED:
        assert trainer_for(name).program.scenario.derivation, name


@pytest.mark.parametrize("name", FAST_AND_RIGHT)
def test_where_the_notes_are_right_every_entry_agrees_at_every_epoch(name: str) -> None:
    report = check_derivation(trainer_for(name))
    assert report.agrees, report.describe("L")
    assert report.checked >= 2 and report.epochs >= 6


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW_AND_RIGHT)
def test_the_matrix_derivations_agree_at_every_epoch(name: str) -> None:
    trainer = trainer_for(name)
    report = check_derivation(trainer)
    assert report.agrees, report.describe("L")
    assert report.epochs == trainer.max_epochs


def test_two_neurons_names_the_notes_w1_update_and_both_values() -> None:
    report = check_derivation(trainer_for("two_neurons"))
    assert report.wrong is not None
    assert (report.wrong.epoch, report.wrong.outcome.entry.name) == (1, "w1")
    assert report.describe("L").startswith(
        "derivation WRONG at epoch 1, w1 (line 84): w1 = w2 - learning_rate * dL_dw1 gives 0.2060, "
        "the true update of w1 is 0.3003"
    )
    assert report.wrong.why == "uses w2; the true update of w1 depends on w1, not w2"
    assert report.wrong.others == ()  # every gradient entry of the notes is right


def test_neuron_batch_names_the_stale_z_and_x() -> None:
    report = check_derivation(trainer_for("neuron_batch"))
    assert report.wrong is not None and report.wrong.epoch == 1
    assert report.wrong.outcome.entry.name == "dy_hat_dz"
    assert report.wrong.why == "uses z, given outright in the derivation, where the model computes Z"
    assert "dz_dw (uses x, given outright in the derivation, where the model computes X)" in report.wrong.others
    assert "dL_dy_hat" not in report.describe("L")  # the per-example error is right


@pytest.mark.parametrize("name", ["two_neurons", "neuron_batch"])
def test_as_written_reproduces_the_notes_table_digit_for_digit(name: str) -> None:
    trainer = trainer_for(name)
    written = Trainer(as_written(Derivation(trainer.program)))
    written.run()
    expected = trainer.program.scenario.expected_text or ""
    assert compare_log(written, expected).divergence is None
    assert [line.text for line in Log(written).lines()] == expected_lines(expected)
    # … and the update step says which formula produced it
    step = next(s for s in written.program.steps if s.phase == "update" and s.label == trainer.program.params[0].name)
    assert "as written, derivation line" in step.formula


@pytest.mark.parametrize("name", ["two_neurons", "neuron_batch"])
def test_run_as_written_prints_the_expected_text_exactly_and_says_which_formulas(name: str) -> None:
    status, out, err = cli("run", "--as-written", name)
    assert status == 0
    expected = tomllib.loads((SCENARIOS / f"{name}.toml").read_text())["expected"]["text"]
    assert out.splitlines() == expected_lines(expected)
    assert err.startswith(f"{name}: trained as written, not by backprop: ")
    if name == "two_neurons":
        assert "w1 = w2 - learning_rate * dL_dw1 (line 84)" in err


def test_check_keeps_its_table_line_and_adds_the_derivation_line_and_exit_codes() -> None:
    status, out, _ = cli("check", "gd_x2", "two_neurons")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "gd_x2: agrees with the notes (17 printed lines)"
    assert lines[1] == "gd_x2: derivation agrees with backprop (2 entries checked at each of 15 epochs)"
    assert lines[2].startswith("two_neurons: DIFFERS from the notes at epoch 1, w1: the notes print 0.2060")
    assert lines[3].startswith("two_neurons: derivation WRONG at epoch 1, w1 (line 84)")
    assert cli("check", "gd_x2", "neuron_identity")[0] == 0


# -- a student's own derivation ----------------------------------------------------------------------

TWO = (SCENARIOS / "two_neurons.toml").read_text()
BATCH = (SCENARIOS / "neuron_batch.toml").read_text()


def with_text(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def fixed(text: str = TWO) -> str:
    """two_neurons with the notes' slip corrected: the student's derivation is right."""
    return text.replace('w1 = "w2 - learning_rate * dL_dw1"', 'w1 = "w1 - learning_rate * dL_dw1"')


def test_a_correct_student_derivation_agrees_and_as_written_matches_backprop(tmp_path: Path) -> None:
    path = with_text(tmp_path, fixed())
    report = check_derivation(open_scenario(path))
    assert report.agrees, report.describe("L")
    written = Trainer(as_written(Derivation(open_scenario(path).program)))
    written.run()
    engine = open_scenario(path)
    engine.run()
    assert np.allclose(written.params_after(20)["w1"], engine.params_after(20)["w1"], rtol=1e-12)


def test_the_reason_is_read_off_the_names_not_written_in_advance(tmp_path: Path) -> None:
    path = with_text(tmp_path, fixed().replace('b1 = "b1 - learning_rate', 'b1 = "b2 - learning_rate'))
    report = check_derivation(open_scenario(path))
    assert report.wrong is not None and report.wrong.outcome.entry.name == "b1"
    assert report.wrong.why == "uses b2; the true update of b1 depends on b1, not b2"


def test_an_entry_built_on_a_wrong_one_says_so(tmp_path: Path) -> None:
    text = fixed().replace('dz1_dw1 = "x"', 'dz1_dw1 = "y"')
    report = check_derivation(open_scenario(with_text(tmp_path, text)))
    assert report.wrong is not None and report.wrong.outcome.entry.name == "dz1_dw1"
    assert report.wrong.others[0] == "dL_dw1"
    wrong = {"dz1_dw1", "dL_dw1", "w1"}
    from bpdbg.engine.derivation_check import why

    derivation = Derivation(open_scenario(with_text(tmp_path, text, "again.toml")).program)
    dl_dw1 = next(o for o in derivation.outcomes(trainer_values(derivation)) if o.entry.name == "dL_dw1")
    assert why(derivation, dl_dw1, wrong) == "uses dz1_dw1, wrong itself"


def trainer_values(derivation: Derivation) -> tuple[object, ...]:
    trainer = Trainer(derivation.program)
    trainer.run(1)
    return trainer.record(1).values


def test_a_name_read_after_its_update_is_named(tmp_path: Path) -> None:
    own = (
        TWO[: TWO.index("[derivation]")]
        + """[derivation]
w2 = "w2 - learning_rate * (y_hat - y) * y_hat * (1 - y_hat) * a1"
dz2_da1 = "w2"
"""
    )
    report = check_derivation(open_scenario(with_text(tmp_path, own)))
    assert report.wrong is not None and report.wrong.outcome.entry.name == "dz2_da1"
    assert report.wrong.why == "uses w2 after its update; backprop uses the value the epoch began with"


def test_a_name_the_model_does_not_define_is_a_finding_with_a_did_you_mean(tmp_path: Path) -> None:
    text = BATCH.replace("z = 0.48528831242974196", "# z left out").replace("x = 0.5   ", "# x left out")
    path = with_text(tmp_path, text)
    report = check_derivation(open_scenario(path))
    assert report.problem is not None
    assert report.problem.message == "the model does not define 'z'; did you mean 'Z'?"
    line = text.splitlines().index(next(t for t in text.splitlines() if t.startswith("dy_hat_dz")))
    assert (report.problem.place.line, report.problem.place.column) == (line + 1, 34)  # the z inside sigmoid(z)
    status, out, _ = cli("check", str(path))
    assert status == 1
    assert "mine: derivation CANNOT BE CHECKED at line" in out
    assert "dy_hat_dz = sigmoid(z) * (1 - sigmoid(z)): the model does not define 'z'; did you mean 'Z'?" in out
    status, out, err = cli("run", "--as-written", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"{path}:") and "cannot train as written: uses avg_dL_dw, which cannot be computed" in err


def test_a_local_derivative_through_a_matrix_product_is_a_finding(tmp_path: Path) -> None:
    text = (
        (SCENARIOS / "net_221_sigmoid.toml")
        .read_text()
        .replace(
            'error_hidden = { formula = "W2.T @ d_output", claims = "dL/dv1" }',
            'error_hidden = { formula = "W2.T @ d_output", claims = "dz2/dv1" }',
        )
    )
    derivation = Derivation(open_scenario(with_text(tmp_path, text)).program)
    assert "passes through a matrix product" in derivation.problems["error_hidden"].message
    assert "d_hidden" in derivation.problems  # built on it, so it cannot be computed either


def test_masks_and_axis_sums_are_part_of_the_language_in_a_derivation() -> None:
    derivation = Derivation(trainer_for("moons_relu").program)
    assert not derivation.problems
    outcomes = {o.entry.name: o for o in derivation.outcomes(trainer_values(derivation))}
    assert outcomes["dZ1"].ok and outcomes["db1"].value.shape == (1, 4)  # type: ignore[union-attr]


def test_agreement_is_relative_to_the_values_size_and_shapes_must_fit() -> None:
    assert agrees(0.30025, 0.30025 * (1 + 1e-6))
    assert not agrees(0.2060, 0.3003)
    assert agrees(np.array([1.0, 1e-9]), np.array([1.0, 0.0]))
    assert not agrees(np.ones(3), np.ones(4))
    assert not agrees(np.inf, -0.0025) and not agrees(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    assert agrees(np.array([np.inf, 1.0]), np.array([np.inf, 1.0]))


def test_an_entry_reads_only_the_entries_above_it(tmp_path: Path) -> None:
    own = TWO[: TWO.index("[derivation]")] + '[derivation]\ndL_dw1 = "dL_dw1 * 2"\nw1 = "w1 - learning_rate * dL_dw1"\n'
    derivation = Derivation(open_scenario(with_text(tmp_path, own)).program)
    assert derivation.problems["dL_dw1"].message == "an entry can read only the entries above it"
    assert "w1" in derivation.problems  # an update reads its parameter, but not a dL_dw1 that cannot be computed


# -- the file's form: one line, FILE:LINE:COL ---------------------------------------------------------


def load_error(tmp_path: Path, text: str) -> str:
    path = with_text(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        open_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:") and "\n" not in message
    return message[len(str(path)) + 1 :]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('dL_dy_hat = "y_hat - y"', 'd_output = "y_hat - y"', "70:1: derivation.d_output: say what 'd_output' claims"),
        ('dz1_dw1 = "x"', 'dz1_dw = "x"', "76:1: derivation.dz1_dw: 'dz1_dw' reads as a derivative, but the model "
         "has no 'w'; did you mean 'w2'?"),
        ('dL_dy_hat = "y_hat - y"', 'err = { formula = "y_hat - y", claims = "dL/dy_hatt" }',
         "70:45: derivation.err.claims: the model has no 'y_hatt'; did you mean 'y_hat'?"),
        ('dL_dy_hat = "y_hat - y"', 'err = { formula = "y_hat - y", claim = "dL/dy_hat" }',
         "70:32: derivation.err.claim: unknown key 'claim'; did you mean 'claims'?"),
        ('dL_dy_hat = "y_hat - y"', 'z1 = "y_hat - y"', "70:1: derivation.z1: 'z1' is the model's own"),
        ('dz2_dw2 = "a1"', 'dz2_dw2 = "a1 +* 2"', "72:16: derivation.dz2_dw2: unexpected '*'"),
        ('dL_dy_hat = "y_hat - y"', 'learning_rate = "y_hat - y"', "70:1: derivation.learning_rate: "
         "'learning_rate' is a reserved word"),
        ('w1 = "w2 - learning_rate * dL_dw1"', 'w1 = { formula = "w2", claims = "dL/dw1" }',
         "84:1: derivation.w1: an entry named after the parameter 'w1' claims its update"),
    ],
)  # fmt: skip
def test_a_malformed_derivation_is_one_line_naming_the_place(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in TWO
    assert load_error(tmp_path, TWO.replace(old, new)).startswith(error)


def test_the_cli_reports_a_malformed_derivation_with_exit_2(tmp_path: Path) -> None:
    path = with_text(tmp_path, TWO.replace('dL_dy_hat = "y_hat - y"', 'd_output = "y_hat - y"'))
    status, out, err = cli("check", str(path))
    assert (status, out) == (2, "")
    assert err.startswith(f"{path}:70:1: derivation.d_output: say what 'd_output' claims")


def test_a_finding_does_not_hide_a_wrong_entry_that_can_be_computed(tmp_path: Path) -> None:
    text = TWO.replace('dz1_db1 = "1"', 'dz1_db1 = "one"')  # a finding, and the notes' w1 slip stays
    report = check_derivation(open_scenario(with_text(tmp_path, text)))
    described = report.describe("L")
    assert described.startswith("derivation CANNOT BE CHECKED at line 77, dz1_db1 = one: the model does not define")
    assert "; of the entries that can be, WRONG at epoch 1, w1 (line 84)" in described
