"""The command-line tool ``ruralsim``: run scenarios, list parameters, and the experiment commands."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from abm.core.params import declarations
from abm.io import interrupts
from abm.io.scenario import ScenarioError, load_scenario, packaged_scenarios, parse_overrides
from experiments.experiment import household_warnings
from experiments.cli.options import (EngineOpt, FarmersOpt, MonthsOpt, OptionError, OutOpt, OverwriteOpt, PosteriorOpt,
                                 ReplicatesOpt, RootSeedOpt, SchedulerOpt, SeedOpt, WaitOpt, WorkersOpt,
                                 check_scheduler)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Agent-based simulator of rural e-commerce policy.")
console = Console()
err = Console(stderr=True)


@app.command()
def run(
    scenario: Annotated[str | None, typer.Argument(help="Scenario file (.toml/.yaml) or packaged name.")] = None,
    seed: SeedOpt = None,
    months: MonthsOpt = None,
    farmers: FarmersOpt = None,
    out: Annotated[Path | None, typer.Option(
        help="Folder for the outputs (default: a new results/<scenario>-<date>-<time>).")] = None,
    overwrite: OverwriteOpt = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")] = None,
    panel: Annotated[str, typer.Option(help="Household panel: yearly (year ends), monthly or none.")] = "yearly",
    panel_months: Annotated[str | None, typer.Option(help="Panel months instead, e.g. 0,6,12.")] = None,
    network: Annotated[str, typer.Option(help="Actor-network export: none or yearly (GraphML + Parquet).")] = "none",
    detail: Annotated[bool, typer.Option(help="Also print the translation detail: the decade year by year, "
                                              "defections by calendar month, regions in years 1, 5, 10.")] = False,
) -> None:
    """Run one scenario, print the regional summary and write Parquet outputs to OUT."""
    from abm.io.folders import check_run_target, check_writable, new_run_folder, write_folder
    from abm.io.output_size import run_outputs
    from abm.observe.panel import snapshot_months

    sc = load_scenario(scenario)
    overrides = parse_overrides(set_ or []) | ({"farmers": farmers} if farmers is not None else {})
    if overrides:
        sc = sc.with_overrides(overrides)
    months = sc.months if months is None else months
    chosen = _panel_options(panel, panel_months, network, months)
    folder = out or new_run_folder(Path("results"), sc.name)
    check_run_target(folder, overwrite)
    panel_count = len(snapshot_months(panel, months, chosen))
    check_writable(folder, run_outputs(sc.parameters, months, panel_count, network == "yearly"))
    warn(household_warnings([sc.parameters]))
    from abm.io.output import write_run  # the model's imports only once the input is known to be good
    from abm.io.simulate import run as simulate
    from abm.io.summary import print_summary

    start = time.perf_counter()
    result = simulate(sc, seed=seed, months=months, progress=True, panel=panel, panel_months=chosen, network=network)
    elapsed = time.perf_counter() - start
    print_summary(result, console)
    if detail:
        from abm.io.detail import print_detail
        print_detail(result, console)
    names = []
    write_folder(folder, lambda tmp: names.extend(sorted({p.name for p in write_run(result, tmp) if p.parent == tmp})))
    console.print(f"{result.manifest['farmers']:,} households, {result.manifest['months']} months in "
                  f"{elapsed:.1f} s. Outputs: {folder}/ ({', '.join(names)}); `ruralsim describe {folder}` lists "
                  "every column")


def warn(lines: list[str]) -> None:
    """Print warnings on stderr."""
    for line in lines:
        err.print(line, markup=False, highlight=False, soft_wrap=True)


def _panel_options(panel: str, panel_months: str | None, network: str, months: int) -> list[int] | None:
    """Check the panel and network options; the chosen panel months as integers (None if not given)."""
    from abm.observe.panel import PANEL_KINDS
    from abm.io.simulate import NETWORK_KINDS

    if panel not in PANEL_KINDS:
        raise ScenarioError(f"--panel {panel!r}: allowed: {', '.join(PANEL_KINDS)}")
    if network not in NETWORK_KINDS:
        raise ScenarioError(f"--network {network!r}: allowed: {', '.join(NETWORK_KINDS)}")
    if panel_months is None:
        return None
    try:
        chosen = [int(x) for x in panel_months.split(",") if x.strip()]
    except ValueError:
        raise ScenarioError(f"--panel-months {panel_months!r}: allowed: whole months separated by commas") from None
    bad = [x for x in chosen if not 0 <= x <= months]
    if bad or not chosen:
        raise ScenarioError(f"--panel-months {panel_months!r}: allowed: months from 0 to {months}, comma-separated")
    return chosen


@app.command()
def params(
    markdown: Annotated[bool, typer.Option(help="Print as a Markdown table.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print as JSON (a list of declarations).")] = False,
) -> None:
    """List every declared parameter with its unit, range, default, source and mechanism group."""
    rows = declarations()
    if json_:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    if markdown:
        from abm.io.docs import parameter_table
        console.print(parameter_table(), markup=False, highlight=False)
        return
    table = Table(title=f"{len(rows)} declared parameters (packaged scenarios: {', '.join(packaged_scenarios())})")
    for col in ("name", "unit", "range", "default", "source", "group"):
        table.add_column(col)
    for d in rows:
        rng = ", ".join(d["choices"]) if d["choices"] else (f"{d['min']} - {d['max']}" if d["min"] is not None else "")
        table.add_row(d["name"], d["unit"], rng, str(d["default"]), d["source"], d["group"])
    console.print(table)


@app.command()
def outcomes(
    json_: Annotated[bool, typer.Option("--json", help="Print the declarations as JSON.")] = False,
) -> None:
    """List every output column of series.parquet and regions.parquet with its unit, kind, period and meaning."""
    from abm.measure import outcomes as registry

    if json_:
        text = json.dumps({"key_columns": registry.KEY_COLUMNS, "outcomes": registry.as_records()}, indent=2)
        typer.echo(text)
        return
    table = Table(title=f"{len(registry.OUTCOMES)} declared outcomes (month 0 is the initial state; "
                        "period 'run' is a running total since month 1)")
    for col in ("name", "unit", "kind", "period", "tables", "better", "meaning"):
        table.add_column(col)
    for o in registry.OUTCOMES.values():
        table.add_row(o.name, o.unit, o.kind, o.period, o.tables, o.better, o.meaning)
    console.print(table)


@app.command()
def docs(
    check: Annotated[bool, typer.Option(help="Change nothing; exit with code 1 when a document is stale.")] = False,
) -> None:
    """Regenerate docs/ODD.md's generated parts, docs/TRACE.md and the README's evidence block from the code.

    The ODD's tables (parameters, outputs, fixed values), its tagged figures and its reference list, the
    TRACE document and the README's table of independent facts are rewritten from the code and the
    committed records; then every remaining problem (an untagged number, a broken link) is listed.
    """
    from experiments.documents import document_problems, refresh_documents

    if not check:
        for path in refresh_documents():
            console.print(f"rewritten: {path}")
    problems = document_problems()
    for problem in problems:
        err.print(problem, markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print("docs/ODD.md, docs/TRACE.md and the README's evidence block are current")


@app.command()
def suite(
    name: Annotated[str, typer.Argument(help="trust, subsidies or eastwest.")],
    out: OutOpt = None, replicates: ReplicatesOpt = None, farmers: FarmersOpt = None, months: MonthsOpt = None,
    root_seed: RootSeedOpt = None, engine: EngineOpt = "local", workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None, posterior: PosteriorOpt = None, wait: WaitOpt = False,
) -> None:
    """Run an experiment suite (resumable) and write its report with tables and figures."""
    from experiments.reports import run_suite, suite_plan

    check_scheduler(engine, scheduler)
    plan = suite_plan(name, replicates, farmers, months, root_seed)
    warn(household_warnings([s.parameters for s in plan.scenarios]))
    report = run_suite(name, out or Path("results") / name, engine, workers, replicates, farmers, months, root_seed,
                       scheduler, posterior, wait)
    console.print(f"report: {report}")


@app.command()
def describe(
    folder: Annotated[Path, typer.Argument(help="A run's, an experiment's or an optimisation's output folder.")],
) -> None:
    """Print the data dictionary of an output folder: each Parquet file's origin and its columns' units and meanings."""
    from abm.io.dictionary import describe_lines

    for line in describe_lines(folder, max(40, console.width)):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command(name="ui")
def ui_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    results: Annotated[str, typer.Option(help="Folder the experiments page searches.")] = "results",
) -> None:
    """Serve the browser page (Solara) at http://HOST:PORT, fully offline."""
    from viz.serve import ui

    ui(host, port, results)


def _register() -> None:
    """Add the experiment, sensitivity, drivers, summary, validation, calibration and policy-design commands."""
    from experiments.cli.experiment import drivers, experiment, sensitivity, summarise
    from experiments.cli.optimise import discover, optimise
    from experiments.cli.validate import calibrate, validate

    for command in (experiment, sensitivity, drivers, summarise, validate, calibrate, optimise, discover):
        app.command()(command)


_register()


def main() -> None:
    """Entry point: run the app; a user mistake is one message and exit code 2, an interrupt 130 or 143."""
    interrupts.install()
    try:
        code = app(standalone_mode=False)  # outside standalone mode click returns a command's typer.Exit code
    except ScenarioError as e:
        fail(str(e))
    except typer.BadParameter as e:
        fail(option_message(e))
    except typer.TyperException as e:  # typer's usage errors: unknown command or option, missing argument
        fail(usage_message(e))
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except interrupts.Interrupted as e:
        err.print(f"interrupted by {e}: stopped; finished runs are kept, nothing half-written is left",
                  markup=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    if isinstance(code, int) and code:
        sys.exit(code)


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with code 2."""
    err.print("error: " + message, markup=False, highlight=False, soft_wrap=True)
    sys.exit(2)


def option_message(e: typer.BadParameter) -> str:
    """A bad option's message: ``--name = value: why; allowed: ...`` (ours) or ``--name: why`` (typer's)."""
    param = e.param
    name = (param.opts[0] if getattr(param, "opts", None) else getattr(param, "name", None)) or e.param_hint or "value"
    return f"{name} = {e.message}" if isinstance(e, OptionError) else f"{name}: {e.format_message()}"


def usage_message(e: typer.TyperException) -> str:
    """An unknown command or option, with what is allowed there."""
    ctx = getattr(e, "ctx", None)
    text = e.format_message() if hasattr(e, "format_message") else str(e)
    if ctx is not None and hasattr(ctx.command, "list_commands") and "command" in text.lower():
        return f"{text} allowed: {', '.join(ctx.command.list_commands(ctx))}"
    where = ctx.command_path if ctx is not None else "ruralsim"
    return f"{text} See `{where} --help`."


if __name__ == "__main__":
    main()
