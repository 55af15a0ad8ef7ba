"""No finished result is lost: unwritable folders are refused first, runs never overwritten, folders locked,
and Ctrl-C or SIGTERM stop cleanly with code 130 or 143, keeping finished runs and leaving nothing partial."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from exphelpers import subprocess_env, write
from filelock import FileLock

from abm.folders import FOLDER_MODE, check_writable, write_folder
from abm.scenario import ScenarioError

INTERRUPTIBLE = """
name = "slow"
months = 240
replicates = 6
root_seed = 3
parameters = { farmers = 450 }
[arms.a]
commission = 0.05
"""


def cli(*args: str, cwd: Path, **kw) -> subprocess.Popen:
    """Start ``python -m experiments.cli ARGS`` in its own process group (as a terminal would)."""
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", *args], cwd=cwd, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write in (``/proc`` when running as root, where modes do not bind)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder / "out" if not os.access(folder, os.W_OK) else Path("/proc/ruralsim-out")


def test_unwritable_out_is_refused_before_simulating(tmp_path):
    """An --out that cannot be written stops the run at once, naming the folder; nothing is simulated."""
    out = unwritable_folder(tmp_path)
    with pytest.raises(ScenarioError, match="cannot write in"):
        check_writable(out, 1000)
    proc = cli("run", "--months", "600", "--set", "farmers=450", "--out", str(out), cwd=tmp_path)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and err.startswith(f"error: --out = {out}: cannot write in")
    assert "Traceback" not in err


def test_too_little_free_space_is_refused(tmp_path):
    """A job that needs more than the disk holds is refused with the space free and needed."""
    with pytest.raises(ScenarioError, match="MB free; allowed: a disk with at least"):
        check_writable(tmp_path / "out", 10**18)


def test_folder_is_written_whole_or_not_at_all(tmp_path):
    """A write that fails half-way leaves the finished folder as it was and no temporary folder behind."""
    out = tmp_path / "run"
    write_folder(out, lambda tmp: (tmp / "manifest.json").write_text("first"))

    def half(tmp: Path) -> None:
        (tmp / "manifest.json").write_text("second")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_folder(out, half)
    assert (out / "manifest.json").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert stat.S_IMODE(out.stat().st_mode) == FOLDER_MODE == 0o755


def test_run_without_out_never_overwrites_a_finished_run(tmp_path):
    """Two runs without --out land in two new folders; --out on a finished run needs --overwrite."""
    args = ("run", "--months", "1", "--set", "farmers=450")
    for _ in range(2):
        proc = cli(*args, cwd=tmp_path)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    folders = sorted((tmp_path / "results").iterdir())
    assert len(folders) == 2 and all((f / "manifest.json").exists() for f in folders)
    proc = cli(*args, "--out", str(folders[0]), cwd=tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2 and "holds a finished run" in err
    proc = cli(*args, "--out", str(folders[0]), "--overwrite", cwd=tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert not [p for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]


def test_second_process_on_a_locked_experiment_folder_stops_with_a_message(tmp_path):
    """While one process holds an experiment folder, another stops at once (code 2) instead of redoing its runs."""
    file = write(tmp_path, INTERRUPTIBLE.replace("months = 240", "months = 2"))
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / ".lock"):
        proc = cli("experiment", str(file), "--out", str(out), "--workers", "1", cwd=tmp_path)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "another ruralsim process is working in this folder" in err and "Traceback" not in err
    assert not (out / "runs").exists()


def _wait_for(condition, proc: subprocess.Popen, seconds: float = 240) -> None:
    """Poll until ``condition()`` holds, failing if the process ends first."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_ctrl_c_keeps_finished_runs_and_leaves_nothing_partial(tmp_path):
    """Ctrl-C (SIGINT to the whole process group) during a batch: one line, code 130, finished runs intact."""
    out = tmp_path / "out"
    proc = cli("experiment", str(write(tmp_path, INTERRUPTIBLE)), "--out", str(out), "--workers", "2", cwd=tmp_path)
    _wait_for(lambda: any((out / "runs").glob("*.parquet")) if (out / "runs").exists() else False, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("interrupted by SIGINT")
    runs = list((out / "runs").glob("*.parquet"))
    assert 1 <= len(runs) < 6
    assert all(pq.read_table(r).num_rows > 0 for r in runs)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not (out / "results.parquet").exists()


def test_sigterm_during_a_run_exits_143_and_writes_nothing(tmp_path):
    """SIGTERM while a single run simulates: code 143, one line, no output folder and no temporary one."""
    out = tmp_path / "results" / "r"
    proc = cli("run", "--months", "1200", "--set", "farmers=700", "--out", str(out), cwd=tmp_path)
    line = proc.stderr.readline()  # the household warning, printed just before the simulation starts
    assert line.startswith("warning: farmers = 700 becomes 750 households"), line
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("interrupted by SIGTERM")
    assert not out.parent.exists() or not list(out.parent.iterdir())
