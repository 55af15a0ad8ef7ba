"""The model also runs under Mesa's batch_run, with the same results as the runner's model function."""

from __future__ import annotations

import pytest

from abm.core.params import Parameters
from abm.io.scenario import Scenario
from abm.io.simulate import run
from experiments.batch import mesa_batch_run


def test_batch_run_matches_simulate_run() -> None:
    """mesa.batch_run reproduces abm.io.simulate.run for the same parameters and seed."""
    table = mesa_batch_run({"farmers": 500, "commission": [0.03, 0.12]}, seeds=[1, 2], months=6)
    assert len(table) == 4 and set(table.commission) == {0.03, 0.12} and set(table.seed) == {1, 2}
    row = table[(table.commission == 0.12) & (table.seed == 2)].iloc[0]
    series = run(Scenario(parameters=Parameters(farmers=500, commission=0.12)), seed=2, months=6).series
    assert row.income_mean == pytest.approx(series.income_mean.iloc[-1], rel=1e-12)
    assert row.adoption == pytest.approx(series.adoption.iloc[-1], rel=1e-12)
