"""Run one scenario headless and return its outputs as DataFrames (the function every runner calls)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from abm import __version__
from abm.core import crops
from abm.core.calendar import analysis_frame
from abm.core.checks import seed_value
from abm.core.digest import stack_versions
from abm.io import interrupts
from abm.io.scenario import Scenario
from abm.model import RuralEconomy
from abm.observe.network import network_tables
from abm.observe.panel import PanelRecorder, snapshot_months

NETWORK_KINDS = ("none", "yearly")


@dataclass
class RunResult:
    """Outputs of one run: monthly series, regional series, the two ledgers, a manifest, and the snapshots.

    ``households`` (the panel) is None when no month was chosen; the network tables and graphs
    are None unless asked for; ``villages`` has month 0 and every year end.
    """

    series: pd.DataFrame
    regions: pd.DataFrame
    ledger: pd.DataFrame
    goods: pd.DataFrame
    manifest: dict[str, Any]
    households: pd.DataFrame | None = None
    villages: pd.DataFrame | None = None
    network_nodes: pd.DataFrame | None = None
    network_edges: pd.DataFrame | None = None
    graphs: dict[int, nx.Graph] | None = None


def run(scenario: Scenario, seed: int | None = None, months: int | None = None, progress: bool = False,
        panel: str = "none", panel_months: Iterable[int] | None = None, network: str = "none") -> RunResult:
    """Simulate ``scenario`` for ``months`` (default: the scenario's) with ``seed`` (default: the scenario's).

    ``panel`` (yearly, monthly or none) or ``panel_months`` choose the household panel's months;
    ``network="yearly"`` keeps the actor-network at every year end. Neither changes the model. A
    numpy seed (``np.int64(3)``) is the run of that whole number.
    """
    seed = scenario.seed if seed is None else seed_value(seed)
    months = scenario.months if months is None else months
    model = RuralEconomy(scenario.parameters, seed=seed)
    year_ends = snapshot_months("yearly", months)
    recorder = PanelRecorder(snapshot_months(panel, months, panel_months), [0, *year_ends],
                             year_ends if network == "yearly" else [])
    recorder.observe(model.observed())
    with _progress(progress, f"{scenario.name} (seed {seed})", months) as advance:
        for _ in range(months):
            model.step()
            recorder.observe(model.observed())
            advance()
            interrupts.check()
    result = collect(model, scenario, seed, months)
    result.villages = recorder.village_frame()
    if panel != "none" or panel_months is not None:
        result.households = recorder.household_frame()  # without a chosen month: the columns, no rows
    if recorder.graphs:
        result.graphs = recorder.graphs
        result.network_nodes, result.network_edges = network_tables(recorder.graphs)
    return result


@contextmanager
def _progress(show: bool, label: str, months: int) -> Iterator[Callable[[], None]]:
    """A function to call once a month: advances a progress bar when ``show``, does nothing otherwise."""
    if not show:
        yield lambda: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} months"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(label, total=months)
        yield lambda: bar.advance(task)


def collect(model: RuralEconomy, scenario: Scenario, seed: int, months: int) -> RunResult:
    """Gather a finished model's outputs from its DataCollector and ledgers, typed as the files are.

    Every table has ``year`` and ``month_of_year`` after ``month`` and region and crop as ordered
    categoricals (:func:`abm.core.calendar.analysis_frame`), so ``run(...).series`` is ``series.parquet``.
    """
    dc = model.datacollector
    series = dc.get_model_vars_dataframe().reset_index(drop=True)
    series.insert(0, "month", range(len(series)))
    regions = dc.get_table_dataframe("regions")
    ledger, goods = model.money.frame(), model.goods.frame(crops.CROPS)
    manifest = {
        "scenario": scenario.name, "description": scenario.description, "seed": seed, "months": months,
        "parameters": scenario.parameters.model_dump(), "package_version": __version__, "versions": stack_versions(),
        "farmers": model.farmers.n, "villages": model.geo.villages,
        "grid": [model.geo.width, model.geo.height], "cooperatives": len(model.cooperatives),
    }
    return RunResult(*(analysis_frame(t) for t in (series, regions, ledger, goods)), manifest)
