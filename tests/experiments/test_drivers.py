"""The drivers analysis: a planted driver and its threshold are recovered; a suite's analysis runs end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exphelpers import PLANTED_DRIVER, PLANTED_THRESHOLD, write
from typer.testing import CliRunner

from abm.core.params import GROUPS, declarations
from abm.io.scenario import ScenarioError
from experiments import rests_on
from experiments.analysis import load_results
from experiments.cli.app import app
from experiments.drivers import (
    QUICK,
    Runner,
    Size,
    conclusion_values,
    nearest_bracket,
    run_drivers,
    screened_parameters,
    sign_changes,
)
from experiments.experiment import load_experiment
from experiments.runner import run_experiment

#: a stand-in experiment of :func:`exphelpers.planted_driver`: the treatment is pairing
TOY = """
name = "toy"
base = "default"
months = 12
root_seed = 5
reference = "control"
outcomes = ["online_kg", "market_reach"]
parameters = { farmers = 500 }

[arms.control]
pairing = false

[arms.treated]
pairing = true

[conclusions.flips]
label = "the treatment raises online kg"
arm = "treated"
outcome = "online_kg"

[conclusions.holds]
label = "the treatment extends market reach"
arm = "treated"
outcome = "market_reach"
"""
#: room in the refinement for both conclusions' top groups (diffusion and trust: 17 parameters)
#: max_factors: room for the diffusion and trust groups' members together, so both conclusions' groups are refined
TOY_SIZE = Size(trajectories=3, refine_trajectories=3, top_groups=1,
                max_factors=sum(a.group in ("diffusion", "trust") for a in screened_parameters()), levels=5,
                bisections=6, replicates=1)
TOY_RUNNER = Runner(workers=1, model="exphelpers:planted_driver", progress=False)


def test_every_parameter_belongs_to_a_declared_mechanism_group() -> None:
    """Each declaration names one of the groups, and each group holds some parameter."""
    groups = [d["group"] for d in declarations()]
    assert set(groups) == set(GROUPS)


def test_the_screening_covers_every_assumption_and_calibrated_parameter_over_its_plausible_range() -> None:
    """Assumptions and calibrated parameters are screened; levers, sizes and sourced inputs are not.

    A calibrated parameter spans its plausible range, an assumption without one half to one and a half times
    its default (cut to its declared range; a default of 0 its declared range); what an experiment fixes is left out.
    """
    screened = {a.name: a for a in screened_parameters()}
    decl = {d["name"]: d for d in declarations()}
    expected = {n for n, d in decl.items() if d["source"] in ("assumption", "seeds/calibration.toml")
                and d["type"] in ("float", "int") and d["group"] not in ("scale", "policy", "shock")}
    assert set(screened) == expected
    assert {"farmers", "fund_rate", "budget_training", "fresh_loss_no_cold_chain"}.isdisjoint(screened)
    imitation, weight, trust = screened["imitation_rate"], screened["trust_weight"], screened["initial_trust"]
    assert (imitation.range.lo, imitation.range.hi, imitation.kind) == (0.005, 0.5, "plausible")
    assert (weight.range.lo, weight.range.hi, weight.kind) == (0.5 * decl["trust_weight"]["default"],
                                                               1.5 * decl["trust_weight"]["default"], "assumed")
    assert (trust.range.lo, trust.range.hi) == (0.5 * decl["initial_trust"]["default"], 1.0)  # cut to the declared
    penalty = screened["fraud_penalty"]
    assert decl["fraud_penalty"]["default"] == 0 and (penalty.range.lo, penalty.range.hi, penalty.kind) == (
        decl["fraud_penalty"]["min"], decl["fraud_penalty"]["max"], "declared")
    assert screened["defection_patience"].range.integer
    assert "commission" not in {a.name for a in screened_parameters({"commission"})}


def test_sign_changes_count_zero_as_a_sign_of_its_own() -> None:
    """Brackets lie between neighbours of different sign (+, 0, -); the one nearest the default is bisected."""
    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    assert sign_changes(values, np.array([-2.0, -1.0, 0.5, 0.7, 0.0])) == [(1.0, 2.0), (3.0, 4.0)]
    assert sign_changes(values, np.array([1.0, 2.0, 3.0, 2.0, 1.0])) == []
    assert nearest_bracket([(1.0, 2.0), (3.0, 4.0)], default=3.8) == (3.0, 4.0)
    assert nearest_bracket([(1.0, 2.0), (3.0, 4.0)], default=0.0) == (1.0, 2.0)


def test_a_conclusion_is_a_paired_difference_over_its_window_or_a_gain_per_yuan(tmp_path: Path) -> None:
    """A conclusion's value per seed: a paired difference over its window, or a gain per yuan.

    Difference: the arm's mean of the 12 months up to ``until`` minus the reference's; gain per yuan: cumulative
    income above the reference over the arm's spending to date.
    """
    months = np.arange(25)
    rows = []
    for arm, level in (("ref", 1.0), ("x", 3.0)):
        for seed in (1, 2):
            rows.append(pd.DataFrame({"sample": 0, "arm": arm, "seed": seed, "month": months,
                                      "online_kg": level * months + seed,
                                      "income_total": 100.0 + (arm == "x") * 10.0,
                                      "spent_to_date_total": (arm == "x") * 5.0 * months}))
    results = pd.concat(rows, ignore_index=True)
    plan = load_experiment(write(tmp_path, "months = 24\n[arms.ref]\n[arms.x]\ncommission = 0.1\n"
                                           "[conclusions.early]\narm = \"x\"\noutcome = \"online_kg\"\nuntil = 12\n"
                                           "[conclusions.gain]\narm = \"x\"\noutcome = \"income_total\"\n"
                                           "statistic = \"gain_per_yuan\"\n"))
    early = conclusion_values(results, plan.experiment, plan.experiment.conclusions["early"], 24)
    assert early.to_numpy() == pytest.approx([2 * 6.5, 2 * 6.5])  # (3 - 1) x mean of months 1..12
    gain = conclusion_values(results, plan.experiment, plan.experiment.conclusions["gain"], 24)
    assert gain.to_numpy() == pytest.approx([10.0 * 25 / (5.0 * 24)] * 2)  # months 0..24 of +10 over 120 yuan


@pytest.mark.parametrize("conclusion, message", [
    ('arm = "nope"\noutcome = "online_kg"', "conclusions.c.arm = 'nope': not an arm; allowed: control, treated"),
    ('arm = "treated"\noutcome = "gini"', "conclusions.c reads gini, which outcomes does not keep"),
    ('arm = "treated"\noutcome = "online_kg"\nstatistic = "gain_per_yuan"', "gain_per_yuan reads income_total"),
])
def test_a_conclusion_must_name_arms_and_kept_outcomes(tmp_path: Path, conclusion: str, message: str) -> None:
    """A conclusion naming an unknown arm or an outcome the experiment does not keep is refused before any run."""
    text = TOY.split("[conclusions.flips]")[0] + f"[conclusions.c]\n{conclusion}\n"
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_experiment(write(tmp_path, text))


def test_a_planted_driver_and_its_threshold_are_recovered(tmp_path: Path) -> None:
    """Among every screened parameter, the one that flips the toy's effect is found, with its threshold.

    The effect that never flips is said to hold, driven by its own parameter; a second call reruns nothing.
    """
    out = tmp_path / "out"
    report = run_drivers(load_experiment(write(tmp_path, TOY)), out, TOY_SIZE, TOY_RUNNER).read_text()
    ranked = pd.read_csv(out / "drivers.csv")
    first = ranked[ranked["rank"] == 1].set_index(["conclusion", "stage"]).parameter
    assert first["flips", "screening"] == "diffusion" and first["flips", "refinement"] == PLANTED_DRIVER
    assert first["holds", "screening"] == "trust" and first["holds", "refinement"] == "trust_weight"
    # the side depends on where the calibrated default sits relative to the threshold
    found = re.search(rf"flips when {PLANTED_DRIVER} [<>] ([0-9.]+) \(negative below, positive above", report)
    assert found and float(found.group(1)) == pytest.approx(PLANTED_THRESHOLD, abs=0.01)
    assert "holds across the plausible ranges screened" in report.split("(`holds`)")[1].split("\n")[0]
    assert (out / "drivers_flips.png").stat().st_size > 10_000
    table = pd.read_csv(out / "conclusions.csv").set_index("conclusion")
    assert table.rests_on.to_dict() == {"flips": "depends", "holds": "holds"}
    assert table.threshold_parameter["flips"] == PLANTED_DRIVER
    assert table.threshold["flips"] == pytest.approx(PLANTED_THRESHOLD, abs=0.01)
    cost = json.loads((out / "cost.json").read_text())
    assert run_drivers(load_experiment(write(tmp_path, TOY)), out, TOY_SIZE, TOY_RUNNER).read_text() == report
    assert json.loads((out / "cost.json").read_text()) == cost  # every run was found finished


def test_a_requested_outcome_a_run_leaves_undefined_is_kept(tmp_path: Path) -> None:
    """The runner keeps an outcome the experiment asks for even where a run has it all NaN.

    A ratio without newcomers is undefined at some design points; the batch goes on instead of refusing it.
    """
    text = TOY.replace('outcomes = ["online_kg", "market_reach"]', 'outcomes = ["online_kg", "newcomer_sales_ratio"]')
    plan = load_experiment(write(tmp_path, text.split("[conclusions.flips]")[0]), replicates=1)
    run_experiment(plan, tmp_path / "out", workers=1, model="exphelpers:planted_driver", progress=False)
    ratio = load_results(tmp_path / "out").groupby("arm").newcomer_sales_ratio
    assert ratio.apply(lambda s: s.isna().all())["control"] and (ratio.min()["treated"] == 1.0)


def test_a_folder_of_another_experiment_is_refused(tmp_path: Path) -> None:
    """The analysis of one experiment does not overwrite another's."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "drivers.json").write_text(json.dumps({"experiment": "trust"}))
    with pytest.raises(ScenarioError, match="holds the drivers analysis of 'trust', not 'toy'"):
        run_drivers(load_experiment(write(tmp_path, TOY)), tmp_path / "out", TOY_SIZE, TOY_RUNNER)


def test_quick_drivers_of_the_trust_suite_end_to_end(tmp_path: Path) -> None:
    """`ruralsim drivers trust --quick` on a tiny world writes the report of every conclusion.

    It has a summary row, a section with its sign and a figure per conclusion, the method, and a cost that adds
    up its stages' runs.
    """
    out = tmp_path / "drivers"
    result = CliRunner().invoke(app, ["drivers", "trust", "--quick", "--farmers", "500", "--months", "24",
                                      "--workers", "1", "--levels", "3", "--bisections", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = (out / "report.md").read_text()
    plan = load_experiment("trust")
    names = list(plan.experiment.conclusions)
    summary = report.split("## Summary")[1].split("\n## ")[0]
    assert len([line for line in summary.splitlines() if line.startswith("| ") and "`" in line]) == len(names)
    for name in names:
        assert f"(`{name}`)\n\n" in report and "**Sign:**" in report.split(f"(`{name}`)\n\n")[1].split("\n## ")[0]
    for png in re.findall(r"\]\((drivers_\w+\.png)\)", report):
        assert (out / png).stat().st_size > 10_000
    cost = json.loads((out / "cost.json").read_text())
    runs = sum(int(stage["runs"]) for stage in cost.values())
    screened = set(GROUPS) - {"scale", "policy", "shock"}
    # 5 arms x 1 seed; 2 trajectories x (groups + 1) points x 5 arms
    assert f"{runs:,} runs (default 5, screening {2 * (len(screened) + 1) * 5}" in report
    assert "## Method" in report and f"{QUICK.replicates} paired seed(s)" in report
    ranked = pd.read_csv(out / "drivers.csv")
    assert set(ranked[ranked.stage == "screening"].group) == screened


def test_the_documents_quote_what_each_conclusion_rests_on(tmp_path: Path) -> None:
    """A suite's report, the README's summary and the ODD's decisive parameters come from its conclusions.csv."""
    folder = tmp_path / "drivers" / "toy"
    folder.mkdir(parents=True)
    pd.DataFrame([
        {"conclusion": "flips", "label": "the toy's flip", "effect": -0.5, "ci_low": -0.7, "ci_high": -0.3, "seeds": 2,
         "top_drivers": f"{PLANTED_DRIVER} (0.9), trust_weight (0.1)", "rests_on": "depends",
         "threshold_parameter": PLANTED_DRIVER, "threshold": 0.25,
         "verdict": f"depends on {PLANTED_DRIVER}: flips when {PLANTED_DRIVER} > 0.25 (negative below, positive "
                    "above; bracket [0.2, 0.3], default 0.1), the other parameters at their defaults"},
        {"conclusion": "holds", "label": "the toy's rise", "effect": 1.0, "ci_low": 0.8, "ci_high": 1.2, "seeds": 2,
         "top_drivers": "trust_weight (2), diffusion (1)", "rests_on": "holds", "threshold_parameter": "",
         "threshold": float("nan"),
         "verdict": "holds across the plausible ranges screened"}]).to_csv(folder / "conclusions.csv", index=False)
    tables = rests_on.conclusions(tmp_path / "drivers")
    suite = rests_on.suite_block(tables, "toy")
    assert f"| the toy's flip | -0.5 [-0.7, -0.3] | {PLANTED_DRIVER} (0.9), trust_weight (0.1) | depends on " \
           f"{PLANTED_DRIVER}: flips when {PLANTED_DRIVER} > 0.25 |" in suite
    assert "| the toy's rise | 1 [0.8, 1.2] | trust_weight (2), diffusion (1) | holds across the ranges screened |" \
        in suite
    assert "| toy | the toy's rise |" in rests_on.summary_block(tables)
    decisive = rests_on.decisive_block(tables)
    assert f"| `{PLANTED_DRIVER}` | toy: flips | toy: flips flips when {PLANTED_DRIVER} > 0.25 |" in decisive
    assert "| `trust_weight` | toy: flips; toy: holds | - |" in decisive and "diffusion" not in decisive  # a group
    assert "No drivers analysis of this suite" in rests_on.suite_block(tables, "other")
