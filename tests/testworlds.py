"""Parameter sets and helpers shared by tests (importable because tests/conftest.py puts tests/ on the path)."""

import numpy as np

from abm.channels.prices import ChannelPrices
from abm.core.params import Parameters
from abm.core.stages import OFFLINE
from abm.market.clearing import MonthFlows
from abm.model import RuralEconomy

#: A world where e-commerce spreads fast and demand is loose (the first calibration's values and a large urban
#: budget), so tests of translation and trust see many enrolments and defections whatever the current
#: calibration is (a plain logit demand: every seller adds to the province's share against the outside option).
#: Every free parameter is set here (the later ones at the values these tests were written on: no shops beyond
#: own produce at the start, a shop taking a member's whole time), so a new calibration moves none of them.
DIFFUSING = {
    "coop_branded": 0.12849, "coop_processing": 0.23048, "offline_price_ratio": 0.488, "online_markup": 2.0057,
    "brand_multiplier": 4.7668, "quality_premium": 0.5164, "urban_budget": 3000.0, "outside_utility": 0.28207,
    "initial_online_west": 0.039963, "initial_online_centre": 0.054855, "initial_online_east": 0.15454,
    "innovation_rate": 0.012399, "passage_point_rate": 0.031518, "imitation_rate": 0.091208,
    "nest_dissimilarity": 1.0, "national_trust": 0.89838, "brand_taste_weight": 1.446,
    "initial_shop_share": 0.0, "shop_time_share": 1.0,
}


#: The calibrated values of the round before the national market (6377961's record): the market, labour and
#: demand tests run on these so that a new calibration does not move the worlds they were written for (the
#: shop parameters calibrated later at the values those tests were written on).
MARKET_WORLD = {
    "coop_branded": 0.18595, "coop_processing": 0.32863, "offline_price_ratio": 0.69288, "online_markup": 1.9201,
    "brand_multiplier": 3.0461, "quality_premium": 0.96566, "urban_budget": 247.44, "outside_utility": 2.8824,
    "nest_dissimilarity": 0.28369, "initial_online_west": 0.050487, "initial_online_centre": 0.087857,
    "initial_online_east": 0.2276, "innovation_rate": 0.019028, "passage_point_rate": 0.038706,
    "imitation_rate": 0.028335, "national_trust": 0.95, "brand_taste_weight": 0.5,
    "initial_shop_share": 0.0, "shop_time_share": 1.0,
}


def same_bits(a, b) -> bool:
    """Equal arrays, scalars or tuples of them, bit for bit (dtype, shape and bytes; NaN equals NaN)."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def summed_ratio(model, months: int, numerator: str, denominator: str) -> float:
    """Step ``model`` for ``months`` and return the ratio of two of its monthly metrics summed over them."""
    top = bottom = 0.0
    for _ in range(months):
        model.step()
        top += model.metrics[numerator]
        bottom += model.metrics[denominator]
    return top / bottom


def stepped_with_flows(months: int, **kw) -> tuple[RuralEconomy, list[tuple[MonthFlows, dict]]]:
    """A small diffusing world stepped ``months`` times, with each month's clearing flows beside it.

    Beside each month's flows: the farmers' flags, link dates and hosts in force when it cleared, and the
    month's metrics and regional rows.
    """
    m = RuralEconomy(Parameters(farmers=2000, households_per_village=25, **DIFFUSING | kw), seed=3)
    f, clear, seen = m.farmers, m.market.clear, []

    def clear_and_keep(*args, **kwargs):
        flows = clear(*args, **kwargs)
        seen.append((flows, {"misrepresent": f.misrepresent.copy(), "traced": f.traced.copy(),
                             "link_since": f.link_since.copy(), "new_farmer": f.new_farmer.copy(),
                             "online_channel": int((f.channel != OFFLINE).sum()), "metrics": None}))
        return flows

    m.market.clear = clear_and_keep
    for _ in range(months):
        m.step()
        seen[-1][1]["metrics"] = dict(m.metrics)
        seen[-1][1]["regions"] = list(m.region_rows)
    return m, seen


def month_prices(**kw) -> tuple[RuralEconomy, ChannelPrices]:
    """A small diffusing world after three months, and its channel prices with every village served."""
    m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, **DIFFUSING | kw), seed=4)
    for _ in range(3):
        m.step()
    pv, f = m.province, m.farmers
    v = pv.villages
    return m, ChannelPrices(f, v.offline_price(), m.market.expected_net, pv.terms.monthly_kg, m.p.online_effort_cost,
                            m.p.leader_effort_share, np.ones(v.n, bool), v.broadband, v.g5,
                            f.village_sum(f.new_farmer) > 0)
