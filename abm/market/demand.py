"""The national market the province's online sellers face: its budget, the buyers' choice, the residual demand.

Consumers' spending is the urban segments' own budget (:func:`agents.consumers.segment_budgets`),
scaled to the whole national market of each crop and spread by a nested logit over the province's
seller groups, the rest of the nation's sellers and an outside option
(:meth:`agents.consumers.ConsumerMarket.demand`). Market clearing (:mod:`abm.market.clearing`)
finds the prices at which this demand takes what the groups offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from abm.core import crops
from abm.core.world import by_region
from abm.market.audience import cooperative_partners, ration_audience, streamed_groups
from agents.consumers import ConsumerMarket, segment_budgets
from agents.logistics import transit_loss

if TYPE_CHECKING:
    from abm.core.params import Parameters
    from abm.market.clearing import Quote
    from abm.state import Province

EAST_SEGMENT = 2       # the consumer segment eastern partners' institutional purchases add to


class Demand(NamedTuple):
    """What consumers bought this month: the groups with supply, each group's fill, kg by segment and group."""

    active: np.ndarray    # groups with kg on offer
    fill: np.ndarray      # per group: share of the offer shipped (0 where nothing is offered)
    bought: np.ndarray    # (segment, active group): kg bought
    budget: float         # the national market's spending on the province's crops this month (yuan)
    at_floor: np.ndarray  # per active group: its posted price is at the economic floor


@dataclass(frozen=True)
class NationalMarket:
    """This month's national market for the province's crops, as the province's groups face it.

    Each crop is a nest holding the province's groups and the rest of the nation's online sellers of
    the crop: ``rest_of_nation_supply`` times the province's households growing it, growing with the
    national budget. A group weighs in demand by its number of sellers (each shop or stream has its
    customers), not by its kilograms: a seller's bigger harvest finds no more buyers, it lowers the
    price at which they take it (the residual demand's elasticity). The budget is
    :func:`agents.consumers.segment_budgets`, scaled to the whole market.
    """

    consumers: ConsumerMarket
    budget: np.ndarray          # per segment, yuan this month
    weight: np.ndarray          # per active group: its sellers, per household of the province
    credibility: np.ndarray     # (segment, active group)
    origin: np.ndarray
    brand: np.ndarray
    reach: np.ndarray
    loss: np.ndarray
    boost: np.ndarray           # pairing's ranking boost per active group (utils)
    purchases: np.ndarray       # per active group: eastern partners' purchases this month (yuan)
    ref: np.ndarray             # reference price per active group
    nest: np.ndarray            # crop of each active group
    rest_weight: np.ndarray     # per crop: the rest of the nation's online sellers, per household of the province
    rest_utility: np.ndarray    # per segment
    streamed: np.ndarray        # active groups streamed by a host
    audience: float             # most the livestream audience spends on streamed produce (yuan)
    p: Parameters

    @classmethod
    def of(cls, pv: Province, q: Quote, active: np.ndarray, month: int, crop_households: np.ndarray
           ) -> NationalMarket:
        """The market the groups ``active`` of quote ``q`` face in ``month``."""
        p, inst, vil = pv.p, pv.institutions, pv.villages
        n = pv.farmers.n
        gv, gch = q.village[active], q.channel[active]
        sellers_growth = (1.0 + p.national_sellers_growth) ** ((month - 1) / 12) if month > 0 else 1.0
        budget = segment_budgets(n, p.urban_budget, p.urban_budget_growth, max(month, 1)) * (
            1 + p.rest_of_nation_supply)
        partners = cooperative_partners(pv.farmers.village_sum(pv.farmers.new_farmer), vil.county, vil.coop_of_county)
        streamed = streamed_groups(gch, gv, partners)
        paired = pv.eastwest.pairing_counties[vil.county[gv]]
        return cls(inst.consumers, budget, q.shops[active] / n, q.credibility[:, active],
                   q.origin[active], q.brand[active].astype(float), np.where(streamed, p.livestream_reach, 1.0),
                   q.loss[active], np.where(paired & (gch > 0), p.pairing_boost, 0.0),
                   pairing_purchases(paired, q.shops[active], p.pairing_purchases / 12.0, vil.county[gv]),
                   q.ref[active], vil.crop[gv],
                   p.rest_of_nation_supply * sellers_growth * crop_households / n,
                   inst.consumers.rest_utility(p.trust_weight, p.national_trust, p.delivery_weight,
                                               national_loss(p), p.national_branded_share, p.brand_taste_weight,
                                               price_coefficient(p) * np.log(p.brand_multiplier),
                                               p.nest_dissimilarity), streamed,
                   p.livestream_audience * float(budget.sum()), p)

    @property
    def total_budget(self) -> float:
        """All segments' spending on the crops this month, the outside option's share included (yuan)."""
        return float(self.budget.sum())

    def spend(self, price: np.ndarray) -> tuple[np.ndarray, float]:
        """Spending (segment, group) at these prices, the streamed groups held to the audience, and its scale."""
        p = self.p
        util = self.consumers.utility(np.log(price / self.ref), self.credibility, self.origin, self.brand, self.reach,
                                      p.trust_weight, price_coefficient(p), self.loss, p.delivery_weight)
        spend = self.consumers.demand(self.budget, self.weight, util + self.boost[None, :], p.outside_utility,
                                      self.nest, p.nest_dissimilarity, self.rest_weight, self.rest_utility)
        spend, scale = ration_audience(spend, self.streamed, self.audience)
        spend[EAST_SEGMENT] += self.purchases
        return spend, scale


def pairing_purchases(paired: np.ndarray, shops: np.ndarray, monthly: float, county: np.ndarray) -> np.ndarray:
    """Each group's share of its county's eastern partner purchases this month: by its sellers within the county.

    ``paired`` says which groups are in a paired western county, ``shops`` their sellers; a paired
    county with no seller this month receives nothing (the partner buys where there is produce).
    """
    mine = paired & (shops > 0)
    sellers = np.bincount(county[mine], weights=shops[mine], minlength=int(county.max(initial=0)) + 1)
    return np.where(mine, monthly * shops / np.maximum(sellers[county], 1.0), 0.0)


def national_loss(p: Parameters) -> np.ndarray:
    """Transit loss of each crop on the rest of the nation's routes.

    The reference distance at the mean of the regions' initial cold-chain coverage (inputs: the
    province's policies do not change the nation's routes).
    """
    cold_chain = np.full(len(crops.CROPS), by_region(p, "cold_chain").mean())
    return transit_loss(crops.PERISHABILITY, cold_chain, np.full(len(crops.CROPS), p.loss_reference_km),
                        p.fresh_loss_no_cold_chain, p.fresh_loss_cold_chain, p.loss_reference_km,
                        p.loss_distance_elasticity)


def price_coefficient(p: Parameters) -> float:
    """Consumers' utils per log price, set so the province's residual demand has the declared elasticity.

    In the nested logit with the province small in each crop's national nest, a group's kg demand has
    elasticity ``1 + coefficient / dissimilarity``; the coefficient is ``(elasticity - 1) x dissimilarity``.
    """
    return (p.residual_demand_elasticity - 1.0) * p.nest_dissimilarity
