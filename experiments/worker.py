"""What a worker process runs: one job, by the model function named in it (imports kept light).

Process pools and Dask workers import this module, not the runner, so a worker starts without
loading SciPy, SALib or the experiment machinery it does not need.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm.core.calendar import CALENDAR_COLUMNS, analysis_frame
from abm.core.params import REGIONS
from abm.io.dictionary import described_table, dictionary_metadata, run_about
from abm.io.scenario import Scenario
from experiments.pool import DEFAULT_MODEL


@dataclass(frozen=True)
class Job:
    """One run: a scenario at a seed for some months, by a model function (``module:function``).

    ``ids`` are the columns that name the run's rows in its file after ``run_id`` (from an
    experiment: point, arm, replicate, seed and the varied parameters; without them: the seed).
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    months: int
    scenario: Scenario
    model: str = DEFAULT_MODEL
    ids: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class RunOutput:
    """What a worker sends back: the run's file, ``runs/<run_id>.parquet``, as bytes.

    The file holds the run's long table (:func:`run_table`), each row led by the columns that say
    which run it is (:attr:`Job.ids`), with the run id, the model's manifest (JSON) and the data
    dictionary (:mod:`abm.io.dictionary`) as metadata. The worker serialises it, so the process that
    writes the files only writes bytes.
    """

    run_id: str
    data: bytes

    def table(self) -> pd.DataFrame:
        """The run's long table, read back from the bytes."""
        return pq.read_table(pa.BufferReader(self.data)).to_pandas()


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


def parquet_bytes(frame: pd.DataFrame | pa.Table, metadata: dict[str | bytes, str | bytes] | None = None) -> bytes:
    """Serialise a data frame or Arrow table to Parquet bytes, with key-value metadata (a dictionary on fields too)."""
    meta = {k if isinstance(k, bytes) else k.encode(): v if isinstance(v, bytes) else v.encode()
            for k, v in (metadata or {}).items()}
    buffer = io.BytesIO()
    pq.write_table(described_table(frame, meta), buffer)
    return buffer.getvalue()


def arrow_column(series: pd.Series) -> pa.Array:
    """A column as Arrow makes it from a data frame (NaN as null), straight from its numpy values where it has them."""
    return pa.array(series.to_numpy(), from_pandas=True) if isinstance(series.dtype, np.dtype) else pa.array(series)


def run_arrow(job: Job, table: pd.DataFrame) -> pa.Table:
    """A run's table led by its identifying columns, as Arrow columns.

    The same columns, types and nulls as Arrow's converter of the whole data frame gives (the
    identifiers converted once, as one row, then repeated), in about a third of its time (3 ms
    instead of 8 for a small run's 120 columns), without the converter's pandas metadata: the file
    reads back as the same data frame.
    """
    ids = {"run_id": job.run_id, **(job.ids or {"seed": job.seed})}
    head = pa.Table.from_pandas(pd.DataFrame([ids]), preserve_index=False).take(np.zeros(len(table), np.int64))
    columns = {name: head[name] for name in head.column_names}
    return pa.table(columns | {name: arrow_column(table[name]) for name in table.columns})


def run_file(job: Job, table: pd.DataFrame, manifest: dict[str, Any]) -> bytes:
    """The bytes of a run's file: its table led by its identifying columns, with its manifest and dictionary."""
    arrow = run_arrow(job, table)
    about = run_about(manifest) | {"run_id": job.run_id}
    meta = {"run_id": job.run_id, "model_manifest": json.dumps(manifest, default=str, sort_keys=True),
            **dictionary_metadata("run", arrow.column_names, about)}
    return parquet_bytes(arrow, meta)


def execute(job: Job) -> RunOutput:
    """Run one job and serialise its file (a module-level function, so process pools and Dask can pickle it)."""
    result = resolve_model(job.model)(job.scenario, seed=job.seed, months=job.months, progress=False)
    return RunOutput(job.run_id, run_file(job, run_table(result), result.manifest))
