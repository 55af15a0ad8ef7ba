"""Command-line functions for policy design: ``optimise`` (robust NSGA-II) and ``discover`` (PRIM and CART).

Plain typer-annotated functions registered by ``experiments/cli/app.py``, which turns a
:class:`abm.io.scenario.ScenarioError` into one clear message and exit code 2.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from experiments.cli.experiment import print_frame
from experiments.cli.options import EngineOpt, ModelOpt, SchedulerOpt, WorkersOpt, check_scheduler, number, whole
from experiments.worker import DEFAULT_MODEL


def optimise(file: Annotated[Path, typer.Argument(help="Problem file (TOML or YAML), e.g. experiments/problems/subsidy_mix.toml.")],
             quick: Annotated[bool, typer.Option(help="Use the file's [quick] size (a small world, a short search).")] = False,
             engine: EngineOpt = "local", workers: WorkersOpt = None,
             out: Annotated[Path | None, typer.Option(help="Output folder (default: results/<problem name>).")] = None,
             scheduler: SchedulerOpt = None, model: ModelOpt = DEFAULT_MODEL,
             posterior: Annotated[int | None, typer.Option(
                 parser=whole(1, 1000), metavar="N",
                 help="Face N calibration-posterior members (seeds/posterior.parquet), one condition each, "
                      "instead of the file's [uncertain] posterior or conditions (its ranges kept).")] = None) -> None:
    """Find the robust Pareto set of a policy-design problem and write its report (resumable)."""
    from experiments.policy.optimise import optimise as search
    from experiments.policy.report import write_optimisation_report
    from experiments.policy.conditions import with_posterior
    from experiments.policy.problem import load_problem

    check_scheduler(engine, scheduler)
    problem, source = load_problem(file, quick, check_outcomes=model == DEFAULT_MODEL)
    if posterior is not None:
        problem = with_posterior(problem, posterior)
        source += f"\n# run with --posterior {posterior}: [uncertain] posterior = {posterior}\n"
    suffix = ("_quick" if quick else "") + (f"_posterior{posterior}" if posterior is not None else "")
    folder = out or Path("results") / (problem.name + suffix)
    result = search(problem, folder, engine, workers, scheduler, model, source=source)
    command = "ruralsim " + shlex.join(["optimise", *sys.argv[2:]]) if len(sys.argv) > 1 else f"ruralsim optimise {file}"
    report = write_optimisation_report(problem, result, command)
    typer.echo(f"{len(result.candidates)} candidates, {result.runs} runs ({result.executed} new) in {result.seconds:.1f} s; "
               f"{int(result.candidates.pareto.sum())} on the Pareto set. Report: {report}")


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
    from experiments.policy.discover import discover as find
    from experiments.policy.discover import results_table, write_discovery

    table, features = results_table(results)
    found, tree = find(table, features, where, mass_min, min_coverage, depth)
    report = write_discovery(found, tree, features, out or results / "discovery")
    print_frame(found.box, title=f"PRIM box for {where!r}: coverage {found.trajectory.coverage[found.chosen]:.3g}, "
                f"density {found.trajectory.density[found.chosen]:.3g}")
    print_frame(found.scores, title="feature scores")
    typer.echo(f"report: {report}")
