"""The east-west cooperation fund and pairing assistance (sources 003 and 000).

The fund collects ``fund_rate`` of western sales through eastern platforms (in the market) and
spends its balance each December at the origin, by the allocation rule ``fund_rule``: ``mixed`` (the
default) gives 40% to brand awards for western cooperatives, 20% to deep-processing lines in western
cooperatives, 20% to shared cold chain in western villages and 20% to training western farmers; each
other rule gives all of it to one of those uses. Money the rule cannot place stays in the fund.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.core.ledger import MoneyLedger
from abm.core.params import Parameters
from agents.government import PolicyTargets, add_processing, award_brands, build_cold_chain, train

FUND_USES = ("brand", "processing", "cold_chain", "training")
FUND_RULES = {"mixed": {"brand": 0.4, "processing": 0.2, "cold_chain": 0.2, "training": 0.2}} | {
    use: {u: float(u == use) for u in FUND_USES} for use in FUND_USES}
PROCESSING_LINE = 300_000.0  # yuan for one deep-processing line (as cooperatives pay)
WEST = 0


@dataclass
class EastWestAccounts:
    """The fund's balance and what the fund and the pairing partners have spent, and the paired counties."""

    pairing_counties: np.ndarray  # per county: paired with an eastern partner
    fund_balance: float = 0.0
    fund_spent: float = 0.0
    pairing_spent: float = 0.0

    def pairing_cost(self, cost_per_county: float) -> float:
        """What eastern partners spend this year on pairing: a cost per paired western county."""
        return float(cost_per_county * self.pairing_counties.sum())


def pair_counties(county_region: np.ndarray) -> np.ndarray:
    """Pair western counties with eastern partners, at most two per partner: returns the paired counties."""
    paired = np.zeros(county_region.size, bool)
    west = np.flatnonzero(county_region == WEST)
    east = np.flatnonzero(county_region == 2)
    paired[west[: east.size * 2]] = True
    return paired


def spend_fund(t: PolicyTargets, balance: float, p: Parameters, ledger: MoneyLedger) -> float:
    """Spend the fund at the western origin by the allocation rule ``p.fund_rule``; returns the money spent.

    Cold chain and training go to western villages (the levy's origin); brand awards and processing lines to
    the cooperatives of counties seated in the west.
    """
    rule = FUND_RULES[p.fund_rule]
    west_county = t.county_region == WEST  # a cooperative belongs to its county, whose seat's region is its own
    west_village = t.region == WEST        # the levy is on western villages' sales, whatever their county's seat
    west_farmer = np.repeat(west_village, t.farmers.households)
    spent = award_brands(t, balance * rule["brand"], p.brand_award, ledger, "fund", west_county)
    spent += add_processing(t, balance * rule["processing"], PROCESSING_LINE, ledger, "fund", west_county)
    spent += build_cold_chain(t, balance * rule["cold_chain"], p.cold_chain_subsidy_rate, p.cold_chain_capex,
                              ledger, "fund", west_village)
    spent += train(t, balance * rule["training"], p.training_cost, p.training_skill_gain, ledger, "fund",
                   west_farmer)
    return spent
