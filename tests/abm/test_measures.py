"""The month's outcomes describe the month's deliveries: flags and link ages as they were when the kg were sold."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import stepped_with_flows

from abm.core.stages import LIVE, NO_LINK, SHOP


def test_fraud_rate_and_traced_share_weigh_the_kg_delivered_by_the_flags_in_force_at_delivery():
    """Both shares are the kg delivered online this month by sellers misrepresenting (verified) when they sold."""
    _, seen = stepped_with_flows(14, trust_mechanism="blockchain")
    checked = 0
    for flows, at_clearing in seen:
        delivered = flows.seller_delivered
        if delivered.sum() <= 0:
            continue
        for outcome, flag in (("fraud_rate", "misrepresent"), ("traced_share", "traced")):
            expected = (delivered * at_clearing[flag][flows.sellers]).sum() / delivered.sum()
            assert at_clearing["metrics"][outcome] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 10
    assert max(s[1]["metrics"]["traced_share"] for s in seen) > 0.05
    assert max(s[1]["metrics"]["fraud_rate"] for s in seen) > 0.005


def test_newcomer_sales_ratio_compares_sellers_linked_under_a_year_with_sellers_linked_longer():
    """Revenue per kg offered of sellers linked under a year (when they sold) over that of sellers linked longer.

    Sellers with no link (members selling through their cooperative without enrolling) are in neither
    group, and this month's defectors count by the link they sold under.
    """
    _, seen = stepped_with_flows(30)
    checked = 0
    for month, (flows, at_clearing) in enumerate(seen, start=1):
        link = at_clearing["link_since"][flows.sellers]
        new, old = link > month - 12, (link > NO_LINK) & (link <= month - 12)
        if not new.any() or not old.any():
            continue
        per_kg = [flows.seller_revenue[g].sum() / flows.seller_offer[g].sum() for g in (new, old)]
        assert at_clearing["metrics"]["newcomer_sales_ratio"] == pytest.approx(per_kg[0] / per_kg[1], rel=1e-9)
        checked += 1
    assert checked >= 25
    assert (seen[-1][1]["link_since"][seen[-1][0].sellers] == NO_LINK).sum() > 10  # unlinked sellers exist


def test_adoption_own_sellers_and_followers_count_the_households_that_sold_online_this_month():
    """Adoption, own sellers and followers count households that delivered kg to online buyers this month.

    Own sellers sell on their own shop or host their own stream; followers sell on a host's stream; a
    channel held in a month without sales counts for none of them.
    """
    m, seen = stepped_with_flows(26, development_model="livestream")
    n = m.farmers.n
    region = m.farmers.region
    for flows, at_clearing in seen:
        sold = flows.seller_delivered > 0
        channel, host = flows.seller_channel, at_clearing["new_farmer"][flows.sellers]
        own = sold & ((channel == SHOP) | ((channel == LIVE) & host))
        following = sold & (channel == LIVE) & ~host
        metrics = at_clearing["metrics"]
        assert metrics["adoption"] == sold.sum() / n
        assert metrics["own_online_sellers"] == own.sum() / n
        assert metrics["followers"] == following.sum()
        by_region = np.bincount(region[flows.sellers[sold]], minlength=3) / np.bincount(region, minlength=3)
        np.testing.assert_allclose([r["adoption"] for r in at_clearing["regions"]], by_region, rtol=1e-12)
        assert [r["followers"] for r in at_clearing["regions"]] == np.bincount(
            region[flows.sellers[following]], minlength=3).tolist()
    assert max(s[1]["metrics"]["followers"] for s in seen) > 5
    # a channel held in a month without produce is not a sale: some months count fewer sellers than holders
    assert any(s[1]["metrics"]["adoption"] * n < s[1]["online_channel"] for s in seen)
