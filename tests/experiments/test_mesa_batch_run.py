"""The model also runs under Mesa's batch_run, with the same results as the runner's model function."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from abm.core.params import Parameters
from abm.io.scenario import Scenario, ScenarioError
from abm.io.simulate import run
from abm.model import RuralEconomy
from experiments.batch import mesa_batch_run


def test_batch_run_matches_simulate_run() -> None:
    """mesa.batch_run reproduces abm.io.simulate.run for the same parameters and seed."""
    table = mesa_batch_run({"farmers": 500, "commission": [0.03, 0.12]}, seeds=[1, 2], months=6)
    assert len(table) == 4 and set(table.commission) == {0.03, 0.12} and set(table.seed) == {1, 2}
    row = table[(table.commission == 0.12) & (table.seed == 2)].iloc[0]
    series = run(Scenario(parameters=Parameters(farmers=500, commission=0.12)), seed=2, months=6).series
    assert row.income_mean == pytest.approx(series.income_mean.iloc[-1], rel=1e-12)
    assert row.adoption == pytest.approx(series.adoption.iloc[-1], rel=1e-12)


def test_rng_is_mesa_3s_name_for_the_seed() -> None:
    """``RuralEconomy(rng=7)`` is ``RuralEconomy(seed=7)`` month for month; giving both is refused."""
    by_rng, by_seed = RuralEconomy(rng=7, farmers=500), RuralEconomy(seed=7, farmers=500)
    for _ in range(3):
        by_rng.step()
        by_seed.step()
    assert by_rng.datacollector.get_model_vars_dataframe().equals(by_seed.datacollector.get_model_vars_dataframe())
    other = run(Scenario(parameters=Parameters(farmers=500)), seed=8, months=3).series
    assert by_rng.datacollector.get_model_vars_dataframe().adoption.tolist() != other.adoption.tolist()
    with pytest.raises(ScenarioError, match="give one"):
        RuralEconomy(seed=7, rng=7, farmers=500)


def test_batch_run_takes_numpy_seeds_and_values(tmp_path) -> None:
    """``batch_run(parameters={...: np.arange(...)}, rng=np.arange(2))`` runs, and each run is ``run``'s."""
    records = pd.DataFrame(mesa.batch_run(
        RuralEconomy, parameters={"farmers": 500, "households_per_village": np.arange(40, 60, 10)},
        rng=np.arange(2), max_steps=3, data_collection_period=-1, display_progress=False))
    assert len(records) == 4 and set(records.seed) == {0, 1} and set(records.households_per_village) == {40, 50}
    row = records[(records.seed == 1) & (records.households_per_village == 50)].iloc[0]
    series = run(Scenario(parameters=Parameters(farmers=500, households_per_village=50)), seed=1, months=3).series
    assert row.income_mean == series.income_mean.iloc[-1] and row.adoption == series.adoption.iloc[-1]


def test_batch_run_returns_the_household_panel() -> None:
    """With ``panel="yearly"`` each run's record carries the panel's rows, as ``run(panel="yearly")`` has them."""
    records = mesa.batch_run(RuralEconomy, parameters={"farmers": 500, "panel": "yearly"}, rng=[3],
                             max_steps=24, data_collection_period=1, display_progress=False)
    panel = pd.concat([r["households"] for r in records if r["households"] is not None], ignore_index=True)
    assert sorted({r["Step"] for r in records if r["households"] is not None}) == [12, 24]
    expected = run(Scenario(parameters=Parameters(farmers=500)), seed=3, months=24, panel="yearly").households
    pd.testing.assert_frame_equal(panel, expected)


def test_the_panel_option_leaves_the_results_alone() -> None:
    """A model keeping its household panel reports the same outcomes; the panel has every household per year end."""
    plain, kept = RuralEconomy(seed=5, farmers=500), RuralEconomy(seed=5, farmers=500, panel_months=[0, 6, 12])
    for _ in range(12):
        plain.step()
        kept.step()
    outcomes = kept.datacollector.get_model_vars_dataframe().drop(columns="households")
    assert outcomes.equals(plain.datacollector.get_model_vars_dataframe())
    frame = kept.household_panel.household_frame()
    assert sorted(set(frame.month)) == [0, 6, 12] and len(frame) == 3 * kept.farmers.n
    with pytest.raises(ScenarioError, match="panel = 'weekly'"):
        RuralEconomy(panel="weekly")
