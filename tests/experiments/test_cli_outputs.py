"""The run command's output options, ``params --json`` and ``describe``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from abm.io.scenario import ScenarioError
from experiments.cli.app import app
from experiments.cli import app as cli


@pytest.mark.parametrize(("option", "value", "allowed"), [
    ("--panel", "weekly", "allowed: yearly, monthly, none"),
    ("--network", "daily", "allowed: none, yearly"),
    ("--panel-months", "3,x", "allowed: whole months separated by commas"),
    ("--panel-months", "40", "allowed: months from 0 to 12"),
])
def test_bad_output_options_name_the_value_and_what_is_allowed(tmp_path: Path, option: str, value: str,
                                                                allowed: str) -> None:
    """A wrong panel or network option is a user error before the run, naming itself, its value and the choices."""
    result = CliRunner().invoke(app, ["run", "--months", "12", "--out", str(tmp_path), option, value])
    assert isinstance(result.exception, ScenarioError)
    message = str(result.exception)
    assert option in message and repr(value) in message and allowed in message
    assert not any(tmp_path.iterdir())


def test_params_json_lists_every_declaration() -> None:
    """``params --json`` is machine-readable: a list with name, unit, range and default of each parameter."""
    result = CliRunner().invoke(app, ["params", "--json"])
    farmers = next(r for r in json.loads(result.stdout) if r["name"] == "farmers")
    assert {"unit", "min", "max", "default", "source"} <= set(farmers)


def test_describe_prints_each_files_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run then ``describe`` lists the panel's columns with their units; an empty folder is a user error."""
    monkeypatch.setattr(cli.console, "width", 250)
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["run", "--months", "12", "--set", "farmers=500", "--out", str(out)])
    assert done.exit_code == 0, done.output
    text = CliRunner().invoke(app, ["describe", str(out)]).stdout
    assert "households.parquet" in text and "income_last_year" in text and "yuan/year" in text
    empty = CliRunner().invoke(app, ["describe", str(tmp_path / "none")])
    assert isinstance(empty.exception, ScenarioError) and "no Parquet files" in str(empty.exception)
