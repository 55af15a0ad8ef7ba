"""The EMA Workbench adapter: declared parameters in, registry outcomes out, on a tiny world."""

from __future__ import annotations

import numpy as np
import pytest
from ema_workbench import CategoricalParameter, RealParameter, perform_experiments
from ema_workbench.analysis import prim

from abm.io.scenario import ScenarioError, load_scenario
from abm.io.simulate import run
from experiments.ema import ema_model


def test_replicator_model_runs_experiments_whose_outcomes_prim_can_explain() -> None:
    """Sampled runs return scalar and series outcomes; each is the mean over the replicate seeds; PRIM finds a box."""
    model = ema_model(["commission", "initial_online_east"], levers=["trust_mechanism"], scalars=["adoption"],
                      series=["online_sales"], farmers=500, months=6, replications=2)
    assert isinstance(model.uncertainties["commission"], RealParameter)
    assert isinstance(model.levers["trust_mechanism"], CategoricalParameter)
    experiments, outcomes = perform_experiments(model, scenarios=8, policies=1)
    assert outcomes["adoption"].shape == (8,) and outcomes["online_sales"].shape == (8, 7)
    first = experiments.iloc[0]
    values = {"commission": first.commission, "initial_online_east": first.initial_online_east,
              "trust_mechanism": first.trust_mechanism, "farmers": 500}
    by_seed = [run(load_scenario().with_overrides(values), seed=s, months=6).series for s in (0, 1)]
    assert outcomes["adoption"][0] == pytest.approx(np.mean([s.adoption.iloc[-1] for s in by_seed]), rel=1e-12)
    assert np.allclose(outcomes["online_sales"][0], np.mean([s.online_sales for s in by_seed], axis=0))
    high = outcomes["adoption"] > np.median(outcomes["adoption"])
    box = prim.Prim(experiments[["commission", "initial_online_east"]], high).find_box()
    assert len(box.peeling_trajectory) >= 1 and box.peeling_trajectory["coverage"].iloc[0] == 1.0


def test_unknown_names_are_user_errors() -> None:
    """An undeclared outcome or parameter is refused with the name and where to look."""
    with pytest.raises(ScenarioError, match="adoptoin"):
        ema_model(["commission"], scalars=["adoptoin"])
    with pytest.raises(ScenarioError, match="ruralsim params"):
        ema_model(["commision"])
