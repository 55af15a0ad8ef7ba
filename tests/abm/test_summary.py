"""The run summary `ruralsim run` prints: each row read from the run's regional table."""

from __future__ import annotations

import pytest

from abm.core.params import Parameters
from abm.io.scenario import Scenario
from abm.io.simulate import run
from abm.io.summary import FARM_ROW, east_west_gap, region_summary


@pytest.fixture(scope="module")
def result():
    """Two years of a small province where shops pay (so the shops' rows are not all zero)."""
    return run(Scenario(name="summary", months=24, seed=4,
                        parameters=Parameters(farmers=1500, households_per_village=25, business_turnover=40_000.0,
                                              business_entry_rate=0.5)))


def test_the_summary_gives_shops_their_income_and_the_online_saving_by_region(result):
    """Shops at the end, their net income over the last year (millions) and the saving's mean rate, per region."""
    reg = result.regions
    last = reg[reg.month > reg.month.max() - 12]
    table = region_summary(result)
    assert list(table.index) == ["west", "centre", "east"]
    end = reg[reg.month == reg.month.max()].set_index("region")
    assert table["online shops beyond own produce"].to_dict() == end.online_shops.to_dict()
    assert table["online shops beyond own produce"].sum() > 0
    net = last.groupby("region").shop_net.sum() / 1e6
    assert table["  their net income (M yuan/yr)"].to_dict() == pytest.approx(net.to_dict())
    saving = last.groupby("region").consumption_saving_per_person.mean()
    assert table["saved buying online (yuan/person/yr)"].to_dict() == pytest.approx(saving.to_dict())
    assert (saving > 0).all()


def test_the_gap_parts_add_up_to_the_total(result):
    """The east/west gap's four parts add up to the gap in income per person, and their shares to one."""
    gap = east_west_gap(result)
    parts = gap.drop(["total", FARM_ROW])
    assert gap.loc["total", "gap"] == pytest.approx(parts.gap.sum())
    assert parts["share of gap"].sum() == pytest.approx(1.0)
    assert 0 < gap.loc[FARM_ROW, "west"] < gap.loc["business", "west"]
