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


@dataclass
class MonthFlows:
    """What clearing produced this month, per farmer (arrays) and in totals (floats)."""

    offer_online: np.ndarray
    shipped: np.ndarray
    delivered_online: np.ndarray
    delivered_offline: np.ndarray
    offline_kg: np.ndarray
    lost: np.ndarray
    lost_online: np.ndarray
    returned_to_stock: np.ndarray
    online_revenue: np.ndarray
    offline_revenue: np.ndarray
    online_net: np.ndarray
    commission: np.ndarray
    coop_fee: np.ndarray
    logistics_paid: np.ndarray
    trace_cost: np.ndarray
    penalty: np.ndarray
    caught: np.ndarray
    premium_share: np.ndarray
    verification_gain: np.ndarray
    coop_fee_by_coop: np.ndarray
    platform_revenue: np.ndarray
    bought_by_origin: np.ndarray
    disappointed_by_origin: np.ndarray
    sales_outside_region: float
    processed: np.ndarray
    branded: np.ndarray
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


class GroupMarket:
    """Per-group market state that persists between months: price index and expected net price."""

    def __init__(self, villages: int) -> None:
        """Start every group at the reference price; expectations are set by :meth:`initialise`."""
        self.groups = 3 * villages
        self.price_index = np.ones(self.groups)
        self.expected_net = np.full(self.groups, np.nan)

    def quote(self, m: RuralEconomy, gi: np.ndarray, w: np.ndarray) -> Quote:
        """Prices, credibility, loss and shipping cost of every group, given each seller's group and kg."""
        f, p = m.farmers, m.p
        G = self.groups
        supply = np.bincount(gi, weights=w, minlength=G)
        safe = np.maximum(supply, 1e-12)
        claim = np.minimum(1.0, f.quality + FRAUD_INFLATION * f.misrepresent)
        gv = np.arange(G) // 3
        gch = np.arange(G) % 3

        def mean(values: np.ndarray) -> np.ndarray:
            return np.bincount(gi, weights=w * values, minlength=G) / safe

        claim_g = mean(claim)
        rating_g = mean(m.trust.rating(f.reputation, f.sales_count))
        traced_g = mean(f.traced)
        coop_idx = m.coop_of_county[m.v_county]
        coop_branded = np.array([c.branded for c in m.cooperatives] + [False])[coop_idx]
        coop_proc = np.array([c.processing for c in m.cooperatives] + [0.0])[coop_idx]
        brand = np.where(gch == 0, coop_branded[gv], m.public_brand[gv])
        proc = np.where(gch == 0, coop_proc[gv] * crops.PROCESSABLE[m.v_crop[gv]], 0.0)
        origin = m.v_region[gv].astype(np.int64)
        cred = m.trust.credibility(rating_g, traced_g, origin, gch)
        cred = np.where(brand, np.maximum(cred, BRAND_CREDIBILITY), cred)
        cbar = BUDGET_SHARE @ (m.consumers.trust[:, origin] * cred)
        ref = crops.BASE_PRICE[m.v_crop[gv]] * p.online_markup
        list_price = ref * np.where(brand, p.brand_multiplier, 1.0) * (1 + p.quality_premium * claim_g * cbar) \
            * (1 + (p.processing_multiplier - 1) * proc)
        # Logistics: cost and loss per group; every route out of a village uses its cold chain.
        fresh = m.v_fresh[gv]
        km = m.v_road_km[gv]
        cc = m.v_cold_chain[gv]
        provider = np.zeros(G, np.int64)
        for k, lp in enumerate(m.providers):
            provider = np.where(lp.home[m.v_county[gv]], k, provider)
        ship_cost = np.choose(provider, [lp.cost_per_kg(km, cc, fresh) for lp in m.providers])
        ship_cost = np.where(gch == 0, ship_cost * COOP_SHIPPING, ship_cost)
        eligible = (m.v_region[gv] == 0) | (km > p.loss_reference_km)
        discount = m.government.logistics_discount((m.steps - 1) % 12, m.last_shipped_eligible)
        loss = transit_loss(crops.PERISHABILITY[m.v_crop[gv]], cc, km, p.fresh_loss_no_cold_chain,
                            p.fresh_loss_cold_chain, p.loss_reference_km, p.loss_distance_elasticity)
        return Quote(supply, gv, gch, origin, claim_g, mean(f.misrepresent), traced_g, brand, proc, cred, cbar, ref,
                     list_price * self.price_index, ship_cost, np.maximum(ship_cost - discount * eligible, 0.0),
                     eligible, loss)

    def initialise(self, m: RuralEconomy) -> None:
        """First expectations of every group's net price per kg, from list prices as if all were sold."""
        f = m.farmers
        v_of = np.arange(f.n) // f.households
        w = m.annual_marketable
        fill = np.ones(self.groups)
        for channel in range(3):
            q = self.quote(m, v_of * 3 + channel, w)
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
        """Clear this month's online and offline markets and ship the produce."""
        f, p = m.farmers, m.p
        hh = f.households
        v_of = np.arange(f.n) // hh
        online = (f.channel != OFFLINE) & (offer > 0)
        gi = np.where(online, v_of * 3 + f.channel - 1, 0)
        w_on = np.where(online, offer, 0.0)
        G = self.groups
        q = self.quote(m, gi, w_on)
        supply, gv, gch, origin = q.supply, q.village, q.channel, q.origin
        claim_g, fraud_g, traced_g, brand_v, proc_g = q.claim, q.fraud, q.traced, q.brand, q.processed
        cred, cbar, ref, price, loss = q.credibility, q.cbar, q.ref, q.price, q.loss
        ship_cost, ship_paid, eligible = q.ship_cost, q.ship_paid, q.eligible
        # Demand: a logit over active groups with an outside option.
        active = np.flatnonzero(supply > 0)
        total_offer = float(offer.sum())
        budget = p.demand_scale * float((offer * crops.BASE_PRICE[f.crop]).sum()) * p.online_markup
        weight = supply[active] / max(total_offer, 1e-12)
        reach = np.where(gch[active] == 2, p.livestream_reach, 1.0)
        boost = np.where(m.pairing_counties[m.v_county[gv[active]]] & (gch[active] > 0), p.pairing_boost, 0.0)
        util = m.consumers.utility(np.log(price[active] / ref[active]), cred[:, active], origin[active],
                                   brand_v[active].astype(float), reach, p.trust_weight, p.price_sensitivity)
        util = util + boost[None, :]
        spend = m.consumers.demand(budget, weight, util, p.outside_utility)
        want_kg = spend.sum(axis=0) / price[active]
        deliverable = supply[active] * (1 - loss[active])
        fill = np.minimum(1.0, want_kg / np.maximum(deliverable, 1e-12))      # share of offer shipped
        served = np.minimum(1.0, deliverable / np.maximum(want_kg, 1e-12))    # share of demand served
        bought = spend * served[None, :] / price[active]                      # kg by segment and group
        ratio = np.clip(want_kg / np.maximum(deliverable, 1e-12), 1e-6, 1e6)
        self.price_index[active] = np.clip(self.price_index[active] * ratio ** p.price_adjustment, *PRICE_BOUNDS)
        fill_g = np.zeros(G)
        fill_g[active] = fill
        # Per-farmer outcomes.
        g_loss, g_price = loss[gi], price[gi]
        shipped = w_on * self._seller_fill(m, gi, w_on, fill_g)
        lost_on = shipped * g_loss
        delivered = shipped - lost_on
        revenue = delivered * g_price
        unsold = w_on - shipped
        storable = crops.STORABLE[f.crop]
        to_stock = np.where(storable, unsold, 0.0)
        offline_kg = np.where(online, np.where(storable, 0.0, unsold), offer)
        v_off_loss = transit_loss(crops.PERISHABILITY[m.v_crop], m.v_cold_chain, m.v_road_km, p.fresh_loss_no_cold_chain,
                                  p.fresh_loss_cold_chain, p.loss_reference_km, p.loss_distance_elasticity)
        lost_off = offline_kg * v_off_loss[v_of]
        offline_revenue = offline_kg * m.offline_price()[v_of]
        commission_rate = np.array([pl.commission for pl in m.platforms])
        platform = np.where(f.channel == LIVE, 1, np.where(f.channel == COOP, 0, m.platform_of))
        commission = revenue * commission_rate[platform] * online
        coop_fee = np.where(f.channel == COOP, revenue * p.coop_fee, 0.0)
        logistics_paid = shipped * ship_paid[gi]
        traced = f.traced & online
        trace_cost = shipped * p.trace_cost * traced
        premium_share = (p.quality_premium * cbar * FRAUD_INFLATION / (1 + p.quality_premium * claim_g * cbar))[gi]
        # What verified quality would add per kg: the premium on true quality at full credibility.
        trust_avg = BUDGET_SHARE @ m.consumers.trust[:, f.region]
        verification_gain = (ref[gi] * p.quality_premium * f.quality * trust_avg
                             * np.maximum(0.0, 1.0 - cbar[gi] / np.maximum(trust_avg, 1e-9)))
        caught = (f.misrepresent & online & (delivered > 0)
                  & (m.rng.random(f.n, dtype=np.float32) < m.trust.detection)).astype(np.float64)
        penalty = caught * m.trust.penalty * revenue * premium_share
        online_net = revenue - commission - coop_fee - logistics_paid - trace_cost - penalty
        # Totals for the ledger and the measures.
        disc = p.price_discrimination * (1 - p.discrimination_regulation)
        shop_live_rev = float(revenue[f.channel >= SHOP].sum())
        discrimination = disc * LOYAL_SHARE * shop_live_rev
        eastern = np.array([pl.home_region == 2 for pl in m.platforms])
        west = f.region == 0
        levy = p.fund_rate * eastern * np.bincount(platform, weights=revenue * (west & online),
                                                   minlength=len(m.platforms))
        fund_levy = float(levy.sum())
        platform_revenue = np.bincount(platform, weights=commission, minlength=len(m.platforms)) - levy
        platform_revenue[:2] += discrimination * 0.5  # the two eastern platforms discriminate
        coop_fee_by_coop = np.bincount(np.maximum(m.coop_of_county[m.v_county][v_of], 0), weights=coop_fee,
                                       minlength=max(len(m.cooperatives), 1))[: len(m.cooperatives)]
        origin_bought = np.zeros((3, 3))
        origin_fraud = np.zeros((3, 3))
        for r in range(3):
            sel = origin[active] == r
            origin_bought[:, r] = bought[:, sel].sum(axis=1)
            origin_fraud[:, r] = (bought[:, sel] * fraud_g[active][sel]).sum(axis=1)
        outside = ~(np.arange(3)[:, None] == origin[active][None, :])
        value = bought * price[active][None, :]
        sold_g = np.bincount(gi, weights=delivered, minlength=G)
        plain = ~brand_v & (traced_g < 0.5) & (sold_g > 0)
        branded = brand_v & (sold_g > 0)
        unit = price / (ref / p.online_markup)
        ratio_price = (np.average(unit[plain], weights=sold_g[plain]) / np.average(unit[branded], weights=sold_g[branded])
                       if plain.any() and branded.any() else float("nan"))
        self._update_expectations(m, q, fill_g)
        return MonthFlows(
            offer_online=w_on, shipped=shipped, delivered_online=delivered,
            delivered_offline=offline_kg - lost_off, offline_kg=offline_kg, lost=lost_on + lost_off, lost_online=lost_on,
            returned_to_stock=to_stock.astype(np.float32), online_revenue=revenue, offline_revenue=offline_revenue,
            online_net=online_net, commission=commission, coop_fee=coop_fee, logistics_paid=logistics_paid,
            trace_cost=trace_cost, penalty=penalty, caught=caught, premium_share=premium_share,
            verification_gain=verification_gain,
            coop_fee_by_coop=coop_fee_by_coop, platform_revenue=platform_revenue,
            bought_by_origin=origin_bought, disappointed_by_origin=origin_fraud,
            sales_outside_region=float(value[outside].sum()) / max(float(value.sum()), 1e-12),
            processed=delivered * proc_g[gi] * online, branded=delivered * brand_v[gi] * online,
            unbranded_price_ratio=ratio_price,
            quality_premium=float(np.average((p.quality_premium * claim_g * cbar), weights=sold_g))
            if sold_g.sum() > 0 else 0.0,
            discrimination=discrimination, noticed_markup=disc * LOYAL_SHARE * NOTICE,
            fund_levy=fund_levy, logistics_subsidy=float((shipped * (ship_cost - ship_paid)[gi]).sum()),
            eligible_kg=float(np.bincount(gi, weights=shipped, minlength=G)[eligible].sum()),
        )

    def _seller_fill(self, m: RuralEconomy, gi: np.ndarray, w: np.ndarray, fill_g: np.ndarray) -> np.ndarray:
        """Share of each seller's offer that sells: the group's share, tilted by rank where ratings rank sellers.

        Under a rating mechanism buyers in an oversupplied group reach sellers in proportion to their
        rating (verified sellers rank top), so a newcomer's prior rating holds its sales down (cold start).
        """
        f = m.farmers
        if not m.trust.uses_ratings:
            return fill_g[gi]
        score = np.where(f.traced, 1.0, m.trust.rating(f.reputation, f.sales_count))
        mean_score = np.bincount(gi, weights=w * score, minlength=self.groups) / np.maximum(
            np.bincount(gi, weights=w, minlength=self.groups), 1e-12)
        return np.minimum(1.0, fill_g[gi] * score / np.maximum(mean_score[gi], 1e-9))

    def _update_expectations(self, m: RuralEconomy, q: Quote, fill: np.ndarray) -> None:
        """Groups with sellers move their expected net price per kg halfway to what was realised."""
        has = q.supply > 0
        self.expected_net[has] = 0.5 * self.expected_net[has] + 0.5 * self._realised(m, q, fill)[has]
