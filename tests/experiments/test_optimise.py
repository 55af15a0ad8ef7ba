"""Policy design: NSGA-II through the runner's plumbing finds ZDT1's front, respects the budget, resumes,
and faces conditions drawn from the calibration posterior."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exphelpers import ROOT, ZDT1_LEVERS, write
from hypothesis import given
from hypothesis import strategies as st

from abm.io.dictionary import read_dictionary
from abm.io.scenario import ScenarioError
from experiments.policy.conditions import with_posterior
from experiments.policy.optimise import Evaluator, optimise, split_budget
from experiments.policy.problem import INSTRUMENTS, load_problem, parse_problem
from experiments.policy.report import intervals
from experiments.posterior import posterior_members

#: the stand-in model's two objectives, both minimised
OBJECTIVES = '''
[[objectives]]
outcome = "f1"
direction = "min"
[[objectives]]
outcome = "f2"
direction = "min"
'''

ZDT1 = """
name = "zdt1"
months = 1
replicates = 1
[levers.trained_share]
range = [0.0, 1.0]
[levers.coop_membership]
range = [0.0, 1.0]
[levers.station_west]
range = [0.0, 1.0]
{objectives}[search]
population = 16
generations = {generations}
seed = 3
"""

#: a stand-in model's budget problem: seven shares, plus a categorical lever
BUDGET = """
name = "budget"
months = 1
replicates = 2
parameters = {{ farmers = 1000 }}
[budget]
total = 123457.9
spend = "up_to"
[levers.trust_mechanism]
values = ["reputation", "dual"]
{objectives}[uncertain]
conditions = 2
ranges = {{ urban_budget = [80.0, 160.0] }}
[robustness]
measure = "regret"
[search]
population = 8
generations = 3
"""

#: uncertain conditions for ZDT1: declared ranges that --posterior turns into posterior members, a worse quartile
UNCERTAIN = """[uncertain]
conditions = 5
ranges = { urban_budget = [80.0, 160.0] }
[robustness]
measure = "percentile"
percentile = 25
"""


def _zdt1(tmp_path: Path, generations: int, out: Path):
    problem, _ = load_problem(write(tmp_path, ZDT1.format(generations=generations, objectives=OBJECTIVES), "zdt1.toml"), check_outcomes=False)
    return optimise(problem, out, workers=1, model="exphelpers:zdt1", progress=False)


def test_nsga2_through_the_runner_finds_the_zdt1_front(tmp_path: Path) -> None:
    """ZDT1's Pareto front is f2 = 1 - sqrt(f1): the returned set lies near it, spans it, and hypervolume grows."""
    result = _zdt1(tmp_path, 25, tmp_path / "out")
    front = result.candidates[result.candidates.pareto]
    distance = front.f2 - (1.0 - np.sqrt(front.f1))
    assert len(front) >= 10
    assert distance.min() >= -1e-9  # nothing beats the true front
    assert distance.median() < 0.05 and distance.max() < 0.3
    assert front.f1.min() < 0.1 and front.f1.max() > 0.8
    hv = result.convergence.hypervolume
    assert hv.iloc[-1] > hv.iloc[0] + 0.2 and hv.iloc[-1] >= 0.99 * hv.max()  # crowding may trim a little
    assert result.runs == len(result.candidates) == 400  # every candidate one run: duplicates are not re-run


def test_search_stops_once_hypervolume_is_flat_and_resumes_to_the_same_stop(tmp_path: Path) -> None:
    """With a convergence rule, NSGA-II stops well before its limit, at a flat window; a rerun redoes nothing."""
    text = ZDT1.format(generations=200, objectives=OBJECTIVES) + "converge = { generations = 3, tolerance = 0.01 }\n"
    problem, _ = load_problem(write(tmp_path, text, "zdt1.toml"), check_outcomes=False)
    result = optimise(problem, tmp_path / "out", workers=1, model="exphelpers:zdt1", progress=False)
    hv = result.convergence.hypervolume
    assert result.converged and 4 <= len(hv) < 200
    assert hv.iloc[-1] - hv.iloc[-4] <= 0.01 * hv.iloc[-1]  # flat over the last 3 generations
    assert hv.iloc[-1] > hv.iloc[0]
    again = optimise(problem, tmp_path / "out", workers=1, model="exphelpers:zdt1", progress=False)
    assert again.executed == 0 and again.converged
    pd.testing.assert_frame_equal(again.convergence, result.convergence)
    limited = ZDT1.format(generations=2, objectives=OBJECTIVES) + "converge = { generations = 3 }\n"
    short, _ = load_problem(write(tmp_path, limited, "short.toml"), check_outcomes=False)
    stopped = optimise(short, tmp_path / "short", workers=1, model="exphelpers:zdt1", progress=False)
    assert stopped.converged is False and len(stopped.convergence) == 2  # the limit came first


def test_interrupted_optimisation_resumes_without_redoing_runs(tmp_path: Path) -> None:
    """Stopped after 2 generations and started again for 4, it re-runs nothing, and ends as a 4-generation run did."""
    out = tmp_path / "out"
    first = _zdt1(tmp_path, 2, out)
    assert first.executed == 32
    lost = sorted((out / "runs").glob("*.parquet"))[:5]  # a kill mid-generation: some runs never written
    for path in lost:
        path.unlink()
    resumed = _zdt1(tmp_path, 4, out)
    assert resumed.executed == 32 + 5
    straight = _zdt1(tmp_path, 4, tmp_path / "fresh")
    pd.testing.assert_frame_equal(resumed.candidates, straight.candidates)
    again = _zdt1(tmp_path, 4, out)
    assert again.executed == 0


@given(st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7), st.floats(0.0, 1.0),
       st.floats(1.0, 1e9, allow_nan=False))
def test_split_budget_never_exceeds_the_total(shares: list[float], spent: float, total: float) -> None:
    """Whole-yuan budgets from any shares sum to at most the share spent of the total."""
    budgets = split_budget(total, shares, spent)
    assert sum(budgets) <= total * spent + 1e-6 and min(budgets) >= 0


def test_no_returned_solution_exceeds_the_budget(tmp_path: Path) -> None:
    """Every evaluated candidate (and the exported scenario files) spends at most the total, under regret."""
    path = write(tmp_path, BUDGET.format(objectives=OBJECTIVES), "budget.toml")
    problem, _ = load_problem(path, check_outcomes=False)
    result = optimise(problem, tmp_path / "out", workers=1, model="exphelpers:zdt1", progress=False)
    spent = result.candidates[list(INSTRUMENTS)].sum(axis=1)
    assert (spent <= 123457.9).all() and spent.max() > 0
    assert set(result.candidates.trust_mechanism) <= {"reputation", "dual"}
    assert result.evaluations.groupby("candidate").size().eq(4).all()  # 2 conditions x 2 paired seeds
    assert (result.candidates.loc[result.candidates.pareto, ["f1", "f2"]] >= 0).all().all()  # regrets
    for table in ("evaluations", "candidates"):  # each column says what it is
        _, columns, _ = read_dictionary(tmp_path / "out" / f"{table}.parquet")
        assert [c for c, doc in columns.items() if doc["meaning"] == "(undeclared)"] == [], table


@pytest.fixture()
def posterior_file(tmp_path: Path) -> Path:
    """Four equally weighted posterior sets; their urban_budget lies outside the problem's range on purpose."""
    frame = pd.DataFrame({"row": range(4), "imitation_rate": [0.1, 0.2, 0.3, 0.4], "urban_budget": 190.0,
                          "coop_membership": 0.9, "weight": 0.25})
    frame.to_parquet(tmp_path / "posterior.parquet")
    return tmp_path / "posterior.parquet"


def _uncertain_zdt1(tmp_path: Path):
    """ZDT1 with two paired seeds over the conditions of --posterior 3 (its ranges kept)."""
    text = ZDT1.format(generations=2, objectives=OBJECTIVES + UNCERTAIN).replace("replicates = 1", "replicates = 2")
    return with_posterior(load_problem(write(tmp_path, text, "u.toml"), check_outcomes=False)[0], 3)


def test_posterior_members_are_the_conditions_paired_by_member_and_seed(tmp_path: Path, posterior_file: Path) -> None:
    """--posterior 3: each condition is a member (ranges and levers win over its values), seeds paired."""
    problem = _uncertain_zdt1(tmp_path)
    assert (problem.uncertain.conditions, problem.uncertain.posterior) == (3, 3)
    members = posterior_members(3, posterior_file)
    evaluator = Evaluator(problem, tmp_path / "out", progress=False, posterior_file=posterior_file)
    jobs = evaluator.jobs({"trained_share": 0.5, "coop_membership": 0.1, "station_west": 0.0}, 0)
    assert len(jobs) == 6
    for k, _, job in jobs:
        p = job.scenario.parameters
        assert p.imitation_rate == members.imitation_rate[k]  # the member's value
        assert 80.0 <= p.urban_budget <= 160.0 and p.urban_budget == evaluator.conditions.urban_budget[k]
        assert p.coop_membership == 0.1  # the candidate's lever, not the member's value
    assert [j.seed for k, _, j in jobs if k == 0] == [j.seed for k, _, j in jobs if k == 2]


def test_robustness_is_measured_over_posterior_members(tmp_path: Path, posterior_file: Path) -> None:
    """f2 shifted by the member's imitation_rate: its robust value is ZDT1's plus the members' worse quartile."""
    problem = _uncertain_zdt1(tmp_path)
    out = tmp_path / "out"
    result = optimise(problem, out, workers=1, model="exphelpers:zdt1_shifted", progress=False,
                      posterior_file=posterior_file)
    assert result.evaluations.groupby("candidate").size().eq(6).all()  # 3 members x 2 paired seeds
    x = result.candidates[list(ZDT1_LEVERS)].to_numpy()
    g = 1.0 + 9.0 * x[:, 1:].mean(axis=1)
    shift = result.candidates.f2 - g * (1.0 - np.sqrt(x[:, 0] / g))
    members = posterior_members(3, posterior_file)
    assert np.allclose(shift, np.percentile(members.imitation_rate, 75))
    assert {"imitation_rate", "urban_budget", "trained_share"} <= set(
        pd.read_json(out / "manifest.json", typ="series")["features"])
    stats = intervals(problem, result.evaluations)
    width = (stats.ci_high - stats.ci_low).unstack("objective")
    assert (width.f1 == 0).all() and (width.f2 > 0).all()  # members differ in f2 only, seeds in neither


def test_problem_file_errors_name_field_value_and_allowed(tmp_path: Path) -> None:
    """Unknown levers and outcomes, bad ranges, budget levers twice: one clear line each."""
    base = {"objectives": [{"outcome": "income_mean", "direction": "max"}]}
    cases = [
        (base | {"levers": {"fund_rat": {"range": [0, 0.1]}}}, "did you mean fund_rate"),
        (base | {"levers": {"fund_rate": {"range": [0, 0.9]}}}, "allowed: within [0.0, 0.2]"),
        (base | {"levers": {"pairing": {"values": [True, False]}}, "objectives": [{"outcome": "incme_mean"}]},
         "did you mean income_mean"),
        (base | {"budget": {"total": 1e6, "instruments": ["budget_gold"]}}, "unknown instrument 'budget_gold'"),
        (base | {"budget": {"total": 1e6}, "levers": {"budget_brand": {"range": [0, 1]}}}, "is set by [budget]"),
        (base | {"levers": {"trust_mechanism": {"values": ["reputation", "magic"]}}}, "allowed: acquaintance"),
        (base | {"budget": {"total": 1e6}, "robustness": {"measure": "median"}}, "robustness.measure = 'median'"),
        (base | {"budget": {"total": 1e6}, "searchh": {}}, "searchh: unknown key"),
        (base | {"search": {"converge": {"window": 3}}}, "allowed: generations, tolerance"),
        (base | {"search": {"converge": {"tolerance": -0.1}}}, "tolerance"),
        (base | {"budget": {"total": 1e6}, "uncertain": {"seed": 3}}, "nothing uncertain"),
        (base | {"budget": {"total": 1e6}, "uncertain": {"posterior": 3, "conditions": 2}},
         "conditions = 2 with posterior = 3: allowed: the same number"),
    ]
    from experiments.policy.problem import known_outcomes

    for data, message in cases:
        with pytest.raises(ScenarioError, match="invalid problem") as err:
            parse_problem(data, "p.toml", known_outcomes())
        assert message in str(err.value), (message, str(err.value))


@pytest.mark.parametrize("name", ["subsidy_mix", "eastwest"])
def test_example_problems_run_quick_and_export_loadable_scenarios(tmp_path: Path, name: str) -> None:
    """Both examples run at --quick size on the model (over one posterior member) and their solutions load as scenarios."""
    import subprocess
    import sys

    from abm.io.scenario import load_scenario

    out = tmp_path / name
    command = [sys.executable, "-m", "experiments.cli.app", "optimise", str(ROOT / "experiments/problems" / f"{name}.toml"),
               "--quick", "--workers", "1", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "report.md").is_file() and (out / "tradeoff.png").is_file()
    evaluations = pd.read_parquet(out / "evaluations.parquet")
    assert evaluations.member.eq(0).all() and evaluations.urban_budget.nunique() == 1  # [quick]: one posterior member
    compromise = load_scenario(out / "solutions" / "compromise.toml")
    assert compromise.parameters.farmers == 500
    if name == "subsidy_mix":
        assert sum(getattr(compromise.parameters, b) for b in INSTRUMENTS) <= 3e6 * 500 / 3000 + 1e-6


def test_a_folder_of_another_problem_is_refused(tmp_path: Path) -> None:
    """--out holding another problem's optimisation: a clear error, and its results left as they were."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"problem": {"name": "subsidy_mix"}}')
    problem, _ = load_problem(write(tmp_path, ZDT1.format(generations=1, objectives=OBJECTIVES), "zdt1.toml"),
                              check_outcomes=False)
    with pytest.raises(ScenarioError, match="holds the optimisation of problem 'subsidy_mix', not 'zdt1'"):
        optimise(problem, out, workers=1, model="exphelpers:zdt1", progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


def test_every_run_file_names_its_candidate_condition_and_seed(tmp_path: Path) -> None:
    """An optimisation's run files carry candidate, condition, replicate, seed and lever values, all alike."""
    path = write(tmp_path, BUDGET.format(objectives=OBJECTIVES), "budget.toml")
    problem, _ = load_problem(path, check_outcomes=False)
    result = optimise(problem, tmp_path / "out", workers=1, model="exphelpers:zdt1", progress=False)
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    assert {"run_id", "candidate", "condition", "replicate", "seed", "budget_cold_chain"} <= set(runs.columns)
    expected = result.evaluations.groupby("run_id")[["seed", "condition", "replicate"]].first()
    got = runs.drop_duplicates("run_id").set_index("run_id").loc[expected.index, ["seed", "condition", "replicate"]]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
