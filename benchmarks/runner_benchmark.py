"""Runs per minute of the experiment runner on the default scenario, at 1 and 2 workers.

Usage::

    python benchmarks/runner_benchmark.py [--runs 8] [--months 120] [--workers 1 2] [--engine local] [--report PATH]

Each measurement runs ``--runs`` replicates of the default scenario into a fresh temporary folder
(nothing cached) and times the whole batch: pool start-up, runs, writing and consolidation.
Prints each row as it is measured, then the table, and writes ``benchmarks/runner_benchmark.md``
(or ``--report PATH``). Parallel efficiency is the speed-up divided by the workers over the first row's.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from datetime import date
from pathlib import Path

from abm.io.scenario import load_scenario
from experiments.experiment import Experiment, plan_experiment
from experiments.runner import run_experiment

REPORT = Path(__file__).with_name("runner_benchmark.md")


def measure(runs: int, months: int, workers: int, engine: str) -> float:
    """Seconds to run ``runs`` replicates of the default scenario with ``workers`` workers."""
    experiment = Experiment(name="benchmark", base="default", months=months, arms={"default": {}},
                            replicates=runs, root_seed=1)
    plan = plan_experiment(experiment, "benchmark")
    with tempfile.TemporaryDirectory() as out:
        return run_experiment(plan, out, engine, workers, progress=False).seconds


def table(rows: list[tuple[int, float]], runs: int) -> list[str]:
    """Markdown table of workers, seconds, runs per minute, speed-up and efficiency over the first row."""
    lines = ["| workers | runs | seconds | runs per minute | speed-up | efficiency |",
             "|---:|---:|---:|---:|---:|---:|"]
    for workers, seconds in rows:
        speedup = rows[0][1] / seconds
        lines.append(f"| {workers} | {runs} | {seconds:.1f} | {60 * runs / seconds:.1f} | "
                     f"{speedup:.2f} | {speedup * rows[0][0] / workers:.2f} |")
    return lines


def main() -> None:
    """Measure, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="replicates per measurement")
    parser.add_argument("--months", type=int, default=None, help="months per run (default: the scenario's)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"markdown file to write (default: {REPORT})")
    args = parser.parse_args()
    scenario = load_scenario("default")
    months = args.months or scenario.months
    rows = []
    for w in args.workers:
        rows.append((w, measure(args.runs, months, w, args.engine)))
        print(f"{w} workers: {args.runs} runs in {rows[-1][1]:.1f} s", flush=True)
    lines = [
        "# Experiment runner benchmark", "",
        f"Default scenario ({scenario.parameters.farmers:,} farmers, {months} months), {args.engine} engine, "
        f"{date.today()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores ({platform.machine()}), load average {os.getloadavg()[0]:.1f} at the end "
        "(other processes competing for the cores slow the parallel rows most).", "",
        *table(rows, args.runs), "",
        "Wall time of the whole batch into an empty folder: worker start-up, runs, atomic writes and "
        "consolidation. Regenerate with `python benchmarks/runner_benchmark.py`.",
    ]
    print("\n".join(lines))
    args.report.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
