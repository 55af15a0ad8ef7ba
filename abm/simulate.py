"""Run one scenario headless and return its outputs as DataFrames (the function every runner calls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from abm import __version__, crops, interrupts
from abm.model import RuralEconomy
from abm.scenario import Scenario


@dataclass
class RunResult:
    """Outputs of one run: monthly model-level series, regional series, the two ledgers, a manifest."""

    series: pd.DataFrame
    regions: pd.DataFrame
    ledger: pd.DataFrame
    goods: pd.DataFrame
    manifest: dict[str, Any]


def run(scenario: Scenario, seed: int | None = None, months: int | None = None, progress: bool = False) -> RunResult:
    """Simulate ``scenario`` for ``months`` (default: the scenario's) with ``seed`` (default: the scenario's)."""
    seed = scenario.seed if seed is None else seed
    months = scenario.months if months is None else months
    model = RuralEconomy(scenario.parameters, seed=seed)
    if progress:
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} months"),
                   TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(f"{scenario.name} (seed {seed})", total=months)
            for _ in range(months):
                model.step()
                bar.advance(task)
                interrupts.check()
    else:
        for _ in range(months):
            model.step()
            interrupts.check()
    return collect(model, scenario, seed, months)


def collect(model: RuralEconomy, scenario: Scenario, seed: int, months: int) -> RunResult:
    """Gather a finished model's outputs from its DataCollector and ledgers."""
    dc = model.datacollector
    series = dc.get_model_vars_dataframe().reset_index(drop=True)
    series.insert(0, "month", range(len(series)))
    regions = dc.get_table_dataframe("regions")
    manifest = {
        "scenario": scenario.name, "description": scenario.description, "seed": seed, "months": months,
        "parameters": scenario.parameters.model_dump(), "package_version": __version__,
        "farmers": model.farmers.n, "villages": model.geo.villages,
        "grid": [model.geo.width, model.geo.height], "cooperatives": len(model.cooperatives),
    }
    return RunResult(series, regions, model.money.frame(), model.goods.frame(crops.CROPS), manifest)
