"""Outputs read back as each tool's documentation reads Parquet: pandas, polars, duckdb and pyarrow.

Every table says what it is (a data dictionary, units also on each Arrow field), every run row
says which run it is, and a column has one storage type in every table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from abm.core.digest import NUMERICAL_STACK, stack_versions
from abm.core.params import Parameters
from abm.io.dictionary import COLUMNS_KEY, describe_lines, read_dictionary
from abm.io.scenario import Scenario
from abm.output import read_run, write_run
from abm.simulate import run
from experiments.experiment import parse_experiment, plan_experiment
from experiments.runner import run_experiment
from experiments.worker import Job, run_arrow, run_file, run_table

ROOT = Path(__file__).resolve().parents[2]
REGION_ORDER = ["west", "centre", "east"]
EXPERIMENT = {"name": "readers", "months": 13, "replicates": 2, "root_seed": 5, "parameters": {"farmers": 500},
              "outcomes": ["income_mean", "adoption", "online_sales"],
              "arms": {"low": {"commission": 0.03, "trained_share": 0.2}, "high": {"commission": 0.12}}}
#: the one storage type of each shared column, in every table that has it
ONE_TYPE = {"month": pa.int16(), "year": pa.int16(), "month_of_year": pa.int8(),
            "region": pa.dictionary(pa.int8(), pa.string(), ordered=True)}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny experiment's folder and a tiny run's folder (households panel included)."""
    root = tmp_path_factory.mktemp("readers")
    plan = plan_experiment(parse_experiment(EXPERIMENT, "readers"), "readers")
    run_experiment(plan, root / "experiment", workers=1, progress=False)
    result = run(Scenario(name="tiny", parameters=Parameters(farmers=500)), seed=3, months=13, panel="yearly")
    write_run(result, root / "run")
    return {"experiment": root / "experiment", "run": root / "run"}


def parquet_files(folders: dict[str, Path]) -> list[Path]:
    """Every Parquet file the two folders hold."""
    return sorted(p for folder in folders.values() for p in folder.rglob("*.parquet"))


def test_every_column_of_every_table_carries_its_dictionary_entry(folders) -> None:
    """Every field has its meaning (and unit) as Arrow field metadata, as in the file's dictionary."""
    for path in parquet_files(folders):
        schema = pq.read_schema(path)
        _, columns, _ = read_dictionary(path)
        assert list(columns) == schema.names, path
        for field in schema:
            meta = field.metadata or {}
            assert meta.get(b"meaning", b"").decode() == columns[field.name]["meaning"] != "(undeclared)", (path, field)
            assert meta.get(b"unit", b"").decode() == columns[field.name]["unit"], (path, field)
    income = pq.read_schema(folders["experiment"] / "results.parquet").field("income_mean").metadata
    assert income[b"unit"] == b"yuan/year" and income[b"kind"] == b"flow"
    commission = pq.read_schema(folders["experiment"] / "results.parquet").field("commission").metadata
    assert commission[b"kind"] == b"parameter"


def test_a_column_has_one_storage_type_in_every_table(folders) -> None:
    """month, year, month_of_year and region are stored alike in run, panel, experiment and run-file tables."""
    seen = 0
    for path in parquet_files(folders):
        schema = pq.read_schema(path)
        for name, kind in ONE_TYPE.items():
            if name in schema.names:
                assert schema.field(name).type == kind, (path, name, schema.field(name).type)
                seen += 1
    assert seen >= 4 * 6


def test_pandas_reads_the_run_files_as_one_self_describing_table(folders) -> None:
    """``pd.read_parquet("runs")`` holds every run's rows, each naming its run; the rows with no region are results'.

    Run id, arm, replicate, seed and the varied parameters are on every row.
    """
    out = folders["experiment"]
    runs = pd.read_parquet(out / "runs")
    results = pd.read_parquet(out / "results.parquet")
    assert runs.run_id.nunique() == 4 and set(runs.arm) == {"low", "high"} and set(runs.replicate) == {0, 1}
    province = runs[runs.region.isna()]
    columns = list(results.columns)
    joined = province[columns].sort_values(["arm", "replicate", "month"]).reset_index(drop=True)
    expected = results.sort_values(["arm", "replicate", "month"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(joined, expected, check_dtype=False, check_categorical=False)
    assert runs.groupby("arm").trained_share_param.first().to_dict() == {"high": 0.15, "low": 0.2}
    regions = pd.read_parquet(out / "regions.parquet")
    assert list(regions.region.cat.categories) == REGION_ORDER and regions.region.cat.ordered


def test_a_run_file_holds_what_arrows_converter_makes_of_the_run_table() -> None:
    """The worker builds a run's Arrow columns itself: the columns, types, values and nulls of ``pa.Table.from_pandas``.

    The identifiers beside the run's table, converted as a whole as before; the file reads back as that frame.
    """
    scenario = Scenario(name="tiny", parameters=Parameters(farmers=500))
    result = run(scenario, seed=3, months=13)
    table = run_table(result)
    ids = {"run_id": "r1", "point": 2, "arm": "low", "replicate": 1, "seed": 3, "commission": 0.03}
    job = Job("r1", 2, 1, 3, 13, scenario, ids={k: v for k, v in ids.items() if k != "run_id"})
    whole = pd.concat([pd.DataFrame({k: [v] * len(table) for k, v in ids.items()}), table], axis=1)
    expected = pa.Table.from_pandas(whole, preserve_index=False)
    built = run_arrow(job, table)
    assert built.schema.equals(expected.schema, check_metadata=False) and built.equals(expected)
    assert built["region"].null_count == 14  # the province-wide rows: no region, as the converter leaves them
    back = pq.read_table(pa.BufferReader(run_file(job, table, result.manifest))).to_pandas()
    pd.testing.assert_frame_equal(back, expected.to_pandas())


def test_polars_scans_the_run_files_and_keeps_the_region_order_with_an_enum(folders) -> None:
    """``pl.scan_parquet("runs/*.parquet")`` with the documented ``pl.Enum`` cast sorts west < centre < east."""
    out = folders["experiment"]
    lazy = pl.scan_parquet(out / "runs" / "*.parquet")
    by_region = (lazy.filter(pl.col("region").is_not_null(), pl.col("month") == 13)
                 .with_columns(pl.col("region").cast(pl.Enum(REGION_ORDER)))
                 .group_by("arm", "region").agg(pl.col("income_mean").mean()).sort("arm", "region").collect())
    assert by_region["region"].to_list() == REGION_ORDER * 2
    results = pl.read_parquet(out / "results.parquet")
    assert results.schema["month"] == pl.Int16 and results.schema["year"] == pl.Int16
    per_run = lazy.filter(pl.col("region").is_null()).group_by("run_id").agg(pl.len()).collect()
    assert per_run["len"].to_list() == [14] * 4
    pandas_mean = pd.read_parquet(out / "regions.parquet").query("month == 13").groupby(
        ["arm", "region"], observed=True).income_mean.mean()
    assert by_region.filter(pl.col("arm") == "low")["income_mean"].to_list() == pandas_mean.loc["low"].tolist()


def test_duckdb_queries_the_tables_and_reads_their_dictionary(folders) -> None:
    """SQL over the run files gives results.parquet's rows; the dictionary is duckdb's parquet_kv_metadata."""
    out = folders["experiment"]
    runs, results = str(out / "runs" / "*.parquet"), str(out / "results.parquet")
    from_runs = duckdb.sql(f"SELECT arm, replicate, adoption FROM read_parquet('{runs}') "
                           "WHERE region IS NULL AND month = 13 ORDER BY arm, replicate").fetchall()
    from_results = duckdb.sql(f"SELECT arm, replicate, adoption FROM '{results}' WHERE month = 13 "
                              "ORDER BY arm, replicate").fetchall()
    assert from_runs == from_results and len(from_runs) == 4
    kv = duckdb.sql(f"SELECT value FROM parquet_kv_metadata('{results}') WHERE key = '{COLUMNS_KEY.decode()}'")
    columns = json.loads(kv.fetchall()[0][0])
    assert columns["online_sales"]["unit"] == "yuan/month" and columns["seed"]["kind"] == "id"
    order = duckdb.sql(f"SELECT DISTINCT region FROM '{out / 'regions.parquet'}' "
                       "ORDER BY list_position(['west', 'centre', 'east'], region)").fetchall()
    assert [r[0] for r in order] == REGION_ORDER


def test_the_python_api_tables_are_the_files(folders) -> None:
    """``run(...).series`` has the calendar columns and types the file has: read back, the tables are equal."""
    result = run(Scenario(name="tiny", parameters=Parameters(farmers=500)), seed=3, months=13)
    back = read_run(folders["run"])
    assert list(result.series.columns[:3]) == ["month", "year", "month_of_year"]
    for name in ("series", "regions", "ledger", "goods"):
        pd.testing.assert_frame_equal(getattr(result, name), back[name], check_dtype=True)


def test_describe_lists_an_experiment_folder_within_80_columns(folders) -> None:
    """``ruralsim describe`` on an experiment folder names results, regions and the run files, at most 80 wide."""
    lines = describe_lines(folders["experiment"], 80)
    text = "\n".join(lines)
    assert max(map(len, lines)) <= 80
    assert "results.parquet: experiment readers" in text and "runs/" in text and "(undeclared)" not in text
    env = os.environ | {"COLUMNS": "80", "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "experiments.cli.app", "describe", str(folders["experiment"])],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert max(map(len, done.stdout.splitlines())) <= 80 and "income_mean: double, yuan/year" in done.stdout


def test_manifests_record_the_numerical_stack_the_lock_pins(folders) -> None:
    """Run and experiment manifests name the installed versions of the numerical stack; constraints.txt pins each."""
    installed = stack_versions()
    assert read_run(folders["run"])["manifest"]["versions"] == installed
    assert json.loads((folders["experiment"] / "manifest.json").read_text())["versions"] == installed
    run_file = next((folders["experiment"] / "runs").glob("*.parquet"))
    assert json.loads(pq.read_schema(run_file).metadata[b"model_manifest"])["versions"] == installed
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    pinned = {name.lower(): version for name, version in pins.items()}
    assert all(name.lower() in pinned for name in NUMERICAL_STACK)
