"""Runs over the calibration posterior: members drawn by weight, plans paired by member and seed, both intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.io.scenario import ScenarioError
from experiments.analysis import paired_differences
from experiments.calibration.validate import MIN_MONTHS, validate
from experiments.experiment import parse_experiment, plan_experiment
from experiments.posterior import describe_members, posterior_members, with_posterior
from experiments.runner import make_jobs


@pytest.fixture()
def posterior_file(tmp_path: Path) -> Path:
    """A posterior of three weighted sets of two free parameters."""
    frame = pd.DataFrame({"row": [0, 1, 2], "imitation_rate": [0.05, 0.2, 0.4], "urban_budget": [0.5, 1.0, 2.0],
                          "weight": [0.5, 0.0, 0.5]})
    path = tmp_path / "posterior.parquet"
    frame.to_parquet(path)
    return path


def test_members_are_drawn_by_weight(posterior_file: Path) -> None:
    members = posterior_members(4, posterior_file)
    assert members.member.tolist() == [0, 1, 2, 3] and members.row.tolist() == [0, 0, 2, 2]
    with pytest.raises(ScenarioError, match="--posterior 0"):
        posterior_members(0, posterior_file)
    with pytest.raises(ScenarioError, match="no posterior"):
        posterior_members(2, posterior_file.with_name("missing.parquet"))


def test_a_posterior_plan_pairs_arms_by_member_and_seed_and_keeps_what_the_experiment_sets(posterior_file) -> None:
    experiment = parse_experiment({"name": "p", "months": 2, "replicates": 2, "parameters": {"urban_budget": 0.9},
                                   "arms": {"low": {"commission": 0.05}, "high": {"commission": 0.2}}}, "p")
    plan = with_posterior(plan_experiment(experiment, "p"), 2, posterior_file)
    assert plan.points[["arm", "member"]].values.tolist() == [["low", 0], ["low", 1], ["high", 0], ["high", 1]]
    params = [s.parameters for s in plan.scenarios]
    assert [p.imitation_rate for p in params] == [0.05, 0.4, 0.05, 0.4]
    assert {p.urban_budget for p in params} == {0.9}  # the experiment's own value wins
    jobs = make_jobs(plan)
    assert [j.seed for j in jobs if j.point == 0] == [j.seed for j in jobs if j.point == 3]


def test_intervals_over_members_add_parameter_to_seed_uncertainty() -> None:
    rng = np.random.default_rng(0)
    member_effect = np.repeat([-1.0, 1.0, 3.0, 5.0], 50)  # the effect depends on the member
    long = pd.DataFrame({"g": 0, "member": np.repeat(range(4), 50), "value": member_effect + rng.normal(0, 0.1, 200)})
    row = describe_members(long, ["g"]).iloc[0]
    assert row["mean"] == pytest.approx(2.0, abs=0.05) and row.members == 4 and row.n == 200
    assert row.seed_ci_high - row.seed_ci_low < 0.1  # seed noise alone: a narrow interval
    assert row.ci_low < -1.0 and row.ci_high > 5.0  # parameters: as wide as the members' spread and more
    assert row.sign_share == 0.75 and row.sign_changes
    same = describe_members(long.assign(value=rng.normal(0, 0.1, 200) + 2.0), ["g"]).iloc[0]
    assert not same.sign_changes and same.ci_high - same.ci_low == pytest.approx(
        same.seed_ci_high - same.seed_ci_low, rel=0.3)  # members alike: both intervals agree


def test_paired_differences_over_members_say_when_the_sign_changes() -> None:
    rows = [{"arm": arm, "member": m, "replicate": k, "seed": 10 + k, "month": 1,
             "y": 1.0 + (m - 0.5) * 2 * (arm == "b") + 0.01 * k}
            for arm in ("a", "b") for m in (0, 1) for k in range(3)]
    diff = paired_differences(pd.DataFrame(rows), "a", ["y"]).iloc[0]
    assert diff["mean"] == pytest.approx(0.0) and diff.sign_changes and diff.members == 2


def test_validate_over_posterior_members_reports_both_intervals(posterior_file: Path, tmp_path: Path) -> None:
    result = validate(replicates=2, months=MIN_MONTHS, farmers=300, out=tmp_path / "v", show=False, posterior=2,
                      posterior_file=posterior_file, workers=1, progress=False)
    values = result.replicates
    assert sorted(values.member.unique()) == [0, 1] and len(values) == 4
    row = result.table.set_index("id").loc["fresh_loss_no_cold_chain"]
    assert row.ci_low <= row.seed_ci_low <= row["mean"] <= row.seed_ci_high <= row.ci_high
    assert 0.0 <= row.members_within <= 1.0
    assert "95% seed only" in (tmp_path / "v" / "facts.md").read_text()


def test_the_experiment_command_over_the_packaged_posterior_shows_both_intervals(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from experiments.cli.app import app

    spec = tmp_path / "arms.toml"
    spec.write_text('months = 3\nreplicates = 2\nparameters = { farmers = 300 }\n'
                    '[arms.low]\ncommission = 0.05\n[arms.high]\ncommission = 0.2\n')
    args = ["experiment", str(spec), "--workers", "1", "--out", str(tmp_path / "o"), "--posterior", "2"]
    result = CliRunner(env={"COLUMNS": "250"}).invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sign agrees" in result.output and "8 runs" in result.output
    bad = CliRunner().invoke(app, ["calibrate", "--quick", "--parameters", "commission", "--dry-run"])
    assert isinstance(bad.exception, ScenarioError) and "not free parameters" in str(bad.exception)
