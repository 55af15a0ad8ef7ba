"""The experiment runner against the model: runs per minute of a batch, and of a plain loop in one process.

Usage::

    python benchmarks/runner_benchmark.py [--worlds small medium] [--workers 1 2] [--runs N]
                                          [--engine local|dask] [--repeat 3] [--report PATH]

Two worlds: ``small`` (3,000 households x 60 months) and ``medium`` (30,000 x 120), a batch of 48
runs each (the size the runner's targets are stated for); each batch is a Latin hypercube over
commission and trust weight with two paired replicates a point. For each world it measures, one
after the other so that they share the machine's load:

- the yardstick: a plain loop over ``abm.simulate.run`` in this process, timed over the runs
  alone (after the imports and one run that loads the compiled kernels, neither counted);
- ``ruralsim experiment FILE --workers W --out EMPTY`` as a fresh command, from its start to its
  end: imports, worker start-up, runs, writes, consolidation and the summary table.

The ratio is the runner's runs per minute over ``W`` times the loop's: 1 would be perfect scaling
with no overhead at all. The speed of a shared machine drifts between minutes (the same 48 loop runs
took 10.8 to 17.0 s in three calls within ten minutes, and one round's ratio ranged 0.53 to 0.81 for
the same code), so the runner runs in rounds (``--repeat``, 3 by default), each between two timings
of the loop, and is held to their mean; the summary gives each world's median ratio over the rounds,
with the lowest and highest. Each row carries the load average before and after it (on a shared
machine, other people's processes take cores from the parallel rows), and the CPU seconds it used
(user + system, of the command and every process it started: this process adopts the fork server
when the command ends, on Linux, so that its workers are counted too). The CPU ratio, the loop's CPU
seconds over the row's, is the share of the CPU spent on the runs themselves, which the load hardly
moves. Prints each row as it is measured, then writes ``benchmarks/runner_benchmark.md`` (or
``--report PATH``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPORT = Path(__file__).with_name("runner_benchmark.md")
ROOT = Path(__file__).resolve().parent.parent

#: name: (households, months, runs)
WORLDS = {"small": (3_000, 60, 48), "medium": (30_000, 120, 48)}

EXPERIMENT = """name = "runner-benchmark-{world}"
base = "default"
months = {months}
replicates = 2
root_seed = 34
parameters = {{ farmers = {farmers} }}

[design]
kind = "lhs"
parameters = ["commission", "trust_weight"]
samples = {points}
"""


@dataclass(frozen=True)
class Row:
    """One measurement: what ran, how long, and the load average around it."""

    world: str
    how: str
    workers: int
    runs: int
    seconds: float
    cpu: float
    load: tuple[float, float]

    def per_minute(self) -> float:
        """Runs per minute."""
        return 60.0 * self.runs / self.seconds


def write_experiment(folder: Path, world: str, runs: int) -> Path:
    """The benchmark's experiment file for a world (``runs`` rounded down to an even number)."""
    farmers, months, _ = WORLDS[world]
    path = folder / f"{world}.toml"
    path.write_text(EXPERIMENT.format(world=world, months=months, farmers=farmers, points=max(1, runs // 2)))
    return path


def loop_seconds(file: Path) -> tuple[int, float, float]:
    """Runs, seconds and CPU seconds of a plain in-process loop over the experiment's jobs (kernels loaded first)."""
    from abm.simulate import run
    from experiments.experiment import load_experiment
    from experiments.runner import make_jobs

    jobs = make_jobs(load_experiment(file))
    run(jobs[0].scenario, seed=jobs[0].seed, months=jobs[0].months)  # loads the kernels: not counted
    start, cpu = time.perf_counter(), time.process_time()
    for job in jobs:
        run(job.scenario, seed=job.seed, months=job.months)
    return len(jobs), time.perf_counter() - start, time.process_time() - cpu


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished and reaped descendant of this process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def adopt_orphans() -> None:
    """Become the parent of orphaned descendants (a command's fork server outlives it briefly), on Linux."""
    if platform.system() == "Linux":
        ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER


def reap_orphans() -> None:
    """Wait for every adopted descendant to end, so that its CPU time is counted."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def command_seconds(file: Path, workers: int, engine: str) -> tuple[float, float]:
    """Wall time of ``ruralsim experiment`` into an empty folder, from its start to its end, and its CPU seconds."""
    with tempfile.TemporaryDirectory() as out:
        command = [str(Path(sys.executable).with_name("ruralsim")), "experiment", str(file), "--workers", str(workers),
                   "--engine", engine, "--out", str(Path(out) / "batch")]
        cpu = children_cpu()
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        seconds = time.perf_counter() - start
        reap_orphans()
        return seconds, children_cpu() - cpu


Round = tuple[Row, list[Row]]  # the loops either side of the round (as one row), then the runner at each worker count


def loop_row(world: str, file: Path) -> Row:
    """One timing of the plain loop, with the load average around it."""
    before = os.getloadavg()[0]
    count, seconds, cpu = loop_seconds(file)
    return Row(world, "in-process loop", 1, count, seconds, cpu, (before, os.getloadavg()[0]))


def mean_loop(before: Row, after: Row) -> Row:
    """The loop timed before and after a round, as one row: their mean seconds and CPU seconds."""
    how = f"in-process loop (mean of {before.seconds:.1f} s before, {after.seconds:.1f} s after)"
    return Row(before.world, how, 1, before.runs, (before.seconds + after.seconds) / 2, (before.cpu + after.cpu) / 2,
               (before.load[0], after.load[1]))


def measure(world: str, runs: int, workers: list[int], engine: str, folder: Path, repeat: int) -> list[Round]:
    """``repeat`` rounds on one world: the runner at each worker count, between two timings of the loop.

    A shared machine's speed drifts from one minute to the next, so each round's runner is held to
    the mean of the loops just before and just after it (each loop timing serves the rounds on both
    of its sides): a drift that is steady over a round cancels.
    """
    file = write_experiment(folder, world, runs)
    before = loop_row(world, file)
    print(line(before, before), flush=True)
    rounds = []
    for _ in range(repeat):
        runners = []
        for w in workers:
            load = os.getloadavg()[0]
            seconds, cpu = command_seconds(file, w, engine)
            runners.append(Row(world, f"ruralsim experiment ({engine})", w, before.runs, seconds, cpu,
                               (load, os.getloadavg()[0])))
        after = loop_row(world, file)
        loops = mean_loop(before, after)
        for row in runners:
            print(line(row, loops), flush=True)
        print(line(after, after), flush=True)
        rounds.append((loops, runners))
        before = after
    return rounds


def ratio(row: Row, loop: Row) -> float:
    """Runs per minute of a row over workers times the loop's (1: perfect scaling, no overhead)."""
    return row.per_minute() / (row.workers * loop.per_minute())


def summary(rounds: list[Round]) -> list[str]:
    """Per world and worker count: the median ratio over the rounds, with the lowest and highest."""
    ratios: dict[tuple[str, int], list[float]] = {}
    for loop, runners in rounds:
        for row in runners:
            ratios.setdefault((row.world, row.workers), []).append(ratio(row, loop))
    out = ["| world | workers | rounds | median runner / (workers x loop) | lowest | highest |",
           "|---|---:|---:|---:|---:|---:|"]
    for (world, workers), values in ratios.items():
        farmers, months, _ = WORLDS[world]
        out.append(f"| {world} ({farmers:,} x {months}) | {workers} | {len(values)} | "
                   f"{statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |")
    return out


def line(row: Row, loop: Row) -> str:
    """A markdown table row: the ratio is runs per minute over workers times the loop's."""
    farmers, months, _ = WORLDS[row.world]
    return (f"| {row.world} ({farmers:,} x {months}) | {row.how} | {row.workers} | {row.runs} | {row.seconds:.1f} | "
            f"{row.per_minute():.0f} | {ratio(row, loop):.2f} | {row.cpu:.1f} | {loop.cpu / row.cpu:.2f} | "
            f"{row.load[0]:.1f} / {row.load[1]:.1f} |")


HEADER = ["| world | how | workers | runs | seconds | runs per minute | runner / (workers x loop) | CPU seconds "
          "| CPU ratio | load before / after |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]


def main() -> None:
    """Measure, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worlds", nargs="+", choices=list(WORLDS), default=list(WORLDS))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts of the runner")
    parser.add_argument("--runs", type=int, default=None, help="runs per world (default: 48)")
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of loop then runner per world, in turn (default: 3; the summary takes the median)")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"markdown file to write (default: {REPORT})")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error(f"--repeat {args.repeat}: allowed: 1 or more rounds")
    adopt_orphans()
    print("\n".join(HEADER), flush=True)
    rounds: list[Round] = []
    with tempfile.TemporaryDirectory() as folder:
        for world in args.worlds:
            rounds += measure(world, args.runs or WORLDS[world][2], args.workers, args.engine, Path(folder),
                              args.repeat)
    rows = [line(row, loop) for loop, runners in rounds for row in (loop, *runners)]
    print("\n".join(summary(rounds)), flush=True)
    lines = [
        "# Experiment runner benchmark", "",
        f"{date.today()}, {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores "
        f"({platform.machine()}); load average (1 minute) before and after each row.", "",
        *summary(rounds), "",
        *HEADER, *rows, "",
        "The loop is `abm.simulate.run` over the same jobs in one process, timed over the runs alone (after its "
        "imports and a first run that loads the compiled kernels), timed before and after each round: a round's "
        "runner rows are held to the mean of the two. The runner rows are the whole command "
        "`ruralsim experiment FILE --workers W` into an empty folder, from its start to its end. The first table "
        "gives each world's median ratio over the rounds. CPU seconds: "
        "user + system of the loop, or of the command and every process it started; CPU ratio: the loop's over "
        "the row's. "
        "Regenerate with `python benchmarks/runner_benchmark.py`.",
    ]
    args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {args.report}")


if __name__ == "__main__":
    main()
