"""Bad scenario files and parameters fail before the run with a message naming field, value and what is allowed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from abm.io.scenario import ScenarioError, load_scenario, parse_overrides


def _write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_out_of_range_value_names_field_value_and_range(tmp_path):
    """A value outside the declared range is reported with the range and unit."""
    path = _write(tmp_path, "[parameters]\ncold_chain_west = 1.5\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    msg = str(e.value)
    assert "parameters.cold_chain_west" in msg and "1.5" in msg and "0.0 to 1.0" in msg


def test_unknown_key_is_an_error(tmp_path):
    """A misspelt parameter is not silently ignored."""
    path = _write(tmp_path, "[parameters]\ncomission = 0.1\n")
    with pytest.raises(ScenarioError, match="comission: unknown name"):
        load_scenario(path)


def test_wrong_choice_lists_the_choices(tmp_path):
    """A choice parameter lists its allowed values."""
    path = _write(tmp_path, 'months = 12\n[parameters]\ntrust_mechanism = "gossip"\n', "s.yaml".replace("yaml", "toml"))
    with pytest.raises(ScenarioError, match="acquaintance, reputation, dual, blockchain"):
        load_scenario(path)


def test_yaml_scenarios_load_and_syntax_errors_are_clear(tmp_path):
    """YAML works like TOML; a syntax error names the file."""
    good = _write(tmp_path, "months: 6\nparameters:\n  farmers: 500\n", "g.yaml")
    assert load_scenario(good).parameters.farmers == 500
    bad = _write(tmp_path, "months = [\n", "b.toml")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)


def test_overrides_are_typed_and_checked():
    """--set values are read as TOML literals and unknown names are refused."""
    assert parse_overrides(["commission=0.1", "trust_mechanism=dual", "pairing=true"]) == {
        "commission": 0.1, "trust_mechanism": "dual", "pairing": True}
    with pytest.raises(ScenarioError, match="unknown parameter"):
        parse_overrides(["nonsense=1"])


def test_regional_overrides_take_a_dotted_region():
    """``g5.west=0.2`` sets g5_west, like ``g5_west=0.2``; an unknown stem or region is still refused."""
    assert parse_overrides(["g5.west=0.2", "cold_chain_east=0.5"]) == {"g5_west": 0.2, "cold_chain_east": 0.5}
    with pytest.raises(ScenarioError, match="--set g5.north: unknown parameter"):
        parse_overrides(["g5.north=0.2"])


def test_cli_reports_user_mistakes_without_traceback(tmp_path):
    """The command-line tool prints one clear message and exits with code 2."""
    path = _write(tmp_path, "[parameters]\nfarmers = -5\n")
    proc = subprocess.run([sys.executable, "-m", "experiments.cli.app", "run", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "parameters.farmers = -5" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_run_writes_outputs(tmp_path):
    """A tiny run prints the summary and leaves Parquet outputs and a manifest."""
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.cli.app", "run", "--months", "3", "--set", "farmers=500",
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "income mean" in proc.stdout and "Gini" in proc.stdout
    assert {p.name for p in out.iterdir()} == {"series.parquet", "regions.parquet", "ledger.parquet",
                                               "goods.parquet", "households.parquet", "villages.parquet",
                                               "manifest.json"}
