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

from abm.params import declarations
from abm.scenario import ScenarioError, load_scenario, packaged_scenarios, parse_overrides

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Agent-based simulator of rural e-commerce policy.")
console = Console()
err = Console(stderr=True)


@app.command()
def run(
    scenario: Annotated[str | None, typer.Argument(help="Scenario file (.toml/.yaml) or packaged name.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default: the scenario's).")] = None,
    months: Annotated[int | None, typer.Option(help="Months to simulate (default: the scenario's).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the outputs.")] = Path("results/default"),
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")] = None,
    panel: Annotated[str, typer.Option(help="Household panel: yearly (year ends), monthly or none.")] = "yearly",
    panel_months: Annotated[str | None, typer.Option(help="Panel months instead, e.g. 0,6,12.")] = None,
    network: Annotated[str, typer.Option(help="Actor-network export: none or yearly (GraphML + Parquet).")] = "none",
    detail: Annotated[bool, typer.Option(help="Also print the translation detail: the decade year by year, "
                                              "defections by calendar month, regions in years 1, 5, 10.")] = False,
) -> None:
    """Run one scenario, print the regional summary and write Parquet outputs to OUT."""
    from abm.output import write_run
    from abm.simulate import run as simulate
    from abm.summary import print_summary

    sc = load_scenario(scenario)
    if set_:
        sc = sc.with_overrides(parse_overrides(set_))
    if months is not None and months < 1:
        raise ScenarioError(f"--months {months}: must be at least 1")
    chosen = _panel_options(panel, panel_months, network, sc.months if months is None else months)
    start = time.perf_counter()
    result = simulate(sc, seed=seed, months=months, progress=True, panel=panel, panel_months=chosen, network=network)
    elapsed = time.perf_counter() - start
    print_summary(result, console)
    if detail:
        from abm.detail import print_detail
        print_detail(result, console)
    paths = write_run(result, out)
    names = ", ".join(sorted({p.name for p in paths if p.parent == Path(out)}))
    console.print(f"{result.manifest['farmers']:,} households, {result.manifest['months']} months in "
                  f"{elapsed:.1f} s. Outputs: {out}/ ({names}); `ruralsim describe {out}` lists every column")


def _panel_options(panel: str, panel_months: str | None, network: str, months: int) -> list[int] | None:
    """Check the panel and network options; the chosen panel months as integers (None if not given)."""
    from abm.panel import PANEL_KINDS
    from abm.simulate import NETWORK_KINDS

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
    """List every declared parameter with its unit, range, default and source."""
    rows = declarations()
    if json_:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    if markdown:
        from abm.docs import parameter_table
        console.print(parameter_table(), markup=False, highlight=False)
        return
    table = Table(title=f"{len(rows)} declared parameters (packaged scenarios: {', '.join(packaged_scenarios())})")
    for col in ("name", "unit", "range", "default", "source"):
        table.add_column(col)
    for d in rows:
        rng = ", ".join(d["choices"]) if d["choices"] else (f"{d['min']} - {d['max']}" if d["min"] is not None else "")
        table.add_row(d["name"], d["unit"], rng, str(d["default"]), d["source"])
    console.print(table)


@app.command()
def outcomes(
    json_: Annotated[bool, typer.Option("--json", help="Print the declarations as JSON.")] = False,
) -> None:
    """List every output column of series.parquet and regions.parquet with its unit, kind, period and meaning."""
    from abm import outcomes as registry

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
def suite(
    name: Annotated[str, typer.Argument(help="trust, subsidies or eastwest.")],
    out: Annotated[Path | None, typer.Option(help="Results folder (default: results/NAME).")] = None,
    replicates: Annotated[int | None, typer.Option(min=1, help="Replicates (default: the suite's).")] = None,
    farmers: Annotated[int | None, typer.Option(min=100, help="Households; budgets scale along.")] = None,
    months: Annotated[int | None, typer.Option(min=13, help="Months (default: the suite's).")] = None,
    engine: Annotated[str, typer.Option(help="local or dask.")] = "local",
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes (default: all cores).")] = None,
    posterior: Annotated[int | None, typer.Option(
        min=1, help="Run every arm over N calibration-posterior members (intervals carry parameter uncertainty).")
    ] = None,
) -> None:
    """Run an experiment suite (resumable) and write its report with tables and figures."""
    from experiments.reports import run_suite

    if engine not in ("local", "dask"):
        raise ScenarioError(f"--engine {engine!r}: allowed: local, dask")
    folder = out or Path("results") / name
    report = run_suite(name, folder, engine, workers, replicates, farmers, months, posterior)
    console.print(f"report: {report}")


@app.command()
def describe(
    folder: Annotated[Path, typer.Argument(help="A run's output folder (ruralsim run --out).")],
) -> None:
    """Print the data dictionary of an output folder: each Parquet file's run and its columns' units and meanings."""
    from abm.dictionary import describe_folder

    for title, rows in describe_folder(folder):
        table = Table(title=title, title_justify="left")
        for col in ("column", "type", "unit", "kind", "period", "meaning"):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)


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
    """Add the experiment, sensitivity, summary, validation, calibration and policy-design commands."""
    from experiments.cli_experiment import experiment, sensitivity, summarise
    from experiments.cli_optimise import discover, optimise
    from experiments.cli_validate import calibrate, validate

    for command in (experiment, sensitivity, summarise, validate, calibrate, optimise, discover):
        app.command()(command)


_register()


def main() -> None:
    """Entry point: run the app, turning user mistakes into one clear message and exit code 2."""
    try:
        app(standalone_mode=False)
    except ScenarioError as e:
        err.print("error: " + str(e), markup=False, highlight=False)
        sys.exit(2)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as e:  # click's usage errors
        import click
        if isinstance(e, click.exceptions.ClickException):
            e.show()
            sys.exit(e.exit_code)
        raise


if __name__ == "__main__":
    main()
