"""What a worker process runs: one job, by the model function named in it (imports kept light).

Process pools and Dask workers import this module, not the runner, so a worker starts without
loading SciPy, SALib or the experiment machinery it does not need.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pandas as pd

from abm.core.calendar import CALENDAR_COLUMNS, analysis_frame
from abm.core.params import REGIONS
from abm.io.scenario import Scenario

#: the model function every run calls, looked up when the run starts
DEFAULT_MODEL = "abm.io.simulate:run"


@dataclass(frozen=True)
class Job:
    """One run: a scenario at a seed for some months, by a model function (``module:function``)."""

    run_id: str
    point: int
    replicate: int
    seed: int
    months: int
    scenario: Scenario
    model: str = DEFAULT_MODEL


@dataclass(frozen=True)
class RunOutput:
    """What a worker sends back: the run's long table and the model's manifest as JSON."""

    run_id: str
    table: pd.DataFrame
    manifest: str


def resolve_model(path: str) -> Callable[..., Any]:
    """Import the model function named ``module:function`` (looked up at call time)."""
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def run_table(result: Any) -> pd.DataFrame:
    """Stack a run's province-wide series (no region: null) over its per-region outcomes (west < centre < east).

    The calendar columns and the region's categories are those of every output table
    (:func:`abm.core.calendar.analysis_frame`), so the file reads back as ``series.parquet`` and
    ``regions.parquet`` do; a province-wide row is one whose ``region`` is missing.
    """
    table = pd.concat([result.series, result.regions], ignore_index=True)
    table["region"] = pd.Categorical(table.region, categories=list(REGIONS), ordered=True)
    first = [c for c in ("month", *CALENDAR_COLUMNS, "region") if c in table.columns]
    return analysis_frame(table[first + [c for c in table.columns if c not in first]])


def execute(job: Job) -> RunOutput:
    """Run one job (a module-level function, so process pools and Dask can pickle it)."""
    result = resolve_model(job.model)(job.scenario, seed=job.seed, months=job.months, progress=False)
    return RunOutput(job.run_id, run_table(result), json.dumps(result.manifest, default=str, sort_keys=True))
