"""A batch killed with SIGKILL mid-way completes on the next run, with no duplicate or corrupt run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from exphelpers import ROOT, SMALL, runner_command, subprocess_env, write

from experiments.experiment import load_experiment
from experiments.runner import make_jobs, run_experiment

REPLICATES = 20  # 40 runs: long enough to be killed mid-batch


def _kill_after(cmd: list[str], runs: Path, at_least: int, timeout: float = 120.0) -> None:
    """Start the runner in its own process group and SIGKILL the group once some runs are on disk."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=subprocess_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while len(list(runs.glob("*.parquet"))) < at_least:
        assert proc.poll() is None, "the runner ended before it could be killed"
        assert time.monotonic() < deadline, "no runs written in time"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_killed_batch_resumes_complete_and_duplicate_free(tmp_path: Path) -> None:
    """SIGKILL mid-batch, rerun: every run once, finished runs not redone, same results as a clean run."""
    file = write(tmp_path, SMALL.format(replicates=REPLICATES))
    out = tmp_path / "out"
    cmd = runner_command(file, out, "--workers", "2")
    _kill_after(cmd, out / "runs", at_least=5)
    jobs = make_jobs(load_experiment(file))
    before = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert 5 <= len(before) < len(jobs)
    assert not (out / "results.parquet").exists()

    rerun = subprocess.run(cmd, cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(jobs) - len(before)} new, {len(before)} already done" in rerun.stdout

    files = sorted((out / "runs").iterdir())
    assert [f.name for f in files] == sorted(f"{job.run_id}.parquet" for job in jobs)  # no tmp left over
    assert all(pq.read_metadata(f).num_rows == 3 * 13 + 13 for f in files)  # 13 months, all + 3 regions
    assert {n: (out / "runs" / n).stat().st_mtime_ns for n in before} == before  # finished runs not redone
    results = pd.read_parquet(out / "results.parquet")
    assert not results.duplicated(["run_id", "month"]).any()
    assert len(results) == len(jobs) * 13

    clean = tmp_path / "clean"
    run_experiment(load_experiment(file), clean, workers=1, progress=False)
    pd.testing.assert_frame_equal(results, pd.read_parquet(clean / "results.parquet"))


def test_rerun_skips_finished_runs(tmp_path: Path, small_experiment: Path) -> None:
    """A second call finds every run on disk and runs nothing."""
    plan = load_experiment(small_experiment)
    first = run_experiment(plan, tmp_path / "out", workers=1, progress=False)
    again = run_experiment(plan, tmp_path / "out", workers=1, progress=False)
    assert (first.executed, first.skipped) == (6, 0)
    assert (again.executed, again.skipped) == (0, 6)


def test_stale_temporary_files_are_removed(tmp_path: Path, small_experiment: Path) -> None:
    """A half-written temporary file left by a killed batch is removed, never read."""
    runs = tmp_path / "out" / "runs"
    runs.mkdir(parents=True)
    (runs / ".abc.parquet.123.tmp").write_bytes(b"half a parquet file")
    run_experiment(load_experiment(small_experiment), tmp_path / "out", workers=1, progress=False)
    assert not list(runs.glob("*.tmp"))
    assert len(list(runs.glob("*.parquet"))) == 6
