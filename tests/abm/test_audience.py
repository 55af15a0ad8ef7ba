"""The livestream audience is limited: hosts share it, so more hosts in a saturated audience sell less each."""

from __future__ import annotations

import numpy as np
from testworlds import summed_ratio

from abm.core.stages import MOBILISED
from abm.market.audience import ration_audience, streamed_groups
from abm.model import RuralEconomy


def test_streamed_spending_is_held_to_the_audience():
    """Streamed groups' total is cut to the audience by one factor; the shop groups keep theirs."""
    spend = np.array([[10.0, 30.0, 60.0], [0.0, 20.0, 40.0]])
    streamed = np.array([False, True, True])
    capped, scale = ration_audience(spend, streamed, 75.0)
    assert scale == 0.5
    np.testing.assert_allclose(capped, [[10.0, 15.0, 30.0], [0.0, 10.0, 20.0]])
    assert ration_audience(spend, streamed, 1000.0)[1] == 1.0


def test_cooperatives_stream_through_a_host_in_their_county():
    """A cooperative group is streamed where its county has a host; shops never are."""
    channel = np.array([0, 0, 1, 2])
    village = np.array([0, 1, 0, 1])
    np.testing.assert_array_equal(streamed_groups(channel, village, np.array([True, False])),
                                  [True, False, False, True])


def _sales_per_host(extra_hosts: bool) -> float:
    """Livestream sales per new farmer over a year in a small world with a tight audience."""
    m = RuralEconomy(farmers=3000, seed=5, development_model="livestream", livestream_audience=0.01, g5_west=1.0,
                     g5_centre=1.0, g5_east=1.0)
    f = m.farmers
    if extra_hosts:
        more = np.flatnonzero(~f.new_farmer)[::20]
        f.new_farmer[more] = True
        f.stage[more] = MOBILISED
        f.link_since[more] = 0
    return summed_ratio(m, 12, "sales_livestream", "new_farmers")


def test_adding_hosts_to_a_saturated_audience_lowers_sales_per_host():
    """Seeding more hosts where the audience is already used up lowers each host's livestream sales."""
    assert _sales_per_host(extra_hosts=True) < 0.7 * _sales_per_host(extra_hosts=False)
