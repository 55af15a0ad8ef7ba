"""Command-line functions for the stylized facts: ``validate`` and ``calibrate``.

Plain typer-annotated functions; the main app (``experiments/cli/app.py``) registers them and turns a
:class:`abm.io.scenario.ScenarioError` into a one-line message and exit code 2. ``validate --strict``
exits with code 1 when an output fact is missed.
"""

from __future__ import annotations

import dataclasses
import tomllib
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from abm.io.inputs import ScenarioError
from experiments.calibration.facts import GROWTH_YEARS
from experiments.cli.options import (EngineOpt, FarmersOpt, MonthsOpt, OutOpt, PosteriorOpt, ReplicatesOpt, RootSeedOpt,
                                     SchedulerOpt, WaitOpt, WorkersOpt, check_scheduler, command_line, refuse_together)
from experiments.parsers import FARMERS_RANGE, MONTHS_RANGE, SEED_RANGE, whole


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
    wait: WaitOpt = False,
) -> None:
    """Run the baseline over replicates and compare it, fact by fact, with the stylized facts.

    The facts are printed in groups by what they are evidence of: independent, calibrated, imposed, context.
    """
    # start-up time: a command imports what it runs only when it runs
    from experiments.calibration.validate import validate as run_validation

    check_scheduler(engine, scheduler, workers)
    result = run_validation(replicates, root_seed, months, farmers, scenario, out, engine, workers, facts,
                            posterior=posterior, address=scheduler, warn=lambda line: typer.echo(line, err=True),
                            wait=wait)
    typer.echo(f"table: {result.out}/facts.csv, {result.out}/facts.md; per replicate: {result.out}/replicates.csv")
    if result.failed_outputs:
        evidence = result.table.set_index("id").evidence
        missed = ", ".join(f"{fact} ({evidence[fact]})" for fact in result.failed_outputs)
        typer.echo(f"output facts missed: {missed}", err=True)
        if strict:
            raise typer.Exit(1)


def print_wave(wave) -> None:
    """Print one wave: the region it leaves and each emulator's validation."""
    # start-up time: a command imports what it runs only when it runs
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
    quick: Annotated[bool, typer.Option(help="Smoke mode: 3,000 households, 72 months, 2 seeds, 2 waves of 16 "
                                             "points (minutes); options given explicitly still apply.")] = False,
    farmers: Annotated[int | None, typer.Option(parser=whole(*FARMERS_RANGE), metavar="N",
                                                help="Households of the calibration world (default 30,000).")] = None,
    months: Annotated[int | None, typer.Option(parser=whole(12 * GROWTH_YEARS[1], MONTHS_RANGE[1]), metavar="N",
                                               help="Months of each run (at least 72; default 120).")] = None,
    seeds: Annotated[int | None, typer.Option(parser=whole(2, 1000), metavar="N",
                                              help="Seeds per point, the same at every point (default 4).")] = None,
    waves: Annotated[int | None, typer.Option(parser=whole(1, 100), metavar="N",
                                              help="History-matching waves (default 4).")] = None,
    points: Annotated[int | None, typer.Option(parser=whole(4, 100_000), metavar="N",
                                               help="Design points per wave (default 64).")] = None,
    check: Annotated[int | None, typer.Option(
        parser=whole(1, 10_000), metavar="N", help="Posterior members run to check the emulators (default 10).")] = None,
    parameters: Annotated[str | None, typer.Option(help="Comma-separated free parameters to calibrate (default: all; "
                                                        "the others keep their defaults).")] = None,
    facts: Annotated[Path | None, typer.Option(help="Facts file (default: seeds/facts.csv).")] = None,
    root_seed: Annotated[int, typer.Option(parser=whole(*SEED_RANGE), metavar="N",
                                           help="Root of the calibration seeds and designs.")] = 2025,
    engine: EngineOpt = "local",
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    work: Annotated[Path, typer.Option(help="Folder of the cached runs (resumable).")] = Path("results/calibrate"),
    out: Annotated[Path | None, typer.Option(help="Folder of the record (default: seeds/, the package's).")] = None,
    default_member: Annotated[DefaultMember, typer.Option(
        help="The model's defaults: best checked member, posterior median member, or keep the previous values.")
    ] = DefaultMember.best,
    dry_run: Annotated[bool, typer.Option(help="Calibrate and print, but write no record.")] = False,
    wait: WaitOpt = False,
) -> None:
    """History-match the free parameters to the output facts and write the posterior and the record.

    The folder of the cached runs (``--work``) is locked while the calibration works in it
    (``--wait`` waits for another process holding it); a killed calibration resumes from its runs.
    """
    # start-up time: a command imports what it runs only when it runs
    from abm.io.folders import check_writable, locked
    from abm.io.output_size import experiment_outputs
    from experiments.calibration.calibrate import QUICK, Settings, check_calibration
    from experiments.calibration.calibrate import calibrate as run_calibration

    check_scheduler(engine, scheduler, workers)
    refuse_together(("--dry-run", dry_run), ("--out", out), "--dry-run writes no record, so it has no folder")
    check_record_target(out, default_member.value, dry_run)
    given = {"farmers": farmers, "months": months, "seeds": seeds, "waves": waves, "points": points, "check": check}
    settings = dataclasses.replace(QUICK if quick else Settings(), root_seed=root_seed,
                                   **{k: v for k, v in given.items() if v is not None})
    names = [n.strip() for n in parameters.split(",") if n.strip()] if parameters else None
    check_calibration(settings, names, facts)
    check_writable(work, experiment_outputs(settings.waves * settings.points * settings.seeds, settings.months, 0),
                   option="--work")
    with locked(work, wait, option="--work"):
        cal = run_calibration(settings, names, facts, work, engine, workers, scheduler, report=print_wave)
    print_calibration(cal)
    if not dry_run:
        write_calibration(cal, out, default_member.value)


def check_record_target(out: Path | None, default_member: str, dry_run: bool) -> None:
    """Before calibrating: the record's folder can be written, and ``keep`` has values to keep.

    Raises:
        ScenarioError: Naming the option, the value and what is allowed.
    """
    # start-up time: a command imports what it runs only when it runs
    from abm.io.folders import check_writable
    from abm.io.output_size import Estimate
    from experiments.calibration.calibrate import record_path

    if dry_run:
        return
    path = Path(out) / "calibration.toml" if out is not None else record_path()
    check_writable(path.parent, Estimate(2_000_000, "the record and the posterior"))
    if default_member == "keep":
        try:
            kept = tomllib.loads(path.read_text(encoding="utf-8")).get("values") if path.is_file() else None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            kept = None
        if not kept:
            raise ScenarioError(f"--default-member = keep: {path} has no [values] to keep; allowed: best or median, "
                                "or an --out whose calibration.toml has [values]")


def print_calibration(cal) -> None:
    """Print the posterior's size and each parameter's 90% interval and how tightly the facts pin it."""
    from rich.console import Console  # start-up time: a command imports what it runs only when it runs

    # start-up time: a command imports what it runs only when it runs
    from experiments.calibration.record import parameter_summary, posterior_frame

    console = Console()
    post = cal.match.posterior
    console.print(f"posterior: {len(post.weights)} weighted sets from {post.proposals} particles, "
                  f"effective sample size {post.ess:.0f}; {cal.runs} runs in {cal.seconds / 60:.1f} min")
    for name, s in parameter_summary(cal, posterior_frame(cal)).items():
        console.print(f"  {name}: 90% [{s['q05']:g}, {s['q95']:g}], median {s['q50']:g} "
                      f"({s['share_of_range']:.0%} of the plausible range: {s['verdict']})")


def write_calibration(cal, out: Path | None, default_member: str) -> None:
    """Write the record and the posterior (default: the packaged ``seeds/``) and say where."""
    # start-up time: a command imports what it runs only when it runs
    from experiments.calibration.record import write_record

    path = write_record(cal, out, default_member, command_line("calibrate"))
    typer.echo(f"record written: {path} and {path.with_name('posterior.parquet')}")
