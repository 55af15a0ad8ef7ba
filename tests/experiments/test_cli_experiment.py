"""The experiment, summarise and sensitivity command functions, registered in a typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from exphelpers import write
from typer.testing import CliRunner

from abm.io.scenario import ScenarioError
from experiments.analysis import compact_summary, load_results, summary_table
from experiments.cli.experiment import SUMMARY_ROWS, experiment, sensitivity, summarise


@pytest.fixture
def app() -> typer.Typer:
    """A typer app with the three commands, as the main CLI registers them."""
    app = typer.Typer()
    for command in (experiment, sensitivity, summarise):
        app.command()(command)
    return app


def test_experiment_then_summarise(app: typer.Typer, tmp_path: Path, small_experiment: Path) -> None:
    """The experiment command runs every job and summarise prints the arms' outcomes."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["experiment", str(small_experiment), "--out", str(out), "--workers", "1"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "6 runs (6 new, 0 already done)" in result.output
    result = CliRunner().invoke(app, ["summarise", str(out), "--reference", "high"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "income_mean" in result.output and "low" in result.output


def test_a_long_summary_is_cut_at_the_end_of_a_run_and_summarise_prints_it_whole(app: typer.Typer,
                                                                                  tmp_path: Path) -> None:
    """A design of many points prints its first summary rows and says how many are left; summarise prints all."""
    file = write(tmp_path, "replicates = 1\nmonths = 2\nparameters = { farmers = 500 }\n"
                           "[design]\nkind = \"lhs\"\nparameters = [\"commission\"]\nsamples = 8\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["experiment", str(file), "--out", str(out), "--workers", "1"],
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = len(compact_summary(summary_table(out)))
    assert rows > SUMMARY_ROWS
    assert f"{rows - SUMMARY_ROWS} more rows: `ruralsim summarise {out}` prints them all" in result.output
    whole = CliRunner().invoke(app, ["summarise", str(out)], terminal_width=200)
    assert whole.exit_code == 0 and "more rows" not in whole.output
    body_rows = [sum(line.startswith("│") for line in r.output.splitlines()) for r in (result, whole)]
    assert body_rows == [SUMMARY_ROWS, rows]


def test_summarise_of_an_empty_folder_is_a_user_error(app: typer.Typer, tmp_path: Path) -> None:
    """Summarising a folder without results raises the user-error type."""
    result = CliRunner().invoke(app, ["summarise", str(tmp_path)])
    assert isinstance(result.exception, ScenarioError)
    assert "no results.parquet; run the experiment first" in str(result.exception)


def test_sensitivity_needs_a_sobol_or_morris_design(app: typer.Typer, tmp_path: Path,
                                                   small_experiment: Path) -> None:
    """A sensitivity analysis of an arms experiment is refused with a clear message."""
    result = CliRunner().invoke(app, ["sensitivity", str(small_experiment), "--outcome", "income_mean",
                                      "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, ScenarioError)
    assert "design.kind = 'arms': no sensitivity indices from it; allowed: sobol, morris" in str(result.exception)
    assert not (tmp_path / "out").exists()


def test_months_option_overrides_the_file(app: typer.Typer, tmp_path: Path) -> None:
    """--months replaces the months the file asks for."""
    file = write(tmp_path, "replicates = 1\nparameters = { farmers = 500 }\n[arms.a]\ncommission = 0.1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["experiment", str(file), "--out", str(out), "--workers", "1", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "results.parquet").exists()
    assert load_results(out).month.max() == 3
