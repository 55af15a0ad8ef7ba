"""The model as an EMA Workbench ``Model`` or ``ReplicatorModel``, checked when it is built.

Uncertainties and levers are declared parameters (their ranges or choices come from
``abm.core.params``; ``ranges`` narrows them, within the declared ones); outcomes are declared outcomes
(``abm.measure.outcomes``), checked by name and table before any run:

- ``scalars``: one number per run, by a statistic of the monthly series: ``final`` (the last
  month), ``last_year_sum`` or ``last_year_mean`` (the last 12 months). By default it follows the
  declaration: a monthly flow is summed over the last year, anything else (stocks, rates, indices,
  counts, yearly figures and running totals) is its final level. ``scalars={"fresh_loss":
  "last_year_mean"}`` chooses.
- ``series``: the whole monthly series (month 0 included), a ``TimeSeriesOutcome``.
- ``regional``: a month x region array (west, centre, east), an ``ArrayOutcome`` named
  ``<outcome>_by_region``.

Seeds are the experiment runner's: replicate ``k`` runs with seed ``k`` of
``SeedSequence(root_seed)`` (:func:`experiments.design.replicate_seeds`), so an EMA run pairs with
``ruralsim experiment``'s replicate ``k`` of the same root seed (12345 by default). A plain ``Model``
runs replicate 0's seed; a ``seed`` uncertainty, lever or ``Constant`` replaces it. With
``replications`` the model is a ``ReplicatorModel`` over the first ``replications`` seeds: each
outcome is the mean over them, or with ``keep_replications=True`` an ``ArrayOutcome``
``<outcome>_by_replication`` with one entry per replication (what ``ema_workbench.process_replications``
expects; EMA allows one outcome class per name in a session, hence the suffix). ``Constant``s may set
``months``, ``farmers`` or any parameter.

Example::

    from ema_workbench import perform_experiments
    from experiments.ema import ema_model
    model = ema_model(["commission", "logistics_base"], scalars=["adoption"], farmers=2000, months=24)
    experiments, outcomes = perform_experiments(model, scenarios=20)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd
from ema_workbench import (
    ArrayOutcome,
    BooleanParameter,
    CategoricalParameter,
    IntegerParameter,
    Model,
    RealParameter,
    ReplicatorModel,
    ScalarOutcome,
    TimeSeriesOutcome,
)

from abm.core.params import REGIONS, declarations
from abm.io.scenario import ScenarioError, load_scenario
from abm.io.simulate import run
from abm.measure.outcomes import outcome
from experiments.design import replicate_seeds
from experiments.experiment import DEFAULT_ROOT_SEED

Statistic = Literal["final", "last_year_sum", "last_year_mean"]
STATISTICS: tuple[str, ...] = ("final", "last_year_sum", "last_year_mean")
_KIND = {1: ScalarOutcome.MAXIMIZE, -1: ScalarOutcome.MINIMIZE, 0: ScalarOutcome.INFO}
#: suffix of a regional outcome's name (its month x region array)
BY_REGION = "_by_region"
#: suffix of a kept outcome's name (one entry per replication): EMA registers each outcome name with one class
BY_REPLICATION = "_by_replication"


def default_statistic(name: str) -> Statistic:
    """The statistic a scalar takes by its declaration: a monthly flow sums over the last year, the rest is final."""
    declared = outcome(name)
    return "last_year_sum" if declared.kind == "flow" and declared.period == "month" else "final"


def statistic_of(values: pd.Series, months: pd.Series, statistic: Statistic) -> float:
    """One number from a monthly series: its final value, or the sum or mean of its last 12 months (NaN left out)."""
    if statistic == "final":
        return float(values.iloc[-1])
    last_year = values[months > max(0, int(months.iloc[-1]) - 12)]
    return float(last_year.sum() if statistic == "last_year_sum" else last_year.mean())


@dataclass(frozen=True)
class RunFunction:
    """The function EMA calls once per experiment and replication (picklable for ``MultiprocessingEvaluator``).

    Keyword arguments are the sampled uncertainties and levers, EMA's constants and the
    replication's ``seed``: ``seed`` and ``months`` set the run, every other name is a parameter.
    """

    scenario: str | None
    months: int | None
    fixed: dict[str, Any]
    scalars: dict[str, Statistic]
    series: tuple[str, ...]
    regional: tuple[str, ...]
    seed: int

    def __call__(self, seed: int | None = None, months: int | None = None, **values: Any) -> dict[str, Any]:
        """One run at the sampled values: every declared outcome asked for."""
        sc = load_scenario(self.scenario).with_overrides(self.fixed | values)
        result = run(sc, seed=self.seed if seed is None else seed, months=months or self.months)
        table = result.series
        out: dict[str, Any] = {name: statistic_of(table[name], table.month, statistic)
                               for name, statistic in self.scalars.items()}
        out |= {name: table[name].to_numpy(dtype=float) for name in self.series}
        for name in self.regional:
            wide = result.regions.pivot(index="month", columns="region", values=name)
            out[name + BY_REGION] = wide[list(REGIONS)].to_numpy(dtype=float)
        return out


def parameter(name: str, lo: float | None = None, hi: float | None = None):
    """The EMA parameter of a declared model parameter: its declared range (or ``lo``-``hi`` within it) or its choices.

    Raises:
        ScenarioError: For an undeclared name, a range on a choice, or a range outside the declared one.
    """
    known = {d["name"]: d for d in declarations()}
    if name not in known:
        raise ScenarioError(f"EMA parameter {name!r}: not a declared parameter (see `ruralsim params`)")
    d = known[name]
    if d["type"] in ("choice", "bool"):
        if lo is not None or hi is not None:
            raise ScenarioError(f"ranges[{name!r}] = ({lo}, {hi}): {name} is a {d['type']} parameter; allowed: "
                                "no range (its choices are sampled)")
        return CategoricalParameter(name, list(d["choices"])) if d["type"] == "choice" else BooleanParameter(name)
    lo, hi = d["min"] if lo is None else lo, d["max"] if hi is None else hi
    if not d["min"] <= lo < hi <= d["max"]:
        raise ScenarioError(f"ranges[{name!r}] = ({lo}, {hi}): not a range within the declared one; allowed: "
                            f"min < max within [{d['min']}, {d['max']}] {d['unit']}".rstrip())
    return IntegerParameter(name, int(lo), int(hi)) if d["type"] == "int" else RealParameter(name, lo, hi)


def _check_outcomes(scalars: Sequence[str], series: Sequence[str], regional: Sequence[str]) -> None:
    """Refuse an undeclared outcome or one not in the table asked for, before any run."""
    for name, where in [*((n, "scalars") for n in scalars), *((n, "series") for n in series),
                        *((n, "regional") for n in regional)]:
        try:
            declared = outcome(name)
        except KeyError as err:
            raise ScenarioError(f"EMA {where}: {err.args[0]}") from None
        if where != "regional" and not declared.series:
            raise ScenarioError(f"EMA {where}: {name!r} is in the regional table only; allowed: a series outcome, "
                                f"or regional=[{name!r}] for its month x region array")
        if where == "regional" and not declared.regional:
            raise ScenarioError(f"EMA regional: {name!r} has no regional values; allowed: an outcome of "
                                "regions.parquet (see `ruralsim outcomes`)")


def _check_distinct(scalars: Sequence[str], series: Sequence[str]) -> None:
    """Refuse an outcome asked for twice: EMA names each outcome once (``<name>_by_region`` is its own)."""
    both = [name for name in scalars if name in series]
    if both or len(set(scalars)) < len(scalars) or len(set(series)) < len(series):
        twice = ", ".join(both) or "a name given twice"
        raise ScenarioError(f"EMA outcomes: {twice} asked for as a scalar and a series, or twice; allowed: each "
                            "outcome once (EMA names an outcome by its name)")


def _statistics(scalars: Sequence[str] | Mapping[str, str | None]) -> dict[str, Statistic]:
    """Each scalar's statistic: the one given, else its declaration's (:func:`default_statistic`).

    Raises:
        ScenarioError: For an unknown statistic.
    """
    given = dict(scalars) if isinstance(scalars, Mapping) else dict.fromkeys(scalars)
    for name, statistic in given.items():
        if statistic is not None and statistic not in STATISTICS:
            raise ScenarioError(f"EMA scalars[{name!r}] = {statistic!r}: unknown statistic; allowed: "
                                f"{', '.join(STATISTICS)}")
    return {name: statistic or default_statistic(name) for name, statistic in given.items()}


def _outcomes(scalars: Mapping[str, str], series: Sequence[str], regional: Sequence[str], replicated: bool,
              keep: bool) -> list:
    """EMA's outcome objects: scalars with their direction, series and month x region arrays.

    Over replications each is the mean (``replicated``), or with ``keep`` an array with one entry per replication,
    named ``<name>_by_replication`` (EMA allows one outcome class per name in a session, so a kept scalar
    cannot share its name with the averaged one).
    """
    if keep:
        return [ArrayOutcome(name + BY_REPLICATION, variable_name=name)
                for name in [*scalars, *series, *(r + BY_REGION for r in regional)]]
    mean = partial(np.mean, axis=0) if replicated else None
    return ([ScalarOutcome(o, kind=_KIND[outcome(o).direction], function=mean) for o in scalars]
            + [TimeSeriesOutcome(o, function=mean) for o in series]
            + [ArrayOutcome(o + BY_REGION, function=mean) for o in regional])


def ema_model(uncertainties: Sequence[str], levers: Sequence[str] = (),
              scalars: Sequence[str] | Mapping[str, str] = ("income_mean",), series: Sequence[str] = (),
              regional: Sequence[str] = (), scenario: str | None = None, months: int | None = None,
              farmers: int | None = None, replications: int | None = None, keep_replications: bool = False,
              root_seed: int = DEFAULT_ROOT_SEED, name: str = "ruralsim",
              ranges: dict[str, tuple[float, float]] | None = None) -> Model | ReplicatorModel:
    """An EMA Workbench model of a scenario: declared parameters as uncertainties and levers, declared outcomes.

    Args:
        uncertainties: Parameter names sampled as uncertainties.
        levers: Parameter names sampled as policy levers.
        scalars: Outcome names kept as one number (statistic by declaration), or ``{name: statistic}``.
        series: Outcome names kept as the monthly time series.
        regional: Regional outcome names kept as a month x region array (``<name>_by_region``).
        scenario: Packaged scenario name or file (default: ``default``).
        months: Months per run (default: the scenario's; a ``Constant("months", n)`` also works).
        farmers: Households (default: the scenario's).
        replications: Runs per experiment on the runner's first ``replications`` seeds (a ``ReplicatorModel``).
        keep_replications: Keep each replication's outcome (for ``process_replications``) instead of the mean.
        root_seed: The runner's root seed the seeds come from (as an experiment file's ``root_seed``).
        name: The model's name in the results.
        ranges: ``lo, hi`` within a numeric parameter's declared range.

    Raises:
        ScenarioError: For an undeclared parameter or outcome, a region-only outcome as a scalar or series,
            an unknown statistic, a range outside the declared one, or ``keep_replications`` without
            ``replications``; all before any run.
    """
    _check_outcomes(list(scalars), series, regional)
    _check_distinct(list(scalars), series)
    chosen = _statistics(scalars)
    if keep_replications and not replications:
        raise ScenarioError("keep_replications = True: there are no replications to keep; allowed: with replications")
    ranges = ranges or {}
    unknown = set(ranges) - set(uncertainties) - set(levers)
    if unknown:
        raise ScenarioError(f"ranges: {', '.join(sorted(unknown))} neither an uncertainty nor a lever; allowed: "
                            "names given in uncertainties or levers")
    sampled = {p: parameter(p, *ranges.get(p, (None, None))) for p in (*uncertainties, *levers)}
    seeds = replicate_seeds(root_seed, replications or 1)
    function = RunFunction(scenario, months, {} if farmers is None else {"farmers": farmers}, chosen, tuple(series),
                           tuple(regional), seeds[0])
    model = ReplicatorModel(name, function=function) if replications else Model(name, function=function)
    model.uncertainties = [sampled[p] for p in uncertainties]
    model.levers = [sampled[p] for p in levers]
    model.outcomes = _outcomes(chosen, series, regional, bool(replications), keep_replications)
    if replications:
        model.replications = [{"seed": seed} for seed in seeds]
    return model
