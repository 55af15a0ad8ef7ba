"""No finished result is lost: unwritable or too-full folders are refused first, runs never overwritten, folders
locked (a second process is told who holds one, or waits), and Ctrl-C or SIGTERM stop cleanly with code 130 or 143,
keeping finished runs and leaving nothing partial."""

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

from abm.core.params import Parameters
from abm.io import folders
from abm.io.folders import HOLDER_FILE, check_writable, write_folder
from abm.io.output_size import Estimate, run_outputs
from abm.io.scenario import ScenarioError
from experiments.cli import app as ruralsim

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
    """Start ``python -m experiments.cli.app ARGS`` in its own process group (as a terminal would)."""
    return subprocess.Popen([sys.executable, "-m", "experiments.cli.app", *args], cwd=cwd, env=subprocess_env(),
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
        check_writable(out, Estimate(1000, "a test"))
    proc = cli("run", "--months", "600", "--set", "farmers=450", "--out", str(out), cwd=tmp_path)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and err.startswith(f"error: --out = {out}: cannot write in")
    assert "Traceback" not in err


def test_too_little_free_space_is_refused_naming_folder_need_and_free(tmp_path, monkeypatch, capsys):
    """With 60 MB free, a run needing more (households x panel months x columns) is refused before simulating."""
    monkeypatch.setattr(folders.shutil, "disk_usage", lambda path: shutil_usage(60_000_000))
    monkeypatch.setattr(ruralsim.interrupts, "install", lambda: None)  # keep pytest's signal handlers
    need = run_outputs(Parameters(farmers=60_000), 120, 121, False)  # months 0 to 120
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "argv", ["ruralsim", "run", "--set", "farmers=60000", "--panel", "monthly", "--out", str(out)])
    with pytest.raises(SystemExit) as stop:
        ruralsim.main()
    err = " ".join(capsys.readouterr().err.split())
    assert stop.value.code == 2 and "Traceback" not in err
    assert f"--out = {out}: the outputs need about {need.bytes / 1e6:,.1f} MB" in err
    assert need.largest.startswith("households: 7,368,900 rows") and f"(largest: {need.largest})" in err and f"but {tmp_path} has 60.0 MB free" in err
    assert not out.exists()


def shutil_usage(free: int):
    """What ``shutil.disk_usage`` returns for a disk with ``free`` bytes free."""
    import shutil

    return shutil._ntuple_diskusage(10 * free, 9 * free, free)


def test_output_estimate_grows_with_the_work_and_covers_a_real_run(tmp_path):
    """The estimate is proportional to households x panel months, and a written run is smaller than its estimate."""
    small, big = (run_outputs(Parameters(farmers=n), 24, 24, False).bytes for n in (3000, 30_000))
    assert 9 < big / small < 10.5
    out = tmp_path / "run"
    proc = cli("run", "--months", "12", "--set", "farmers=450", "--panel", "monthly", "--out", str(out), cwd=tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert written < run_outputs(Parameters(farmers=450), 12, 13, False).bytes
    assert oct(out.stat().st_mode & 0o077) != "0o0"  # the folder as mkdir makes it, not private


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
    (tmp_path / "made_by_mkdir").mkdir()
    assert stat.S_IMODE(out.stat().st_mode) == stat.S_IMODE((tmp_path / "made_by_mkdir").stat().st_mode)


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


HOLD = ("import sys; from pathlib import Path; from abm.io.folders import locked\n"
        "with locked(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.readline()")


def short_experiment(replicates: int) -> str:
    """A two-month experiment on 600 households (whole villages: no warning precedes the messages tested)."""
    return (INTERRUPTIBLE.replace("months = 240", "months = 2").replace("farmers = 450", "farmers = 600")
            .replace("replicates = 6", f"replicates = {replicates}"))


def hold(folder: Path) -> subprocess.Popen:
    """A process that holds ``folder``'s lock (through the runner's own code) until a line arrives on its stdin."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], env=subprocess_env(), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == "held\n"
    return proc


def test_second_process_is_told_who_holds_the_folder_or_waits_for_it(tmp_path):
    """While a process holds an experiment folder, another stops (code 2) naming its pid, command and start,
    or with --wait says it waits, then runs once the folder is free."""
    file = write(tmp_path, short_experiment(replicates=2))
    out = tmp_path / "out"
    holder = hold(out)
    args = ("experiment", str(file), "--out", str(out), "--workers", "1")
    refused = cli(*args, cwd=tmp_path)
    _, err = refused.communicate(timeout=120)
    assert refused.returncode == 2 and "Traceback" not in err
    assert err.startswith(f"error: --out = {out}: in use by pid {holder.pid} on ") and f"(-c {out}) since " in err
    assert "allowed: --wait to start when it finishes" in err and not (out / "runs").exists()
    waiting = cli(*args, "--wait", cwd=tmp_path)
    line = waiting.stderr.readline()
    assert line.startswith(f"waiting: --out = {out} is in use by pid {holder.pid} "), line
    time.sleep(1.0)
    assert waiting.poll() is None and not (out / "runs").exists()
    holder.communicate("\n", timeout=60)
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert len(list((out / "runs").glob("*.parquet"))) == 2 and not (out / HOLDER_FILE).exists()


def test_lock_left_by_a_killed_process_is_taken_over_with_a_note(tmp_path):
    """A holder killed with SIGKILL leaves its record; the next command takes the folder over and says so."""
    file = write(tmp_path, short_experiment(replicates=1))
    out = tmp_path / "out"
    holder = hold(out)
    holder.kill()
    holder.communicate(timeout=60)
    assert (out / HOLDER_FILE).exists()
    proc = cli("experiment", str(file), "--out", str(out), "--workers", "1", cwd=tmp_path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert f"note: --out = {out}: taking over the lock left by pid {holder.pid} " in err
    assert "which is no longer running" in err and (out / "results.parquet").exists()


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
