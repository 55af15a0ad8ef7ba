"""Command-line functions for the stylized facts: ``validate`` and ``calibrate``.

Plain typer-annotated functions; the main app (``experiments/cli/app.py``) registers them and turns a
:class:`abm.io.scenario.ScenarioError` into a one-line message and exit code 2. ``validate --strict``
exits with code 1 when an output fact is missed.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from experiments.cli.options import (
    EngineOpt,
    FarmersOpt,
    MonthsOpt,
    OutOpt,
    PosteriorOpt,
    ReplicatesOpt,
    RootSeedOpt,
    SchedulerOpt,
    WorkersOpt,
    check_scheduler,
)


class DefaultMember(str, Enum):
    """Which posterior member the record's default values are."""

    best = "best"
    median = "median"
    keep = "keep"


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
    posterior: PosteriorOpt = None,
) -> None:
    """Run the baseline over replicates and compare it, fact by fact, with the stylized facts.

    The facts are printed in groups by what they are evidence of: independent, calibrated, imposed, context.
    """
    from experiments.calibration.validate import validate as run_validation

    check_scheduler(engine, scheduler)
    result = run_validation(replicates, root_seed, months, farmers, scenario, out, engine, workers, facts,
                            posterior=posterior, address=scheduler, warn=lambda line: typer.echo(line, err=True))
    typer.echo(f"table: {result.out}/facts.csv, {result.out}/facts.md; per replicate: {result.out}/replicates.csv")
    if result.failed_outputs:
        evidence = result.table.set_index("id").evidence
        missed = ", ".join(f"{fact} ({evidence[fact]})" for fact in result.failed_outputs)
        typer.echo(f"output facts missed: {missed}", err=True)
        if strict:
            raise typer.Exit(1)


def print_wave(wave) -> None:
    """Print one wave: the region it leaves and each emulator's validation."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"wave {wave.index}: {len(wave.x)} points ({wave.filled} filled from outside the region), "
                        f"non-implausible share of the box {wave.nroy_fraction:.3g}, {wave.seconds:.0f} s")
    for column in ("fact", "training points", "Q2 (10-fold)", "within 3 sd", "seed sd"):
        table.add_column(column, justify="left" if column == "fact" else "right")
    for em, v in zip(wave.emulators, wave.seed_var, strict=True):
        table.add_row(em.fact, str(em.n), f"{em.q2:.3f}", f"{em.coverage:.2f}", f"{v ** 0.5:.3g}")
    Console(stderr=True).print(table)


def calibrate(
    quick: Annotated[bool, typer.Option(help="Smoke mode: 1,500 households, 72 months, 2 seeds, 2 waves of 16 "
                                             "points (minutes); options given explicitly still apply.")] = False,
    farmers: Annotated[int | None, typer.Option(help="Households of the calibration world (default 30,000).")] = None,
    months: Annotated[int | None, typer.Option(help="Months of each run (at least 72; default 120).")] = None,
    seeds: Annotated[int | None, typer.Option(help="Seeds per point, the same at every point (default 4).")] = None,
    waves: Annotated[int | None, typer.Option(help="History-matching waves (default 4).")] = None,
    points: Annotated[int | None, typer.Option(help="Design points per wave (default 64).")] = None,
    check: Annotated[int | None, typer.Option(
        help="Posterior members run to check the emulators (default 10).")] = None,
    parameters: Annotated[str | None, typer.Option(help="Comma-separated free parameters to calibrate (default: all; "
                                                        "the others keep their defaults).")] = None,
    facts: Annotated[Path | None, typer.Option(help="Facts file (default: seeds/facts.csv).")] = None,
    root_seed: Annotated[int, typer.Option(help="Root of the calibration seeds and designs.")] = 2025,
    engine: EngineOpt = "local",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    work: Annotated[Path, typer.Option(help="Folder of the cached runs (resumable).")] = Path("results/calibrate"),
    out: Annotated[Path | None, typer.Option(help="Folder of the record (default: seeds/, the package's).")] = None,
    default_member: Annotated[DefaultMember, typer.Option(
        help="The model's defaults: best checked member, posterior median member, or keep the previous values.")
    ] = DefaultMember.best,
    dry_run: Annotated[bool, typer.Option(help="Calibrate and print, but write no record.")] = False,
) -> None:
    """History-match the free parameters to the output facts and write the posterior and the record."""
    import dataclasses
    import sys

    from rich.console import Console

    from experiments.calibration.calibrate import QUICK, Settings
    from experiments.calibration.calibrate import calibrate as run_calibration
    from experiments.calibration.record import parameter_summary, posterior_frame, write_record

    check_scheduler(engine, scheduler)
    given = {"farmers": farmers, "months": months, "seeds": seeds, "waves": waves, "points": points, "check": check}
    settings = dataclasses.replace(QUICK if quick else Settings(), root_seed=root_seed,
                                   **{k: v for k, v in given.items() if v is not None})
    names = [n.strip() for n in parameters.split(",") if n.strip()] if parameters else None
    cal = run_calibration(settings, names, facts, work, engine, workers, scheduler, report=print_wave)
    console = Console()
    post = cal.match.posterior
    console.print(f"posterior: {len(post.weights)} weighted sets from {post.proposals} draws of the region, "
                  f"effective sample size {post.ess:.0f}; {cal.runs} runs in {cal.seconds / 60:.1f} min")
    for name, s in parameter_summary(cal, posterior_frame(cal)).items():
        console.print(f"  {name}: 90% [{s['q05']:g}, {s['q95']:g}], median {s['q50']:g} "
                      f"({s['share_of_range']:.0%} of the plausible range: {s['verdict']})")
    if not dry_run:
        command = "ruralsim calibrate " + " ".join(sys.argv[2:]) if len(sys.argv) > 1 else "calibrate()"
        path = write_record(cal, out, default_member.value, command.strip())
        console.print(f"record written: {path} and {path.with_name('posterior.parquet')}")
