"""The urban consumer market: segments with budgets, price sensitivity, taste and trust by origin.

Demand is its own market: each segment's monthly online budget for the kinds of produce the
province grows exists whatever the province offers, grows at its own rate and follows the shopping
calendar; the province's sellers compete for it against an outside option (other provinces,
supermarkets, offline buying), so price, trust, quality signals and delivery move total spending.
"""

from __future__ import annotations

import numpy as np

from abm.core.calendar import month_of_year

SEGMENTS = ("west_urban", "centre_urban", "east_urban")
#: share of the online budget, price-sensitivity multiplier and taste for brand and quality
BUDGET_SHARE = np.array([0.15, 0.30, 0.55])
PRICE_SENSITIVITY = np.array([1.3, 1.0, 0.8])
TASTE = np.array([0.6, 1.0, 1.4])
#: Online retail of physical goods by calendar month (January first) relative to the average month, from
#: NBS's 2024 monthly cumulative releases: November 11.3% of the year (Double 11), June 8.7% (618),
#: December 9.7% (Double 12, New Year), January and February together 13.9% (split 0.9 / 0.77: Spring
#: Festival gift buying falls before the holiday, an assumption), the other seven months share the rest.
#: The harvest season enters through supply (the crop calendar), not here.
_OTHER = (1.0 - 0.113 - 0.087 - 0.097 - 0.139) * 12 / 7
SHOPPING_CALENDAR = np.array([0.90, 0.768, _OTHER, _OTHER, _OTHER, 0.087 * 12, _OTHER, _OTHER, _OTHER, _OTHER,
                              0.113 * 12, 0.097 * 12])


def segment_budgets(households: int, budget: float, growth: float, month: int) -> np.ndarray:
    """Each segment's online budget for the province's kinds of produce in model month ``month`` (yuan).

    ``budget`` yuan a month per household of the province at month 1 (the outside option's share
    included), growing by ``growth`` a year (compounded monthly) and shaped by the shopping calendar.
    """
    level = households * budget * (1.0 + growth) ** ((month - 1) / 12)
    return level * SHOPPING_CALENDAR[month_of_year(month) - 1] * BUDGET_SHARE


class ConsumerMarket:
    """Urban demand for rural produce, modelled as three segments rather than individuals."""

    def __init__(self, initial_trust: float, learning: float, brand_taste_weight: float) -> None:
        """Start every segment with the same trust in produce from every origin region.

        ``brand_taste_weight`` scales the segments' taste for brands (:data:`TASTE`) into utils.
        """
        self.trust = np.full((len(SEGMENTS), 3), initial_trust)
        self.learning = learning
        self.brand_taste_weight = brand_taste_weight

    def utility(self, log_price_ratio: np.ndarray, credibility: np.ndarray, origin: np.ndarray,
                brand: np.ndarray, reach: np.ndarray, trust_weight: float, sensitivity: float,
                loss: np.ndarray, delivery_weight: float) -> np.ndarray:
        """Each segment's utility of each seller group: array (segment, group).

        Price, trust in the origin times the claim's credibility, brand, reach, and delivery: the
        share of the kg that spoils on the way (slow, warm routes) costs ``delivery_weight`` utils.
        """
        trust = self.trust[:, origin]
        return (-sensitivity * PRICE_SENSITIVITY[:, None] * log_price_ratio[None, :]
                + trust_weight * trust * credibility
                + TASTE[:, None] * self.brand_taste_weight * brand[None, :]
                + (np.log(reach) - delivery_weight * loss)[None, :])

    def demand(self, budget: np.ndarray, weight: np.ndarray, utility: np.ndarray, outside: float, nest: np.ndarray,
               dissimilarity: float, rest_weight: np.ndarray, rest_utility: np.ndarray) -> np.ndarray:
        """Spending (yuan) of each segment on each group: a nested logit in a national market.

        Each crop is a nest of near substitutes, and every nest also holds the rest of the nation's
        online supply of that crop (weight ``R_c``, utility ``u_rsc``, array (segment, crop)), so the province is a
        small seller in each national market: its groups compete with each other only as much as
        with everyone else selling the crop. With ``S_sc = R_c exp(u_rsc / l) + sum_{h in c} w_h exp(u_sh / l)``,
        ``D_sg = B_s (w_g exp(u_sg / l) / S_sc) S_sc^l / (exp(u0) + sum_c S_sc^l)``; ``B_s`` is the segment's
        national budget for the crops (:func:`segment_budgets`), ``w_g`` the group's sellers per household
        of the province (each shop has its customers), ``l`` the dissimilarity and ``u0`` the outside option
        (supermarkets, offline buying). The province's residual
        demand then has a price elasticity of about ``1 + price coefficient / l`` in kg.
        """
        top = max(float(utility.max(initial=outside)), float(rest_utility.max()), outside) / dissimilarity
        e = weight[None, :] * np.exp(utility / dissimilarity - top)
        rest = rest_weight[None, :] * np.exp(rest_utility / dissimilarity - top)
        within = np.stack([np.bincount(nest, weights=row, minlength=rest_weight.size) for row in e]) + rest
        nest_term = within ** dissimilarity
        denom = np.exp(outside - dissimilarity * top) + nest_term.sum(axis=1, keepdims=True)
        share_in_nest = e / within[:, nest]
        return budget[:, None] * share_in_nest * nest_term[:, nest] / denom

    @staticmethod
    def rest_utility(trust_weight: float, national_trust: float, delivery_weight: float, national_loss: np.ndarray,
                     branded_share: float, brand_taste_weight: float, brand_price_utility: float,
                     dissimilarity: float) -> np.ndarray:
        """Each segment's utility of the rest of the nation's produce of each crop: array (segment, crop).

        The nation's sellers are trusted at ``national_trust`` and lose ``national_loss`` of each crop on
        the way; ``branded_share`` of them sell under a regional brand, which each segment values at its
        taste for brands (:data:`TASTE`) and which costs ``brand_price_utility`` utils of price a unit of
        price sensitivity (the brand's price over the reference). The mix enters the nest as its
        inclusive value: ``u + l log((1 - b) + b exp(brand utility / l))``, so a branded group of the
        province competes with the nation's brands and an unbranded one with the nation's plain produce.
        """
        plain = trust_weight * national_trust - delivery_weight * national_loss
        brand = TASTE * brand_taste_weight - PRICE_SENSITIVITY * brand_price_utility
        mix = dissimilarity * np.log1p(branded_share * np.expm1(brand / dissimilarity))
        return plain[None, :] + mix[:, None]

    def learn(self, bought: np.ndarray, disappointed: np.ndarray, noticed_markup: float) -> None:
        """Update trust by (segment, origin) from last month's purchases.

        Experience is the share of purchases that were as claimed, less the markup loyal buyers noticed.
        """
        has = bought > 0
        experience = np.clip(1.0 - disappointed / np.maximum(bought, 1e-9) - noticed_markup, 0.0, 1.0)
        self.trust = np.where(has, (1 - self.learning) * self.trust + self.learning * experience, self.trust)
