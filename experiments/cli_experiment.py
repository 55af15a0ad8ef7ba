"""Command-line functions for experiments: ``experiment``, ``sensitivity`` and ``summarise``.

They are plain typer-annotated functions; the main app (``experiments/cli.py``) registers them and
turns a :class:`abm.scenario.ScenarioError` into a one-line message and exit code 2. The experiment
machinery is imported when a command runs, so ``--help`` and the runner's worker processes start fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from experiments.worker import DEFAULT_MODEL


class Engine(StrEnum):
    """Where the runs execute."""

    local = "local"
    dask = "dask"


FileArg = Annotated[str, typer.Argument(help="Experiment file (TOML or YAML) or packaged suite name, e.g. example.")]
EngineOpt = Annotated[Engine, typer.Option(help="local: process pool; dask: dask.distributed cluster.")]
WorkersOpt = Annotated[int | None, typer.Option(min=1, help="Worker processes (default: all cores).")]
OutOpt = Annotated[Path | None, typer.Option(help="Output folder (default: results/<experiment name>).")]
MonthsOpt = Annotated[int | None, typer.Option(min=1, max=1200, help="Override the experiment's months.")]
SchedulerOpt = Annotated[str | None, typer.Option(help="Address of a running Dask scheduler (dask engine).")]
ModelOpt = Annotated[str, typer.Option(help="Model function as module:function.")]


def print_frame(df: pd.DataFrame, title: str = "") -> None:
    """Print a data frame as a rich table, numbers to four significant digits."""
    table = Table(title=title or None)
    for column in df.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(df[column]) else "left")
    for row in df.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)


def _interval(lo: float, hi: float) -> str:
    """Format a confidence interval, or a dash where there is none."""
    return "-" if pd.isna(lo) else f"[{lo:.4g}, {hi:.4g}]"


def compact_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Condense :func:`summary_table` to outcome, arm, n, mean, CI, difference and its CI.

    Over posterior members the intervals are seed + parameter, and two columns give the difference's
    seed-only interval and the share of members agreeing on its sign.
    """
    compact = pd.DataFrame({
        "outcome": table.outcome, "arm": table.arm, "n": table.n, "mean": table["mean"],
        "95% CI": [_interval(lo, hi) for lo, hi in zip(table.ci_low, table.ci_high, strict=True)],
        "diff": [("-" if pd.isna(d) else f"{d:.4g}") for d in table["diff"]],
        "diff 95% CI": [_interval(lo, hi) for lo, hi in zip(table.diff_ci_low, table.diff_ci_high, strict=True)],
    })
    if "diff_sign_share" in table:
        compact["diff seed-only CI"] = [_interval(lo, hi) for lo, hi in
                                        zip(table.diff_seed_ci_low, table.diff_seed_ci_high, strict=True)]
        compact["sign agrees"] = ["-" if pd.isna(s) else f"{s:.0%}" for s in table.diff_sign_share]
    return compact


PosteriorOpt = Annotated[int | None, typer.Option(
    min=1, help="Run every arm over N calibration-posterior members (paired by member and seed).")]


def experiment(file: FileArg, engine: EngineOpt = Engine.local, workers: WorkersOpt = None, out: OutOpt = None,
               months: MonthsOpt = None, scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL,
               posterior: PosteriorOpt = None) -> None:
    """Run an experiment file: every arm or design point times every replicate, resumable."""
    from experiments.analysis import summary_table
    from experiments.experiment import load_experiment
    from experiments.posterior import with_posterior
    from experiments.runner import run_experiment

    plan = load_experiment(file, months)
    if posterior is not None:
        plan = with_posterior(plan, posterior)
    folder = out or Path("results") / plan.experiment.name
    report = run_experiment(plan, folder, engine.value, workers, scheduler, model)
    typer.echo(f"{report.runs} runs ({report.executed} new, {report.skipped} already done) "
               f"in {report.seconds:.1f} s; results in {folder}/results.parquet")
    print_frame(compact_summary(summary_table(folder)), title="final month (diff: arm minus reference, paired)")


def sensitivity(file: FileArg, outcome: Annotated[str, typer.Option(help="Outcome analysed (final month).")],
                engine: EngineOpt = Engine.local, workers: WorkersOpt = None, out: OutOpt = None,
                months: MonthsOpt = None, scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL) -> None:
    """Run a sobol or morris experiment and print (and save) the sensitivity indices of one outcome."""
    from experiments.experiment import load_experiment
    from experiments.sensitivity import run_sensitivity

    plan = load_experiment(file, months)
    folder = out or Path("results") / plan.experiment.name
    table = run_sensitivity(plan, folder, outcome, engine.value, workers, scheduler, model)
    print_frame(table, title=f"{plan.experiment.design.kind} indices of {outcome}")
    typer.echo(f"table and plot: {folder}/sensitivity_{outcome}.csv, .png")


def summarise(folder: Annotated[Path, typer.Argument(help="An experiment's output folder.")],
              reference: Annotated[str | None, typer.Option(help="Reference arm (default: the first).")] = None
              ) -> None:
    """Print the final-month summary of an experiment: mean, 95% CI and paired difference to the reference."""
    from experiments.analysis import summary_table

    print_frame(compact_summary(summary_table(folder, reference)), title=f"{folder}: final month")
