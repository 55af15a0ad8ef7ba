"""Market clearing's accounts: what sellers pay and what buyers receive."""

from __future__ import annotations

import numpy as np
from testworlds import DIFFUSING, stepped_with_flows

from abm.market.clearing import LOYAL_SHARE
from abm.model import TRACE_FIXED_COST, RuralEconomy
from abm.core.params import Parameters
from abm.core.stages import COOP, LIVE, SHOP
from agents.platform import EASTERN_LIVESTREAM, EASTERN_MARKETPLACE


def test_a_traced_seller_pays_the_fixed_traceability_cost_in_every_month_it_sells():
    """The fixed monthly cost the tracing decision weighs is charged, beside the cost per kg shipped.

    It is in the seller's net income and in the ledger's traceability flows.
    """
    m, seen = stepped_with_flows(14, trust_mechanism="blockchain")
    journal = m.money.frame()
    tracing = journal[journal.kind == "traceability"].set_index("month").amount
    traced_months = 0
    for month, (flows, at_clearing) in enumerate(seen, start=1):
        traced = at_clearing["traced"][flows.sellers]
        expected = flows.seller_shipped * m.p.trace_cost * traced + TRACE_FIXED_COST * traced
        np.testing.assert_allclose(flows.seller_trace_cost, expected, rtol=1e-12)
        net = (flows.seller_revenue - flows.seller_commission - flows.seller_coop_fee - flows.seller_logistics
               - flows.seller_trace_cost - flows.seller_penalty)
        np.testing.assert_allclose(flows.seller_net, net, rtol=1e-9, atol=1e-6)
        assert np.isclose(tracing.get(month, 0.0), expected.sum(), rtol=1e-12)
        traced_months += traced.sum() > 10
    assert traced_months >= 6


def test_buyers_receive_the_kg_sellers_deliver_every_month_when_ratings_rank_sellers():
    """Kg bought equal kg delivered, month by month, with ratings ranking sellers.

    A seller whose rated share passes its offer ships all of it; the excess goes to the others in its
    group, not to kg never delivered.
    """
    _, seen = stepped_with_flows(24, trust_mechanism="reputation", urban_budget=6000.0)
    for flows, _ in seen:
        bought, delivered = flows.bought_by_origin.sum(), flows.seller_delivered.sum()
        assert np.isclose(bought, delivered, rtol=1e-9, atol=1e-6)
    assert sum(flows.seller_delivered.sum() for flows, _ in seen) > 0


def test_the_logistics_subsidy_granted_stays_within_the_months_allowance_and_is_booked_in_full():
    """With a small budget what shippers grant stays within the month's allowance, and the ledger books all of it."""
    m = RuralEconomy(Parameters(farmers=2000, households_per_village=25, budget_logistics=3000.0, **DIFFUSING),
                     seed=3)
    gov, clear, months = m.government, m.market.clear, []

    def clear_within(pv, month, *args):
        allowance = gov.allowance("logistics", (month - 1) % 12)
        flows = clear(pv, month, *args)
        months.append((allowance, flows.logistics_subsidy))
        return flows

    m.market.clear = clear_within
    for _ in range(30):
        m.step()
    journal = m.money.frame()
    booked = journal[journal.kind == "logistics_subsidy"].groupby("month").amount.sum()
    for month, (allowance, granted) in enumerate(months, start=1):
        assert granted <= allowance + 1e-6
        assert np.isclose(booked.get(month, 0.0), granted, rtol=1e-12, atol=1e-9)
    assert sum(granted > 0 for _, granted in months) >= 20


def test_the_loyal_buyers_markup_is_charged_on_each_eastern_platforms_shop_and_stream_sales_and_kept_by_it():
    """Each eastern platform marks up its own shop and livestream sales to loyal buyers and keeps the markup.

    Sales on the central marketplace are not marked up.
    """
    m, seen = stepped_with_flows(14, price_discrimination=0.2)
    terms, names = m.province.terms, [pl.name for pl in m.province.institutions.platforms]
    central = names.index("central_marketplace")
    checked = 0
    for flows, _ in seen:
        channel = flows.seller_channel
        platform = np.where(channel == LIVE, EASTERN_LIVESTREAM,
                            np.where(channel == COOP, EASTERN_MARKETPLACE, terms.platform_of[flows.sellers]))
        commission = np.bincount(platform, weights=flows.seller_commission, minlength=len(names))
        shop_or_stream = np.bincount(platform, weights=flows.seller_revenue * (channel >= SHOP), minlength=len(names))
        markup = 0.2 * LOYAL_SHARE * shop_or_stream
        markup[central] = 0.0
        np.testing.assert_allclose(flows.platform_revenue, commission + markup, rtol=1e-9, atol=1e-6)
        assert np.isclose(flows.discrimination, markup.sum(), rtol=1e-9)
        checked += shop_or_stream[central] > 0
    assert checked >= 6
