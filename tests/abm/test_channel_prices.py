"""What enrolment weighs and what it promises, from the month's channel prices."""

from __future__ import annotations

import numpy as np
from testworlds import month_prices

from abm.channels.prices import LEADER_EFFORT_SHARE


def test_enrolment_promises_the_money_gain_of_the_channel_it_weighs_best_before_effort():
    """The channel is picked by its gain after own effort; the promise is its money gain over the bulk price.

    Before effort: what the realised gain (online net revenue less the bulk price) is judged against.
    """
    m, prices = month_prices(online_effort_cost=600.0)
    pv, f = m.province, m.farmers
    rows = np.arange(f.n)
    village = rows // f.households
    effort = m.p.online_effort_cost * (1 - 0.5 * f.skill.astype(np.float64)) / pv.terms.monthly_kg
    live_effort = np.where(f.new_farmer, effort, effort * LEADER_EFFORT_SHARE)
    gross = np.stack([np.where(f.member & prices.coop_open[village], prices.expected_coop[village], -np.inf),
                      np.where(prices.shop_open[village], prices.expected_shop[village], -np.inf),
                      np.where((f.new_farmer | prices.has_leader[village]) & prices.live_open[village],
                               prices.expected_live[village], -np.inf)])
    net = gross - np.stack([np.zeros(f.n), effort, live_effort])
    best = np.argmax(net, axis=0)
    gain = net[best, rows] - prices.offline_price[village]
    promise = np.maximum(gross[best, rows] - prices.offline_price[village], 0.0)
    np.testing.assert_allclose(prices.online_gain_per_kg(rows), gain, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(prices.promise_per_kg(rows), promise, rtol=1e-6, atol=1e-5)
    expected_gain, promised = prices.enrolment_terms(rows)
    np.testing.assert_allclose(promised, promise, rtol=1e-6, atol=1e-5)
    assert ((best == 1) & (gain > 0)).sum() > 20 and (promise > np.maximum(gain, 0) + 0.01).sum() > 20
