"""Every output column is declared once in abm/measure/outcomes.py, and everything that names outcomes uses it."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.measure.outcomes import (
    KEY_COLUMNS,
    OUTCOMES,
    check_declared,
    outcome,
    region_outcomes,
    series_outcomes,
)
from abm.core.params import Parameters
from abm.io.output import write_run
from abm.io.scenario import Scenario
from abm.io.simulate import run
from experiments.cli.app import app
from experiments.experiment import DEFAULT_OUTCOMES
from experiments.figures import outcome_label


@pytest.fixture(scope="module")
def written_run(tmp_path_factory) -> Path:
    """A short run of a small province written to Parquet."""
    scenario = Scenario(name="tiny", months=3, seed=3, parameters=Parameters(farmers=600, households_per_village=20))
    out = tmp_path_factory.mktemp("run")
    write_run(run(scenario), out)
    return out


@pytest.mark.parametrize("table", ["series", "regions"])
def test_every_parquet_column_has_a_declaration_with_unit_and_meaning(written_run: Path, table: str) -> None:
    """Each column of series.parquet and regions.parquet is a key column or a declared outcome of that table."""
    columns = list(pd.read_parquet(written_run / f"{table}.parquet").columns)
    undeclared = [c for c in columns if c not in OUTCOMES and c not in KEY_COLUMNS]
    assert not undeclared, f"declare these in abm/measure/outcomes.py: {undeclared}"
    for name in columns:
        if name in OUTCOMES:
            o = OUTCOMES[name]
            assert o.unit and o.meaning and (o.series if table == "series" else o.regional), name


def test_tables_have_the_registry_columns_in_its_order(written_run: Path) -> None:
    """The series and the regional table hold exactly the declared outcomes of each, in declaration order."""
    series = pd.read_parquet(written_run / "series.parquet")
    regions = pd.read_parquet(written_run / "regions.parquet")
    calendar = ["month", "year", "month_of_year"]
    assert list(series.columns) == [*calendar, *(o.name for o in series_outcomes())]
    assert list(regions.columns) == [*calendar, "region", *(o.name for o in region_outcomes())]
    assert series.month.tolist() == [0, 1, 2, 3]  # month 0 is the initial state
    assert (series.loc[0, ["online_sales", "income_total", "flow_enrolled"]] == 0).all()


def test_a_measured_column_without_a_declaration_stops_the_model() -> None:
    """check_declared names a column the measures produce but the registry lacks, and one it lacks."""
    names = [o.name for o in series_outcomes()]
    with pytest.raises(ValueError, match=r"undeclared \['new_thing'\]"):
        check_declared([*names, "new_thing"], ["month", "region", *(o.name for o in region_outcomes())])
    with pytest.raises(ValueError, match=r"declared but not measured \['gini'\]"):
        check_declared([n for n in names if n != "gini"], ["month", "region", *(o.name for o in region_outcomes())])


def test_unknown_outcome_suggests_the_closest_declared_names() -> None:
    """outcome() of a misspelt name is a KeyError with a did-you-mean."""
    assert outcome("fraud_rate").direction == -1
    with pytest.raises(KeyError, match="did you mean fraud_rate"):
        outcome("fraud_rat")


def test_declarations_are_well_formed_and_name_a_real_function() -> None:
    """Kind, period and direction take their allowed values; computed_by resolves to a function."""
    for o in OUTCOMES.values():
        assert o.kind in ("flow", "stock", "rate", "index", "count") and o.period in ("month", "year", "run")
        assert o.direction in (-1, 0, 1) and (o.series or o.regional), o.name
        module, _, name = o.computed_by.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), o.computed_by
    assert all(OUTCOMES[name].series for name in DEFAULT_OUTCOMES)


def test_running_totals_say_so_in_their_name() -> None:
    """Every outcome accumulated since month 1 (period run) has "to_date" in its name, and no other does."""
    running = {name for name, o in OUTCOMES.items() if o.period == "run"}
    assert running == {name for name in OUTCOMES if "to_date" in name}
    assert {"spent_to_date_total", "fund_spent_to_date", "pairing_spent_to_date"} <= running
    assert not any(name.startswith("spend_") for name in OUTCOMES)


def test_cli_lists_every_outcome_as_json() -> None:
    """`ruralsim outcomes --json` has every declaration with unit and meaning, and the key columns."""
    result = CliRunner().invoke(app, ["outcomes", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [o["name"] for o in listed["outcomes"]] == list(OUTCOMES)
    assert set(listed["key_columns"]) == {"month", "year", "month_of_year", "region"} and "initial state" in listed["key_columns"]["month"]
    assert all(o["unit"] and o["meaning"] for o in listed["outcomes"])


def test_plot_labels_come_from_the_declarations() -> None:
    """A plot's title and unit are the declared ones; an undeclared name falls back to its words."""
    assert outcome_label("spent_to_date_total") == (OUTCOMES["spent_to_date_total"].title, "yuan")
    assert outcome_label("not_an_outcome") == ("not an outcome", "")
