"""Market clearing's accounts: what sellers pay and what buyers receive."""

from __future__ import annotations

import numpy as np
from testworlds import stepped_with_flows

from abm.model import TRACE_FIXED_COST


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
