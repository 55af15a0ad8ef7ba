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

    def demand(self, budget: float, weight: np.ndarray, utility: np.ndarray, outside: float, nest: np.ndarray,
               dissimilarity: float) -> np.ndarray:
        """Spending (yuan) of each segment on each group: a nested logit with an outside option.

        Groups selling the same crop form a nest of near substitutes (homogeneous produce competes on
        one pool of demand: 001's and 002's price wars). With ``S_sc = sum_{h in c} w_h exp(u_sh / l)``,
        ``D_sg = B_s (w_g exp(u_sg / l) / S_sc) S_sc^l / (exp(u0) + sum_c S_sc^l)``; ``w_g`` is the
        group's share of all produce on offer and ``l`` the dissimilarity. At ``l = 1`` this is a plain
        logit in which every seller brings its own demand; below 1 a crop's demand grows more slowly than
        its supply, so entry lowers the price per kg.
        """
        top = max(float(utility.max(initial=outside)) / dissimilarity, outside / dissimilarity)
        e = weight[None, :] * np.exp(utility / dissimilarity - top)
        nests = int(nest.max(initial=-1)) + 1
        within = np.stack([np.bincount(nest, weights=row, minlength=nests) for row in e])
        nest_term = within ** dissimilarity
        denom = np.exp(outside - dissimilarity * top) + nest_term.sum(axis=1, keepdims=True)
        share_in_nest = e / np.maximum(within[:, nest], 1e-300)
        return budget * BUDGET_SHARE[:, None] * share_in_nest * nest_term[:, nest] / denom

    def learn(self, bought: np.ndarray, disappointed: np.ndarray, noticed_markup: float) -> None:
        """Update trust by (segment, origin) from last month's purchases.

        Experience is the share of purchases that were as claimed, less the markup loyal buyers noticed.
        """
        has = bought > 0
        experience = np.clip(1.0 - disappointed / np.maximum(bought, 1e-9) - noticed_markup, 0.0, 1.0)
        self.trust = np.where(has, (1 - self.learning) * self.trust + self.learning * experience, self.trust)
