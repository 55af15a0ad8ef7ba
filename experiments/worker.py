"""What a worker process runs: one job, by the model function named in it (imports kept light).

Process pools and Dask workers import this module, not the runner, so a worker starts without
loading SciPy, SALib or the experiment machinery it does not need.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm.io.scenario import Scenario

#: the model function every run calls, looked up when the run starts
DEFAULT_MODEL = "abm.io.simulate:run"
#: imported by a fork server after the default model: loads its compiled kernels once for every worker
WARM_MODULE = "experiments.warm_kernels"


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
    """What a worker sends back: the run's file, ``runs/<run_id>.parquet``, as bytes.

    The file holds the run's long table (:func:`run_table`) with the run id and the model's
    manifest (JSON) as key-value metadata. The worker serialises it, so the process that writes
    the files only writes bytes.
    """

    run_id: str
    data: bytes

    def table(self) -> pd.DataFrame:
        """The run's long table, read back from the bytes."""
        return pq.read_table(pa.BufferReader(self.data)).to_pandas()


def preload_modules(model: str) -> list[str]:
    """What a fork server imports before forking workers for ``model``: this module, the model's, the warm-up."""
    return [__name__, model.partition(":")[0], *[WARM_MODULE] * (model == DEFAULT_MODEL)]


def resolve_model(path: str) -> Callable[..., Any]:
    """Import the model function named ``module:function`` (looked up at call time)."""
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def run_table(result: Any) -> pd.DataFrame:
    """Stack a run's model-level series (region ``"all"``) and its per-region outcomes."""
    series = result.series.assign(region="all")
    table = pd.concat([series, result.regions], ignore_index=True)
    first = ["month", "region"]
    return table[first + [c for c in table.columns if c not in first]]


def parquet_bytes(frame: pd.DataFrame, metadata: dict[str, str] | None = None) -> bytes:
    """Serialise a data frame to Parquet bytes, with optional key-value metadata."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def execute(job: Job) -> RunOutput:
    """Run one job and serialise its file (a module-level function, so process pools and Dask can pickle it)."""
    result = resolve_model(job.model)(job.scenario, seed=job.seed, months=job.months, progress=False)
    meta = {"run_id": job.run_id, "model_manifest": json.dumps(result.manifest, default=str, sort_keys=True)}
    return RunOutput(job.run_id, parquet_bytes(run_table(result), meta))
