"""Market clearing: online demand allocated over seller groups, the offline bulk channel, logistics.

Sellers are matched at the level of groups (village x online channel); within a group every
household sells the same share of what it offered. Demand is the national market's
(:mod:`abm.market.demand`); what the online buyers do not take is sold
to the bulk trader the same month (storable produce too: a seller does not hoard what the platform
left, or its stock would grow without bound where demand is tight).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.core import crops
from abm.core.kernels import spread_sum, spread_sums
from abm.core.stages import LIVE, OFFLINE
from abm.market.demand import Demand, NationalMarket
from abm.market.kernels import (
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
from agents.consumers import BUDGET_SHARE
from agents.logistics import parcel_discount, transit_loss
from agents.platform import CENTRAL_MARKETPLACE, EASTERN_LIVESTREAM, EASTERN_MARKETPLACE

if TYPE_CHECKING:
    from abm.core.params import Parameters
    from abm.state import Province

CLEARING_STEPS = 4     # Newton steps of the monthly clearing price (enough to clear within 1%, tested)
FLOOR_TOLERANCE = 1e-9  # a posted log price this close to the floor's is at the floor


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
    seller_misrepresent: np.ndarray  # the seller misrepresented quality when it sold (before learning resets it)
    seller_traced: np.ndarray      # the seller's kg were verified (traceability) when it sold
    seller_link_since: np.ndarray  # the month the seller's network link dates from when it sold (NO_LINK: none)
    seller_new_farmer: np.ndarray  # the seller was a new farmer (a livestream host) when it sold
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
    purchases: float               # yuan online buyers paid this month
    purchased_kg: float            # kg online buyers received this month
    unbranded_price_ratio: float
    quality_premium: float
    discrimination: float
    noticed_markup: float
    fund_levy: float
    logistics_subsidy: float
    price_floor_share: float  # share of the groups with kg on offer whose price is at the economic floor
    national_budget: float    # the national market's spending on the province's crops this month (yuan)


    @property
    def sold(self) -> np.ndarray:
        """Per seller: it delivered kg to online buyers this month (what "sold online" means in every outcome)."""
        return self.seller_delivered > 0


@dataclass
class Quote:
    """Per-group market terms this month (arrays over village x online channel)."""

    supply: np.ndarray
    shops: np.ndarray   # sellers with kg on offer
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
    crop_households: np.ndarray  # the province's households growing each crop


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
                                                                       f.traced, seller_rating, p.fraud_inflation)
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
        cred = np.where(brand, np.maximum(cred, p.brand_credibility), cred)
        cbar = BUDGET_SHARE @ (inst.consumers.trust[:, origin] * cred)
        ref = fx.ref * vil.price_level[0]
        list_price = ref * np.where(brand, p.brand_multiplier, 1.0) * (1 + p.quality_premium * claim_g * cbar) \
            * (1 + (p.processing_multiplier - 1) * proc)
        # Logistics: cost and loss per group; every route out of a village uses its cold chain.
        cc = vil.cold_chain[gv]
        ship_cost = np.choose(fx.provider, [lp.cost_per_kg(fx.km, cc, fx.fresh) for lp in inst.providers])
        ship_cost = np.where(fx.is_coop, ship_cost * p.coop_shipping_share, ship_cost)
        # A village service station gathers parcels for the county carrier, and carriers pick up more
        # cheaply in villages where many sell online: shares off the last mile.
        ship_cost = ship_cost * parcel_discount(vil.station[gv], vil.online_share[gv], p.station_shipping_discount,
                                                p.cluster_shipping_discount)
        eligible = fx.eligible
        # Kg on offer bound the kg shipped, so a discount set on them never grants more than the allowance.
        discount = inst.government.logistics_discount((month - 1) % 12, float(supply[fx.eligible].sum()))
        loss = (self.village_loss(pv) if village_loss is None else village_loss)[gv]
        return Quote(supply, np.bincount(gi, minlength=G).astype(np.float64), gv, gch, origin, claim_g,
                     fraud_kg / safe, traced_g, brand, proc, cred, cbar, ref,
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
                eligible=(v.region[gv] == 0) | (km > p.loss_reference_km),
                crop_households=np.bincount(pv.terms.crop_index, minlength=len(crops.CROPS)).astype(np.float64))
        return self._fixed

    @staticmethod
    def village_loss(pv: Province) -> np.ndarray:
        """Share of the kg shipped out of each village lost in transit this month (every route uses its cold chain)."""
        p, v = pv.p, pv.villages
        return transit_loss(crops.PERISHABILITY[v.crop], v.cold_chain, v.road_km, p.fresh_loss_no_cold_chain,
                            p.fresh_loss_cold_chain, p.loss_reference_km, p.loss_distance_elasticity)

    def initialise(self, pv: Province) -> None:
        """Month-0 prices and expectations: the market cleared at an average month's supply.

        The households online at the start offer a twelfth of a year's marketable kg on their
        channels; the market clears at that supply (prices at the clearing index, from the economic
        floor up), and every group expects the net price per kg it would realise there: a seller in an
        empty group one household's average kg, at its own clearing price.
        """
        f, terms = pv.farmers, pv.terms
        monthly = terms.annual_marketable / 12.0
        on = np.flatnonzero(f.channel != OFFLINE)
        self._clear_at(pv, on, (on // f.households) * 3 + f.channel[on] - 1, monthly[on], np.ones(self.groups, bool))
        first = np.arange(pv.villages.n) * f.households  # each village's first household, as a lone seller
        for channel in range(3):
            self._clear_at(pv, first, first // f.households * 3 + channel, monthly[first], np.isnan(self.expected_net))

    def _clear_at(self, pv: Province, sellers: np.ndarray, groups: np.ndarray, kg: np.ndarray,
                  update: np.ndarray) -> None:
        """Clear month 1's market with this supply; set the price index and expectations of the ``update`` groups."""
        index = self.price_index.copy()
        q = self.quote(pv, 1, sellers, groups, kg)
        d = self._demand(pv, q, 1)
        net = self._realised(pv, q, d.fill)
        chosen = update & (q.supply > 0)
        self.expected_net[chosen] = net[chosen]
        self.price_index = np.where(chosen, self.price_index, index)

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
        premium_g = p.quality_premium * q.cbar * p.fraud_inflation / (1 + p.quality_premium * q.claim * q.cbar)
        draws = rng.random(f.n, dtype=np.float32)
        s = seller_flows(
            on.sellers, g_on, w, fill_on, f.channel, f.traced, f.misrepresent, vil.region, terms.platform_of,
            np.maximum(vil.coop_of_county[vil.county], 0), max(len(inst.cooperatives), 1), inst.commission_rates(),
            p.coop_fee, p.trace_cost, p.trace_fixed_cost, draws, np.float32(inst.trust.detection), inst.trust.penalty,
            q.loss, q.price, q.ship_paid, q.ship_cost - q.ship_paid, q.processed, q.brand, premium_g)
        # Per household: the bulk channel (village values by household) and, for every household on an online
        # channel (even in a month without produce), its own group's terms for next month's misrepresentation
        # and traceability decisions.
        h = household_flows(offer, on.sellers, s.shipped, s.lost, f.households, village_loss,
                            vil.offline_price(), f.channel, f.quality, vil.region,
                            BUDGET_SHARE @ inst.consumers.trust, premium_g, q.ref, q.cbar, p.quality_premium)
        self._update_expectations(pv, q, d.fill)
        return self._month_flows(pv, q, d, on, w, s, h)

    def _demand(self, pv: Province, q: Quote, month: int) -> Demand:
        """Clear the online market of every group with supply, and what each consumer segment bought.

        Demand is the province's residual demand in the national market (:meth:`abm.market.demand.NationalMarket.spend`).
        Each group's clearing price is found by Newton steps on its own demand (elasticity
        ``residual_demand_elasticity``), never below its economic floor (:meth:`floor_index`: below it
        the trader pays a seller more); the posted price moves ``price_adjustment`` of the way (in logs)
        from last month's to the clearing price, and sells what buyers want at it.
        """
        p = pv.p
        floor = self.floor_index(pv, q)
        active = np.flatnonzero((q.supply > 0) & np.isfinite(floor))  # fees that take the whole price: no sale
        national = NationalMarket.of(pv, q, active, month, self._fixed_terms(pv).crop_households)
        deliverable = q.supply[active] * (1 - q.loss[active])
        list_price = q.price[active] / self.price_index[active]
        with np.errstate(divide="ignore"):  # a floor of 0 (a trader who pays nothing) is no floor: log -inf
            log_floor = np.log(floor[active])
        last = np.maximum(np.log(self.price_index[active]), log_floor)
        log_clear = last.copy()
        for _ in range(CLEARING_STEPS):
            trial = list_price * np.exp(log_clear)
            want_kg = national.spend(trial)[0].sum(axis=0) / trial
            step = np.log(np.maximum(want_kg, 1e-300) / np.maximum(deliverable, 1e-300)) / p.residual_demand_elasticity
            log_clear = np.maximum(log_clear + np.clip(step, -1.0, 1.0), log_floor)
        posted = np.maximum(last + p.price_adjustment * (log_clear - last), log_floor)
        self.price_index[active] = np.exp(posted)
        price = list_price * self.price_index[active]
        q.price[active] = price
        spend, self.audience_scale = national.spend(price)
        want_kg = spend.sum(axis=0) / price
        fill = np.minimum(1.0, want_kg / np.maximum(deliverable, 1e-12))      # share of offer shipped
        served = np.minimum(1.0, deliverable / np.maximum(want_kg, 1e-12))    # share of demand served
        fill_g = np.zeros(self.groups)
        fill_g[active] = fill
        return Demand(active, fill_g, spend * served[None, :] / price, national.total_budget,
                      posted <= log_floor + FLOOR_TOLERANCE)

    def floor_index(self, pv: Province, q: Quote) -> np.ndarray:
        """Each group's lowest price index: the price at which online pays a seller what the trader pays.

        A kg offered online at list price ``x`` nets ``(1 - loss) x index (1 - fees) - shipping``; below
        ``(bulk price + shipping) / ((1 - loss) (1 - fees))`` the seller would rather sell to the trader
        (infinite where the fees take the whole price: online never pays).
        """
        fees = self._fee_of_channel(pv)[q.channel]
        kept = (1 - q.loss) * (1 - fees)
        floor_price = np.divide(pv.villages.offline_price()[q.village] + q.ship_paid, kept,
                                out=np.full(kept.shape, np.inf), where=kept > 0)
        return floor_price / (q.price / self.price_index)

    @staticmethod
    def _month_flows(pv: Province, q: Quote, d: Demand, on: OnlineSellers, w: np.ndarray, s: SellerFlows,
                     h: HouseholdFlows) -> MonthFlows:
        """The month's flows with the totals the ledger and the measures need."""
        p, inst = pv.p, pv.institutions
        sums = SellerSums(pv.farmers.n, on.sellers)
        disc = p.price_discrimination * (1 - p.discrimination_regulation)
        eastern = np.array([pl.home_region == 2 for pl in inst.platforms])
        # The eastern platforms mark up their own shop and livestream sales to loyal buyers and keep the markup.
        markup = disc * p.loyal_share * _shop_and_stream_revenue(pv, on, s.revenue, len(inst.platforms)) * eastern
        levy = p.fund_rate * eastern * s.platform_sales
        platform_revenue = s.platform_commission - levy + markup
        discrimination = float(markup.sum())
        origin = q.origin[d.active]
        origin_bought, origin_fraud = _by_origin(d.bought, origin, q.fraud[d.active])
        value = d.bought * q.price[d.active][None, :]
        outside = ~(np.arange(3)[:, None] == origin[None, :])
        return MonthFlows(
            sellers=on.sellers, sums=sums, seller_channel=pv.farmers.channel[on.sellers],
            seller_misrepresent=pv.farmers.misrepresent[on.sellers], seller_traced=pv.farmers.traced[on.sellers],
            seller_link_since=pv.farmers.link_since[on.sellers], seller_new_farmer=pv.farmers.new_farmer[on.sellers],
            seller_offer=w,
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
            purchases=float(value.sum()), purchased_kg=float(d.bought.sum()),
            **_price_statistics(p, q, s.delivered_by_group),
            discrimination=discrimination, noticed_markup=disc * p.loyal_share * p.discrimination_notice,
            fund_levy=float(levy.sum()), logistics_subsidy=sums.total(s.subsidy),
            price_floor_share=float(d.at_floor.mean()) if d.active.size else float("nan"), national_budget=d.budget,
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


def _shop_and_stream_revenue(pv: Province, on: OnlineSellers, revenue: np.ndarray, platforms: int) -> np.ndarray:
    """Revenue of the shop and livestream sellers on each platform (a livestreamer sells on the livestream platform).

    Each platform's sum adds its sellers' revenue over the households on those channels, as numpy would.
    """
    shop_live_s = on.shop_live_place >= 0
    platform = np.where(pv.farmers.channel[on.sellers] == LIVE, EASTERN_LIVESTREAM, pv.terms.platform_of[on.sellers])
    return np.array([spread_sum(on.shop_live_count, on.shop_live_place[shop_live_s & (platform == k)],
                                revenue[shop_live_s & (platform == k)]) for k in range(platforms)])


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
