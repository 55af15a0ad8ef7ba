"""Faults in the middle of ``optimise`` and ``calibrate --quick``, in real child processes: ``kill -9`` at a
random point, a disk that fills up, a folder made read-only, Ctrl-C. Finished runs are kept, nothing
half-written is left, and the same command resumes without redoing a run and ends with the same files as
an uninterrupted run (byte for byte, but for the time it took and when).

The disk and the folder fail through ``faults/sitecustomize.py``, which makes the child's writes under
``runs/`` fail as the operating system would (no space left; read-only file system) after a number of runs.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from exphelpers import subprocess_env, write

FAULTS = Path(__file__).parent / "faults"

PROBLEM = """
name = "interrupted"
months = 2
replicates = 2
parameters = { farmers = 450 }
[levers.commission]
range = [0.0, 0.2]
[levers.trust_mechanism]
values = ["reputation", "dual"]
[[objectives]]
outcome = "income_mean"
direction = "max"
[[objectives]]
outcome = "gini"
direction = "min"
change = "difference"
[search]
population = 6
generations = 3
seed = 1
"""

#: the command lines, with relative paths, so that a record of the command is the same in every folder
OPTIMISE = ["optimise", "problem.toml", "--workers", "1", "--out", "out"]
CALIBRATE = ["calibrate", "--quick", "--points", "16", "--waves", "1", "--check", "2", "--workers", "1", "--work", "work",
             "--out", "out"]
#: what differs between two runs of a command: the time it took, the day, the machine
TIMING = re.compile(r"seconds|Time on this machine|^date|^machine|in [0-9.]+ min|[0-9.]+ minutes over every call")


def start(folder: Path, args: list[str], fault: str | None = None) -> subprocess.Popen:
    """``python -m experiments.cli.app ARGS`` in ``folder``, in its own process group (as a terminal starts it)."""
    env = subprocess_env()
    if fault is not None:
        env |= {"PYTHONPATH": os.pathsep.join([str(FAULTS), env["PYTHONPATH"]]), "RURALSIM_TEST_FAULT": fault}
    return subprocess.Popen([sys.executable, "-m", "experiments.cli.app", *args], cwd=folder, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finished_runs(folder: Path) -> list[Path]:
    """The run files written so far under ``folder`` (any depth)."""
    return sorted(folder.rglob("runs/*.parquet"))


def signal_after(proc: subprocess.Popen, folder: Path, runs: int, signum: int, seconds: float = 600) -> None:
    """Send ``signum`` to the process group once ``runs`` run files exist under ``folder``."""
    deadline = time.monotonic() + seconds
    while len(finished_runs(folder)) < runs:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no runs in time"
        time.sleep(0.02)
    os.killpg(proc.pid, signum)


def finish(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run the command to its end; it must succeed."""
    done = subprocess.run([sys.executable, "-m", "experiments.cli.app", *args], cwd=folder, env=subprocess_env(),
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with what differs between runs (times, dates) taken out."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in (".lock", ".lock.json")):
        data = path.read_bytes()
        if path.suffix == ".json":
            data = json.dumps(_untimed(json.loads(data)), sort_keys=True).encode()
        elif path.suffix in (".md", ".toml"):
            data = b"\n".join(line for line in data.split(b"\n") if not TIMING.search(line.decode()))
        out[str(path.relative_to(folder))] = data
    return out


def _untimed(value):
    """A manifest without its timings (seconds, and the list of calls with theirs)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in ("seconds", "calls")}
    return [_untimed(v) for v in value] if isinstance(value, list) else value


def resumed_like_clean(folder: Path, args: list[str], clean: dict[str, bytes]) -> None:
    """The same command again: runs finished before are not redone, and the files end as the clean run's."""
    before = {p: p.stat().st_mtime_ns for p in finished_runs(folder)}
    assert before and not list(folder.rglob("*.tmp"))  # runs kept whole, nothing half-written
    finish(folder, args)
    assert {p: p.stat().st_mtime_ns for p in before} == before  # not one finished run redone
    assert contents(folder) == clean


def one_interrupt_line(proc: subprocess.Popen, signame: str, code: int) -> None:
    """The process stopped with ``code`` and said so in one line, without a traceback."""
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == code, err[-3000:]
    lines = [line for line in err.strip().split("\n") if "interrupted" in line or "error" in line.lower()]
    assert lines == [err.strip().split("\n")[-1]] and lines[0].startswith(f"interrupted by {signame}: stopped")
    assert "Traceback" not in err


@pytest.fixture(scope="module", params=["optimise", "calibrate"])
def command(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, bytes], int]:
    """A command line, the files of its uninterrupted run and how many runs it makes."""
    args = OPTIMISE if request.param == "optimise" else CALIBRATE
    folder = tmp_path_factory.mktemp(f"clean_{request.param}")
    write(folder, PROBLEM, "problem.toml")
    finish(folder, args)
    return args, contents(folder), len(finished_runs(folder))


def prepared(tmp_path: Path) -> Path:
    """A fresh folder holding the problem file."""
    write(tmp_path, PROBLEM, "problem.toml")
    return tmp_path


def test_kill_9_at_a_random_point_then_the_same_command_resumes(command, tmp_path: Path) -> None:
    """SIGKILL to the whole process group after a random number of runs; the rerun redoes none of them."""
    args, clean, runs = command
    at = random.Random().randint(1, runs - 1)
    proc = start(prepared(tmp_path), args)
    signal_after(proc, tmp_path, at, signal.SIGKILL)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL and at <= len(finished_runs(tmp_path)) < runs, at
    resumed_like_clean(tmp_path, args, clean)


#: the fault each command meets: optimise a full disk, calibrate a folder made read-only
FAULT = {"optimise": ("ENOSPC", "No space left on device"), "calibrate": ("EROFS", "Read-only file system")}


def test_a_disk_that_fills_or_a_folder_made_read_only_mid_run(command, tmp_path: Path) -> None:
    """After 3 runs the folder takes no more: code 1, one message naming the file and saying what is kept and what to
    do; the 3 runs are kept whole; the same command then finishes the work."""
    args, clean, _ = command
    fault, says = FAULT[args[0]]
    proc = start(prepared(tmp_path), args, fault=f"{fault}:3:{os.sep}runs{os.sep}")
    _, err = proc.communicate(timeout=600)
    last = err.strip().split("\n")[-1]
    assert proc.returncode == 1 and "Traceback" not in err, err[-3000:]
    assert re.match(rf"error: cannot write \S+{os.sep}runs{os.sep}\S+\.parquet \({says}\); the runs finished before "
                    "are kept and nothing half-written is left", last), last
    assert last.endswith(f"then run `ruralsim {' '.join(args)}` again: finished runs are not redone")
    assert len(finished_runs(tmp_path)) == 3
    resumed_like_clean(tmp_path, args, clean)


def test_ctrl_c_stops_with_one_line(command, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group) once runs are on disk: code 130, one line, finished runs kept whole."""
    args, _, _ = command
    proc = start(prepared(tmp_path), args)
    signal_after(proc, tmp_path, 1, signal.SIGINT)
    one_interrupt_line(proc, "SIGINT", 130)
    assert finished_runs(tmp_path) and not list(tmp_path.rglob("*.tmp"))
