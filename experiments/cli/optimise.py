"""Command-line functions for policy design: ``optimise`` (robust NSGA-II) and ``discover`` (PRIM and CART).

Plain typer-annotated functions registered by ``experiments/cli/app.py``, which turns a
:class:`abm.io.scenario.ScenarioError` into one clear message and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from experiments.cli.experiment import print_frame, start_workers
from experiments.cli.options import (EngineOpt, ModelOpt, SchedulerOpt, WaitOpt, WorkersOpt, check_scheduler,
                                     command_line)
from experiments.parsers import number, whole
from experiments.worker import DEFAULT_MODEL


def optimise(file: Annotated[Path, typer.Argument(help="Problem file (TOML or YAML), e.g. experiments/problems/subsidy_mix.toml.")],
             quick: Annotated[bool, typer.Option(help="Use the file's [quick] size (a small world, a short search).")] = False,
             engine: EngineOpt = "local", workers: WorkersOpt = None,
             out: Annotated[Path | None, typer.Option(help="Output folder (default: results/<problem name>).")] = None,
             scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL,
             posterior: Annotated[int | None, typer.Option(
                 parser=whole(1, 1000), metavar="N",
                 help="Face N calibration-posterior members (seeds/posterior.parquet), one condition each, "
                      "instead of the file's [uncertain] posterior or conditions (its ranges kept).")] = None,
             wait: WaitOpt = False) -> None:
    """Find the robust Pareto set of a policy-design problem and write its report (resumable).

    The output folder is locked while the search and the report are written (``--wait`` waits for
    another process holding it). The evaluations are saved before the report: a report that cannot
    be written ends the command with a message saying so, and the same command writes it again
    without redoing a run.
    """
    start_workers(engine, workers, model)
    # start-up time: a command imports what it runs only when it runs
    from abm.io.folders import check_writable, locked
    from abm.io.output_size import experiment_outputs
    from experiments.policy.conditions import with_posterior
    from experiments.policy.optimise import optimise as search
    from experiments.policy.optimise import planned_runs
    from experiments.policy.problem import load_problem

    check_scheduler(engine, scheduler, workers)
    problem, source = load_problem(file, quick, check_outcomes=model == DEFAULT_MODEL)
    if posterior is not None:
        problem = with_posterior(problem, posterior)
        source += f"\n# run with --posterior {posterior}: [uncertain] posterior = {posterior}\n"
    suffix = ("_quick" if quick else "") + (f"_posterior{posterior}" if posterior is not None else "")
    folder = out or Path("results") / (problem.name + suffix)
    check_writable(folder, experiment_outputs(planned_runs(problem), problem.months, len(problem.measured)))
    command = command_line("optimise")
    with locked(folder, wait):
        result = search(problem, folder, engine, workers, scheduler, model, source=source)
        report = _report(problem, result, command)
    typer.echo(f"{len(result.candidates)} candidates, {result.runs} runs ({result.executed} new) in {result.seconds:.1f} s; "
               f"{int(result.candidates.pareto.sum())} on the Pareto set. Report: {report}")


def _report(problem, result, command: str) -> Path:
    """Write the optimisation's report; if that fails, say what is kept and how to write it again (exit code 1)."""
    # start-up time: a command imports what it runs only when it runs
    from experiments.policy.report import write_optimisation_report

    try:
        return write_optimisation_report(problem, result, command)
    except Exception as err:  # noqa: BLE001 (whatever broke, the finished evaluations are kept and said so)
        typer.echo(f"error: the report of {result.out} could not be written ({type(err).__name__}: {err}); the "
                   f"{len(result.evaluations):,} evaluations are kept in {result.out}/evaluations.parquet and "
                   f"candidates.parquet; run `{command}` again to write the report (no finished run is redone)",
                   err=True)
        raise typer.Exit(1) from None


def discover(results: Annotated[Path, typer.Argument(help="An experiment or optimisation output folder.")],
             where: Annotated[str, typer.Option(help="Condition of interest, e.g. 'income_mean_west_pct_change < 5'.")],
             out: Annotated[Path | None, typer.Option(help="Output folder (default: RESULTS/discovery).")] = None,
             min_coverage: Annotated[float, typer.Option(parser=number(0.0, 1.0), metavar="X",
                                                         help="Coverage the chosen PRIM box keeps.")] = 0.8,
             mass_min: Annotated[float, typer.Option(parser=number(0.0, 1.0), metavar="X",
                                                     help="Smallest share of rows in a PRIM box.")] = 0.05,
             depth: Annotated[int, typer.Option(parser=whole(1, 10), metavar="N",
                                                help="Depth of the CART tree.")] = 3) -> None:
    """Scenario discovery: PRIM boxes and a CART tree for the rows where a condition holds."""
    # start-up time: a command imports what it runs only when it runs
    from abm.io.inputs import reading
    from experiments.policy.discover import discover as find
    from experiments.policy.discover import results_table, write_discovery

    with reading(results, "an output folder of `ruralsim optimise` or `ruralsim experiment`"):
        table, features = results_table(results)
    found, tree = find(table, features, where, mass_min, min_coverage, depth)
    report = write_discovery(found, tree, features, out or results / "discovery")
    print_frame(found.box, title=f"PRIM box for {where!r}: coverage {found.trajectory.coverage[found.chosen]:.3g}, "
                f"density {found.trajectory.density[found.chosen]:.3g}")
    print_frame(found.scores, title="feature scores")
    typer.echo(f"report: {report}")
