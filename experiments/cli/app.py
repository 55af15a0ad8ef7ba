"""The command-line tool ``ruralsim``: run scenarios, list parameters, and the experiment commands."""

from __future__ import annotations

import errno
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
from experiments.cli.options import (EngineOpt, FarmersOpt, MonthsOpt, OutOpt, OverwriteOpt, PosteriorOpt,
                                     ReplicatesOpt, RootSeedOpt, SchedulerOpt, SeedOpt, WaitOpt, WorkersOpt,
                                     check_scheduler, command_line, refuse_together, refuse_without,
                                     remember_command_line, token_text)
from experiments.parsers import OptionError, whole
from viz.gate import TOKEN_ENV

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
    panel: Annotated[str | None, typer.Option(help="Household panel: yearly (year ends; the default), monthly or "
                                                   "none.")] = None,
    panel_months: Annotated[str | None, typer.Option(help="Panel months instead of --panel, e.g. 0,6,12.")] = None,
    network: Annotated[str, typer.Option(help="Actor-network export: none or yearly (GraphML + Parquet).")] = "none",
    detail: Annotated[bool, typer.Option(help="Also print the translation detail: the decade year by year, "
                                              "defections by calendar month, regions in years 1, 5, 10.")] = False,
) -> None:
    """Run one scenario, print the regional summary and write Parquet outputs to OUT."""
    # start-up time: a command imports what it runs only when it runs
    from abm.io.folders import check_run_target, check_writable, new_run_folder, write_folder
    from abm.io.output_size import run_outputs
    from abm.observe.panel import snapshot_months

    refuse_together(("--panel", panel), ("--panel-months", panel_months), "both choose the panel's months")
    refuse_without(("--overwrite", overwrite), ("--out", out), "without --out each run gets a new folder")
    panel = panel or "yearly"
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
        from abm.io.detail import print_detail  # start-up time: a command imports what it runs only when it runs
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
    # start-up time: a command imports what it runs only when it runs
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
    refuse_together(("--json", json_), ("--markdown", markdown), "they are two formats of the same list")
    rows = declarations()
    if json_:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    if markdown:
        from abm.io.docs import parameter_table  # start-up time: a command imports what it runs only when it runs
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
    from abm.measure import outcomes as registry  # start-up time: a command imports what it runs only when it runs

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
    # start-up time: a command imports what it runs only when it runs
    from experiments.documents import document_problems, refresh_documents

    if not check:
        for path in refresh_documents():
            console.print(f"rewritten: {path}")
    problems = document_problems(command_names())
    for problem in problems:
        err.print(problem, markup=False, highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print("docs/ODD.md, docs/TRACE.md and the README's evidence block are current")


@app.command()
def suite(
    name: Annotated[str, typer.Argument(help="trust, subsidies, eastwest or programmes.")],
    out: OutOpt = None, replicates: ReplicatesOpt = None, farmers: FarmersOpt = None, months: MonthsOpt = None,
    root_seed: RootSeedOpt = None, engine: EngineOpt = "local", workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None, posterior: PosteriorOpt = None, wait: WaitOpt = False,
) -> None:
    """Run an experiment suite (resumable) and write its report with tables and figures."""
    # start-up time: a command imports what it runs only when it runs
    from experiments.cli.experiment import start_workers

    start_workers(engine, workers)
    # start-up time: a command imports what it runs only when it runs
    from experiments.reports import run_suite, suite_plan

    check_scheduler(engine, scheduler, workers)
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
    # start-up time: a command imports what it runs only when it runs
    from abm.io.dictionary import describe_lines
    from abm.io.inputs import reading

    with reading(folder, "the output folder of a run (ruralsim run --out), an experiment or an optimisation"):
        lines = describe_lines(folder, max(40, console.width))
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@app.command(name="ui")
def ui_command(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every "
                                           "interface, then a token is required).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(parser=whole(1, 65535), metavar="PORT", help="Port to listen on.")] = 8765,
    results: Annotated[str, typer.Option(help="Folder the experiments page searches for results "
                                              "(written by `ruralsim experiment`).")] = "results",
    token: Annotated[str | None, typer.Option(
        parser=token_text, envvar=TOKEN_ENV, show_envvar=True, metavar="TOKEN",
        help="Access token every request must carry (default beyond 127.0.0.1: a new one, printed at start).")
    ] = None,
) -> None:
    """Open the simulator in the browser: serve the Solara page at http://HOST:PORT, fully offline (Ctrl-C stops it).

    The options are checked before the server starts; served beyond this machine, the page needs the printed token.
    """
    from viz.serve import ui  # start-up time: a command imports what it runs only when it runs

    ui(host, port, results, token)


def _register() -> None:
    """Add the experiment, sensitivity, drivers, summary, validation, calibration and policy-design commands."""
    # start-up time: a command imports what it runs only when it runs
    from experiments.cli.experiment import drivers, experiment, sensitivity, summarise
    from experiments.cli.optimise import discover, optimise
    from experiments.cli.validate import calibrate, validate

    for command in (experiment, sensitivity, drivers, summarise, validate, calibrate, optimise, discover):
        app.command()(command)


_register()


def command_names() -> set[str]:
    """The names of the command line's commands (the documents may mention only these)."""
    return {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}


def main(args: list[str] | None = None) -> None:
    """Entry point: run the app on ``args`` (default: the command line); a user mistake is one message and
    exit code 2, an interrupt 130 or 143."""
    interrupts.install()
    remember_command_line(sys.argv[1:] if args is None else args)
    try:
        code = app(args=args, standalone_mode=False)  # outside standalone mode click returns typer.Exit's code
    except ScenarioError as e:
        fail(str(e))
    except typer.BadParameter as e:
        fail(option_message(e))
    except typer.TyperException as e:  # typer's usage errors: unknown command or option, missing argument
        fail(usage_message(e))
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except OSError as e:
        if e.errno not in WRITE_ERRORS:
            raise
        cannot_write(e)
    except interrupts.Interrupted as e:
        err.print(f"interrupted by {e}: stopped; finished runs are kept, nothing half-written is left",
                  markup=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    if isinstance(code, int) and code:
        sys.exit(code)


#: what a disk or folder says when it cannot take more: full, over quota, read-only, not writable, file too large
WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG)


def cannot_write(e: OSError) -> None:
    """A disk that filled up or a folder made read-only during the work: say what is kept and how to go on (code 1).

    Every finished run was written whole before (runs are written atomically), so the same command resumes.
    """
    err.print(f"error: cannot write {e.filename or 'the outputs'} ({e.strerror}); the runs finished before are "
              f"kept and nothing half-written is left; make room or make the folder writable, then run "
              f"`{command_line('')}` again: finished runs are not redone", markup=False, highlight=False,
              soft_wrap=True)
    sys.exit(1)


def fail(message: str) -> None:
    """Print ``error: message`` on stderr and exit with code 2.

    Characters that are not printable (control characters, line separators, a newline other than one
    that starts the message's own indented detail line) are shown escaped, so that a value typed or read
    from a file cannot break the message's lines or drive the terminal.
    """
    shown = "".join(c if c.isprintable() or (c == "\n" and message[i + 1:i + 3] == "  ") else repr(c)[1:-1]
                    for i, c in enumerate(message))
    err.print("error: " + shown, markup=False, highlight=False, soft_wrap=True)
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
