"""Market clearing: online demand allocated over seller groups, the offline bulk channel, logistics.

Sellers are matched at the level of groups (village x online channel); within a group every
household sells the same share of what it offered. Demand is the urban segments' own budget
(:func:`agents.consumers.segment_budgets`) spread by a nested logit over groups with an outside
option (:meth:`agents.consumers.ConsumerMarket.demand`); what the online buyers do not take is sold
to the bulk trader the same month (storable produce too: a seller does not hoard what the platform
left, or its stock would grow without bound where demand is tight).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from abm.core import crops
from abm.core.kernels import spread_sum, spread_sums
from abm.market.audience import cooperative_partners, ration_audience, streamed_groups
from abm.market.kernels import (
    FRAUD_INFLATION,
    HouseholdFlows,
    OnlineSellers,
    SellerFlows,
    _by_origin,
    _group_sums,
    _rated_fill,
    _realised_net,
    household_flows,
    online_sellers,
    seller_flows,
)
from agents.consumers import BUDGET_SHARE, segment_budgets
from agents.logistics import transit_loss
from agents.platform import CENTRAL_MARKETPLACE, EASTERN_LIVESTREAM, EASTERN_MARKETPLACE

if TYPE_CHECKING:
    from abm.core.params import Parameters
    from abm.state import Province

LOYAL_SHARE = 0.5      # share of online buyers who are loyal (targets of price discrimination)
NOTICE = 0.6           # share of the discriminatory markup loyal buyers notice
COOP_SHIPPING = 0.8    # pooled shipping costs a cooperative this share of the single-parcel price
PRICE_BOUNDS = (0.5, 2.0)
BRAND_CREDIBILITY = 0.7  # a registered brand's standard makes its quality claim at least this credible
REFERENCE_KG = 400.0     # kg a month per household against which a group's offer weighs in demand (about the mean)


class SellerSums:
    """Whole-population sums of per-seller values, bit for bit as numpy sums the spread-out column.

    ``np.sum`` of a per-household column adds pairwise, so where the values sit in the column
    decides the rounding: the sum is numpy's of the zero column holding the values at the sellers'
    places (:func:`abm.core.kernels.spread_sum`, which skips the all-zero parts and writes no column).
    """

    def __init__(self, households: int, sellers: np.ndarray) -> None:
        """Sums over a column of ``households`` entries for the given sellers (sorted indices)."""
        self.households = households
        self.sellers = sellers

    def total(self, values: np.ndarray) -> float:
        """``np.sum`` of the per-household column of these per-seller values."""
        return spread_sum(self.households, self.sellers, values)

    def totals(self, *values: np.ndarray) -> list[float]:
        """:meth:`total` of several per-seller float64 arrays, in one walk over the sellers."""
        return spread_sums(self.households, self.sellers, values).tolist()


@dataclass
class MonthFlows:
    """What clearing produced this month: per-seller arrays, per-household arrays and totals.

    Online quantities are kept per seller (``sellers``: households on an online channel with
    produce, in order; every other household sells exactly nothing online); ``sums`` adds them up
    as the per-household columns would be.
    """

    sellers: np.ndarray
    sums: SellerSums
    seller_channel: np.ndarray     # the channel each seller sold through (before the month's translation)
    seller_offer: np.ndarray       # kg offered online (float32)
    seller_shipped: np.ndarray     # kg shipped
    seller_lost: np.ndarray        # kg lost in transit
    seller_delivered: np.ndarray   # kg delivered
    seller_revenue: np.ndarray     # online revenue
    seller_commission: np.ndarray
    seller_coop_fee: np.ndarray
    seller_logistics: np.ndarray   # shipping paid
    seller_trace_cost: np.ndarray
    seller_penalty: np.ndarray
    seller_net: np.ndarray         # revenue net of commission, fee, shipping, tracing and penalty
    seller_caught: np.ndarray      # 1.0 where a misrepresentation was caught
    seller_processed: np.ndarray   # kg delivered of processed produce
    seller_branded: np.ndarray     # kg delivered under a brand
    delivered_offline: np.ndarray
    offline_kg: np.ndarray
    lost: np.ndarray               # per household: lost online and offline
    offline_revenue: np.ndarray
    premium_share: np.ndarray
    verification_gain: np.ndarray
    coop_fee_by_coop: np.ndarray
    platform_revenue: np.ndarray
    bought_by_origin: np.ndarray
    disappointed_by_origin: np.ndarray
    sales_outside_region: float
    unbranded_price_ratio: float
    quality_premium: float
    discrimination: float
    noticed_markup: float
    fund_levy: float
    logistics_subsidy: float


@dataclass
class Quote:
    """Per-group market terms this month (arrays over village x online channel)."""

    supply: np.ndarray
    village: np.ndarray
    channel: np.ndarray
    origin: np.ndarray
    claim: np.ndarray
    fraud: np.ndarray
    traced: np.ndarray
    brand: np.ndarray
    processed: np.ndarray
    credibility: np.ndarray
    cbar: np.ndarray
    ref: np.ndarray
    price: np.ndarray
    ship_cost: np.ndarray
    ship_paid: np.ndarray
    eligible: np.ndarray
    loss: np.ndarray
    seller_rating: np.ndarray  # each seller's effective rating (sellers in the order given to the quote)


@dataclass(frozen=True)
class FixedGroupTerms:
    """Terms of each seller group fixed for the whole run: crop, region, road and home carrier of its village."""

    is_coop: np.ndarray        # the group is a cooperative's
    coop_of_group: np.ndarray  # index of the village's county cooperative (-1: none)
    processable: np.ndarray    # the crop can be deep-processed
    origin: np.ndarray         # region of the village (int64)
    ref: np.ndarray            # reference online price per kg
    fresh: np.ndarray          # fresh crop
    km: np.ndarray             # road km to the trunk network
    provider: np.ndarray       # the carrier whose home the county is
    eligible: np.ndarray       # shipments qualify for the logistics subsidy


class GroupMarket:
    """Per-group market state that persists between months: price index and expected net price."""

    def __init__(self, villages: int) -> None:
        """Start every group at the reference price; expectations are set by :meth:`initialise`."""
        self.groups = 3 * villages
        self.price_index = np.ones(self.groups)
        self.expected_net = np.full(self.groups, np.nan)
        self.group_village = np.arange(self.groups) // 3
        self.group_channel = np.arange(self.groups) % 3
        self.eligible_kg_last_month = 0.0  # kg shipped under the logistics subsidy's terms (sets its discount)
        self._fixed: FixedGroupTerms | None = None
        self.audience_scale = 1.0  # share of streamed demand the livestream audience carried last month

    def quote(self, pv: Province, month: int, sellers: np.ndarray, gi: np.ndarray, w: np.ndarray,
              village_loss: np.ndarray | None = None) -> Quote:
        """Prices, credibility, loss and shipping cost of every group, given the sellers, their groups and kg.

        Only sellers with kg on offer weigh in (the others would add exact zeros), so ``sellers`` are
        the households with ``w > 0``, in order. ``village_loss`` is this month's transit loss of each
        village (computed here when not given).
        """
        f, p, inst, vil = pv.farmers, pv.p, pv.institutions, pv.villages
        G = self.groups
        s = sellers
        gv, gch = self.group_village, self.group_channel
        seller_rating = inst.trust.rating(f.reputation[s], f.sales_count[s])
        supply, claim_kg, rating_kg, traced_kg, fraud_kg = _group_sums(G, s, gi, w, f.quality, f.misrepresent,
                                                                       f.traced, seller_rating)
        safe = np.maximum(supply, 1e-12)
        claim_g = claim_kg / safe
        rating_g = rating_kg / safe
        traced_g = traced_kg / safe
        fx = self._fixed_terms(pv)
        coop_branded = np.array([c.branded for c in inst.cooperatives] + [False])[fx.coop_of_group]
        coop_proc = np.array([c.processing for c in inst.cooperatives] + [0.0])[fx.coop_of_group]
        brand = np.where(fx.is_coop, coop_branded, vil.public_brand[gv])
        proc = np.where(fx.is_coop, coop_proc * fx.processable, 0.0)
        origin = fx.origin
        cred = inst.trust.credibility(rating_g, traced_g, origin, gch)
        cred = np.where(brand, np.maximum(cred, BRAND_CREDIBILITY), cred)
        cbar = BUDGET_SHARE @ (inst.consumers.trust[:, origin] * cred)
        ref = fx.ref
        list_price = ref * np.where(brand, p.brand_multiplier, 1.0) * (1 + p.quality_premium * claim_g * cbar) \
            * (1 + (p.processing_multiplier - 1) * proc)
        # Logistics: cost and loss per group; every route out of a village uses its cold chain.
        cc = vil.cold_chain[gv]
        ship_cost = np.choose(fx.provider, [lp.cost_per_kg(fx.km, cc, fx.fresh) for lp in inst.providers])
        ship_cost = np.where(fx.is_coop, ship_cost * COOP_SHIPPING, ship_cost)
        eligible = fx.eligible
        discount = inst.government.logistics_discount((month - 1) % 12, self.eligible_kg_last_month)
        loss = (self.village_loss(pv) if village_loss is None else village_loss)[gv]
        return Quote(supply, gv, gch, origin, claim_g, fraud_kg / safe, traced_g, brand, proc, cred, cbar, ref,
                     list_price * self.price_index, ship_cost, np.maximum(ship_cost - discount * eligible, 0.0),
                     eligible, loss, seller_rating)

    def _fixed_terms(self, pv: Province) -> FixedGroupTerms:
        """The group terms that never change in a run (built at the first quote)."""
        if self._fixed is None:
            p, v, gv = pv.p, pv.villages, self.group_village
            km = v.road_km[gv]
            provider = np.zeros(self.groups, np.int64)
            for k, lp in enumerate(pv.institutions.providers):
                provider = np.where(lp.home[v.county[gv]], k, provider)
            self._fixed = FixedGroupTerms(
                is_coop=self.group_channel == 0, coop_of_group=v.coop_of_county[v.county][gv],
                processable=crops.PROCESSABLE[v.crop[gv]], origin=v.region[gv].astype(np.int64),
                ref=crops.BASE_PRICE[v.crop[gv]] * p.online_markup, fresh=v.fresh[gv], km=km, provider=provider,
                eligible=(v.region[gv] == 0) | (km > p.loss_reference_km))
        return self._fixed

    @staticmethod
    def village_loss(pv: Province) -> np.ndarray:
        """Share of the kg shipped out of each village lost in transit this month (every route uses its cold chain)."""
        p, v = pv.p, pv.villages
        return transit_loss(crops.PERISHABILITY[v.crop], v.cold_chain, v.road_km, p.fresh_loss_no_cold_chain,
                            p.fresh_loss_cold_chain, p.loss_reference_km, p.loss_distance_elasticity)

    def initialise(self, pv: Province) -> None:
        """First expectations of every group's net price per kg, from list prices as if all were sold."""
        f = pv.farmers
        w = pv.terms.annual_marketable
        s = np.flatnonzero(w)
        fill = np.ones(self.groups)
        for channel in range(3):
            q = self.quote(pv, 0, s, (s // f.households) * 3 + channel, w[s])
            sel = q.channel == channel
            self.expected_net[sel] = self._realised(pv, q, fill)[sel]

    def _realised(self, pv: Province, q: Quote, fill: np.ndarray) -> np.ndarray:
        """Net price per kg offered in each group: shipped share net of loss, fees and shipping, rest sold in bulk."""
        net = np.empty(self.groups)
        _realised_net(net, np.ones(self.groups, bool), fill, q.loss, q.price, q.ship_paid, self._fee_of_channel(pv),
                      pv.villages.offline_price())
        return net

    @staticmethod
    def _fee_of_channel(pv: Province) -> np.ndarray:
        """Share of revenue paid in fees on each online channel of a group: cooperative, shop, livestream."""
        commission = pv.institutions.commission_rates()
        shop = commission[[EASTERN_MARKETPLACE, CENTRAL_MARKETPLACE]].mean()
        return np.array([pv.p.coop_fee + commission[EASTERN_MARKETPLACE], shop, commission[EASTERN_LIVESTREAM]])

    def clear(self, pv: Province, month: int, offer: np.ndarray, rng: np.random.Generator) -> MonthFlows:
        """Clear this month's online and offline markets and ship the produce.

        Online sellers (households on an online channel with produce) are computed alone, in index
        order, and spread into zeros where a per-household array is needed: a household not selling
        online ships, loses and earns exactly 0 online.
        """
        f, p, inst, vil, terms = pv.farmers, pv.p, pv.institutions, pv.villages, pv.terms
        on = online_sellers(f.channel, offer)
        g_on = terms.village_of[on.sellers] * 3 + f.channel[on.sellers] - 1
        w = offer[on.sellers]  # float32, as the kg on offer: products with it stay float32, as they always were
        village_loss = self.village_loss(pv)
        q = self.quote(pv, month, on.sellers, g_on, w, village_loss)
        d = self._demand(pv, q, month)
        fill_on = self._seller_fill(pv, q, on.sellers, g_on, w, d.fill)
        premium_g = p.quality_premium * q.cbar * FRAUD_INFLATION / (1 + p.quality_premium * q.claim * q.cbar)
        draws = rng.random(f.n, dtype=np.float32)
        s = seller_flows(
            on.sellers, g_on, w, fill_on, f.channel, f.traced, f.misrepresent, vil.region, terms.platform_of,
            np.maximum(vil.coop_of_county[vil.county], 0), max(len(inst.cooperatives), 1), inst.commission_rates(),
            p.coop_fee, p.trace_cost, draws, np.float32(inst.trust.detection), inst.trust.penalty, q.loss, q.price,
            q.ship_paid, q.ship_cost - q.ship_paid, q.processed, q.brand, premium_g)
        # Per household: the bulk channel (village values by household) and, for every household on an online
        # channel (even in a month without produce), its own group's terms for next month's misrepresentation
        # and traceability decisions.
        h = household_flows(offer, on.sellers, s.shipped, s.lost, f.households, village_loss,
                            vil.offline_price(), f.channel, f.quality, vil.region,
                            BUDGET_SHARE @ inst.consumers.trust, premium_g, q.ref, q.cbar, p.quality_premium)
        self._update_expectations(pv, q, d.fill)
        self.eligible_kg_last_month = float(s.shipped_by_group[q.eligible].sum())
        return self._month_flows(pv, q, d, on, w, s, h)

    def _demand(self, pv: Province, q: Quote, month: int) -> Demand:
        """Urban segments' budgets over the groups with supply (a nested logit with an outside option).

        The budgets are given (:func:`agents.consumers.segment_budgets`); a group's weight is its kg over
        :data:`REFERENCE_KG` a month per household. Moves the price index towards demand over deliverable kg.
        """
        p, inst, vil = pv.p, pv.institutions, pv.villages
        active = np.flatnonzero(q.supply > 0)
        gv, gch, price = q.village[active], q.channel[active], q.price[active]
        budget = segment_budgets(pv.farmers.n, p.urban_budget, p.urban_budget_growth, month)
        weight = q.supply[active] / (REFERENCE_KG * pv.farmers.n)
        partners = cooperative_partners(pv.farmers.village_sum(pv.farmers.new_farmer), vil.county, vil.coop_of_county)
        streamed = streamed_groups(gch, gv, partners)
        reach = np.where(streamed, p.livestream_reach, 1.0)
        boost = np.where(pv.eastwest.pairing_counties[vil.county[gv]] & (gch > 0), p.pairing_boost, 0.0)
        util = inst.consumers.utility(np.log(price / q.ref[active]), q.credibility[:, active], q.origin[active],
                                      q.brand[active].astype(float), reach, p.trust_weight, p.price_sensitivity,
                                      q.loss[active], p.delivery_weight)
        util = util + boost[None, :]
        spend = inst.consumers.demand(budget, weight, util, p.outside_utility, vil.crop[gv], p.nest_dissimilarity)
        spend, self.audience_scale = ration_audience(spend, streamed, p.livestream_audience * float(budget.sum()))
        want_kg = spend.sum(axis=0) / price
        deliverable = q.supply[active] * (1 - q.loss[active])
        fill = np.minimum(1.0, want_kg / np.maximum(deliverable, 1e-12))      # share of offer shipped
        served = np.minimum(1.0, deliverable / np.maximum(want_kg, 1e-12))    # share of demand served
        bought = spend * served[None, :] / price                              # kg by segment and group
        ratio = np.clip(want_kg / np.maximum(deliverable, 1e-12), 1e-6, 1e6)
        self.price_index[active] = np.clip(self.price_index[active] * ratio ** p.price_adjustment, *PRICE_BOUNDS)
        fill_g = np.zeros(self.groups)
        fill_g[active] = fill
        return Demand(active, fill_g, bought)

    @staticmethod
    def _month_flows(pv: Province, q: Quote, d: Demand, on: OnlineSellers, w: np.ndarray, s: SellerFlows,
                     h: HouseholdFlows) -> MonthFlows:
        """The month's flows with the totals the ledger and the measures need."""
        p, inst = pv.p, pv.institutions
        sums = SellerSums(pv.farmers.n, on.sellers)
        disc = p.price_discrimination * (1 - p.discrimination_regulation)
        # Revenue of shop and livestream sellers, summed over the households on those channels as numpy did.
        shop_live_s = on.shop_live_place >= 0
        shop_live_rev = spread_sum(on.shop_live_count, on.shop_live_place[shop_live_s], s.revenue[shop_live_s])
        discrimination = disc * LOYAL_SHARE * shop_live_rev
        eastern = np.array([pl.home_region == 2 for pl in inst.platforms])
        levy = p.fund_rate * eastern * s.platform_sales
        platform_revenue = s.platform_commission - levy
        platform_revenue[eastern] += discrimination * 0.5  # the two eastern platforms discriminate
        origin = q.origin[d.active]
        origin_bought, origin_fraud = _by_origin(d.bought, origin, q.fraud[d.active])
        value = d.bought * q.price[d.active][None, :]
        outside = ~(np.arange(3)[:, None] == origin[None, :])
        return MonthFlows(
            sellers=on.sellers, sums=sums, seller_channel=pv.farmers.channel[on.sellers], seller_offer=w,
            seller_shipped=s.shipped, seller_lost=s.lost,
            seller_delivered=s.delivered, seller_revenue=s.revenue, seller_commission=s.commission,
            seller_coop_fee=s.coop_fee, seller_logistics=s.logistics, seller_trace_cost=s.tracing,
            seller_penalty=s.penalty, seller_net=s.net, seller_caught=s.caught,
            seller_processed=s.processed, seller_branded=s.branded,
            delivered_offline=h.delivered_offline, offline_kg=h.offline_kg, lost=h.lost,
            offline_revenue=h.offline_revenue, premium_share=h.premium_share, verification_gain=h.verification_gain,
            coop_fee_by_coop=s.fee_by_coop[: len(inst.cooperatives)], platform_revenue=platform_revenue,
            bought_by_origin=origin_bought, disappointed_by_origin=origin_fraud,
            sales_outside_region=float(value[outside].sum()) / max(float(value.sum()), 1e-12),
            **_price_statistics(p, q, s.delivered_by_group),
            discrimination=discrimination, noticed_markup=disc * LOYAL_SHARE * NOTICE,
            fund_levy=float(levy.sum()), logistics_subsidy=sums.total(s.subsidy),
        )

    def _seller_fill(self, pv: Province, q: Quote, sellers: np.ndarray, gs: np.ndarray, ws: np.ndarray,
                     fill_g: np.ndarray) -> np.ndarray:
        """Share of each seller's offer that sells: the group's share, tilted by rank where ratings rank sellers.

        Under a rating mechanism buyers in an oversupplied group reach sellers in proportion to their
        rating (verified sellers rank top), so a newcomer's prior rating holds its sales down (cold start).
        ``sellers`` are the households with kg on offer, ``gs`` their groups and ``ws`` their kg, as
        given to the quote ``q`` (whose ratings and group supply they reuse).
        """
        if not pv.institutions.trust.uses_ratings:
            return fill_g[gs]
        return _rated_fill(sellers, gs, ws, pv.farmers.traced, q.seller_rating, q.supply, fill_g)

    def _update_expectations(self, pv: Province, q: Quote, fill: np.ndarray) -> None:
        """Groups with sellers move their expected net price per kg halfway to what was realised."""
        _realised_net(self.expected_net, q.supply > 0, fill, q.loss, q.price, q.ship_paid, self._fee_of_channel(pv),
                      pv.villages.offline_price(), halfway=True)


class Demand(NamedTuple):
    """What consumers bought this month: the groups with supply, each group's fill, kg by segment and group."""

    active: np.ndarray  # groups with kg on offer
    fill: np.ndarray    # per group: share of the offer shipped (0 where nothing is offered)
    bought: np.ndarray  # (segment, active group): kg bought


def _price_statistics(p: Parameters, q: Quote, sold_g: np.ndarray) -> dict[str, float]:
    """Unbranded over branded unit price, and the kg-weighted quality premium, of the groups that sold."""
    plain = ~q.brand & (q.traced < 0.5) & (sold_g > 0)
    branded = q.brand & (sold_g > 0)
    unit = q.price / (q.ref / p.online_markup)
    ratio_price = (np.average(unit[plain], weights=sold_g[plain])
                   / np.average(unit[branded], weights=sold_g[branded])
                   if plain.any() and branded.any() else float("nan"))
    premium = (float(np.average((p.quality_premium * q.claim * q.cbar), weights=sold_g))
               if sold_g.sum() > 0 else 0.0)
    return {"unbranded_price_ratio": ratio_price, "quality_premium": premium}
