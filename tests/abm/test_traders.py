"""Bulk traders price by spatial arbitrage: better routes and online competition reach households who never sell online."""

from __future__ import annotations

import numpy as np
import pytest
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


def test_farm_gate_prices_follow_the_declared_index():
    """With farm prices growing 3% a year the trader's price stands at the index (1.03 squared in month 25)
    above the flat-price run of the same seed, and the second year's farm sales (online and bulk) by more
    than 3%; at 0 the index is 1 in every month."""
    from abm.core import crops

    assert crops.price_level(0.0, 120) == 1.0 and crops.price_level(0.03, 1) == 1.0
    assert crops.price_level(0.03, 25) == pytest.approx(1.03 ** 2)
    runs = {}
    for growth in (0.0, 0.03):
        m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, farm_price_growth=growth), seed=3)
        for _ in range(25):
            m.step()
        v = m.province.villages
        runs[growth] = (v.offline_price(), v.price_level[0], m.datacollector.get_model_vars_dataframe())
    (flat, level0, s0), (rising, level3, s3) = runs[0.0], runs[0.03]
    assert level0 == 1.0 and level3 == pytest.approx(1.03 ** 2)
    # the same villages (same seed): the bulk price is the flat one times the index, up to online competition
    assert np.median(rising / np.maximum(flat, 1e-9)) == pytest.approx(1.03 ** 2, rel=0.02)
    farm_sales = lambda s: s.loc[13:24, ["online_sales", "offline_sales"]].to_numpy().sum()  # noqa: E731
    assert farm_sales(s3) > 1.03 * farm_sales(s0)
