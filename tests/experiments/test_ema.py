"""The EMA Workbench adapter, used as EMA's own documentation uses a model, on a tiny world.

``perform_experiments`` (sequential and ``MultiprocessingEvaluator``), ``prim``, ``feature_scoring``,
``process_replications`` and ``save_results`` / ``load_results``; seeds pair with the experiment
runner's replicates; outcomes and ranges are checked when the model is built.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ema_workbench import (
    CategoricalParameter,
    Constant,
    IntegerParameter,
    MultiprocessingEvaluator,
    RealParameter,
    load_results,
    perform_experiments,
    process_replications,
    save_results,
)
from ema_workbench.analysis import feature_scoring, prim

from abm.io.scenario import ScenarioError, load_scenario
from abm.io.simulate import run
from experiments.analysis import load_results as load_runner_results
from experiments.design import replicate_seeds
from experiments.ema import default_statistic, ema_model
from experiments.experiment import DEFAULT_ROOT_SEED, parse_experiment, plan_experiment
from experiments.runner import run_experiment

MONTHS = 6
TINY = {"farmers": 500}
SAMPLING = {"uncertainty_sampling_kwargs": {"rng": 7}, "lever_sampling_kwargs": {"rng": 8}}


def tiny_run(values: dict, seed: int, months: int = MONTHS):
    """The run ``ruralsim run`` makes at these parameter values on the tiny world."""
    return run(load_scenario().with_overrides(TINY | values), seed=seed, months=months)


@pytest.fixture(scope="module")
def sequential() -> tuple[pd.DataFrame, dict]:
    """Six sequential experiments of a plain model with a scalar of each statistic, a series and a regional array."""
    model = ema_model(["commission", "initial_online_east"], levers=["trust_mechanism"],
                      scalars={"adoption": None, "online_sales": None, "fresh_loss": "last_year_mean"},
                      series=["stability"], regional=["income_mean"], farmers=500, months=MONTHS)
    return perform_experiments(model, scenarios=6, policies=1, **SAMPLING)


def test_each_experiment_is_the_runners_replicate_zero(sequential) -> None:
    """A plain model runs each experiment with the runner's replicate-0 seed; statistics follow the declarations."""
    experiments, outcomes = sequential
    assert outcomes["adoption"].shape == (6,) and outcomes["stability"].shape == (6, MONTHS + 1)
    assert outcomes["income_mean_by_region"].shape == (6, MONTHS + 1, 3)
    first = experiments.iloc[2]
    values = {k: first[k] for k in ("commission", "initial_online_east", "trust_mechanism")}
    result = tiny_run(values, replicate_seeds(DEFAULT_ROOT_SEED, 1)[0])
    s = result.series
    assert outcomes["adoption"][2] == s.adoption.iloc[-1]
    assert outcomes["stability"][2].tolist() == s.stability.tolist()
    assert outcomes["online_sales"][2] == s.online_sales[s.month >= 1].sum()
    assert outcomes["fresh_loss"][2] == s.fresh_loss[s.month >= 1].mean()
    assert default_statistic("online_sales") == "last_year_sum" and default_statistic("adoption") == "final"
    wide = result.regions.pivot(index="month", columns="region", values="income_mean")[["west", "centre", "east"]]
    np.testing.assert_array_equal(outcomes["income_mean_by_region"][2], wide.to_numpy())


def test_last_year_sum_covers_the_last_twelve_months() -> None:
    """A monthly flow's scalar is its sum over the last 12 months (months 3-14 of 14), not the last month's value."""
    model = ema_model(["commission"], scalars=["online_sales"], farmers=500, months=14)
    experiments, outcomes = perform_experiments(model, scenarios=1, **SAMPLING)
    s = tiny_run({"commission": experiments.commission.iloc[0]}, replicate_seeds(DEFAULT_ROOT_SEED, 1)[0], 14).series
    assert outcomes["online_sales"][0] == s.online_sales[s.month >= 3].sum() != s.online_sales.iloc[-1]


def test_prim_feature_scoring_and_saved_results(sequential, tmp_path: Path) -> None:
    """PRIM finds a box, feature scoring ranks the inputs, and saved results load back equal."""
    experiments, outcomes = sequential
    high = outcomes["adoption"] > np.median(outcomes["adoption"])
    box = prim.Prim(experiments[["commission", "initial_online_east"]], high).find_box()
    assert box.peeling_trajectory["coverage"].iloc[0] == 1.0
    scores = feature_scoring.get_feature_scores_all(experiments[["commission", "initial_online_east"]],
                                                    {"adoption": outcomes["adoption"]})
    assert set(scores.index) == {"commission", "initial_online_east"} and np.isfinite(scores.to_numpy()).all()
    path = tmp_path / "ema.tar.gz"
    save_results(sequential, path)
    loaded_experiments, loaded = load_results(path)
    assert loaded_experiments.commission.tolist() == experiments.commission.tolist()
    for name, values in outcomes.items():
        np.testing.assert_allclose(loaded[name], values, rtol=1e-12, err_msg=name)


def test_multiprocessing_gives_the_sequential_numbers(sequential) -> None:
    """The same experiments on two worker processes give the same outcomes bit for bit."""
    model = ema_model(["commission", "initial_online_east"], levers=["trust_mechanism"],
                      scalars={"adoption": None, "online_sales": None, "fresh_loss": "last_year_mean"},
                      series=["stability"], regional=["income_mean"], farmers=500, months=MONTHS)
    with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=6, policies=1, **SAMPLING)
    expected_experiments, expected = sequential
    order = experiments.sort_values("scenario").index
    inputs = ["commission", "initial_online_east", "trust_mechanism"]
    assert experiments.loc[order, inputs].reset_index(drop=True).equals(expected_experiments[inputs])
    for name in expected:
        np.testing.assert_array_equal(outcomes[name][order], expected[name], err_msg=name)


def test_replications_pair_with_the_runners_replicates(tmp_path: Path) -> None:
    """Kept replications are ``ruralsim experiment``'s replicates k; process_replications averages them."""
    model = ema_model(["commission"], scalars=["adoption"], farmers=500, replications=2, keep_replications=True,
                      root_seed=99)
    model.constants = [Constant("months", MONTHS)]
    experiments, outcomes = perform_experiments(model, scenarios=2, **SAMPLING)
    assert outcomes["adoption_by_replication"].shape == (2, 2)
    commission = float(experiments.commission.iloc[1])
    data = {"name": "pairs", "months": MONTHS, "replicates": 2, "root_seed": 99, "parameters": TINY,
            "outcomes": ["adoption"], "arms": {"a": {"commission": commission}}}
    run_experiment(plan_experiment(parse_experiment(data, "pairs"), "pairs"), tmp_path, workers=1, progress=False)
    final = load_runner_results(tmp_path).query(f"month == {MONTHS}").sort_values("replicate")
    assert outcomes["adoption_by_replication"][1].tolist() == final.adoption.tolist()
    averaged = process_replications((experiments, outcomes))[1]
    assert averaged["adoption_by_replication"][1] == np.mean(outcomes["adoption_by_replication"][1])


def test_a_seed_uncertainty_and_constants_set_the_run() -> None:
    """``IntegerParameter("seed")`` (numpy ints from the sampler) and ``Constant("farmers")`` work as declared."""
    model = ema_model(["commission"], scalars=["adoption"], months=MONTHS)
    model.uncertainties = [*model.uncertainties, IntegerParameter("seed", 0, 10_000)]
    model.constants = [Constant("farmers", 500)]
    experiments, outcomes = perform_experiments(model, scenarios=2, **SAMPLING)
    row = experiments.iloc[0]
    assert outcomes["adoption"][0] == tiny_run({"commission": row.commission}, int(row.seed)).series.adoption.iloc[-1]


def test_mean_over_replications_by_default() -> None:
    """Without keep_replications each outcome is the mean over the replicate seeds."""
    model = ema_model(["commission"], scalars=["adoption"], series=["stability"], farmers=500, months=MONTHS,
                      replications=2)
    assert isinstance(model.uncertainties["commission"], RealParameter)
    experiments, outcomes = perform_experiments(model, scenarios=1, **SAMPLING)
    runs = [tiny_run({"commission": experiments.commission.iloc[0]}, s).series
            for s in replicate_seeds(DEFAULT_ROOT_SEED, 2)]
    assert outcomes["adoption"][0] == np.mean([r.adoption.iloc[-1] for r in runs])
    np.testing.assert_array_equal(outcomes["stability"][0], np.mean([r.stability for r in runs], axis=0))


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"scalars": ["adoptoin"]}, "did you mean adoption"),
    ({"scalars": ["bulk_raw_share"]}, "regional table only"),
    ({"series": ["bulk_raw_share"]}, "regional=['bulk_raw_share']"),
    ({"regional": ["gini"]}, "no regional values"),
    ({"scalars": {"adoption": "median"}}, "allowed: final, last_year_sum, last_year_mean"),
    ({"ranges": {"commission": (0.0, 0.9)}}, "within [0.0, 0.5]"),
    ({"ranges": {"logistics_base": (0.1, 0.5)}}, "neither an uncertainty nor a lever"),
    ({"levers": ["trust_mechanism"], "ranges": {"trust_mechanism": (0, 1)}}, "choice parameter"),
    ({"keep_replications": True}, "no replications to keep"),
    ({"scalars": ["adoption"], "series": ["adoption"]}, "scalar and a series"),
])
def test_mistakes_are_refused_when_the_model_is_built(kwargs, words) -> None:
    """Outcomes, statistics and ranges are checked by ema_model itself, before any experiment runs."""
    with pytest.raises(ScenarioError) as err:
        ema_model(["commission"], **kwargs)
    assert words in str(err.value)


def test_declared_parameters_become_ema_parameters() -> None:
    """Ranges and choices come from the declarations; an undeclared name points to `ruralsim params`."""
    model = ema_model(["commission", "households_per_village"], levers=["trust_mechanism"],
                      ranges={"commission": (0.02, 0.2)})
    assert isinstance(model.levers["trust_mechanism"], CategoricalParameter)
    assert (model.uncertainties["commission"].lower_bound, model.uncertainties["commission"].upper_bound) == (0.02, 0.2)
    assert isinstance(model.uncertainties["households_per_village"], IntegerParameter)
    with pytest.raises(ScenarioError, match="ruralsim params"):
        ema_model(["commision"])
