"""The year's close: the cooperatives' pooled sales, talent titles, budgets returned, the December settlement.

What the year carried (:class:`abm.state.Carried`) is settled here and a new year opened; the model's
step calls these in the ODD's order (docs/ODD.md, "Process overview and scheduling").
"""

from __future__ import annotations

import numpy as np

from abm.build import open_shops, shop_prospects
from abm.core.ledger import MoneyLedger
from abm.core.stages import COOP, EXIT_REASONS, NO_LINK
from abm.enterprise.business import decide_shops
from abm.market.clearing import MonthFlows
from abm.measure.adoption_effect import EFFECTS, matched_differences
from abm.measure.measures import year_statistics
from abm.state import Carried, Province
from agents.cooperative import PooledYear, review_membership
from agents.government import sales_led


def pool_sales(carried: Carried, province: Province, fl: MonthFlows, offline_price: np.ndarray) -> None:
    """Add the month's cooperative sales to each cooperative's pooled year."""
    f, v = province.farmers, province.villages
    pooled = f.channel[fl.sellers] == COOP
    village = fl.sellers[pooled] // f.households
    carried.pooled.add(v.coop_of_county[v.county[village]], fl.seller_offer[pooled].astype(np.float64),
                       fl.seller_shipped[pooled], fl.seller_net[pooled], fl.seller_coop_fee[pooled],
                       offline_price[village])


def close_year(carried: Carried, province: Province, money: MoneyLedger, rng: np.random.Generator,
               month: int) -> None:
    """Year end: the year's statistics, talent titles, unspent budgets returned, members settled, shops, a new year."""
    f = province.farmers
    f.close_year()
    hi = carried.household_income
    stats = year_statistics(f.income_year, f.region) | hi.year_parts(f.income_year, hi.allowances_ytd, f.shop_net_year)
    stats |= adoption_effect(carried, province, stats["household_parts"])
    hi.allowances_ytd[:] = 0.0
    hi.wage_change_ytd[:] = 0.0
    nf_count = np.maximum(f.village_sum(f.new_farmer), 1)
    lifted = np.repeat((f.village_sum(f.enrolled & ~f.new_farmer)) / nf_count, f.households)
    led = sales_led(f.online_revenue_year, carried.followers_streamed, f.new_farmer, f.households)
    carried.followers_streamed = np.zeros_like(carried.followers_streamed)
    government = province.institutions.government
    government.award_titles(led, lifted, f.new_farmer)
    government.close_year(money)
    carried.membership_flows = settle_membership(carried, province, rng)
    settle_shops(carried, province, rng, month)
    carried.year_stats = stats


def settle_shops(carried: Carried, province: Province, rng: np.random.Generator, month: int) -> None:
    """December: shops close or open (:mod:`abm.enterprise.business`); their members leave or go back to wage work.

    A household opening a shop moves one wage earner into it, who gives up ``shop_time_share`` of the wage
    (a returning migrant, with the chance ``migrant_share``, all of it: the household has then a returned
    migrant); one closing gets what was given up back.
    """
    f, p = province.farmers, province.p
    hi = carried.household_income
    draws = rng.random((3, f.n), dtype=np.float32)
    able, expected = shop_prospects(province, hi)
    shops = decide_shops(p, f.shop_since, able, expected, 12.0 * hi.earner_wage(), f.shop_net_year,
                         f.shop_reservation, f.households, draws)
    f.shop_since[shops.closed] = NO_LINK
    f.shop_reservation[shops.closed] = 0.0
    hi.move_earners(shops.closed, into_shop=False)
    open_shops(f, hi, shops.opened, month, shops.reservation, shops.returning, p.shop_time_share)


def adoption_effect(carried: Carried, province: Province, parts: np.ndarray) -> dict[str, float]:
    """The survey's matched difference-in-differences of this year's adopters (:mod:`abm.measure.adoption_effect`)."""
    f, v = province.farmers, province.villages
    online = f.online_revenue_year > 0
    last = carried.last_year
    effect = dict.fromkeys(EFFECTS, 0.0)
    if last is not None:
        cell = np.repeat(v.region.astype(np.int64) * 10 + v.crop, f.households)
        effect = matched_differences(last[0], parts, online & ~last[1], ~online & ~last[1], cell,
                                     province.p.persons_per_household)
    carried.last_year = (parts, online)
    return {f"adoption_effect_{k}": x for k, x in effect.items()}


def settle_membership(carried: Carried, province: Province, rng: np.random.Generator) -> np.ndarray:
    """December settlement: members leave for a named reason, neighbours join; returns (left by reason, joined)."""
    f, v, p = province.farmers, province.villages, province.p
    reason = carried.pooled.reasons(p.coop_min_fill)
    coop_of_household = np.repeat(v.coop_of_county[v.county], f.households)
    leave, join = review_membership(f.member, coop_of_household, reason, p.coop_exit_rate, p.coop_join_rate,
                                    rng.random(f.n, dtype=np.float32))
    f.member[leave] = False
    f.member[join] = True
    carried.pooled = PooledYear(len(province.institutions.cooperatives))
    left_for = reason[coop_of_household[leave]]
    return np.append(np.bincount(left_for, minlength=len(EXIT_REASONS)), join.size).astype(np.float64)
