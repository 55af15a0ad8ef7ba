"""Stylized facts and validation: the facts file, measures, CI math, --strict."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from abm.io.scenario import ScenarioError
from abm.io.simulate import RunResult
from agents.households import INCOME_PARTS
from experiments.calibration import facts as facts_module
from experiments.calibration.facts import COLUMNS, KINDS, MEASURES, SOURCES, Fact, load_facts, trend_growth
from experiments.calibration.validate import fact_table, failed_outputs, validate
from experiments.design import replicate_seeds

# --- the facts file ------------------------------------------------------------------------------


def test_facts_file_is_well_formed_and_every_measure_exists() -> None:
    facts = load_facts()
    ids = {f.id for f in facts}
    assert len(ids) == len(facts)
    # every stylized fact of MISSION.md has a row
    assert {"cold_chain_coverage", "cold_chain_west_gap", "villages_without_5g", "junior_school", "trained_share",
            "fresh_loss_no_cold_chain", "fresh_loss_cold_chain", "branded_share", "processed_share",
            "primary_share", "unbranded_price_ratio", "online_retail_growth", "farm_produce_growth",
            "online_retail_scale", "fund_rate", "cold_chain_subsidy"} <= ids
    for f in facts:
        assert f.kind in KINDS
        assert all(s in SOURCES for s in f.source.split("; "))
        assert f.tolerance >= 0
        if f.kind == "context":
            assert f.measure == ""
        else:
            assert callable(MEASURES[f.measure])
        if f.calibration_target:
            assert f.kind == "output" and f.tolerance > 0 and f.evidence == "calibrated"
    assert {f.id for f in facts if f.calibration_target} >= {"unbranded_price_ratio", "farm_produce_growth",
                                                                   "online_share_of_farm_sales"}


def test_facts_header_matches_the_documented_columns() -> None:
    header = facts_module.facts_path().read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == COLUMNS


@pytest.mark.parametrize("column, value, message", [
    ("measure", "no_such_measure", "is not a function"),
    ("kind", "guess", "allowed: input, output, policy, context"),
    ("tolerance", "abc", "is not a number"),
    ("source", "999_unknown.txt", "source"),
])
def test_a_malformed_fact_row_raises_a_clear_error(tmp_path: Path, column: str, value: str, message: str) -> None:
    rows = pd.read_csv(facts_module.facts_path(), dtype=str, keep_default_na=False)
    rows.loc[0, column] = value
    path = tmp_path / "facts.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(ScenarioError, match=message):
        load_facts(path)


def _fact(target: float, low: float | None = None, high: float | None = None, tolerance: float = 0.02) -> Fact:
    return Fact("x", "", target, low, high, "share", SOURCES[3], tolerance, "output", "branded_share", "calibrated",
                ("brand_multiplier",), "province", "last 36 months")


def test_point_and_bound_facts_measure_misses_against_their_figure() -> None:
    about = _fact(0.25, tolerance=0.03)
    assert about.miss(0.20) == pytest.approx(0.05)
    assert not about.within(0.20) and about.within(0.27)
    assert about.scaled_miss(0.19) == pytest.approx(2.0)
    under = _fact(0.10, high=0.10, tolerance=0.01)
    assert under.miss(0.03) == 0.0 and under.scaled_miss(0.03) == 0.0
    assert under.miss(0.13) == pytest.approx(0.03)
    assert under.within(0.105) and not under.within(0.12)
    assert under.acceptance() == (-math.inf, pytest.approx(0.11))
    assert math.isinf(about.miss(float("nan")))


# --- measures on a hand-made run -----------------------------------------------------------------


def hand_made_run(years: int = 6) -> RunResult:
    """A run whose every number is known: sales grow 10% a year, shares and losses are set by hand."""
    months = np.arange(12 * years + 1)
    year = np.maximum((months - 1) // 12, 0)
    n = len(months)
    series = pd.DataFrame({
        "month": months,
        "online_sales": np.where(months > 0, 100.0 * 1.10 ** year, 0.0),
        "offline_sales": np.where(months > 0, 100.0, 0.0),
        "online_kg": np.where(months > 0, 50.0, 0.0),
        "online_kg_primary": np.where(months > 0, 40.0 * 1.05 ** year, 0.0),
        "fresh_shipped_no_cold_chain": np.where(months > 0, 200.0, 0.0),
        "fresh_lost_no_cold_chain": np.where(months > 0, 50.0, 0.0),
        "fresh_shipped_cold_chain": np.where(months > 0, 10.0, 0.0),
        "fresh_lost_cold_chain": np.where(months > 0, 0.7, 0.0),
        "branded_share": np.where(months % 2 == 0, 0.02, 0.06),
        "processed_share": np.full(n, 0.01),
        "unbranded_price_ratio": np.where(months > 0, 0.4, np.nan),
        "cold_chain": np.full(n, 0.28),
        "g5_share": np.full(n, 0.41),
        "trained_share": np.full(n, 0.15),
        "income_per_person": 20_000.0 * 1.07 ** year,
        **{f"income_{k}": 20_000.0 * 1.07 ** year * share
           for k, share in zip(INCOME_PARTS, (0.42, 0.35, 0.03, 0.20))},
        "own_online_sellers": np.where(months == 30, 0.12, 0.1),
        "fraud_rate": np.where(months > 0, 0.05, np.nan),
        "quintile_ratio": 5.0 + year,
        # the survey's matched estimate at the year closes: year k's close reports 100 k on income
        **{f"adoption_effect_{k}": np.where((months > 0) & (months % 12 == 0), 100.0 * months / 12 * sign, 0.0)
           for k, sign in (("income", 1), ("wages", -1), ("business", 2), ("property", 0), ("transfers", 0))},
        "ecommerce_jobs": np.full(n, 5.0),
        "returnees": months / 12.0,  # one more household each year: 2 at the end of 2022, of 100
        "online_shops": 2.0 * 1.05 ** year,  # shops beyond own produce: 2 of 100 households in 2021, +5% a year
        **{stage: np.full(n, 25.0) for stage in ("not_reached", "problematised", "interested", "enrolled")},
        "mobilised": np.zeros(n),
    })
    regions = pd.DataFrame({"month": [0, 0, 0, 12, 12, 12], "region": ["west", "centre", "east"] * 2,
                            "cold_chain": [0.12, 0.26, 0.45] * 2,
                            "income_per_person": [0.0, 0.0, 0.0, 15_000.0, 18_000.0, 22_500.0]})
    params = {"junior_school_west": 0.86, "junior_school_centre": 0.82, "fund_rate": 0.0,
              "cold_chain_subsidy_rate": 0.4, "persons_per_household": 3.27, "farm_price_growth": 0.01}
    return RunResult(series, regions, pd.DataFrame(), pd.DataFrame(), {"parameters": params})


def test_measures_compute_the_right_numbers_on_a_hand_made_run() -> None:
    run = hand_made_run()
    m = {name: fn(run) for name, fn in MEASURES.items()}
    assert m["fresh_loss_no_cold_chain"] == pytest.approx(0.25)
    assert m["fresh_loss_cold_chain"] == pytest.approx(0.07)
    assert m["online_sales_growth"] == pytest.approx(0.10)
    # official statistics: calendar 2021 is model year 1; income grows 7% a year from 20,000 in year 1
    assert m["income_per_person_2022"] == pytest.approx(21_400.0)
    assert m["income_per_person_2024"] == pytest.approx(20_000.0 * 1.07 ** 3)
    assert m["income_growth_lowest"] == pytest.approx(0.07) == m["income_growth_highest"]
    assert m["wages_share_2023"] == pytest.approx(0.42) and m["transfers_share_2023"] == pytest.approx(0.20)
    assert m["east_west_income_per_person_2021"] == pytest.approx(1.5)
    assert m["online_share_of_farm_sales"] == pytest.approx(331.0 / 631.0)  # 2021-2023: 100, 110, 121 vs 100
    assert m["own_online_sellers_highest"] == pytest.approx(0.12)
    assert m["november_sales_ratio"] == pytest.approx(1.0)  # sales are flat within each year
    assert m["misrepresented_share"] == pytest.approx(0.05)
    assert m["persons_per_household"] == pytest.approx(3.27)
    assert m["income_quintile_ratio_2021_2023"] == pytest.approx(6.0)  # year ends 12, 24, 36: 5, 6, 7
    # branded share over the last 36 months, months weighted by their sales value (online + offline)
    last = run.series[run.series.month > 72 - 36]
    w = last.online_sales + last.offline_sales
    assert m["branded_share"] == pytest.approx(np.average(last.branded_share, weights=w))
    assert 0.02 < m["branded_share"] < 0.06
    assert m["processed_share"] == pytest.approx(0.01)
    assert m["primary_share"] == pytest.approx(last.online_kg_primary.sum() / last.online_kg.sum())
    assert m["unbranded_price_ratio"] == pytest.approx(0.4)
    assert m["cold_chain_national"] == pytest.approx(0.28)
    assert m["cold_chain_west_gap"] == pytest.approx(1 - 0.12 / 0.45)
    assert m["villages_without_5g"] == pytest.approx(0.59)
    assert m["junior_school_centre_west"] == pytest.approx(0.82)
    assert m["trained_share_initial"] == pytest.approx(0.15)
    assert m["fund_rate"] == 0.0 and m["cold_chain_subsidy_rate"] == 0.4
    assert m["farm_price_growth"] == 0.01
    # the survey's estimate over the closes of 2022-2026 (years 2-6): mean of 200 ... 600
    assert m["adoption_effect_on_income"] == pytest.approx(400.0)
    assert m["adoption_effect_on_wages"] == pytest.approx(-400.0)
    assert m["adoption_effect_on_business"] == pytest.approx(800.0)
    assert m["adoption_effect_on_transfers"] == 0.0
    yearly = np.log([0.1, 0.1 + 0.02 / 12, 0.1, 0.1])  # years 2-5 (2022-2025); month 30 (year 3) is 0.12
    assert m["own_sellers_growth_2022_2025"] == pytest.approx(np.exp(np.polyfit(np.arange(2, 6), yearly, 1)[0]) - 1)
    assert m["jobs_per_shop"] == pytest.approx(1.0 + 5.0 / (0.1 * 100.0), rel=0.05)
    assert m["returnees_share_2022"] == pytest.approx(0.02)
    assert m["shops_beyond_own_produce_2021_2023"] == pytest.approx(0.02 * (1 + 1.05 + 1.05 ** 2) / 3)
    assert m["shops_growth_2022_2025"] == pytest.approx(0.05)


def test_trend_growth_fits_the_window_of_years_and_needs_two_of_them() -> None:
    totals = pd.Series([1.0, 100.0, 110.0, 121.0, 133.1, 146.41, 1.0, 1.0], index=range(1, 9))
    assert trend_growth(totals) == pytest.approx(0.10)  # years 2-6 only
    assert trend_growth(totals, years=(3, 4)) == pytest.approx(0.10)
    assert math.isnan(trend_growth(pd.Series([100.0, 120.0], index=[1, 2])))  # one year in the window


# --- validate: CI math, the runner, --strict -----------------------------------------------------


def test_fact_table_gives_the_t_interval_of_the_mean() -> None:
    facts = [f for f in load_facts() if f.id in ("branded_share", "online_retail_scale", "fund_rate")]
    values = pd.DataFrame({"branded_share": [0.02, 0.04, 0.06, 0.12], "fund_rate": [0.0] * 4})
    table = fact_table(facts, values).set_index("id")
    row = table.loc["branded_share"]
    half = stats.t.ppf(0.975, 3) * np.std([0.02, 0.04, 0.06, 0.12], ddof=1) / 2
    assert row["mean"] == pytest.approx(0.06)
    assert row.ci_low == pytest.approx(0.06 - half) and row.ci_high == pytest.approx(0.06 + half)
    assert row.n == 4 and row.status == "ok" and row.evidence == "calibrated"
    assert table.loc["online_retail_scale", "status"] == "context"
    assert table.loc["fund_rate", "status"] == "off in baseline"
    values.loc[:, "branded_share"] = 0.2
    assert failed_outputs(fact_table(facts, values)) == ["branded_share"]


def one_fact_file(folder: Path, fact_id: str = "branded_share") -> Path:
    rows = pd.read_csv(facts_module.facts_path(), dtype=str, keep_default_na=False)
    path = folder / "facts.csv"
    rows[rows.id == fact_id].to_csv(path, index=False)
    return path


def test_validate_runs_replicates_through_the_runner_with_paired_seeds(tmp_path: Path) -> None:
    out = tmp_path / "v"
    result = validate(replicates=2, root_seed=5, months=72, farmers=300, out=out, workers=1, progress=False,
                      show=False)
    assert list(result.replicates.seed) == replicate_seeds(5, 2)
    assert len(list((out / "runs").glob("*.parquet"))) == 2
    assert {"facts.csv", "facts.md", "replicates.csv", "results.parquet", "manifest.json"} <= {
        p.name for p in out.iterdir()}
    table = pd.read_csv(out / "facts.csv")
    assert set(table.id) == {f.id for f in load_facts()}
    assert table.set_index("id").loc["junior_school", "mean"] == pytest.approx(0.82)
    assert "| fact | kind |" in (out / "facts.md").read_text()


@pytest.fixture
def cli_app():
    import typer

    from experiments.cli.validate import validate as validate_command

    app = typer.Typer(add_completion=False)
    app.command()(validate_command)
    app.command("other")(lambda: None)  # two commands, so the first is addressed by name
    return app


def test_strict_exits_non_zero_when_an_output_fact_fails(tmp_path: Path, cli_app, monkeypatch) -> None:
    args = ["validate", "--replicates", "2", "--months", "72", "--farmers", "300", "--workers", "1",
            "--facts", str(one_fact_file(tmp_path)), "--out", str(tmp_path / "v"), "--strict"]
    runner = CliRunner()
    passed = runner.invoke(cli_app, args)
    assert passed.exit_code == 0, passed.output
    monkeypatch.setitem(MEASURES, "branded_share", lambda run: 0.5)
    failed = runner.invoke(cli_app, args)
    assert failed.exit_code == 1
    assert "branded_share" in failed.output
    without_strict = runner.invoke(cli_app, args[:-1])
    assert without_strict.exit_code == 0


def test_the_ruralsim_entry_point_exits_1_when_strict_validation_misses_a_fact(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from experiments.cli.app import main

    args = ["ruralsim", "validate", "--replicates", "2", "--months", "72", "--farmers", "300", "--workers", "1",
            "--facts", str(one_fact_file(tmp_path)), "--out", str(tmp_path / "v"), "--strict"]
    monkeypatch.setattr("sys.argv", args)
    monkeypatch.setitem(MEASURES, "branded_share", lambda run: 0.5)
    with pytest.raises(SystemExit) as failed:
        main()
    assert failed.value.code == 1
    monkeypatch.setitem(MEASURES, "branded_share", lambda run: 0.05)
    main()  # every fact met: returns without exiting


def test_validate_rejects_user_mistakes_with_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="replicates"):
        validate(replicates=0, out=tmp_path, show=False)
    with pytest.raises(ScenarioError, match="farmers"):
        validate(replicates=1, months=72, farmers=10, out=tmp_path, show=False)
    with pytest.raises(ScenarioError, match="--months = 12: too short to judge the facts"):
        validate(replicates=1, months=12, out=tmp_path, show=False)
