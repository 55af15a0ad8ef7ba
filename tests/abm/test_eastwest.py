"""The east-west fund: money conserved in the ledger, spent only on its western targets; pairing."""

from __future__ import annotations

import numpy as np

from abm.core.params import Parameters
from abm.eastwest.fund import spend_fund
from abm.model import RuralEconomy


def _run(months: int = 24, **kw) -> RuralEconomy:
    m = RuralEconomy(Parameters(farmers=3000, households_per_village=25, **kw), seed=12)
    for _ in range(months):
        m.step()
    return m


def test_fund_money_is_conserved_in_the_ledger():
    """Everything the fund collected is either spent or still in it, and the journal says so.

    All to training: two years of a 5% levy on a small world's western sales (about 14,000 yuan)
    buy a few trainees but, split by the mixed rule, no share reaches a whole trainee or investment.
    """
    m = _run(fund_rate=0.05, fund_rule="training")
    j = m.money.frame()
    collected = j.loc[j.destination == "fund", "amount"].sum()
    spent = j.loc[j.source == "fund", "amount"].sum()
    assert collected > 0 and spent > 0
    assert np.isclose(collected - spent, m.province.eastwest.fund_balance)
    assert np.isclose(spent, m.province.eastwest.fund_spent)
    levy = j.loc[j.kind == "east_west_fund", "amount"].sum()
    assert np.isclose(levy, collected)


def test_fund_spending_reaches_only_western_targets():
    """Brand awards, processing lines, cold chain and training paid by the fund all land in the west."""
    m = RuralEconomy(Parameters(farmers=6000, households_per_village=25, cold_chain_west=0.1), seed=3)
    v = m.province.villages
    cold, trained = v.cold_chain.copy(), m.farmers.trained.copy()
    m.farmers.stage[:] = 2
    brands = [c.branded for c in m.cooperatives]
    processing = [c.processing for c in m.cooperatives]
    spent = spend_fund(m.policy_targets(), 3_000_000.0, m.p, m.money)
    assert 0 < spent <= 3_000_000.0
    moved = v.cold_chain != cold
    new_trained = m.farmers.trained & ~trained
    new_brand = [c for c, b in zip(m.cooperatives, brands) if c.branded and not b]
    new_line = [c for c, q in zip(m.cooperatives, processing) if c.processing > q]
    assert moved.any() and new_trained.any() and new_brand and new_line
    assert (v.region[moved] == 0).all() and (m.farmers.region[new_trained] == 0).all()  # western villages
    west = v.county_region == 0  # a cooperative's county belongs to the region of its seat
    assert all(west[c.county] for c in new_brand + new_line)
    assert np.isclose(-m.money.balance["fund"], spent)  # the fund paid for all of it


def test_pairing_boosts_western_sales_and_costs_the_east():
    """Paired western counties sell more online; the eastern partners pay for it."""
    base, paired = _run(36), _run(36, pairing=True)
    j = paired.money.frame()
    assert j.loc[j.source == "eastern_partners", "amount"].sum() > 0
    west = paired.datacollector.get_table_dataframe("regions").query("region == 'west'").online_sales.sum()
    west0 = base.datacollector.get_table_dataframe("regions").query("region == 'west'").online_sales.sum()
    assert west > west0


def test_fund_cold_chain_and_training_reach_western_villages_whatever_their_county_seat():
    """The fund's cold chain and training reach every western village, whatever its county's seat, and no other.

    The levy is on western villages' sales, those of counties seated in the centre too.
    """
    m = RuralEconomy(Parameters(farmers=6000, households_per_village=25, cold_chain_west=0.1,
                                fund_rule="cold_chain"), seed=3)
    v, f = m.province.villages, m.farmers
    seated_elsewhere = (v.region == 0) & (v.county_region[v.county] != 0)
    assert seated_elsewhere.sum() >= 10
    candidates = v.fresh & (v.cold_chain < 0.95)
    spend_fund(m.policy_targets(), 1e9, m.p, m.money)
    covered = candidates & (v.cold_chain == 1.0)
    np.testing.assert_array_equal(covered, candidates & (v.region == 0))
    assert (covered & seated_elsewhere).any()
    f.stage[:] = 2
    untrained = ~f.trained
    spend_fund(m.policy_targets(), 1e9, m.p.model_copy(update={"fund_rule": "training"}), m.money)
    np.testing.assert_array_equal(f.trained & untrained, untrained & (f.region == 0))
