"""The urban consumer market: segments with budgets, price sensitivity, taste and trust by origin."""

from __future__ import annotations

import numpy as np

SEGMENTS = ("west_urban", "centre_urban", "east_urban")
#: share of the online budget, price-sensitivity multiplier and taste for brand and quality
BUDGET_SHARE = np.array([0.15, 0.30, 0.55])
PRICE_SENSITIVITY = np.array([1.3, 1.0, 0.8])
TASTE = np.array([0.6, 1.0, 1.4])


class ConsumerMarket:
    """Urban demand for rural produce, modelled as three segments rather than individuals."""

    def __init__(self, initial_trust: float, learning: float) -> None:
        """Start every segment with the same trust in produce from every origin region."""
        self.trust = np.full((len(SEGMENTS), 3), initial_trust)
        self.learning = learning

    def utility(self, log_price_ratio: np.ndarray, credibility: np.ndarray, origin: np.ndarray,
                brand: np.ndarray, reach: np.ndarray, trust_weight: float, sensitivity: float) -> np.ndarray:
        """Each segment's utility of each seller group: array (segment, group)."""
        trust = self.trust[:, origin]
        return (-sensitivity * PRICE_SENSITIVITY[:, None] * log_price_ratio[None, :]
                + trust_weight * trust * credibility
                + TASTE[:, None] * 0.5 * brand[None, :]
                + np.log(reach)[None, :])

    def demand(self, budget: float, weight: np.ndarray, utility: np.ndarray, outside: float) -> np.ndarray:
        """Spending (yuan) of each segment on each group: a logit with an outside option.

        ``D_sg = B_s w_g exp(u_sg) / (exp(u0) + sum_h w_h exp(u_sh))``, with ``w_g`` the group's share
        of all produce on offer, so the inside share does not depend on how many groups there are.
        """
        top = max(utility.max(initial=outside), outside)
        e = weight[None, :] * np.exp(utility - top)
        denom = np.exp(outside - top) + e.sum(axis=1, keepdims=True)
        return budget * BUDGET_SHARE[:, None] * e / denom

    def learn(self, bought: np.ndarray, disappointed: np.ndarray, noticed_markup: float) -> None:
        """Update trust by (segment, origin) from last month's purchases.

        Experience is the share of purchases that were as claimed, less the markup loyal buyers noticed.
        """
        has = bought > 0
        experience = np.clip(1.0 - disappointed / np.maximum(bought, 1e-9) - noticed_markup, 0.0, 1.0)
        self.trust = np.where(has, (1 - self.learning) * self.trust + self.learning * experience, self.trust)
