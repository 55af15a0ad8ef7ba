"""Market clearing: online demand allocated over seller groups, the offline bulk channel, logistics.

Sellers are matched at the level of groups (village x online channel); within a group every
household sells the same share of what it offered. Demand is a logit over groups with an outside
option (see :meth:`agents.consumers.ConsumerMarket.demand`); unsold perishable produce falls back
to the bulk trader, unsold storable produce goes back to stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm import crops
from agents.consumers import BUDGET_SHARE
from agents.farmers import COOP, LIVE, OFFLINE, SHOP
from agents.logistics import transit_loss

if TYPE_CHECKING:
    from abm.model import RuralEconomy

FRAUD_INFLATION = 0.3  # how much a misrepresenting seller overstates quality (0-1 scale)
LOYAL_SHARE = 0.5      # share of online buyers who are loyal (targets of price discrimination)
NOTICE = 0.6           # share of the discriminatory markup loyal buyers notice
COOP_SHIPPING = 0.8    # pooled shipping costs a cooperative this share of the single-parcel price
PRICE_BOUNDS = (0.5, 2.0)
BRAND_CREDIBILITY = 0.7  # a registered brand's standard makes its quality claim at least this credible


class SellerSums:
    """Whole-population sums of per-seller values, bit for bit as numpy sums the spread-out column.

    ``np.sum`` of a per-household column adds pairwise, so where the values sit in the column
    decides the rounding: the values are written at the sellers' places in one zero column (kept
    between calls, as every quantity has the same sellers and zeros elsewhere) and summed there.
    """

    def __init__(self, households: int, sellers: np.ndarray) -> None:
        """A zero column of ``households`` entries for the given sellers (sorted indices)."""
        self.sellers = sellers
        self._column = np.zeros(households)

    def column(self, values: np.ndarray) -> np.ndarray:
        """The per-household column of these per-seller values (valid until the next call)."""
        self._column[self.sellers] = values
        return self._column

    def total(self, values: np.ndarray) -> float:
        """``np.sum`` of the per-household column of these per-seller values."""
        return float(self.column(values).sum())


@dataclass
class MonthFlows:
    """What clearing produced this month: per-seller arrays, per-household arrays and totals.

    Online quantities are kept per seller (``sellers``: households on an online channel with
    produce, in order; every other household sells exactly nothing online); ``sums`` adds them up
    as the per-household columns would be.
    """

    sellers: np.ndarray
    sums: SellerSums
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
    seller_to_stock: np.ndarray    # unsold storable kg back to stock (float32)
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
    eligible_kg: float


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
        self._fixed: FixedGroupTerms | None = None

    def quote(self, m: RuralEconomy, sellers: np.ndarray, gi: np.ndarray, w: np.ndarray,
              village_loss: np.ndarray | None = None) -> Quote:
        """Prices, credibility, loss and shipping cost of every group, given the sellers, their groups and kg.

        Only sellers with kg on offer weigh in (the others would add exact zeros), so ``sellers`` are
        the households with ``w > 0``, in order. ``village_loss`` is this month's transit loss of each
        village (computed here when not given).
        """
        f, p = m.farmers, m.p
        G = self.groups
        s = sellers
        supply = np.bincount(gi, weights=w, minlength=G)
        safe = np.maximum(supply, 1e-12)
        claim = np.minimum(1.0, f.quality[s] + FRAUD_INFLATION * f.misrepresent[s])
        gv, gch = self.group_village, self.group_channel

        def mean(values: np.ndarray) -> np.ndarray:
            return np.bincount(gi, weights=w * values, minlength=G) / safe

        claim_g = mean(claim)
        seller_rating = m.trust.rating(f.reputation[s], f.sales_count[s])
        rating_g = mean(seller_rating)
        traced_g = mean(f.traced[s])
        fx = self._fixed_terms(m)
        coop_branded = np.array([c.branded for c in m.cooperatives] + [False])[fx.coop_of_group]
        coop_proc = np.array([c.processing for c in m.cooperatives] + [0.0])[fx.coop_of_group]
        brand = np.where(fx.is_coop, coop_branded, m.public_brand[gv])
        proc = np.where(fx.is_coop, coop_proc * fx.processable, 0.0)
        origin = fx.origin
        cred = m.trust.credibility(rating_g, traced_g, origin, gch)
        cred = np.where(brand, np.maximum(cred, BRAND_CREDIBILITY), cred)
        cbar = BUDGET_SHARE @ (m.consumers.trust[:, origin] * cred)
        ref = fx.ref
        list_price = ref * np.where(brand, p.brand_multiplier, 1.0) * (1 + p.quality_premium * claim_g * cbar) \
            * (1 + (p.processing_multiplier - 1) * proc)
        # Logistics: cost and loss per group; every route out of a village uses its cold chain.
        cc = m.v_cold_chain[gv]
        ship_cost = np.choose(fx.provider, [lp.cost_per_kg(fx.km, cc, fx.fresh) for lp in m.providers])
        ship_cost = np.where(fx.is_coop, ship_cost * COOP_SHIPPING, ship_cost)
        eligible = fx.eligible
        discount = m.government.logistics_discount((m.steps - 1) % 12, m.last_shipped_eligible)
        loss = (self.village_loss(m) if village_loss is None else village_loss)[gv]
        return Quote(supply, gv, gch, origin, claim_g, mean(f.misrepresent[s]), traced_g, brand, proc, cred, cbar, ref,
                     list_price * self.price_index, ship_cost, np.maximum(ship_cost - discount * eligible, 0.0),
                     eligible, loss, seller_rating)

    def _fixed_terms(self, m: RuralEconomy) -> FixedGroupTerms:
        """The group terms that never change in a run (built at the first quote)."""
        if self._fixed is None:
            p, gv = m.p, self.group_village
            km = m.v_road_km[gv]
            provider = np.zeros(self.groups, np.int64)
            for k, lp in enumerate(m.providers):
                provider = np.where(lp.home[m.v_county[gv]], k, provider)
            self._fixed = FixedGroupTerms(
                is_coop=self.group_channel == 0, coop_of_group=m.coop_of_county[m.v_county][gv],
                processable=crops.PROCESSABLE[m.v_crop[gv]], origin=m.v_region[gv].astype(np.int64),
                ref=crops.BASE_PRICE[m.v_crop[gv]] * p.online_markup, fresh=m.v_fresh[gv], km=km, provider=provider,
                eligible=(m.v_region[gv] == 0) | (km > p.loss_reference_km))
        return self._fixed

    @staticmethod
    def village_loss(m: RuralEconomy) -> np.ndarray:
        """Share of the kg shipped out of each village lost in transit this month (every route uses its cold chain)."""
        p = m.p
        return transit_loss(crops.PERISHABILITY[m.v_crop], m.v_cold_chain, m.v_road_km, p.fresh_loss_no_cold_chain,
                            p.fresh_loss_cold_chain, p.loss_reference_km, p.loss_distance_elasticity)

    def initialise(self, m: RuralEconomy) -> None:
        """First expectations of every group's net price per kg, from list prices as if all were sold."""
        f = m.farmers
        w = m.annual_marketable
        s = np.flatnonzero(w)
        fill = np.ones(self.groups)
        for channel in range(3):
            q = self.quote(m, s, (s // f.households) * 3 + channel, w[s])
            sel = q.channel == channel
            self.expected_net[sel] = self._realised(m, q, fill)[sel]

    def _realised(self, m: RuralEconomy, q: Quote, fill: np.ndarray) -> np.ndarray:
        """Net price per kg offered in each group: shipped share net of loss, fees and shipping, rest sold in bulk."""
        commission = np.array([pl.commission for pl in m.platforms])
        fee = np.where(q.channel == 0, m.p.coop_fee + commission[0],
                       np.where(q.channel == 2, commission[1], commission[[0, 2]].mean()))
        off = m.offline_price()[q.village]
        return fill * ((1 - q.loss) * q.price * (1 - fee) - q.ship_paid) + (1 - fill) * off

    def clear(self, m: RuralEconomy, offer: np.ndarray) -> MonthFlows:
        """Clear this month's online and offline markets and ship the produce.

        Online sellers (households on an online channel with produce, subset ``on``) are computed
        alone, in index order, and spread into zeros where a per-household array is needed: a
        household not selling online ships, loses and earns exactly 0 online.
        """
        f, p = m.farmers, m.p
        hh = f.households
        n = f.n
        village_of = m.village_of
        on_channel = f.channel != OFFLINE
        on = np.flatnonzero(on_channel & (offer > 0))
        channel_s = f.channel[on]
        g_on = village_of[on] * 3 + channel_s - 1
        w = offer[on]  # float32, as the kg on offer: products with it stay float32, as they always were
        G = self.groups
        village_loss = self.village_loss(m)
        q = self.quote(m, on, g_on, w, village_loss)
        supply, gv, gch, origin = q.supply, q.village, q.channel, q.origin
        claim_g, fraud_g, traced_g, brand_v, proc_g = q.claim, q.fraud, q.traced, q.brand, q.processed
        cred, cbar, ref, price, loss = q.credibility, q.cbar, q.ref, q.price, q.loss
        ship_cost, ship_paid, eligible = q.ship_cost, q.ship_paid, q.eligible
        # Demand: a logit over active groups with an outside option.
        active = np.flatnonzero(supply > 0)
        total_offer = float(offer.sum())
        budget = p.demand_scale * float((offer * m.base_price_household).sum()) * p.online_markup
        weight = supply[active] / max(total_offer, 1e-12)
        reach = np.where(gch[active] == 2, p.livestream_reach, 1.0)
        boost = np.where(m.pairing_counties[m.v_county[gv[active]]] & (gch[active] > 0), p.pairing_boost, 0.0)
        util = m.consumers.utility(np.log(price[active] / ref[active]), cred[:, active], origin[active],
                                   brand_v[active].astype(float), reach, p.trust_weight, p.price_sensitivity)
        util = util + boost[None, :]
        spend = m.consumers.demand(budget, weight, util, p.outside_utility, m.v_crop[gv[active]],
                                   p.nest_dissimilarity)
        want_kg = spend.sum(axis=0) / price[active]
        deliverable = supply[active] * (1 - loss[active])
        fill = np.minimum(1.0, want_kg / np.maximum(deliverable, 1e-12))      # share of offer shipped
        served = np.minimum(1.0, deliverable / np.maximum(want_kg, 1e-12))    # share of demand served
        bought = spend * served[None, :] / price[active]                      # kg by segment and group
        ratio = np.clip(want_kg / np.maximum(deliverable, 1e-12), 1e-6, 1e6)
        self.price_index[active] = np.clip(self.price_index[active] * ratio ** p.price_adjustment, *PRICE_BOUNDS)
        fill_g = np.zeros(G)
        fill_g[active] = fill
        # Per-seller outcomes.
        fill_on = self._seller_fill(m, q, on, g_on, w, fill_g)
        shipped_s = w * fill_on
        lost_on_s = shipped_s * loss[g_on]
        delivered_s = shipped_s - lost_on_s
        revenue_s = delivered_s * price[g_on]
        unsold_s = w - shipped_s
        storable_s = crops.STORABLE[f.crop[on]]
        to_stock_s = np.where(storable_s, unsold_s, 0.0).astype(np.float32)
        offline_kg = offer.astype(np.float64)
        offline_kg[on] = np.where(storable_s, 0.0, unsold_s)
        # Village values broadcast over the (village, household) view: no per-household copy of them.
        by_village = offline_kg.reshape(-1, hh)
        lost_off = (by_village * village_loss[:, None]).ravel()
        offline_revenue = (by_village * m.offline_price()[:, None]).ravel()
        # Lost online plus lost offline (a household not selling online adds an exact zero).
        lost = lost_off.copy()
        lost[on] += lost_on_s
        commission_rate = np.array([pl.commission for pl in m.platforms])
        platform_s = np.where(channel_s == LIVE, 1, np.where(channel_s == COOP, 0, m.platform_of[on]))
        commission_s = revenue_s * commission_rate[platform_s]
        coop_fee_s = np.where(channel_s == COOP, revenue_s * p.coop_fee, 0.0)
        logistics_paid_s = shipped_s * ship_paid[g_on]
        trace_cost_s = shipped_s * p.trace_cost * f.traced[on]
        # Households on an online channel read their own village-channel group (even in a month without
        # produce), for next month's misrepresentation and traceability decisions: computed for them alone.
        own = np.flatnonzero(on_channel)
        g_own = village_of[own] * 3 + f.channel[own] - 1
        premium_g = p.quality_premium * cbar * FRAUD_INFLATION / (1 + p.quality_premium * claim_g * cbar)
        premium_share = _spread(n, own, premium_g[g_own])
        # What verified quality would add per kg: the premium on true quality at full credibility.
        region_trust = BUDGET_SHARE @ m.consumers.trust
        trust_own = region_trust[f.region[own]]
        verification_gain = _spread(n, own, ref[g_own] * p.quality_premium * f.quality[own] * trust_own
                                    * np.maximum(0.0, 1.0 - cbar[g_own] / np.maximum(trust_own, 1e-9)))
        draws = m.rng.random(n, dtype=np.float32)
        caught_s = (f.misrepresent[on] & (delivered_s > 0) & (draws[on] < m.trust.detection)).astype(np.float64)
        penalty_s = caught_s * m.trust.penalty * revenue_s * premium_share[on]
        online_net_s = revenue_s - commission_s - coop_fee_s - logistics_paid_s - trace_cost_s - penalty_s
        sums = SellerSums(n, on)
        # Totals for the ledger and the measures.
        disc = p.price_discrimination * (1 - p.discrimination_regulation)
        shop_live_rev = float(sums.column(revenue_s)[np.flatnonzero(f.channel >= SHOP)].sum())
        discrimination = disc * LOYAL_SHARE * shop_live_rev
        eastern = np.array([pl.home_region == 2 for pl in m.platforms])
        levy = p.fund_rate * eastern * np.bincount(platform_s, weights=revenue_s * (f.region[on] == 0),
                                                   minlength=len(m.platforms))
        fund_levy = float(levy.sum())
        platform_revenue = np.bincount(platform_s, weights=commission_s, minlength=len(m.platforms)) - levy
        platform_revenue[:2] += discrimination * 0.5  # the two eastern platforms discriminate
        coop_fee_by_coop = np.bincount(np.maximum(m.coop_of_county[m.v_county], 0)[village_of[on]],
                                       weights=coop_fee_s, minlength=max(len(m.cooperatives), 1))[: len(m.cooperatives)]
        origin_bought = np.zeros((3, 3))
        origin_fraud = np.zeros((3, 3))
        for r in range(3):
            sel = origin[active] == r
            origin_bought[:, r] = bought[:, sel].sum(axis=1)
            origin_fraud[:, r] = (bought[:, sel] * fraud_g[active][sel]).sum(axis=1)
        outside = ~(np.arange(3)[:, None] == origin[active][None, :])
        value = bought * price[active][None, :]
        sold_g = np.bincount(g_on, weights=delivered_s, minlength=G)
        plain = ~brand_v & (traced_g < 0.5) & (sold_g > 0)
        branded = brand_v & (sold_g > 0)
        unit = price / (ref / p.online_markup)
        ratio_price = (np.average(unit[plain], weights=sold_g[plain])
                       / np.average(unit[branded], weights=sold_g[branded])
                       if plain.any() and branded.any() else float("nan"))
        self._update_expectations(m, q, fill_g)
        return MonthFlows(
            sellers=on, sums=sums, seller_offer=w, seller_shipped=shipped_s, seller_lost=lost_on_s,
            seller_delivered=delivered_s, seller_revenue=revenue_s, seller_commission=commission_s,
            seller_coop_fee=coop_fee_s, seller_logistics=logistics_paid_s, seller_trace_cost=trace_cost_s,
            seller_penalty=penalty_s, seller_net=online_net_s, seller_caught=caught_s, seller_to_stock=to_stock_s,
            seller_processed=delivered_s * proc_g[g_on], seller_branded=delivered_s * brand_v[g_on],
            delivered_offline=offline_kg - lost_off, offline_kg=offline_kg, lost=lost,
            offline_revenue=offline_revenue, premium_share=premium_share, verification_gain=verification_gain,
            coop_fee_by_coop=coop_fee_by_coop, platform_revenue=platform_revenue,
            bought_by_origin=origin_bought, disappointed_by_origin=origin_fraud,
            sales_outside_region=float(value[outside].sum()) / max(float(value.sum()), 1e-12),
            unbranded_price_ratio=ratio_price,
            quality_premium=float(np.average((p.quality_premium * claim_g * cbar), weights=sold_g))
            if sold_g.sum() > 0 else 0.0,
            discrimination=discrimination, noticed_markup=disc * LOYAL_SHARE * NOTICE,
            fund_levy=fund_levy,
            logistics_subsidy=sums.total(shipped_s * (ship_cost - ship_paid)[g_on]),
            eligible_kg=float(np.bincount(g_on, weights=shipped_s, minlength=G)[eligible].sum()),
        )

    def _seller_fill(self, m: RuralEconomy, q: Quote, sellers: np.ndarray, gs: np.ndarray, ws: np.ndarray,
                     fill_g: np.ndarray) -> np.ndarray:
        """Share of each seller's offer that sells: the group's share, tilted by rank where ratings rank sellers.

        Under a rating mechanism buyers in an oversupplied group reach sellers in proportion to their
        rating (verified sellers rank top), so a newcomer's prior rating holds its sales down (cold start).
        ``sellers`` are the households with kg on offer, ``gs`` their groups and ``ws`` their kg, as
        given to the quote ``q`` (whose ratings and group supply they reuse).
        """
        f = m.farmers
        if not m.trust.uses_ratings:
            return fill_g[gs]
        score = np.where(f.traced[sellers], 1.0, q.seller_rating)
        mean_score = np.bincount(gs, weights=ws * score, minlength=self.groups) / np.maximum(q.supply, 1e-12)
        return np.minimum(1.0, fill_g[gs] * score / np.maximum(mean_score[gs], 1e-9))

    def _update_expectations(self, m: RuralEconomy, q: Quote, fill: np.ndarray) -> None:
        """Groups with sellers move their expected net price per kg halfway to what was realised."""
        has = q.supply > 0
        self.expected_net[has] = 0.5 * self.expected_net[has] + 0.5 * self._realised(m, q, fill)[has]


def _spread(n: int, idx: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A length-``n`` float64 array of zeros holding ``values`` at ``idx``."""
    out = np.zeros(n)
    out[idx] = values
    return out
