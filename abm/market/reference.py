"""The market's equations in plain numpy: what each kernel of :mod:`abm.market.kernels` computes.

Read these to see the equations; the kernels compute the same numbers in one compiled pass
(``tests/abm/test_market_kernels.py`` checks them bit for bit on random inputs). ``np.bincount``
adds in index order from 0.0, as the kernels' loops do.
"""

from __future__ import annotations

import numpy as np

from abm.core.stages import COOP, LIVE, OFFLINE, SHOP
from abm.market.kernels import FRAUD_INFLATION, HouseholdFlows, OnlineSellers, SellerFlows
from agents.platform import EASTERN_LIVESTREAM


def group_sums(groups: int, sellers: np.ndarray, group_of: np.ndarray, kg: np.ndarray, quality: np.ndarray,
               misrepresent: np.ndarray, traced: np.ndarray, rating: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per group: kg on offer, and kg times the claimed quality, the rating, traced and misrepresenting."""
    claim = np.minimum(1.0, quality[sellers] + FRAUD_INFLATION * misrepresent[sellers])

    def per_group(weights: np.ndarray) -> np.ndarray:
        return np.bincount(group_of, weights=weights, minlength=groups)

    return (per_group(kg), per_group(kg * claim), per_group(kg * rating), per_group(kg * traced[sellers]),
            per_group(kg * misrepresent[sellers]))


def rated_fill(sellers: np.ndarray, group_of: np.ndarray, kg: np.ndarray, traced: np.ndarray, rating: np.ndarray,
               supply: np.ndarray, group_fill: np.ndarray) -> np.ndarray:
    """Each seller's fill when ratings rank sellers: its score times its group's level, at most 1.

    The level ships the group's fill of its supply: sellers whose share would pass what they offered ship
    all of it, and the level rises over the others until the group's kg are met (water-filling).
    """
    score = np.where(traced[sellers], np.float32(1.0), rating).astype(np.float64)
    kg = kg.astype(np.float64)
    target = group_fill * supply
    capped = np.zeros(sellers.size, bool)
    while True:
        capped_kg = np.bincount(group_of, weights=np.where(capped, kg, 0.0), minlength=supply.size)
        free_score_kg = np.bincount(group_of, weights=np.where(capped, 0.0, kg * score), minlength=supply.size)
        level = (target - capped_kg) / np.maximum(free_score_kg, 1e-12)
        newly = ~capped & (level[group_of] * score >= 1.0)
        if not newly.any():
            return np.where(capped, 1.0, level[group_of] * score)
        capped |= newly


def online_sellers(channel: np.ndarray, offer: np.ndarray) -> OnlineSellers:
    """Households on an online channel with produce, and their places among the shop and livestream households."""
    sellers = np.flatnonzero((channel != OFFLINE) & (offer > 0))
    shop_live = channel >= SHOP
    place = np.where(shop_live[sellers], np.cumsum(shop_live)[sellers] - 1, -1)
    return OnlineSellers(sellers, place, int(shop_live.sum()))


def seller_flows(sellers, group_of, kg, fill, channel, traced, misrepresent, region, platform_of,
                 coop_of_village, coop_bins, commission_rate, coop_fee, trace_cost, trace_fixed_cost, draws, detection,
                 penalty, loss,
                 price, ship_paid, subsidy_per_kg, processed, brand, premium) -> SellerFlows:
    """Each online seller's shipment, loss, revenue, fees and penalty, and their sums by platform, cooperative, group.

    A livestreamer sells on the livestream platform, a cooperative seller pays no commission (platform 0's rate
    is read but a cooperative's fee replaces it), a shop seller on its own platform.
    """
    g = group_of
    village = g // 3
    ch = channel[sellers]
    shipped = kg * fill
    lost = shipped * loss[g]
    delivered = shipped - lost
    revenue = delivered * price[g]
    platform = np.where(ch == LIVE, EASTERN_LIVESTREAM, np.where(ch == COOP, 0, platform_of[sellers]))
    commission = revenue * commission_rate[platform]
    fee = np.where(ch == COOP, revenue * coop_fee, 0.0)
    logistics = shipped * ship_paid[g]
    tracing = np.where(traced[sellers], shipped * trace_cost + trace_fixed_cost, 0.0)  # per kg, and the account
    caught = (misrepresent[sellers] & (delivered > 0) & (draws[sellers] < detection)).astype(np.float64)
    penalised = caught * penalty * revenue * premium[g]
    net = revenue - commission - fee - logistics - tracing - penalised
    bins = max(coop_bins, coop_of_village.max() + 1) if coop_of_village.size else coop_bins
    return SellerFlows(
        shipped, lost, delivered, revenue, commission, fee, logistics, tracing, caught, penalised, net,
        delivered * processed[g], delivered * brand[g], shipped * subsidy_per_kg[g],
        np.bincount(platform, weights=revenue * (region[village] == 0), minlength=commission_rate.size),
        np.bincount(platform, weights=commission, minlength=commission_rate.size),
        np.bincount(coop_of_village[village], weights=fee, minlength=bins),
        np.bincount(g, weights=delivered, minlength=loss.size), np.bincount(g, weights=shipped, minlength=loss.size))


def household_flows(offer, sellers, seller_shipped, seller_lost, households, village_loss, offline_price,
                    channel, quality, region, region_trust, premium, ref, cbar, quality_premium) -> HouseholdFlows:
    """Per household the bulk channel's kg, loss and revenue, and its own online group's premium and gain.

    Everything a household offered goes to the bulk trader except what sold online (storable kg
    too: a seller does not hoard what the platform left). The verification gain is the premium a verified
    claim would add over the group's current credibility.
    """
    village = np.arange(offer.size) // households
    offline_kg = offer.astype(np.float64)
    offline_kg[sellers] = offline_kg[sellers] - seller_shipped
    lost_off = offline_kg * village_loss[village]
    lost = lost_off.copy()
    lost[sellers] = lost_off[sellers] + seller_lost
    online = channel != OFFLINE
    g = np.where(online, village * 3 + channel.astype(np.int64) - 1, 0)
    trust = region_trust[region[village]]
    gain = ref[g] * quality_premium * quality.astype(np.float64) * trust * np.maximum(
        0.0, 1.0 - cbar[g] / np.maximum(trust, 1e-9))
    return HouseholdFlows(offline_kg, lost, offline_kg * offline_price[village], offline_kg - lost_off,
                          np.where(online, premium[g], 0.0), np.where(online, gain, 0.0))


def realised_net(out: np.ndarray, groups: np.ndarray, fill: np.ndarray, loss: np.ndarray, price: np.ndarray,
                 ship_paid: np.ndarray, fee_of_channel: np.ndarray, offline_price: np.ndarray,
                 halfway: bool = False) -> None:
    """Realised net price per kg of the selected groups: shipped share net of loss, fee and shipping, rest in bulk."""
    index = np.arange(out.size)
    net = (fill * ((1 - loss) * price * (1 - fee_of_channel[index % 3]) - ship_paid)
           + (1 - fill) * offline_price[index // 3])
    out[groups] = (0.5 * out + 0.5 * net)[groups] if halfway else net[groups]


def by_origin(bought: np.ndarray, origin: np.ndarray, fraud: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kg bought by each consumer segment from each origin region, and the misrepresented kg of it."""
    totals = np.zeros((3, 3))
    misrepresented = np.zeros((3, 3))
    for r in range(3):
        mine = origin == r
        totals[:, r] = bought[:, mine].sum(axis=1)
        misrepresented[:, r] = (bought[:, mine] * fraud[mine]).sum(axis=1)
    return totals, misrepresented
