"""Livelihood paths beside the farm: online shops, members coming back to run them, carriers' cluster discount,
suppliers shared in clusters of shops, and the saving from buying online (a welfare gain kept out of income)."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import MARKET_WORLD, same_bits

from abm.core.params import Parameters
from abm.core.stages import NO_LINK
from abm.enterprise.business import (decide_shops, expected_year, initial_shops, shop_gain, shop_month, supplier_saving,
                                     village_shop_share)
from abm.model import RuralEconomy
from agents.logistics import parcel_discount

SEEDS = (21, 22, 23)
#: a small province where a shop pays well over a wage earner's wage
PAYING = MARKET_WORLD | {"farmers": 1500, "households_per_village": 25, "business_turnover": 40_000.0,
                         "business_entry_rate": 0.5}
#: the same province where a shop never pays its member's wage
NOT_PAYING = PAYING | {"business_turnover": 1_000.0}


def _run(world: dict, seed: int, months: int = 36) -> RuralEconomy:
    m = RuralEconomy(Parameters(**world), seed=seed)
    for _ in range(months):
        m.step()
    return m


def test_a_shop_learns_repays_its_start_up_and_its_accounts_add_up():
    """Turnover rises from half the learnt level; net is turnover less goods, parcels, help and repayment."""
    p = Parameters(business_turnover=10_000.0, business_margin=0.3, business_startup_cost=36_000.0,
                   business_payback_years=3.0, ecommerce_labour_share=0.05)
    since = np.array([NO_LINK, 12, 12, 0])
    skill = np.full(4, 0.5, np.float32)
    at_open, later = (shop_month(p, since, month, skill, np.array([0.1, 0.1]), 2) for month in (12, 60))
    assert at_open.owners.tolist() == [1, 2, 3]
    turnover = at_open.at_households(at_open.turnover, 4)
    assert turnover.tolist() == [0.0, 5000.0, 5000.0, pytest.approx(10_000.0 * (1 - 0.5 * np.exp(-1.0)))]
    assert later.turnover[0] > 9_900.0 and later.repayment[0] == 0.0  # learnt, and repaid after 36 months
    assert at_open.repayment[0] == pytest.approx(1000.0)
    parts = at_open.goods + at_open.shipping + at_open.hired + at_open.repayment + at_open.net
    np.testing.assert_allclose(parts, at_open.turnover)
    assert at_open.net[0] == pytest.approx(5000.0 * (0.3 - 0.1 - 0.05) - 1000.0)


def test_a_migrant_comes_back_when_a_shop_pays_more_than_migrant_work_weighed_with_home():
    """Expected 20,000 a year: a migrant earning 25,000 comes back (home worth 30%), a local earner does not.

    A shop here takes a whole member's time (``shop_time_share`` 1), so the local earner gives up all of 30,000.
    """
    p = Parameters(home_value=0.3, migrant_share=0.5, business_entry_rate=1.0, business_imitation=0.0,
                   business_failure_rate=0.0, shop_time_share=1.0)
    since = np.full(4, NO_LINK)
    wage = np.array([25_000.0, 25_000.0, 30_000.0, 10_000.0])
    draws = np.array([[0.1, 0.9, 0.1, 0.9], [0.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]], np.float32)
    d = decide_shops(p, since, np.ones(4, bool), np.full(4, 20_000.0), wage, np.zeros(4), np.zeros(4), 2, draws)
    assert d.opened.tolist() == [0, 3]                # the migrant at 25,000 and the local earner at 10,000
    assert d.returning.tolist() == [True, False]
    assert d.reservation.tolist() == [pytest.approx(17_500.0), 10_000.0]
    running = np.array([0, 0, 0, NO_LINK])
    d = decide_shops(p, running, np.ones(4, bool), np.zeros(4), wage, np.array([20_000.0, 5_000.0, 9_000.0, 0.0]),
                     np.array([17_500.0, 4_000.0, 10_000.0, 0.0]), 2, draws)
    assert d.closed.tolist() == [2]                   # earned less than its member's outside option


@pytest.mark.parametrize("seed", SEEDS)
def test_members_come_back_to_run_shops_only_where_shops_pay(seed):
    """Where a shop pays more than a wage, households open shops and migrants come back; where not, none do."""
    paying, not_paying = _run(PAYING, seed), _run(NOT_PAYING, seed)
    assert (paying.farmers.shop_since > NO_LINK).sum() >= 10 and paying.farmers.returned.sum() >= 5
    assert (not_paying.farmers.shop_since > NO_LINK).sum() == 0 and not_paying.farmers.returned.sum() == 0
    assert paying.metrics["online_shops"] == (paying.farmers.shop_since > NO_LINK).sum()
    assert paying.metrics["shop_net"] > 0


def test_a_shop_household_earns_less_in_wages_and_more_in_business_than_without_its_shop():
    """The survey's sign pattern for shops: the same households without shops (entry 0) earn more wages, less business."""
    wages, business = [], []
    for seed in SEEDS:
        with_shops = _run(PAYING, seed)
        without = _run(PAYING | {"business_entry_rate": 0.0}, seed)
        owners = with_shops.farmers.shop_since > NO_LINK
        owners &= with_shops.farmers.shop_since < 24  # a whole year 3 with the shop
        a = with_shops.carried.year_stats["household_parts"][:, owners]
        b = without.carried.year_stats["household_parts"][:, owners]
        wages.append(float((a[0] - b[0]).mean()))
        business.append(float((a[1] - b[1]).mean()))
    assert max(wages) < 0 < min(business)


def test_the_consumption_saving_is_reported_and_not_in_income():
    """Buying online saves money (a welfare outcome), but income, sales and choices are the same bit for bit."""
    saving, none = _run(PAYING, 21, 24), _run(PAYING | {"online_price_saving": 0.0}, 21, 24)
    assert saving.metrics["consumption_saving_per_person"] > 0 == none.metrics["consumption_saving_per_person"]
    assert np.array_equal(saving.farmers.income_ytd, none.farmers.income_ytd)
    assert np.array_equal(saving.farmers.channel, none.farmers.channel)
    stations = _run(PAYING | {f"station_{r}": 1.0 for r in ("west", "centre", "east")}, 21, 24)
    assert stations.metrics["consumption_saving_per_person"] > saving.metrics["consumption_saving_per_person"]


def test_carriers_charge_less_in_busy_villages_and_with_a_station():
    """The parcel discount multiplies the station's share off with the cluster's share times the online share."""
    d = parcel_discount(np.array([0, 1, 0, 1]), np.array([0.0, 0.0, 0.5, 0.5]), 0.2, 0.4)
    np.testing.assert_allclose(d, [1.0, 0.8, 0.8, 0.64])


def test_a_shop_pays_less_far_from_the_hub_and_more_with_skill():
    """The first year's expected net falls with the village's shipping share and rises with skill."""
    p = Parameters()
    near, far = expected_year(p, np.array([0.5, 0.5], np.float32), np.array([0.05, 0.12]))
    assert near > far
    low, high = expected_year(p, np.array([0.5, 0.9], np.float32), np.array([0.05, 0.05]))
    assert high > low


def test_shops_in_a_cluster_buy_their_goods_cheaper_up_to_the_taobao_village_threshold():
    """The goods' saving grows with the village's share of shop households and is whole from the threshold on."""
    p = Parameters(supplier_cluster_saving=0.2, taobao_village_shop_share=0.1, business_margin=0.3)
    np.testing.assert_allclose(supplier_saving(p, np.array([0.0, 0.05, 0.1, 0.4])), [0.0, 0.1, 0.2, 0.2])
    since = np.full(40, NO_LINK)
    since[[0, 20, 21, 22, 23]] = 12           # village 0: 1 shop in 20 households (half the threshold); village 1: 4
    assert village_shop_share(since, 20).tolist() == [0.05, 0.2]
    skill = np.full(40, 0.5, np.float32)
    month = shop_month(p, since, 24, skill, np.array([0.1, 0.1]), 20)
    np.testing.assert_allclose(month.goods / month.turnover, [0.7 * 0.9, 0.7 * 0.8, 0.7 * 0.8, 0.7 * 0.8, 0.7 * 0.8])
    off = shop_month(p.model_copy(update={"supplier_cluster_saving": 0.0}), since, 24, skill, np.array([0.1, 0.1]), 20)
    assert same_bits(off.goods, off.turnover * (1.0 - 0.3))  # no saving: the goods cost exactly what they did
    alone, clustered = expected_year(p, skill[:2], np.array([0.1, 0.1]), np.array([0.0, 0.2]))
    assert clustered - alone == pytest.approx(12.0 * 10_000.0 * np.mean(1 - 0.5 * np.exp(-np.arange(12) / 12)) * 0.14)


def test_shared_suppliers_make_shops_pay_more_and_more_households_open_them():
    """Paired seeds: with a supplier saving, shops net more each and more of them run after three years."""
    more_shops, more_net = [], []
    for seed in SEEDS:
        runs = [_run(PAYING | {"supplier_cluster_saving": saving}, seed) for saving in (0.0, 0.3)]
        shops = [int((m.farmers.shop_since > NO_LINK).sum()) for m in runs]
        more_shops.append(shops[1] - shops[0])
        more_net.append(runs[1].metrics["shop_net"] / shops[1] - runs[0].metrics["shop_net"] / shops[0])
    for diff in (more_shops, more_net):
        assert np.mean(diff) - 3 * np.std(diff, ddof=1) / np.sqrt(len(diff)) > 0


def test_initial_shops_go_to_able_households_by_their_gain_and_opened_before_the_start():
    """The share of all households, only able ones with a gain, likelier the larger it is; opened within the years set."""
    p = Parameters(initial_shop_share=0.1, initial_shop_years=2.0)
    able = np.array([True, True, True, True, False, True, True, True] + [False] * 12)
    gain = np.array([1.0, 0.5, 0.0, 1.0, 1.0, 0.2, 1.0, 1.0] + [1.0] * 12)
    counts = np.zeros(20)
    for seed in range(400):
        owners, since = initial_shops(p, able, gain, np.random.default_rng(seed))
        assert owners.size == 2 and set(owners.tolist()) <= {0, 1, 3, 5, 6, 7}
        assert ((since >= -24) & (since <= -1)).all()
        counts[owners] += 1
    assert counts[0] > 1.5 * counts[1] > 1.5 * counts[5] > 0  # in proportion to the gain: 1, 0.5, 0.2
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    owners, _ = initial_shops(Parameters(initial_shop_share=0.0), able, gain, rng)
    assert owners.size == 0 and rng.bit_generator.state == state  # none, and nothing drawn


def test_shop_gain_weighs_what_a_returning_migrant_values_in_living_at_home():
    """Outside option: the wage, less home's worth for a migrant; the gain is the excess over it, between 0 and 1.

    A shop here takes a whole member's time (``shop_time_share`` 1), so a stayer weighs the whole wage.
    """
    outside, gain = shop_gain(Parameters(home_value=0.3, shop_time_share=1.0), np.array([20_000.0, 20_000.0, 90_000.0]),
                              np.array([25_000.0, 25_000.0, 30_000.0]), np.array([True, False, False]))
    assert outside.tolist() == [pytest.approx(17_500.0), 25_000.0, 30_000.0]
    assert gain.tolist() == [pytest.approx(2_500.0 / 17_500.0), 0.0, 1.0]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_world_can_start_with_shops_whose_members_left_wage_work(seed):
    """At the start, initial_shop_share of households run a shop opened before month 0, one earner fewer each."""
    world = PAYING | {"business_entry_rate": 0.0}
    without = RuralEconomy(Parameters(**world), seed=seed)
    started = RuralEconomy(Parameters(**world | {"initial_shop_share": 0.02}), seed=seed)
    assert (without.farmers.shop_since > NO_LINK).sum() == 0
    owners = np.flatnonzero(started.farmers.shop_since > NO_LINK)
    assert owners.size == round(0.02 * started.farmers.n) and (started.farmers.shop_since[owners] < 0).all()
    earners = (without.carried.household_income.earners - started.carried.household_income.earners)
    assert earners[owners].tolist() == [1] * owners.size and earners.sum() == owners.size
    assert started.farmers.returned.sum() == started.farmers.returned[owners].sum() > 0
    started.step()  # the first month's accounts count them (shops close only in December)
    assert started.metrics["online_shops"] == owners.size and started.metrics["shop_net"] != 0


def test_a_shop_run_beside_wage_work_must_pay_only_the_share_of_the_wage_it_takes():
    """With shop_time_share below 1, a member who stays weighs that share of the wage; a returning migrant all of it."""
    p = Parameters(home_value=0.3, shop_time_share=0.4)
    outside, _ = shop_gain(p, np.array([20_000.0, 20_000.0]), np.array([25_000.0, 25_000.0]), np.array([True, False]))
    assert outside.tolist() == [pytest.approx(17_500.0), pytest.approx(10_000.0)]


def test_a_part_time_shop_gives_up_its_share_of_one_earners_wage_and_gets_it_back_when_it_closes():
    """move_earners: the wage level falls by time_share x one earner's share of it; closing restores it exactly."""
    p = Parameters(**PAYING)
    hi = RuralEconomy(p, seed=SEEDS[0]).carried.household_income
    owners = np.flatnonzero(hi.earners >= 2)[:2]
    before, earners = hi.for_year(3).wages[owners], hi.earners[owners].copy()
    hi.move_earners(owners, into_shop=True, time_share=np.array([0.4, 1.0]))
    given_up = before / earners * np.array([0.4, 1.0])
    assert hi.for_year(3).wages[owners] == pytest.approx(before - given_up)
    assert (hi.earners[owners] == earners - 1).all()
    hi.move_earners(owners, into_shop=False)
    assert hi.for_year(3).wages[owners] == pytest.approx(before) and (hi.earners[owners] == earners).all()


def test_more_households_open_shops_when_a_shop_takes_part_of_a_members_time():
    """Where a shop pays part of a wage but rarely all of it, part-time shops are opened more often, seed by seed."""
    world = PAYING | {"business_turnover": 10_000.0}
    for seed in SEEDS:
        whole = (_run(world, seed).farmers.shop_since > NO_LINK).sum()
        part = (_run(world | {"shop_time_share": 0.3}, seed).farmers.shop_since > NO_LINK).sum()
        assert part > whole
