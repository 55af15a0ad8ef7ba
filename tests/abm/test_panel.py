"""The household panel and the village table: what a new user reproduces from the files alone."""

from __future__ import annotations

import json
import stat

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from testworlds import DIFFUSING

from abm.core.params import Parameters
from abm.io.dictionary import COLUMNS_KEY, RUN_KEY
from abm.io.output import write_run
from abm.io.scenario import Scenario
from abm.income.month import INCOME_COMPONENTS
from abm.io.simulate import run
from abm.model import RuralEconomy
from abm.observe.panel import HOUSEHOLD_COLUMNS


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A two-year run of a small diffusing world: the panel at months 6, 12 and 24, the network at year ends."""
    scenario = Scenario(name="panel", months=24, seed=5,
                        parameters=Parameters(farmers=1500, households_per_village=25, **DIFFUSING))
    out = tmp_path_factory.mktemp("panel")
    write_run(run(scenario, panel_months=[6, 12, 24], network="yearly"), out)
    return out


def _gini(y: np.ndarray) -> float:
    """Gini as mean absolute difference over twice the mean (plain numpy, O(n log n))."""
    y = np.sort(y)
    n = y.size
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * y) / (n * n * y.mean()))


def _theil(y: np.ndarray, group: np.ndarray) -> tuple[float, float, float]:
    """Theil T with its between/within split, on incomes raised to 1 yuan (the ODD's transformation)."""
    y = np.maximum(y, 1.0)
    mu = y.mean()
    total = np.mean(y / mu * np.log(y / mu))
    between = within = 0.0
    for g in np.unique(group):
        part = y[group == g]
        share = part.sum() / y.sum()
        between += share * np.log(part.mean() / mu)
        within += share * np.mean(part / part.mean() * np.log(part / part.mean()))
    return float(total), float(between), float(within)


def test_gini_theil_and_east_west_ratio_reproduce_from_the_panel(folder):
    """At a year end and before the first one, the model's inequality measures follow from income_last_year."""
    households = pd.read_parquet(folder / "households.parquet")
    series = pd.read_parquet(folder / "series.parquet").set_index("month")
    for month in (6, 12, 24):
        h = households[households.month == month]
        y = h.income_last_year.to_numpy()
        s = series.loc[month]
        assert _gini(y) == pytest.approx(s.gini, rel=1e-12)
        total, between, within = _theil(y, h.region.cat.codes.to_numpy())
        assert (total, between, within) == pytest.approx((s.theil, s.theil_between, s.theil_within), rel=1e-9)
        means = h.groupby("region", observed=True).income_last_year.mean()
        assert means["east"] / means["west"] == pytest.approx(s.east_west_income_ratio, rel=1e-12)
    year_end = households[households.month == 12]
    assert np.array_equal(year_end.income, year_end.income_last_year)  # a year end: the year just closed


def test_income_per_person_and_its_survey_parts_reproduce_from_the_panel(folder):
    """Persons and the four survey parts per household give the model's income per person, by region and overall."""
    households = pd.read_parquet(folder / "households.parquet")
    series = pd.read_parquet(folder / "series.parquet").set_index("month")
    regions = pd.read_parquet(folder / "regions.parquet").set_index(["month", "region"])
    parts = ["wages", "business", "property", "transfers"]
    for month in (6, 12, 24):
        h = households[households.month == month]
        persons = h.persons.to_numpy(np.float64)
        per_person = {k: h[f"income_last_year_{k}"].to_numpy(np.float64) / persons for k in parts}
        total = sum(h[f"income_last_year_{k}"].to_numpy(np.float64) for k in parts)
        assert np.allclose(total, h.income_last_year, rtol=1e-5, atol=0.05)
        assert np.allclose(h.income_per_person, h.income_last_year / persons, rtol=1e-6)
        assert np.mean(h.income_per_person.to_numpy(np.float64)) == pytest.approx(series.loc[month].income_per_person,
                                                                                  rel=1e-6)
        codes = h.region.cat.codes.to_numpy()
        for r, name in enumerate(["west", "centre", "east"]):
            for k in parts:
                expected = regions.loc[(month, name), f"income_{k}"]
                assert np.mean(per_person[k][codes == r]) == pytest.approx(expected, rel=1e-5, abs=0.01)
        ratio = np.mean(h.income_per_person[codes == 2]) / np.mean(h.income_per_person[codes == 0])
        assert ratio == pytest.approx(series.loc[month].east_west_income_ratio, rel=1e-5)
    assert (households.persons == 3.27).all()
    assert (households[households.month == 24].income_last_year_business != 0).all()


def test_income_is_the_sum_of_its_components(folder):
    """Year to date, income = sales, online net, the survey's off-farm parts and an online shop's net, less hired help
    and production cost.

    Allowances are added, as the model adds them; each component's column enters with its declared sign.
    """
    h = pd.read_parquet(folder / "households.parquet")
    assert [c.name for c in INCOME_COMPONENTS if c.sign < 0] == ["hired_help", "production_cost"]
    parts = sum(c.sign * h[c.name].astype(float) for c in INCOME_COMPONENTS)
    assert {"offline_sales", "online_net", "wages", "online_shop", "allowances"} <= {c.name for c in INCOME_COMPONENTS}
    assert np.allclose(parts, h.income, rtol=1e-5, atol=0.05)
    assert (h[h.month == 24].online_net != 0).any()


def test_village_online_counts_and_turnover_agree_with_households_and_regions(folder):
    """Villages' online households add up to the regions' adoption; their turnover adds up to regional sales.

    Villages selling online by region follow from the counts.
    """
    villages = pd.read_parquet(folder / "villages.parquet")
    regions = pd.read_parquet(folder / "regions.parquet")
    assert sorted(villages.month.unique()) == [0, 12, 24]
    v24 = villages[villages.month == 24].set_index("village")
    for month in (0, 12, 24):
        v = villages[villages.month == month].groupby("region", observed=True)
        adoption = regions[regions.month == month].set_index("region").adoption
        sold = v.households_online.sum() / v.households.sum()
        assert np.allclose(sold.to_numpy(), adoption.loc[sold.index].to_numpy(), rtol=1e-6)
    assert (villages[villages.month == 0].households_online == 0).all()  # nothing is sold before the first month
    share = (villages.assign(selling=villages.online_share >= 0.1)
             .groupby(["year", "region"], observed=True).selling.mean().unstack())
    assert list(share.columns) == ["west", "centre", "east"] and list(share.index) == [0, 1, 2]
    for year in (1, 2):
        v = villages[villages.month == 12 * year]
        by_region = (v.households_online / v.households >= 0.1).groupby(v.region, observed=True).mean()
        assert np.allclose(share.loc[year].to_numpy(), by_region.loc[share.columns].to_numpy(), rtol=0, atol=1e-12)
        assert 0 < share.loc[year].max() < 1
    year2 = regions[regions.year == 2].groupby("region", observed=True).online_sales.sum()
    turnover = v24.groupby("region", observed=True).online_turnover.sum()
    assert np.allclose(turnover.to_numpy(), year2.to_numpy(), rtol=1e-5)


def test_yearly_online_sales_by_region_with_duckdb(folder):
    """A duckdb query grouping by ``year`` gives each year's online sales by region (year 0 is month 0 alone)."""
    path = str(folder / "regions.parquet")
    got = duckdb.sql(f"SELECT year, region, sum(online_sales) AS sales FROM '{path}' "
                     "GROUP BY year, region ORDER BY year, region").df()
    regions = pd.read_parquet(path)
    assert set(got.year) == {0, 1, 2}
    for (year, region), sales in got.set_index(["year", "region"]).sales.items():
        months = regions[(regions.region == region) & regions.month.between(12 * year - 11, 12 * year)]
        assert sales == pytest.approx(months.online_sales.sum(), rel=1e-12)
    assert list(regions.region.cat.categories) == ["west", "centre", "east"] and regions.region.cat.ordered


def test_every_file_carries_the_run_and_its_columns_dictionary(folder):
    """Each Parquet file names scenario, seed, digest and version, and gives each column unit, meaning and kind."""
    assert {p.name for p in folder.glob("*.parquet")} >= {"households.parquet", "villages.parquet",
                                                        "network_edges.parquet", "network_nodes.parquet"}
    for path in folder.glob("*.parquet"):
        meta = pq.read_schema(path).metadata
        about = json.loads(meta[RUN_KEY])
        assert (about["scenario"], about["seed"], about["months"]) == ("panel", 5, 24)
        assert len(about["parameters_digest"]) == 16 and about["package_version"]
        columns = json.loads(meta[COLUMNS_KEY])
        assert list(columns) == pq.read_schema(path).names
        assert all(c["meaning"] != "(undeclared)" and c["kind"] for c in columns.values()), path.name
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_panel_months_and_calendar(folder):
    """The panel holds the chosen months; month 12 is December of year 1, month 0 is year 0."""
    h = pd.read_parquet(folder / "households.parquet", columns=["month", "year", "month_of_year", "household"])
    assert sorted(h.month.unique()) == [6, 12, 24]
    assert h.groupby("month").household.count().nunique() == 1
    s = pd.read_parquet(folder / "series.parquet", columns=["month", "year", "month_of_year"]).set_index("month")
    assert tuple(s.loc[0]) == (0, 0) and tuple(s.loc[12]) == (1, 12) and tuple(s.loc[13]) == (2, 1)


def test_network_export_has_one_main_component_with_every_enrolled_farmer(folder):
    """The GraphML of a year end holds every enrolled household of the panel in its largest component."""
    households = pd.read_parquet(folder / "households.parquet")
    edges = pd.read_parquet(folder / "network_edges.parquet")
    nodes = pd.read_parquet(folder / "network_nodes.parquet")
    for month in (12, 24):
        g = nx.read_graphml(folder / "network" / f"month_{month:04d}.graphml")
        main = max(nx.connected_components(g), key=len)
        h = households[households.month == month]
        enrolled = {f"farmer:{i}" for i in h.household[h.stage >= "enrolled"]}
        assert enrolled and enrolled <= main
        assert {n for n, d in g.nodes(data=True) if d["kind"] == "farmer"} == enrolled
        assert (edges.month == month).sum() == g.number_of_edges()
        farmers = nodes[(nodes.month == month) & (nodes.kind == "farmer")].set_index("node")
        by_id = h.set_index("household")
        ids = [int(n.split(":")[1]) for n in farmers.index]
        assert (farmers.region.to_numpy() == by_id.region.loc[ids].to_numpy()).all()
        assert np.array_equal(farmers.income.to_numpy(), by_id.income_last_year.loc[ids].to_numpy())


def test_cash_is_every_income_since_month_1_and_a_returnees_start_up_grant():
    """A household's cash is the sum of its monthly incomes plus a supported returnee's start-up grant.

    The grant is a capital grant, not income (the survey's disposable income leaves it out).
    """
    m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, budget_returnee=600_000.0), seed=5)
    f = m.farmers
    incomes = np.zeros(f.n)
    for _ in range(14):
        m.step()
        incomes += f.income_month
    assert f.returnee.sum() >= 10
    np.testing.assert_allclose(f.cash, incomes + m.p.returnee_support * f.returnee, rtol=1e-9, atol=1e-6)
    assert "start-up" in next(c.meaning for c in HOUSEHOLD_COLUMNS if c.name == "cash")
