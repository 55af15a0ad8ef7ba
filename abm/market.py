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
from numba import njit

from abm import crops
from abm.kernels import np_maximum, np_minimum, spread_sum, spread_sums
from agents.consumers import BUDGET_SHARE
from agents.farmers import COOP, LIVE, OFFLINE, SHOP
from agents.logistics import transit_loss

if TYPE_CHECKING:
    from abm.state import Province

FRAUD_INFLATION = 0.3  # how much a misrepresenting seller overstates quality (0-1 scale)
LOYAL_SHARE = 0.5      # share of online buyers who are loyal (targets of price discrimination)
NOTICE = 0.6           # share of the discriminatory markup loyal buyers notice
COOP_SHIPPING = 0.8    # pooled shipping costs a cooperative this share of the single-parcel price
PRICE_BOUNDS = (0.5, 2.0)
BRAND_CREDIBILITY = 0.7  # a registered brand's standard makes its quality claim at least this credible


class SellerSums:
    """Whole-population sums of per-seller values, bit for bit as numpy sums the spread-out column.

    ``np.sum`` of a per-household column adds pairwise, so where the values sit in the column
    decides the rounding: the sum is numpy's of the zero column holding the values at the sellers'
    places (:func:`abm.kernels.spread_sum`, which skips the all-zero parts and writes no column).
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
        return np.array([pv.p.coop_fee + commission[0], commission[[0, 2]].mean(), commission[1]])

    def clear(self, pv: Province, month: int, offer: np.ndarray, rng: np.random.Generator) -> MonthFlows:
        """Clear this month's online and offline markets and ship the produce.

        Online sellers (households on an online channel with produce, subset ``on``) are computed
        alone, in index order, and spread into zeros where a per-household array is needed: a
        household not selling online ships, loses and earns exactly 0 online.
        """
        f, p, inst, vil, terms = pv.farmers, pv.p, pv.institutions, pv.villages, pv.terms
        hh = f.households
        n = f.n
        village_of = terms.village_of
        on, shop_live_place, shop_live_count = _online_sellers(f.channel, offer)
        channel_s = f.channel[on]
        g_on = village_of[on] * 3 + channel_s - 1
        w = offer[on]  # float32, as the kg on offer: products with it stay float32, as they always were
        G = self.groups
        village_loss = self.village_loss(pv)
        q = self.quote(pv, month, on, g_on, w, village_loss)
        supply, gv, gch, origin = q.supply, q.village, q.channel, q.origin
        claim_g, fraud_g, traced_g, brand_v, proc_g = q.claim, q.fraud, q.traced, q.brand, q.processed
        cred, cbar, ref, price, loss = q.credibility, q.cbar, q.ref, q.price, q.loss
        ship_cost, ship_paid, eligible = q.ship_cost, q.ship_paid, q.eligible
        # Demand: a logit over active groups with an outside option.
        active = np.flatnonzero(supply > 0)
        total_offer = float(offer.sum())
        budget = p.demand_scale * float((offer * terms.base_price).sum()) * p.online_markup
        weight = supply[active] / max(total_offer, 1e-12)
        reach = np.where(gch[active] == 2, p.livestream_reach, 1.0)
        boost = np.where(pv.eastwest.pairing_counties[vil.county[gv[active]]] & (gch[active] > 0), p.pairing_boost, 0.0)
        util = inst.consumers.utility(np.log(price[active] / ref[active]), cred[:, active], origin[active],
                                   brand_v[active].astype(float), reach, p.trust_weight, p.price_sensitivity)
        util = util + boost[None, :]
        spend = inst.consumers.demand(budget, weight, util, p.outside_utility, vil.crop[gv[active]],
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
        fill_on = self._seller_fill(pv, q, on, g_on, w, fill_g)
        commission_rate = inst.commission_rates()
        premium_g = p.quality_premium * cbar * FRAUD_INFLATION / (1 + p.quality_premium * claim_g * cbar)
        draws = rng.random(n, dtype=np.float32)
        storable = crops.STORABLE[vil.crop]
        coop_bins = max(len(inst.cooperatives), 1)
        (shipped_s, lost_on_s, delivered_s, revenue_s, to_stock_s, commission_s, coop_fee_s,
         logistics_paid_s, trace_cost_s, caught_s, penalty_s, online_net_s, processed_s, branded_s, subsidy_s,
         platform_sales, platform_commission, coop_fee_by_coop, sold_g, shipped_g) = _seller_flows(
            on, g_on, w, fill_on, f.channel, storable, f.traced, f.misrepresent, vil.region, terms.platform_of,
            np.maximum(vil.coop_of_county[vil.county], 0), coop_bins, commission_rate, p.coop_fee, p.trace_cost,
            draws, np.float32(inst.trust.detection), inst.trust.penalty, loss, price, ship_paid, ship_cost - ship_paid,
            proc_g, brand_v, premium_g)
        # Per household: the bulk channel (village values by household) and, for every household on an online
        # channel (even in a month without produce), its own group's terms for next month's misrepresentation
        # and traceability decisions.
        region_trust = BUDGET_SHARE @ inst.consumers.trust
        offline_kg, lost, offline_revenue, delivered_offline, premium_share, verification_gain = _household_flows(
            offer, on, shipped_s, lost_on_s, storable, hh, village_loss, vil.offline_price(), f.channel, f.quality,
            vil.region, region_trust, premium_g, ref, cbar, p.quality_premium)
        sums = SellerSums(n, on)
        # Totals for the ledger and the measures.
        disc = p.price_discrimination * (1 - p.discrimination_regulation)
        # Revenue of shop and livestream sellers, summed over the households on those channels as numpy did.
        shop_live_s = shop_live_place >= 0
        shop_live_rev = spread_sum(shop_live_count, shop_live_place[shop_live_s], revenue_s[shop_live_s])
        discrimination = disc * LOYAL_SHARE * shop_live_rev
        eastern = np.array([pl.home_region == 2 for pl in inst.platforms])
        levy = p.fund_rate * eastern * platform_sales
        fund_levy = float(levy.sum())
        platform_revenue = platform_commission - levy
        platform_revenue[:2] += discrimination * 0.5  # the two eastern platforms discriminate
        coop_fee_by_coop = coop_fee_by_coop[: len(inst.cooperatives)]
        origin_bought, origin_fraud = _by_origin(bought, origin[active], fraud_g[active])
        outside = ~(np.arange(3)[:, None] == origin[active][None, :])
        value = bought * price[active][None, :]
        plain = ~brand_v & (traced_g < 0.5) & (sold_g > 0)
        branded = brand_v & (sold_g > 0)
        unit = price / (ref / p.online_markup)
        ratio_price = (np.average(unit[plain], weights=sold_g[plain])
                       / np.average(unit[branded], weights=sold_g[branded])
                       if plain.any() and branded.any() else float("nan"))
        self._update_expectations(pv, q, fill_g)
        self.eligible_kg_last_month = float(shipped_g[eligible].sum())
        return MonthFlows(
            sellers=on, sums=sums, seller_offer=w, seller_shipped=shipped_s, seller_lost=lost_on_s,
            seller_delivered=delivered_s, seller_revenue=revenue_s, seller_commission=commission_s,
            seller_coop_fee=coop_fee_s, seller_logistics=logistics_paid_s, seller_trace_cost=trace_cost_s,
            seller_penalty=penalty_s, seller_net=online_net_s, seller_caught=caught_s, seller_to_stock=to_stock_s,
            seller_processed=processed_s, seller_branded=branded_s,
            delivered_offline=delivered_offline, offline_kg=offline_kg, lost=lost,
            offline_revenue=offline_revenue, premium_share=premium_share, verification_gain=verification_gain,
            coop_fee_by_coop=coop_fee_by_coop, platform_revenue=platform_revenue,
            bought_by_origin=origin_bought, disappointed_by_origin=origin_fraud,
            sales_outside_region=float(value[outside].sum()) / max(float(value.sum()), 1e-12),
            unbranded_price_ratio=ratio_price,
            quality_premium=float(np.average((p.quality_premium * claim_g * cbar), weights=sold_g))
            if sold_g.sum() > 0 else 0.0,
            discrimination=discrimination, noticed_markup=disc * LOYAL_SHARE * NOTICE,
            fund_levy=fund_levy,
            logistics_subsidy=sums.total(subsidy_s),
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


@njit(cache=True, nogil=True)
def _group_sums(groups: int, sellers: np.ndarray, group_of: np.ndarray, kg: np.ndarray, quality: np.ndarray,
                misrepresent: np.ndarray, traced: np.ndarray, rating: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per group the kg on offer and the kg times claim, rating, traced and misrepresent, as the quote sums them.

    ``np.bincount(group_of, weights=x, minlength=groups)`` of ``kg``, ``kg * claim`` (claim =
    ``np.minimum(1.0, quality + FRAUD_INFLATION * misrepresent)`` of the sellers), ``kg * rating``,
    ``kg * traced`` and ``kg * misrepresent``, each product in numpy's dtype (float32 kg by a float32
    rating or a flag stays float32); ``quality``, ``misrepresent`` and ``traced`` are per household.
    """
    supply = np.zeros(groups)
    claim_kg = np.zeros(groups)
    rating_kg = np.zeros(groups)
    traced_kg = np.zeros(groups)
    fraud_kg = np.zeros(groups)
    for k in range(sellers.size):
        h, g, w = sellers[k], group_of[k], kg[k]
        claim = np_minimum(1.0, np.float64(quality[h]) + (FRAUD_INFLATION if misrepresent[h] else 0.0))
        supply[g] += np.float64(w)
        claim_kg[g] += w * claim
        rating_kg[g] += np.float64(w * rating[k])
        traced_kg[g] += np.float64(w) if traced[h] else 0.0
        fraud_kg[g] += np.float64(w) if misrepresent[h] else 0.0
    return supply, claim_kg, rating_kg, traced_kg, fraud_kg


@njit(cache=True, nogil=True)
def _rated_fill(sellers: np.ndarray, group_of: np.ndarray, kg: np.ndarray, traced: np.ndarray, rating: np.ndarray,
                supply: np.ndarray, group_fill: np.ndarray) -> np.ndarray:
    """Each seller's fill when ratings rank sellers, as :meth:`GroupMarket._seller_fill` computes it in numpy.

    With ``score = np.where(traced[sellers], 1.0, rating)`` (float32) and ``mean_score =
    np.bincount(group_of, weights=kg * score) / np.maximum(supply, 1e-12)``:
    ``np.minimum(1.0, group_fill[group_of] * score / np.maximum(mean_score[group_of], 1e-9))``.
    """
    score_kg = np.zeros(supply.size)
    score = np.empty(sellers.size, np.float32)
    for k in range(sellers.size):
        score[k] = np.float32(1.0) if traced[sellers[k]] else rating[k]
        score_kg[group_of[k]] += np.float64(kg[k] * score[k])
    fill = np.empty(sellers.size)
    for k in range(sellers.size):
        g = group_of[k]
        mean_score = score_kg[g] / np_maximum(supply[g], 1e-12)
        fill[k] = np_minimum(1.0, group_fill[g] * np.float64(score[k]) / np_maximum(mean_score, 1e-9))
    return fill


@njit(cache=True, nogil=True)
def _online_sellers(channel: np.ndarray, offer: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The online sellers ``np.flatnonzero((channel != OFFLINE) & (offer > 0))``, with their places in
    ``np.flatnonzero(channel >= SHOP)`` (-1 for cooperative sellers) and the length of that."""
    sellers = np.empty(channel.size, np.int64)
    place = np.empty(channel.size, np.int64)
    count = 0
    shop_live = 0
    for i in range(channel.size):  # without branches: which households sell is unpredictable
        shop = channel[i] >= SHOP
        sellers[count] = i
        place[count] = shop_live if shop else -1
        count += (channel[i] != OFFLINE) & (offer[i] > 0)
        shop_live += shop
    return sellers[:count].copy(), place[:count].copy(), shop_live


@njit(cache=True, nogil=True)
def _seller_flows(sellers: np.ndarray, group_of: np.ndarray, kg: np.ndarray, fill: np.ndarray, channel: np.ndarray,
                  storable: np.ndarray, traced: np.ndarray, misrepresent: np.ndarray, region: np.ndarray,
                  platform_of: np.ndarray, coop_of_village: np.ndarray, coop_bins: int,
                  commission_rate: np.ndarray, coop_fee: float, trace_cost: float, draws: np.ndarray,
                  detection: np.float32, penalty: float, loss: np.ndarray, price: np.ndarray, ship_paid: np.ndarray,
                  subsidy_per_kg: np.ndarray, processed: np.ndarray, brand: np.ndarray,
                  premium: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each online seller's flows and their sums by platform, cooperative and group, as ``clear`` computed them.

    Per seller (``kg`` float32 on offer, ``fill`` the share shipped, ``g`` its group; per-household
    inputs read at the seller): ``shipped = kg * fill``, ``lost = shipped * loss[g]``, ``delivered =
    shipped - lost``, ``revenue = delivered * price[g]``, ``unsold = kg - shipped`` kept (float32) where the
    village's crop is ``storable``; commission at the platform's rate (livestream 1, cooperative 0, else
    ``platform_of``), cooperative fee, ``shipped * ship_paid[g]``, ``shipped * trace_cost * traced``, caught
    (``misrepresent & (delivered > 0) & (draws < detection)`` in float32), ``caught * penalty * revenue *
    premium[g]``, the net, ``delivered * processed[g]``, ``delivered * brand[g]`` and ``shipped *
    subsidy_per_kg[g]``. The sums are the ``np.bincount`` sums (index order) of revenue in region 0 and
    commission by platform, cooperative fee by the village's cooperative, delivered and shipped kg by group.
    """
    count = sellers.size
    shipped = np.empty(count)
    lost = np.empty(count)
    delivered = np.empty(count)
    revenue = np.empty(count)
    to_stock = np.empty(count, np.float32)
    commission = np.empty(count)
    fee = np.empty(count)
    logistics = np.empty(count)
    tracing = np.empty(count)
    caught = np.empty(count)
    penalised = np.empty(count)
    net = np.empty(count)
    processed_kg = np.empty(count)
    branded_kg = np.empty(count)
    subsidy = np.empty(count)
    platform_sales = np.zeros(commission_rate.size)
    platform_commission = np.zeros(commission_rate.size)
    fee_by_coop = np.zeros(max(coop_bins, coop_of_village.max() + 1) if coop_of_village.size else coop_bins)
    delivered_by_group = np.zeros(loss.size)
    shipped_by_group = np.zeros(loss.size)
    for k in range(count):
        h, g = sellers[k], group_of[k]
        v = g // 3  # a group is one of its village's 3 online channels
        shipped[k] = shipped_k = kg[k] * fill[k]
        lost[k] = lost_k = shipped_k * loss[g]
        delivered[k] = delivered_k = shipped_k - lost_k
        revenue[k] = revenue_k = delivered_k * price[g]
        unsold = kg[k] - shipped_k
        to_stock[k] = np.float32(unsold) if storable[v] else np.float32(0.0)
        ch = channel[h]
        platform = 1 if ch == LIVE else (0 if ch == COOP else platform_of[h])
        commission[k] = commission_k = revenue_k * commission_rate[platform]
        fee[k] = fee_k = revenue_k * coop_fee if ch == COOP else 0.0
        logistics[k] = logistics_k = shipped_k * ship_paid[g]
        tracing[k] = tracing_k = shipped_k * trace_cost * (1.0 if traced[h] else 0.0)
        caught[k] = caught_k = 1.0 if misrepresent[h] and delivered_k > 0 and draws[h] < detection else 0.0
        penalised[k] = penalty_k = caught_k * penalty * revenue_k * premium[g]
        net[k] = revenue_k - commission_k - fee_k - logistics_k - tracing_k - penalty_k
        processed_kg[k] = delivered_k * processed[g]
        branded_kg[k] = delivered_k * (1.0 if brand[g] else 0.0)
        subsidy[k] = shipped_k * subsidy_per_kg[g]
        platform_sales[platform] += revenue_k * (1.0 if region[v] == 0 else 0.0)
        platform_commission[platform] += commission_k
        fee_by_coop[coop_of_village[v]] += fee_k
        delivered_by_group[g] += delivered_k
        shipped_by_group[g] += shipped_k
    return (shipped, lost, delivered, revenue, to_stock, commission, fee, logistics, tracing, caught,
            penalised, net, processed_kg, branded_kg, subsidy, platform_sales, platform_commission, fee_by_coop,
            delivered_by_group, shipped_by_group)


@njit(cache=True, nogil=True)
def _household_flows(offer: np.ndarray, sellers: np.ndarray, seller_shipped: np.ndarray, seller_lost: np.ndarray,
                     storable: np.ndarray, households: int, village_loss: np.ndarray, offline_price: np.ndarray,
                     channel: np.ndarray, quality: np.ndarray, region: np.ndarray, region_trust: np.ndarray,
                     premium: np.ndarray, ref: np.ndarray, cbar: np.ndarray,
                     quality_premium: float) -> tuple[np.ndarray, ...]:
    """Per household the bulk-channel flows and its own online group's terms, as ``clear`` computed them.

    ``offline_kg`` is the offer in float64 (at a seller its unsold kg, ``offer - seller_shipped``, unless the
    village's crop is ``storable``: then 0.0), ``lost_off = offline_kg *
    village_loss[v]``, ``lost = lost_off (+ seller_lost)``, ``offline_revenue = offline_kg *
    offline_price[v]``, ``delivered_offline = offline_kg - lost_off``; a household on an online channel
    (group ``g``, trust ``t = region_trust[region[v]]``) has ``premium[g]`` and ``ref[g] * quality_premium *
    quality * t * np.maximum(0.0, 1.0 - cbar[g] / np.maximum(t, 1e-9))``, every other household 0.0.
    """
    n = offer.size
    offline_kg = np.empty(n)
    lost = np.empty(n)
    offline_revenue = np.empty(n)
    delivered_offline = np.empty(n)
    premium_share = np.empty(n)
    verification_gain = np.empty(n)
    k = 0
    for v in range(n // households):
        for i in range(v * households, (v + 1) * households):
            if k < sellers.size and sellers[k] == i:
                kg = 0.0 if storable[v] else np.float64(offer[i]) - seller_shipped[k]  # unsold: sold in bulk
                lost_off = kg * village_loss[v]
                lost[i] = lost_off + seller_lost[k]
                k += 1
            else:
                kg = np.float64(offer[i])
                lost_off = kg * village_loss[v]
                lost[i] = lost_off
            offline_kg[i] = kg
            offline_revenue[i] = kg * offline_price[v]
            delivered_offline[i] = kg - lost_off
            if channel[i] != OFFLINE:
                g = v * 3 + channel[i] - 1
                trust = region_trust[region[v]]
                premium_share[i] = premium[g]
                verification_gain[i] = (ref[g] * quality_premium * np.float64(quality[i]) * trust
                                        * np_maximum(0.0, 1.0 - cbar[g] / np_maximum(trust, 1e-9)))
            else:
                premium_share[i] = 0.0
                verification_gain[i] = 0.0
    return offline_kg, lost, offline_revenue, delivered_offline, premium_share, verification_gain


@njit(cache=True, nogil=True)
def _realised_net(out: np.ndarray, groups: np.ndarray, fill: np.ndarray, loss: np.ndarray, price: np.ndarray,
                  ship_paid: np.ndarray, fee_of_channel: np.ndarray, offline_price: np.ndarray,
                  halfway: bool = False) -> None:
    """Each selected group's realised net price per kg, written to ``out`` (or ``out`` moved halfway to it).

    ``fill * ((1 - loss) * price * (1 - fee) - ship_paid) + (1 - fill) * off`` with the fee of the group's
    channel (``g % 3``) and the bulk price ``off`` of its village (``g // 3``); ``halfway``: ``0.5 * out +
    0.5 * net``.
    """
    for g in range(out.size):
        if groups[g]:
            net = (fill[g] * ((1 - loss[g]) * price[g] * (1 - fee_of_channel[g % 3]) - ship_paid[g])
                   + (1 - fill[g]) * offline_price[g // 3])
            out[g] = 0.5 * out[g] + 0.5 * net if halfway else net


@njit(cache=True, nogil=True)
def _by_origin(bought: np.ndarray, origin: np.ndarray, fraud: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kg bought by each segment from each origin region, and the misrepresented kg of it (arrays 3 x 3).

    Column ``r`` is ``bought[:, origin == r].sum(axis=1)`` and ``(bought[:, origin == r] * fraud[origin ==
    r]).sum(axis=1)``; the selection is Fortran-ordered, so numpy adds each row in column order from 0.0.
    """
    by_origin = np.zeros((3, 3))
    fraud_by_origin = np.zeros((3, 3))
    for j in range(origin.size):
        r = origin[j]
        for s in range(bought.shape[0]):
            by_origin[s, r] += bought[s, j]
            fraud_by_origin[s, r] += bought[s, j] * fraud[j]
    return by_origin, fraud_by_origin
