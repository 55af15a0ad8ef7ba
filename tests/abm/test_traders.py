"""Bulk traders price by spatial arbitrage: better routes and online competition reach households who never sell online."""

from __future__ import annotations

import numpy as np
from scipy import stats

from abm.build import trader_terms
from abm.core.params import Parameters
from abm.core.stages import OFFLINE
from abm.model import RuralEconomy

FRUIT, GRAIN = 0, 2


def test_the_bulk_price_rises_with_cold_chain_and_online_competition_and_falls_with_distance():
    """A fresh-crop village's trader pays more with cold chain, less far from the trunk road, more where many sell online."""
    terms = trader_terms(Parameters())
    crop = np.array([FRUIT, FRUIT, FRUIT, FRUIT, GRAIN, GRAIN])
    cold = np.array([0.1, 0.8, 0.1, 0.1, 0.1, 0.8])
    km = np.array([40.0, 40.0, 120.0, 40.0, 40.0, 40.0])
    online = np.array([0.0, 0.0, 0.0, 0.5, 0.0, 0.0])
    price = terms.price(crop, cold, km, online)
    assert price[1] > price[0]                   # cold chain: less of the fruit rots on the way
    assert price[2] < price[0]                   # distance: more loss and haulage
    assert price[3] > price[0]                   # online competition narrows the margin
    assert abs(price[5] / price[4] - 1) < 0.01   # grain hardly spoils: cold chain barely matters
    assert price[1] / price[0] - 1 > 0.1


def test_a_cold_chain_raises_what_non_adopters_earn_from_the_trader():
    """Paired seeds: with western cold chain at 0.6 instead of 0.12, western households who never sold online
    earn more from bulk sales in year 1 (95% t interval of the paired differences above zero)."""
    diffs = []
    for seed in (11, 12, 13, 14, 15):
        totals = []
        for cold_chain in (0.6, 0.12):
            m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, cold_chain_west=cold_chain),
                             seed=seed)
            f = m.farmers
            bulk = np.zeros(f.n)
            ever_online = np.zeros(f.n, bool)
            original = m.market.clear

            def clear(pv, month, offer, rng, bulk=bulk):
                flows = original(pv, month, offer, rng)
                bulk[:] += flows.offline_revenue
                return flows

            m.market.clear = clear
            for _ in range(12):
                m.step()
                ever_online |= f.channel != OFFLINE
            west_never = (f.region == 0) & ~ever_online & m.province.terms.fresh
            totals.append((bulk, west_never))
        (high, never_high), (low, never_low) = totals
        both = never_high & never_low
        diffs.append(float(high[both].mean() - low[both].mean()))
    d = np.array(diffs)
    assert d.mean() - stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size) > 0
