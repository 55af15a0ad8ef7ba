"""The same experiment gives identical results in process, on a process pool and on Dask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from exphelpers import ROOT, subprocess_env

from experiments.experiment import load_experiment
from experiments.pool import MAX_CHUNK, guided_chunks
from experiments.runner import imap_dask, run_experiment
from experiments.worker import DEFAULT_MODEL


def _results(plan, out: Path, **engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    run_experiment(plan, out, progress=False, **engine)
    return pd.read_parquet(out / "results.parquet"), pd.read_parquet(out / "regions.parquet")


def test_local_pool_and_dask_give_identical_results(tmp_path: Path, small_experiment: Path) -> None:
    """In process, a 2-process pool and a 2-worker Dask cluster write identical tables."""
    plan = load_experiment(small_experiment)
    serial = _results(plan, tmp_path / "serial", workers=1)
    pool = _results(plan, tmp_path / "pool", engine="local", workers=2)
    dask = _results(plan, tmp_path / "dask", engine="dask", workers=2)
    for other in (pool, dask):
        pd.testing.assert_frame_equal(serial[0], other[0])
        pd.testing.assert_frame_equal(serial[1], other[1])


def test_results_are_tidy_with_ids_parameters_months_and_outcomes(tmp_path: Path, small_experiment: Path) -> None:
    """results.parquet has ids, the varied parameter, month and the chosen outcomes."""
    results, regions = _results(load_experiment(small_experiment), tmp_path / "out", workers=1)
    assert list(results.columns) == ["run_id", "point", "arm", "replicate", "seed", "commission", "month", "year",
                                     "month_of_year", "income_mean", "adoption", "gini", "consumer_trust"]
    assert results.groupby("arm").commission.unique().to_dict() == {"high": [0.12], "low": [0.03]}
    assert len(results) == 2 * 3 * 13 and results.month.max() == 12
    assert set(regions.region) == {"west", "centre", "east"}
    assert {"income_mean", "adoption"} <= set(regions.columns)
    assert (tmp_path / "out" / "experiment.toml").read_text() == small_experiment.read_text()


def _allocator_settings(_: object) -> tuple[str | None, str | None]:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")


def test_dask_workers_keep_glibcs_adaptive_allocator() -> None:
    """Dask's eager-trim setting (which makes every month's temporaries page-fault afresh) is not passed on."""
    assert list(imap_dask(_allocator_settings, [0], 1)) == [(None, "1")]


@pytest.mark.parametrize(("items", "workers"), [(1, 2), (6, 2), (48, 2), (1000, 3), (37, 16)])
def test_guided_chunks_keep_order_and_shrink_to_single_jobs(items: int, workers: int) -> None:
    """Chunks cover the jobs once, in order, at most MAX_CHUNK long, never growing, the last one a single job."""
    chunks = guided_chunks(list(range(items)), workers)
    sizes = [len(c) for c in chunks]
    assert [i for c in chunks for i in c] == list(range(items))
    assert max(sizes) <= MAX_CHUNK and sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert len(chunks) >= min(items, 4 * workers)


WORKERS_REPORT = """
import json
from exphelpers import {report}
from experiments.pool import imap_local, preload_modules
print(json.dumps(sorted(set(imap_local({report}, list(range(4)), 2, preload_modules({model!r}))))))
"""


def worker_reports(report: str, model: str) -> list:
    """What ``report`` (a function in exphelpers.py) returns in each worker of a fresh pool for ``model``."""
    env = subprocess_env() | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)])}
    done = subprocess.run([sys.executable, "-c", WORKERS_REPORT.format(report=report, model=model)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize(("model", "warm"), [(DEFAULT_MODEL, True), ("exphelpers:zdt1", False)])
def test_pool_workers_start_with_the_default_models_kernels_loaded(model: str, warm: bool) -> None:
    """Before any run, a pool worker of the default model has its compiled kernels in memory (a custom model's not)."""
    reports = worker_reports("loaded_kernels", model)
    assert reports and all(ran == warm and (kernels > 10) == warm for ran, kernels in reports)


@pytest.mark.parametrize("model", [DEFAULT_MODEL, "exphelpers:zdt1"])
def test_pool_workers_collect_garbage_and_leave_what_they_inherited_frozen(model: str) -> None:
    """The fork server imports with the collector paused; every worker runs with it on, the inherited objects frozen."""
    assert worker_reports("collector_state", model) == [[True, True]]
