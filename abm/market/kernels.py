"""The market's compiled kernels: per-group sums, sellers' and households' flows, realised prices.

Each kernel does numpy's exact arithmetic in one pass; :mod:`abm.market.reference` states the same
equations in plain numpy, and ``tests/abm/test_market_kernels.py`` checks the two agree bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from abm.core.kernels import np_maximum, np_minimum
from abm.core.stages import COOP, LIVE, OFFLINE, SHOP
from agents.platform import EASTERN_LIVESTREAM

FRAUD_INFLATION = 0.3  # how much a misrepresenting seller overstates quality (0-1 scale)


class SellerFlows(NamedTuple):
    """Each online seller's flows (arrays over the sellers) and their sums by platform, cooperative and group."""

    shipped: np.ndarray
    lost: np.ndarray
    delivered: np.ndarray
    revenue: np.ndarray
    commission: np.ndarray
    coop_fee: np.ndarray
    logistics: np.ndarray       # shipping paid
    tracing: np.ndarray
    caught: np.ndarray          # 1.0 where a misrepresentation was caught
    penalty: np.ndarray
    net: np.ndarray             # revenue less commission, fee, shipping, tracing and penalty
    processed: np.ndarray       # kg delivered of processed produce
    branded: np.ndarray         # kg delivered under a brand
    subsidy: np.ndarray         # logistics subsidy earned
    platform_sales: np.ndarray  # western revenue by platform (the fund's levy base)
    platform_commission: np.ndarray
    fee_by_coop: np.ndarray
    delivered_by_group: np.ndarray
    shipped_by_group: np.ndarray


class HouseholdFlows(NamedTuple):
    """Per household: the bulk channel's flows and its own online group's terms (arrays over households)."""

    offline_kg: np.ndarray
    lost: np.ndarray            # lost online and offline
    offline_revenue: np.ndarray
    delivered_offline: np.ndarray
    premium_share: np.ndarray
    verification_gain: np.ndarray


class OnlineSellers(NamedTuple):
    """The online sellers in household order, their places among shop and livestream households, and how many."""

    sellers: np.ndarray
    shop_live_place: np.ndarray  # -1 for a cooperative seller
    shop_live_count: int


def seller_flows(*args) -> SellerFlows:
    """:func:`_seller_flows` with its results named."""
    return SellerFlows(*_seller_flows(*args))


def household_flows(*args) -> HouseholdFlows:
    """:func:`_household_flows` with its results named."""
    return HouseholdFlows(*_household_flows(*args))


def online_sellers(channel: np.ndarray, offer: np.ndarray) -> OnlineSellers:
    """:func:`_online_sellers` with its results named."""
    return OnlineSellers(*_online_sellers(channel, offer))


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
    """Each seller's fill when ratings rank sellers: ``min(1, level[g] * score)``, shipping the group's fill.

    ``score = np.where(traced[sellers], 1.0, rating)`` (float32, then float64). Each group's level is
    set so that its sellers ship ``group_fill * supply`` kg: ``level = (group_fill * supply - capped kg) /
    sum(kg * score of the uncapped)``, where a seller whose ``level * score`` reaches 1 ships all it offered
    and the rest of its share goes to the others (water-filling, one round per newly capped set, at most
    one per seller); :func:`abm.market_reference.rated_fill` states it in numpy.
    """
    score = np.empty(sellers.size)
    for k in range(sellers.size):
        score[k] = np.float64(np.float32(1.0) if traced[sellers[k]] else rating[k])
    target = group_fill * supply
    capped = np.zeros(sellers.size, np.bool_)
    level = np.zeros(supply.size)
    for _ in range(sellers.size + 1):
        capped_kg = np.zeros(supply.size)
        free_score_kg = np.zeros(supply.size)
        for k in range(sellers.size):
            if capped[k]:
                capped_kg[group_of[k]] += np.float64(kg[k])
            else:
                free_score_kg[group_of[k]] += np.float64(kg[k]) * score[k]
        for g in range(supply.size):
            level[g] = (target[g] - capped_kg[g]) / np_maximum(free_score_kg[g], 1e-12)
        newly = 0
        for k in range(sellers.size):
            if not capped[k] and level[group_of[k]] * score[k] >= 1.0:
                capped[k] = True
                newly += 1
        if newly == 0:
            break
    fill = np.empty(sellers.size)
    for k in range(sellers.size):
        fill[k] = 1.0 if capped[k] else level[group_of[k]] * score[k]
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
                  traced: np.ndarray, misrepresent: np.ndarray, region: np.ndarray,
                  platform_of: np.ndarray, coop_of_village: np.ndarray, coop_bins: int,
                  commission_rate: np.ndarray, coop_fee: float, trace_cost: float, trace_fixed_cost: float,
                  draws: np.ndarray,
                  detection: np.float32, penalty: float, loss: np.ndarray, price: np.ndarray, ship_paid: np.ndarray,
                  subsidy_per_kg: np.ndarray, processed: np.ndarray, brand: np.ndarray,
                  premium: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each online seller's flows and their sums by platform, cooperative and group, as ``clear`` computed them.

    Per seller (``kg`` float32 on offer, ``fill`` the share shipped, ``g`` its group; per-household
    inputs read at the seller): ``shipped = kg * fill``, ``lost = shipped * loss[g]``, ``delivered =
    shipped - lost``, ``revenue = delivered * price[g]``; commission at the platform's rate (``EASTERN_LIVESTREAM``
    for a livestreamer, 0 for a cooperative seller, else ``platform_of``), cooperative fee, ``shipped *
    ship_paid[g]``, ``(shipped * trace_cost + trace_fixed_cost) * traced`` (a traced seller pays its account's
    fixed cost in every month it sells, whatever the volume), caught
    (``misrepresent & (delivered > 0) & (draws < detection)`` in float32), ``caught * penalty * revenue *
    premium[g]``, the net, ``delivered * processed[g]``, ``delivered * brand[g]`` and ``shipped *
    subsidy_per_kg[g]``. (Longer than most functions on purpose: one compiled pass over the sellers
    computes every flow; :func:`abm.market.reference.seller_flows` states it in numpy.) The sums are
    the ``np.bincount`` sums (index order) of revenue in region 0 and
    commission by platform, cooperative fee by the village's cooperative, delivered and shipped kg by group.
    """
    count = sellers.size
    shipped = np.empty(count)
    lost = np.empty(count)
    delivered = np.empty(count)
    revenue = np.empty(count)
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
        ch = channel[h]
        platform = EASTERN_LIVESTREAM if ch == LIVE else (0 if ch == COOP else platform_of[h])
        commission[k] = commission_k = revenue_k * commission_rate[platform]
        fee[k] = fee_k = revenue_k * coop_fee if ch == COOP else 0.0
        logistics[k] = logistics_k = shipped_k * ship_paid[g]
        tracing[k] = tracing_k = (shipped_k * trace_cost + trace_fixed_cost) if traced[h] else 0.0
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
    return (shipped, lost, delivered, revenue, commission, fee, logistics, tracing, caught,
            penalised, net, processed_kg, branded_kg, subsidy, platform_sales, platform_commission, fee_by_coop,
            delivered_by_group, shipped_by_group)


@njit(cache=True, nogil=True)
def _household_flows(offer: np.ndarray, sellers: np.ndarray, seller_shipped: np.ndarray, seller_lost: np.ndarray,
                     households: int, village_loss: np.ndarray, offline_price: np.ndarray,
                     channel: np.ndarray, quality: np.ndarray, region: np.ndarray, region_trust: np.ndarray,
                     premium: np.ndarray, ref: np.ndarray, cbar: np.ndarray,
                     quality_premium: float) -> tuple[np.ndarray, ...]:
    """Per household the bulk-channel flows and its own online group's terms, as ``clear`` computed them.

    ``offline_kg`` is the offer in float64 (at a seller its unsold kg, ``offer - seller_shipped``),
    ``lost_off = offline_kg *
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
                kg = np.float64(offer[i]) - seller_shipped[k]  # unsold: sold in bulk
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
