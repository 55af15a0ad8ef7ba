"""The model as an EMA Workbench ``Model`` or ``ReplicatorModel`` (optional extra: ``pip install ruralsim[ema]``).

Uncertainties and levers are declared parameters (their ranges or choices come from
``abm.core.params``); outcomes are declared outcomes (``abm.measure.outcomes``): a scalar outcome is the
outcome's value in the last month, a time-series outcome its whole monthly series (month 0
included). With ``replications`` the runs of an experiment use seeds 0, 1, ... and each outcome
is the mean over them, so an experiment's numbers are reproducible.

Example::

    from ema_workbench import perform_experiments
    from experiments.ema import ema_model
    model = ema_model(["commission", "logistics_base"], scalars=["adoption"], farmers=2000, months=24)
    experiments, outcomes = perform_experiments(model, scenarios=20)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
from ema_workbench import (BooleanParameter, CategoricalParameter, IntegerParameter, Model, RealParameter,
                           ReplicatorModel, ScalarOutcome, TimeSeriesOutcome)

from abm.core.params import declarations
from abm.io.scenario import ScenarioError, load_scenario
from abm.io.simulate import run
from abm.measure.outcomes import outcome

_KIND = {1: ScalarOutcome.MAXIMIZE, -1: ScalarOutcome.MINIMIZE, 0: ScalarOutcome.INFO}


def parameter(name: str, lo: float | None = None, hi: float | None = None):
    """The EMA parameter of a declared model parameter: its declared range (or ``lo``-``hi``) or its choices."""
    known = {d["name"]: d for d in declarations()}
    if name not in known:
        raise ScenarioError(f"EMA parameter {name!r}: not a declared parameter (see `ruralsim params`)")
    d = known[name]
    if d["type"] == "choice":
        return CategoricalParameter(name, list(d["choices"]))
    if d["type"] == "bool":
        return BooleanParameter(name)
    lo, hi = d["min"] if lo is None else lo, d["max"] if hi is None else hi
    if lo is None or hi is None:
        raise ScenarioError(f"EMA parameter {name!r}: no declared range; give lo and hi")
    return IntegerParameter(name, int(lo), int(hi)) if d["type"] == "int" else RealParameter(name, lo, hi)


def simulate(scenario: str | None, months: int | None, fixed: dict[str, Any], scalars: Sequence[str],
             series: Sequence[str], seed: int | None = None, **values: Any) -> dict[str, Any]:
    """One run at the sampled ``values``: the last month's value of each scalar, the whole series of each other."""
    sc = load_scenario(scenario).with_overrides(fixed | values)
    result = run(sc, seed=seed, months=months)
    table = result.series
    return ({name: float(table[name].iloc[-1]) for name in scalars}
            | {name: table[name].to_numpy(dtype=float) for name in series})


def ema_model(uncertainties: Sequence[str], levers: Sequence[str] = (), scalars: Sequence[str] = ("income_mean",),
              series: Sequence[str] = (), scenario: str | None = None, months: int | None = None,
              farmers: int | None = None, replications: int | None = None, name: str = "ruralsim",
              ranges: dict[str, tuple[float, float]] | None = None) -> Model | ReplicatorModel:
    """An EMA Workbench model of a scenario: declared parameters as uncertainties and levers, declared outcomes.

    Args:
        uncertainties: Parameter names sampled as uncertainties.
        levers: Parameter names sampled as policy levers.
        scalars: Outcome names kept as the last month's value (direction from the registry).
        series: Outcome names kept as the monthly time series.
        scenario: Packaged scenario name or file (default: ``default``).
        months: Months per run (default: the scenario's).
        farmers: Households (default: the scenario's).
        replications: Seeds 0..replications-1 per experiment, outcomes averaged (a ``ReplicatorModel``).
        name: The model's name in the results.
        ranges: ``lo, hi`` replacing a parameter's declared range.
    """
    for o in (*scalars, *series):
        try:
            outcome(o)
        except KeyError as e:
            raise ScenarioError(f"EMA outcome: {e.args[0]}") from None
    fixed = {} if farmers is None else {"farmers": farmers}
    function = partial(simulate, scenario, months, fixed, tuple(scalars), tuple(series))
    model = ReplicatorModel(name, function=function) if replications else Model(name, function=function)
    ranges = ranges or {}
    model.uncertainties = [parameter(p, *ranges.get(p, (None, None))) for p in uncertainties]
    model.levers = [parameter(p, *ranges.get(p, (None, None))) for p in levers]
    mean = partial(np.mean, axis=0) if replications else None
    model.outcomes = ([ScalarOutcome(o, kind=_KIND[outcome(o).direction], function=mean) for o in scalars]
                      + [TimeSeriesOutcome(o, function=mean) for o in series])
    if replications:
        model.replications = [{"seed": seed} for seed in range(replications)]
    return model
