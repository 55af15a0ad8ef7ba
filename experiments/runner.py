"""The experiment runner: every (point, replicate) run, resumable, on local processes or Dask.

Each finished run is written atomically as its own Parquet file, ``OUT/runs/<run_id>.parquet``,
where ``run_id`` hashes the run's scenario (with its parameters), seed, months, model function,
the package version and a digest of the model's source. A rerun skips the runs already on disk,
so a batch killed at any moment (even by SIGKILL) completes on the next call with no duplicate or half-written run. After the runs,
``OUT/results.parquet`` (model-level outcomes) and ``OUT/regions.parquet`` (per-region outcomes)
hold one tidy row per run and month, next to ``OUT/manifest.json`` and a copy of the experiment file.
Every row of these tables and of the run files names its run (run id, point, arm, replicate, seed,
the varied parameters), and every file carries the data dictionary (:mod:`abm.io.dictionary`).

Engines:

- ``local``: a ``ProcessPoolExecutor`` with ``workers`` processes (default ``os.cpu_count()``),
  forked from a fork server that has imported the model and loaded its compiled kernels once, and
  handed jobs in shrinking chunks (:mod:`experiments.pool`); ``workers=1`` runs in this process.
- ``dask``: a ``dask.distributed`` client, on a ``LocalCluster`` by default or on the scheduler at
  ``address``. On a SLURM cluster (``pip install dask-jobqueue``)::

      from dask_jobqueue import SLURMCluster
      from experiments.experiment import load_experiment
      from experiments.runner import run_experiment

      cluster = SLURMCluster(cores=1, processes=1, memory="4GB", walltime="02:00:00",
                             account="myproject", queue="normal")
      cluster.scale(jobs=50)                      # 50 single-core workers
      run_experiment(load_experiment("suite.toml"), "results/suite", engine="dask",
                     address=cluster.scheduler_address)

  The workers need this package installed; results come back to this process, which alone
  writes ``OUT``, so no shared file system is needed.

A run's result is the same whichever engine or worker count ran it: it depends only on its job.
Workers send each run back as its finished file's bytes; this process writes them (atomically, one
file a run) and, once at the end, reads the kept outcome columns of every run into the two tables.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

import abm
from abm.core.calendar import CALENDAR_COLUMNS
from abm.core.digest import code_digest, stack_versions
from abm.core.params import declarations
from abm.io.dictionary import dictionary_metadata
from abm.io.folders import check_writable, locked
from abm.io.output import FILE_MODE
from abm.io.output_size import experiment_outputs
from abm.io.scenario import Scenario, ScenarioError
from abm.measure.outcomes import OUTCOMES
from experiments.experiment import DEFAULT_OUTCOMES, Plan
from experiments.pool import chunk_results, guided_chunks, imap_local, preload_modules, run_chunk
from experiments.worker import DEFAULT_MODEL, Job, RunOutput, execute, parquet_bytes

ENGINES = ("local", "dask")
_CODE = code_digest()
#: how long a Dask scheduler (``--scheduler``) is given to answer before any work starts
SCHEDULER_TIMEOUT_S = 5.0
SCHEDULER_ALLOWED = ("the address of a running Dask scheduler, tcp://HOST:PORT (`dask scheduler` prints it; "
                     "8786 by default), or no --scheduler for a local cluster")
ID_COLUMNS = ("run_id", "point", "arm", "replicate", "seed")
#: the calendar columns, and with region the key columns, of every run's and experiment's table
CALENDAR = ("month", *CALENDAR_COLUMNS)
KEY_COLUMNS = (*CALENDAR, "region")


@dataclass(frozen=True)
class BatchReport:
    """What :func:`run_experiment` did."""

    out: Path
    runs: int
    executed: int
    skipped: int
    seconds: float


def run_key(scenario: Scenario, seed: int, months: int, model: str = DEFAULT_MODEL) -> str:
    """Hash what determines a run's result: scenario content, seed, months, model, package version and source."""
    content = {"scenario": scenario.model_dump(mode="json"), "seed": seed, "months": months,
               "model": model, "version": abm.__version__, "code": _CODE}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:20]


def make_jobs(plan: Plan, model: str = DEFAULT_MODEL) -> list[Job]:
    """List every (point, replicate) job of a plan; replicate k uses seed k at every point.

    Each job carries the columns that name its rows: point, arm, replicate, seed and the varied parameters.
    """
    info = plan.points.set_index("point")
    jobs = []
    for point, base in enumerate(plan.scenarios):
        varied = {parameter_column(name): info.at[point, name] for name in plan.varied}
        for replicate, seed in enumerate(plan.seeds):
            scenario = base.model_copy(update={"seed": seed})
            key = run_key(scenario, seed, base.months, model)
            ids = {"point": point, "arm": info.at[point, "arm"], "replicate": replicate, "seed": seed, **varied}
            jobs.append(Job(key, point, replicate, seed, base.months, scenario, model, ids))
    return jobs


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over (mode 0644)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)  # a disk that filled up or a folder made read-only: no half-written file
        if isinstance(err, OSError) and err.filename in (None, str(tmp)):
            err.filename = str(path)  # the file meant (write() and fsync() say what failed, not where)
        raise


def save_run(runs: Path, output: RunOutput) -> None:
    """Write one finished run's file atomically as ``runs/<run_id>.parquet`` (bytes made by the worker)."""
    atomic_write(runs / f"{output.run_id}.parquet", output.data)


def _worker_environ() -> dict[str, object]:
    """Dask's worker environment without its ``MALLOC_TRIM_THRESHOLD_``.

    Dask's nanny sets that variable to hand memory back eagerly; setting it switches off glibc's
    adaptive mmap threshold, so every multi-megabyte temporary of a month is mapped and page-faulted
    afresh (a third of the CPU went to system time on a 16-core machine, and runs were 40% slower than
    in the local pool). The runner's workers keep glibc's default, as the local engine's do.
    """
    import dask  # dask only when the Dask engine is used (its import costs the local engine's start-up)

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    return env


def imap_dask(fn: Callable, items: list, workers: int, address: str | None = None) -> Iterator:
    """Yield ``fn(item)`` as their chunks finish, on a Dask LocalCluster or the scheduler at ``address``."""
    import dask  # the Dask engine only (an import the local engine does not pay)
    from dask.distributed import LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if not address:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
    client = _client(address or cluster)
    futures = []
    try:
        futures = client.map(partial(run_chunk, fn), guided_chunks(items, workers), pure=False)
        yield from chunk_results(dask_completed(futures))
    finally:
        client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()


def _client(where: Any) -> Any:
    """A Dask client of a cluster or scheduler address; a scheduler that does not answer is a clear error.

    Raises:
        ScenarioError: Naming ``--scheduler``, the address and what to check.
    """
    from dask.distributed import Client  # the Dask engine only (an import the local engine does not pay)

    try:
        return Client(where, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except (OSError, TimeoutError) as err:
        raise ScenarioError(f"--scheduler = {where}: no Dask scheduler answered ({err}); check that the scheduler "
                            f"runs and is a Dask scheduler; allowed: {SCHEDULER_ALLOWED}") from None


def imap(engine: str, fn: Callable, items: list, workers: int, address: str | None = None,
         preload: Sequence[str] = ()) -> Iterator:
    """Dispatch to the chosen engine (``local`` or ``dask``)."""
    if engine == "local":
        return imap_local(fn, items, workers, preload)
    if engine == "dask":
        return imap_dask(fn, items, workers, address)
    raise ScenarioError(f"--engine {engine!r}: unknown engine; allowed: {', '.join(ENGINES)}")


def select_outcomes(columns: Iterable[str], requested: list[str] | None) -> list[str]:
    """Pick the outcome columns to keep: those requested (all must exist), else the default set.

    Raises:
        ScenarioError: If a requested outcome is not a column of the model's series.
    """
    available = [c for c in columns if c not in ("month", "region")]
    if requested is None:
        return [c for c in DEFAULT_OUTCOMES if c in available] or available
    missing = [c for c in requested if c not in available]
    if missing:
        raise ScenarioError(f"outcomes: {', '.join(map(repr, missing))} not reported by the model; "
                            f"allowed: {', '.join(available)}")
    return list(requested)


def _progress(enabled: bool) -> Progress:
    """A progress bar with counts, elapsed time and ETA, on stderr."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    return Progress(*columns, console=Console(stderr=True), disable=not enabled)


def execute_pending(jobs: list[Job], runs: Path, outcomes: list[str] | None, engine: str = "local",
                    workers: int | None = None, address: str | None = None, progress: bool = True) -> int:
    """Run the jobs whose files are missing, saving each as it finishes; return how many ran.

    Jobs with the same run id run once, as the first of them (whose :attr:`Job.ids` its file carries).

    Raises:
        ScenarioError: If the first finished run lacks a requested outcome (the batch stops early).
    """
    runs.mkdir(parents=True, exist_ok=True)
    for stale in runs.glob(".*.tmp"):
        stale.unlink()
    first = {}
    for job in jobs:
        first.setdefault(job.run_id, job)
    pending = [job for job in first.values() if not (runs / f"{job.run_id}.parquet").exists()]
    if not pending:
        return 0
    workers = min(workers or os.cpu_count() or 1, len(pending))
    with _progress(progress) as bar:
        task = bar.add_task(f"runs ({len(jobs) - len(pending)} already done)", total=len(pending))
        preload = preload_modules(pending[0].model)
        for i, output in enumerate(imap(engine, execute, pending, workers, address, preload)):
            if i == 0:
                kept_outcomes(output.table(), outcomes)
            save_run(runs, output)
            bar.advance(task)
    return len(pending)


def kept_outcomes(table: pd.DataFrame, requested: list[str] | None) -> list[str]:
    """The outcomes to keep from a run's table: those requested, else the model-level outcomes it reports.

    A requested outcome need only be a column of the table that is not an identifier, key or parameter:
    a run may leave it all NaN (a ratio with no newcomers).
    """
    columns = [c for c in table.columns if c not in NOT_OUTCOMES] if requested is not None else model_columns(table)
    return select_outcomes(columns, requested)


def model_columns(table: pd.DataFrame) -> list[str]:
    """Names of the model-level outcomes in a run's table (its province-wide rows: no region)."""
    rows = table[table.region.isna()]
    return [c for c in rows.columns if c not in NOT_OUTCOMES and rows[c].notna().any()]


def parameter_column(name: str) -> str:
    """The column of a varied parameter: its name, or ``<name>_param`` where an outcome has the name."""
    return f"{name}_param" if name in OUTCOMES else name


#: the columns of a run file that are not outcomes: identifiers, keys, posterior members, varied parameters
NOT_OUTCOMES = frozenset([*ID_COLUMNS, *KEY_COLUMNS, "member", "row", "posterior_row", "candidate", "condition",
                          *(parameter_column(d["name"]) for d in declarations())])


def consolidate(plan: Plan, jobs: list[Job], runs: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join the runs' files into tidy model-level and per-region tables, in job order.

    Only the key columns and kept outcomes are read from each file (with pyarrow, into one table),
    and the identifiers and varied parameters are repeated over each run's rows: a few milliseconds a run.

    Returns:
        ``(results, regions)``: identifier columns, varied parameters (``<name>_param`` where an
        outcome has the name), month, year, month of year (and region), outcomes.
    """
    paths = [runs / f"{job.run_id}.parquet" for job in jobs]
    outcomes = kept_outcomes(pd.read_parquet(paths[0]), plan.experiment.outcomes)
    pieces = [pq.ParquetFile(path).read(columns=[*KEY_COLUMNS, *outcomes], use_threads=False) for path in paths]
    table = pa.concat_tables(pieces).to_pandas()
    ids = run_identifiers(plan, jobs).loc[np.repeat(np.arange(len(jobs)), [p.num_rows for p in pieces])]
    table = pd.concat([ids.reset_index(drop=True), table], axis=1)
    head = [*ID_COLUMNS, *map(parameter_column, plan.varied), *CALENDAR]
    model_rows, region_rows = table[table.region.isna()], table[table.region.notna()]
    region_outcomes = [c for c in outcomes if region_rows[c].notna().any()]
    return (model_rows[head + outcomes].reset_index(drop=True),
            region_rows[[*head, "region", *region_outcomes]].reset_index(drop=True))


def run_identifiers(plan: Plan, jobs: list[Job]) -> pd.DataFrame:
    """One row per job: run id, point, arm, replicate, seed and the varied parameters' values (:attr:`Job.ids`)."""
    return pd.DataFrame([{"run_id": job.run_id, **job.ids} for job in jobs],
                        columns=[*ID_COLUMNS, *map(parameter_column, plan.varied)])


def _plain(value: Any) -> Any:
    """Make numpy scalars and other objects JSON-serialisable."""
    return value.item() if hasattr(value, "item") else str(value)


def manifest(plan: Plan, jobs: list[Job], engine: str, workers: int | None, seconds: float) -> dict:
    """Describe the batch: experiment, base scenario, jobs, engine and software versions."""
    return {
        "experiment": plan.experiment.model_dump(mode="json"), "origin": plan.origin,
        "package_version": abm.__version__, "python": platform.python_version(), "versions": stack_versions(),
        "engine": engine, "workers": workers or os.cpu_count(), "seconds": round(seconds, 3),
        "base": plan.base.model_dump(mode="json"), "seeds": plan.seeds, "points": plan.points.to_dict("records"),
        "runs": [{"run_id": j.run_id, "point": j.point, "replicate": j.replicate, "seed": j.seed} for j in jobs],
    }


def run_experiment(plan: Plan, out: str | Path, engine: str = "local", workers: int | None = None,
                   address: str | None = None, model: str = DEFAULT_MODEL, progress: bool = True,
                   wait: bool = False) -> BatchReport:
    """Run every (point, replicate) of a plan that is not on disk yet, then consolidate the results.

    Args:
        plan: The validated experiment (see :func:`experiments.experiment.load_experiment`).
        out: Output folder; ``runs/``, ``results.parquet``, ``regions.parquet`` and ``manifest.json`` go there.
        engine: ``"local"`` (process pool) or ``"dask"``.
        workers: Processes or Dask workers (default ``os.cpu_count()``); ignored with ``address``.
        address: A running Dask scheduler's address (dask engine only).
        model: The model function as ``module:function``, called as ``run(scenario, seed=, months=, progress=)``.
        progress: Show a progress bar with ETA on stderr.
        wait: If another process holds ``out``, wait for it (then reuse its runs) instead of refusing.
    """
    start = time.perf_counter()
    out = Path(out)
    jobs = make_jobs(plan, model)
    kept = plan.experiment.outcomes
    check_writable(out, experiment_outputs(len(jobs), plan.base.months, len(kept) if kept else None))
    with locked(out, wait):
        check_same_experiment(out, plan)
        executed = execute_pending(jobs, out / "runs", plan.experiment.outcomes, engine, workers, address, progress)
        _write_tables(plan, jobs, out, engine, workers, start)
    return BatchReport(out, len(jobs), executed, len(jobs) - executed, time.perf_counter() - start)


def check_same_experiment(out: Path, plan: Plan) -> None:
    """Refuse a folder that holds another experiment's finished results (they would be replaced).

    Raises:
        ScenarioError: Naming the folder, the experiment it holds and what is allowed.
    """
    path = out / "manifest.json"
    if not path.exists():
        return
    held = json.loads(path.read_text(encoding="utf-8")).get("experiment", {}).get("name")
    if held != plan.experiment.name:
        raise ScenarioError(f"--out = {out}: holds the results of experiment {held!r}, not "
                            f"{plan.experiment.name!r}; allowed: that experiment's folder (to resume or extend it) "
                            "or a new folder")


def experiment_about(plan: Plan, runs: int) -> dict[str, Any]:
    """What made an experiment's tables: its name, base scenario, months, replicates, root seed, runs and version."""
    e = plan.experiment
    return {"experiment": e.name, "base": plan.base.name, "months": plan.base.months, "replicates": e.replicates,
            "root_seed": e.root_seed, "runs": runs, "package_version": abm.__version__}


def _write_tables(plan: Plan, jobs: list[Job], out: Path, engine: str, workers: int | None, start: float) -> None:
    """Consolidate the runs; write the tidy tables (with their dictionary), the experiment file and the manifest."""
    results, regions = consolidate(plan, jobs, out / "runs")
    about = experiment_about(plan, len(jobs))
    for name, table in (("results", results), ("regions", regions)):
        meta = dictionary_metadata(name, list(table.columns), about)
        atomic_write(out / f"{name}.parquet", parquet_bytes(table, meta))
    if plan.source is not None:
        atomic_write(out / f"experiment{Path(plan.origin).suffix or '.toml'}", plan.source.encode())
    seconds = time.perf_counter() - start
    text = json.dumps(manifest(plan, jobs, engine, workers, seconds), indent=2, default=_plain)
    atomic_write(out / "manifest.json", text.encode())
