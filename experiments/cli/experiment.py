"""Command-line functions for experiments: ``experiment``, ``sensitivity``, ``drivers`` and ``summarise``.

They are plain typer-annotated functions; the main app (``experiments/cli/app.py``) registers them and
turns a :class:`abm.io.scenario.ScenarioError` into a one-line message and exit code 2. The experiment
machinery is imported when a command runs, so ``--help`` and the runner's worker processes start fast.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from experiments.analysis import compact_summary, summary_table
from experiments.cli.options import (EngineOpt, FarmersOpt, ModelOpt, MonthsOpt, OutOpt, PosteriorOpt, ReplicatesOpt,
                                     RootSeedOpt, SchedulerOpt, WaitOpt, WorkersOpt, check_outcome, check_scheduler,
                                     whole)
from experiments.experiment import household_warnings
from experiments.pool import DEFAULT_MODEL, preload_modules, start_early


FileArg = Annotated[str, typer.Argument(help="Experiment file (TOML or YAML) or packaged suite name, e.g. example.")]


#: rows of the summary ``ruralsim experiment`` prints at its end: a design of many points has hundreds (every
#: outcome at every point), which take longer to draw than a small batch's runs; ``summarise`` prints them all
SUMMARY_ROWS = 60


def print_frame(df: pd.DataFrame, title: str = "", limit: int | None = None, more: str = "") -> None:
    """Print a data frame as a rich table, numbers to four significant digits.

    With ``limit``, only its first rows, then how many were left out and ``more`` (where to see them).
    """
    shown = df if limit is None else df.head(limit)
    table = Table(title=title or None)
    for column in shown.columns:
        table.add_column(str(column), justify="right" if pd.api.types.is_numeric_dtype(shown[column]) else "left")
    for row in shown.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    Console().print(table)
    if len(df) > len(shown):
        typer.echo(f"{len(df) - len(shown)} more rows: {more}")


def experiment(file: FileArg, engine: EngineOpt = "local", workers: WorkersOpt = None, out: OutOpt = None,
               months: MonthsOpt = None, replicates: ReplicatesOpt = None, farmers: FarmersOpt = None,
               root_seed: RootSeedOpt = None, scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL,
               posterior: PosteriorOpt = None, wait: WaitOpt = False) -> None:
    """Run an experiment file: every arm or design point times every replicate, resumable."""
    start_workers(engine, workers, model)
    from experiments.runner import run_experiment  # start-up time: a command imports what it runs only when it runs

    plan = prepare(file, engine, scheduler, model, months, replicates, farmers, root_seed, workers=workers)
    if posterior is not None:
        from experiments.posterior import with_posterior  # scikit-learn: imported only when asked for

        plan = with_posterior(plan, posterior)
    folder = out or Path("results") / plan.experiment.name
    report = run_experiment(plan, folder, engine, workers, scheduler, model, wait=wait)
    typer.echo(f"{report.runs} runs ({report.executed} new, {report.skipped} already done) "
               f"in {report.seconds:.1f} s; results in {folder}/results.parquet")
    print_frame(compact_summary(summary_table(folder)), title="final month (diff: arm minus reference, paired)",
                limit=SUMMARY_ROWS, more=f"`ruralsim summarise {folder}` prints them all")


def sensitivity(file: FileArg, outcome: Annotated[str, typer.Option(help="Outcome analysed (final month).")],
                engine: EngineOpt = "local", workers: WorkersOpt = None, out: OutOpt = None,
                months: MonthsOpt = None, replicates: ReplicatesOpt = None, farmers: FarmersOpt = None,
                root_seed: RootSeedOpt = None, scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL,
                wait: WaitOpt = False) -> None:
    """Run a sobol or morris experiment and print (and save) the sensitivity indices of one outcome."""
    start_workers(engine, workers, model)
    # start-up time: a command imports what it runs only when it runs
    from abm.io.scenario import ScenarioError
    from experiments.sensitivity import check_design, run_sensitivity

    plan = prepare(file, engine, scheduler, model, months, replicates, farmers, root_seed, outcome, workers)
    check_design(plan)
    kept = plan.experiment.outcomes
    if kept is not None and outcome not in kept:
        raise ScenarioError(f"--outcome = {outcome!r}: not among the experiment's outcomes; allowed: {', '.join(kept)}")
    folder = out or Path("results") / plan.experiment.name
    table = run_sensitivity(plan, folder, outcome, engine, workers, scheduler, model, wait=wait)
    print_frame(table, title=f"{plan.experiment.design.kind} indices of {outcome}")
    typer.echo(f"table and plot: {folder}/sensitivity_{outcome}.csv, .png")


def start_workers(engine: str, workers: int | None, model: str = DEFAULT_MODEL) -> None:
    """Start the local engine's fork server before the command's heavy imports (see :mod:`experiments.pool`)."""
    start_early(engine, workers, preload_modules(model))


def prepare(file: str, engine: str, scheduler: str | None, model: str, months: int | None, replicates: int | None,
            farmers: int | None, root_seed: int | None, outcome: str | None = None, workers: int | None = None):
    """Check the options and the outcome name, load and plan the experiment, and warn of changed sizes."""
    # start-up time: a command imports what it runs only when it runs
    from experiments.experiment import load_experiment

    check_scheduler(engine, scheduler, workers)
    if outcome is not None and model == DEFAULT_MODEL:
        check_outcome(outcome)
    plan = load_experiment(file, months, replicates=replicates, root_seed=root_seed, farmers=farmers)
    for line in household_warnings([s.parameters for s in plan.scenarios]):
        typer.echo(line, err=True)
    return plan


def summarise(folder: Annotated[Path, typer.Argument(help="An experiment's output folder.")],
              reference: Annotated[str | None, typer.Option(help="Reference arm (default: the first).")] = None
              ) -> None:
    """Print the final-month summary of an experiment: mean, 95% CI and paired difference to the reference."""
    from abm.io.inputs import reading  # start-up time: a command imports what it runs only when it runs

    with reading(folder, "an experiment's output folder (ruralsim experiment --out)"):
        table = summary_table(folder, reference)
    print_frame(compact_summary(table), title=f"{folder}: final month")


def _size_option(help_text: str) -> object:
    """A whole-number option of the drivers analysis's size (none given: the default or --quick size)."""
    return typer.Option(parser=whole(1, 10_000), metavar="N", help=help_text)


def drivers(
    file: Annotated[str, typer.Argument(help="A packaged suite (trust, subsidies, eastwest, programmes) or an arms experiment "
                                             "file.")],
    quick: Annotated[bool, typer.Option(help="A first look: 2 trajectories, 1 seed, 12 refined parameters, short "
                                             "sweeps (minutes).")] = False,
    trajectories: Annotated[int | None, _size_option(
        "Morris trajectories of the screening (default: about 2,000 runs, at least 2).")] = None,
    refine_trajectories: Annotated[int | None, _size_option(
        "Morris trajectories of the refinement (default: about 1,600 runs, at least 2).")] = None,
    top_groups: Annotated[int | None, _size_option("Groups each conclusion brings into the refinement (default 2).")
                          ] = None,
    max_factors: Annotated[int | None, _size_option("Parameters the refinement varies at most (default 24).")
                           ] = None,
    levels: Annotated[int | None, _size_option("Values of each sweep (default 7).")] = None,
    bisections: Annotated[int | None, _size_option("Halvings of a sign change's bracket (default 4).")] = None,
    replicates: ReplicatesOpt = None, farmers: FarmersOpt = None, months: MonthsOpt = None,
    root_seed: RootSeedOpt = None, engine: EngineOpt = "local", workers: WorkersOpt = None, out: OutOpt = None,
    scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL, wait: WaitOpt = False,
) -> None:
    """Which assumptions decide each conclusion: Morris screening by mechanism, refinement, sign-change thresholds."""
    start_workers(engine, workers, model)

    # start-up time: a command imports what it runs only when it runs
    from experiments.drivers import QUICK, Runner, Size, run_drivers
    from experiments.reports import SUITES, suite_plan

    if file in SUITES and not Path(file).exists():
        check_scheduler(engine, scheduler, workers)
        plan = suite_plan(file, None, farmers, months, root_seed)
    else:
        plan = prepare(file, engine, scheduler, model, months, None, farmers, root_seed, workers=workers)
    given = {"trajectories": trajectories, "refine_trajectories": refine_trajectories, "top_groups": top_groups,
             "max_factors": max_factors, "levels": levels, "bisections": bisections, "replicates": replicates}
    size = replace(QUICK if quick else Size(), **{k: v for k, v in given.items() if v is not None})
    folder = out or Path("results") / f"drivers-{plan.experiment.name}"
    report = run_drivers(plan, folder, size, Runner(engine, workers, scheduler, model, True, wait))
    typer.echo(f"report: {report}")
