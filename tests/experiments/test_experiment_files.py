"""Bad experiment files are refused with one message naming the field, the value and what is allowed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from exphelpers import ROOT, runner_command, subprocess_env, write

from abm.io.scenario import ScenarioError
from experiments.experiment import load_experiment

ARM = "\n[arms.a]\ncommission = 0.1\n"

BAD = [  # (file content, what the message must contain)
    ("replicate = 3" + ARM, ["replicate: unknown key", "allowed: name, description, base", "replicates"]),
    ("replicates = 0" + ARM, ["replicates = 0", "greater than or equal to 1"]),
    ("months = 5000" + ARM, ["months = 5000", "less than or equal to 1200"]),
    ("[arms.a]\ncomission = 0.1", ["arms.a.comission", "did you mean commission", "declared parameters"]),
    ("[arms.a]\ncommission = 0.9", ["arms.a.commission = 0.9", "allowed: float from 0.0 to 0.5"]),
    ("[arms.a]\ntrust_mechanism = 'magic'", ["arms.a.trust_mechanism = 'magic'", "acquaintance, reputation, dual"]),
    ("parameters = { farmers = 5 }" + ARM, ["parameters.farmers = 5", "int from 100 to"]),
    ("months = 12", ["no arms and no design", "allowed: arms (a table of overrides per arm name)"]),
    ("[design]\nkind = 'grid'\nparameters = ['commission']", ["design.kind = 'grid'", "'lhs', 'sobol' or 'morris'"]),
    ("[design]\nkind = 'lhs'\nparameters = ['commission']\nsamples = 4\nsample = 3",
     ["design.sample: unknown key", "allowed: kind, parameters, ranges, values, levels, samples"]),
    ("[design]\nkind = 'lhs'\nparameters = ['trust_mechanism']\nsamples = 4",
     ["design.parameters = ['trust_mechanism']", "trust_mechanism is a choice parameter, not a numeric range"]),
    ("[design]\nkind = 'sobol'\nparameters = ['commission']\nsamples = 100", ["design.samples = 100", "power of two"]),
    ("[design]\nkind = 'lhs'\nparameters = ['commission']\nsamples = 4\nranges = { commission = [0.0, 0.9] }",
     ["design.ranges", "within [0.0, 0.5]"]),
    ("[design]\nkind = 'lhs'\nparameters = ['commission']", ["design.samples = None", "needs samples"]),
    ("[design]\nkind = 'full_factorial'\nvalues = { trust_mechanism = ['dual', 'magic'] }",
     ["design.trust_mechanism = 'magic'", "one of acquaintance"]),
    ("reference = 'b'" + ARM, ["reference = 'b'", "not an arm; allowed: a"]),
    ("base = 'nowhere'" + ARM, ["base = 'nowhere'", "packaged: default"]),
    ("outcomes = []" + ARM, ["outcomes = []", "at least 1 item"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[b[1][0] for b in BAD])
def test_bad_experiment_file_names_field_value_and_allowed(tmp_path: Path, text: str, expected: list[str]) -> None:
    """Each mistake is reported with the file, the field, the value and what is allowed."""
    with pytest.raises(ScenarioError) as err:
        load_experiment(write(tmp_path, text))
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'experiment.toml'}: ")
    for part in expected:
        assert part in message


def test_syntax_errors_and_missing_files_are_clear(tmp_path: Path) -> None:
    """TOML syntax errors and unknown suite names get one clear message."""
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_experiment(write(tmp_path, "[arms.a\n"))
    with pytest.raises(ScenarioError, match="no such file or packaged suite; packaged: .*example"):
        load_experiment("no_such_suite")


def test_yaml_files_work_like_toml(tmp_path: Path) -> None:
    """A YAML experiment file is read like a TOML one."""
    plan = load_experiment(write(tmp_path, "arms:\n  a: {commission: 0.1}\nreplicates: 2\n", "exp.yaml"))
    assert plan.points.commission.tolist() == [0.1] and len(plan.seeds) == 2


def test_unknown_outcome_is_refused_before_any_run_with_a_suggestion(tmp_path: Path) -> None:
    """A misspelt outcome is refused when the file is read, with the closest declared outcome; nothing runs."""
    file = write(tmp_path, "months = 2\nreplicates = 1\noutcomes = ['income_maen']\nparameters = { farmers = 500 }"
                 + ARM)
    result = subprocess.run(runner_command(file, tmp_path / "out", "--workers", "1"), cwd=ROOT,
                            env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "outcomes.0 = 'income_maen': unknown outcome 'income_maen'; did you mean income_mean" in result.stderr
    assert not (tmp_path / "out" / "runs").exists()


def test_regional_only_outcome_is_refused_as_a_series_outcome(tmp_path: Path) -> None:
    """An outcome of the regional table alone cannot be kept as a series column, and the message says why."""
    with pytest.raises(ScenarioError, match="outcomes.0 = 'bulk_raw_share': in the regional table only"):
        load_experiment(write(tmp_path, "outcomes = ['bulk_raw_share']" + ARM))


def test_cli_entry_exits_2_with_one_message_and_no_traceback(tmp_path: Path) -> None:
    """The command line turns a bad file into exit code 2 and one message, no traceback."""
    file = write(tmp_path, "[arms.a]\ncommission = 0.9")
    result = subprocess.run(runner_command(file, tmp_path / "out"), cwd=ROOT, env=subprocess_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "arms.a.commission = 0.9" in result.stderr


def test_packaged_example_suite_has_two_arms_three_replicates_24_months() -> None:
    """The packaged example compares commission 0.03 with 0.12, 3 replicates, 24 months."""
    plan = load_experiment("example")
    assert plan.points[["arm", "commission"]].values.tolist() == [["low_commission", 0.03], ["high_commission", 0.12]]
    assert len(plan.seeds) == 3 and all(s.months == 24 for s in plan.scenarios)
    assert plan.experiment.reference == "low_commission"
