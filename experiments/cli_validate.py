"""Command-line functions for the stylized facts: ``validate`` and ``calibrate``.

Plain typer-annotated functions; the main app (``experiments/cli.py``) registers them and turns a
:class:`abm.scenario.ScenarioError` into a one-line message and exit code 2. ``validate --strict``
exits with code 1 when an output fact is missed.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from experiments.options import (EngineOpt, FarmersOpt, MonthsOpt, OutOpt, ReplicatesOpt, RootSeedOpt, SchedulerOpt,
                                 WorkersOpt, check_scheduler)


class LocalSearch(str, Enum):
    """The local search of the calibration."""

    powell = "Powell"
    nelder_mead = "Nelder-Mead"


def validate(
    replicates: ReplicatesOpt = 10,
    root_seed: RootSeedOpt = 12345,
    months: MonthsOpt = 120,
    farmers: FarmersOpt = None,
    scenario: Annotated[str, typer.Option(help="Base scenario: packaged name or file.")] = "default",
    out: OutOpt = Path("results/validate"),
    engine: EngineOpt = "local",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    facts: Annotated[Path | None, typer.Option(help="Facts file (default: seeds/facts.csv).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit with code 1 when an output fact is missed.")] = False,
) -> None:
    """Run the baseline over replicates and compare it, fact by fact, with the stylized facts."""
    from experiments.validate import validate as run_validation

    check_scheduler(engine, scheduler)
    result = run_validation(replicates, root_seed, months, farmers, scenario, out, engine, workers, facts,
                            address=scheduler, warn=lambda line: typer.echo(line, err=True))
    typer.echo(f"table: {result.out}/facts.csv, {result.out}/facts.md; per replicate: {result.out}/replicates.csv")
    if result.failed_outputs:
        typer.echo(f"output facts missed: {', '.join(result.failed_outputs)}", err=True)
        if strict:
            raise typer.Exit(1)


def calibrate(
    farmers: Annotated[int, typer.Option(help="Households of the calibration world (default: the default scenario's, which validate checks).")] = 30000,
    months: Annotated[int, typer.Option(help="Months of each run (at least 72).")] = 120,
    seeds: Annotated[int, typer.Option(help="Seeds per point (common random numbers; few seeds overfit).")] = 12,
    points: Annotated[int, typer.Option(help="Latin hypercube points.")] = 24,
    starts: Annotated[int, typer.Option(help="Local searches from the best design points.")] = 1,
    local: Annotated[LocalSearch, typer.Option(help="Local search method.")] = LocalSearch.powell,
    budget_minutes: Annotated[float, typer.Option(
        help="Wall-clock budget; local searches stop when spent (16 cores: about 8 minutes suffice).")] = 60.0,
    root_seed: Annotated[int, typer.Option(help="Root of the calibration seeds.")] = 2025,
    workers: WorkersOpt = None,
    out: Annotated[Path | None, typer.Option(help="Record to write (default: seeds/calibration.toml).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Fit and print, but write no record.")] = False,
) -> None:
    """Fit the free parameters to the output facts and write the calibration record."""
    from rich.console import Console
    from rich.table import Table

    from experiments.calibrate import calibrate as run_calibration
    from experiments.calibrate import write_record

    console = Console()
    cal = run_calibration(farmers, months, seeds, points, starts, budget_minutes, root_seed, workers,
                          progress=console.print, method=local.value)
    table = Table(title=f"Calibration: objective {cal.start_objective:.4g} -> {cal.objective:.4g} "
                        f"({cal.runs} runs, {cal.seconds / 60:.1f} min)")
    for c in ("fact", "target", "value", "miss / tol", "within"):
        table.add_column(c)
    for row in cal.fit:
        table.add_row(row["fact"], f"{row['target']:.4g}", f"{row['value']:.4g}", f"{row['scaled_miss']:.3g}",
                      "yes" if row["within"] else "no")
    console.print(table)
    console.print(", ".join(f"{k} = {v:g}" for k, v in cal.values.items()))
    if not dry_run:
        path = write_record(cal, out)
        console.print(f"record written: {path}")
