"""Farmer households as a structure of arrays in grid order, and their vectorised decisions.

Farmer ``i`` lives in village ``i // households``; every attribute is one numpy column. Decisions
are synchronous: all farmers decide on last month's information, so whole-array updates are exact.
"""

from __future__ import annotations

import numpy as np

#: sales channels
OFFLINE, COOP, SHOP, LIVE = 0, 1, 2, 3
CHANNELS = ("offline", "cooperative", "platform_shop", "livestream")
#: translation stages (actor-network theory's moments), plus "not reached"
NOT_REACHED, PROBLEMATISED, INTERESTED, ENROLLED, MOBILISED = 0, 1, 2, 3, 4
STAGES = ("not_reached", "problematised", "interested", "enrolled", "mobilised")
NO_LINK = -1_000_000  # link_since of a household with no live link to the network


class FarmerPopulation:
    """All farmer households of the province, one numpy column per attribute."""

    def __init__(self, village_region: np.ndarray, village_crop: np.ndarray, households: int,
                 junior_share: np.ndarray, trained_share: float, initial_online: np.ndarray,
                 member_share: np.ndarray, rng: np.random.Generator) -> None:
        """Draw the initial households of every village.

        Args:
            village_region: region index of each village.
            village_crop: crop index of each village.
            households: households per village.
            junior_share: share with junior schooling or less, by region.
            trained_share: share systematically trained at the start.
            initial_online: share already selling online, by region.
            member_share: probability of cooperative membership, per village (0 without a cooperative).
            rng: the model's generator.
        """
        self.households = households
        n = village_region.size * households
        self.n = n
        region = np.repeat(village_region, households)
        self.region = region
        self.crop = np.repeat(village_crop, households)
        u = rng.random((7, n), dtype=np.float32)
        # Schooling: 0 junior or less, 1 senior high, 2 college (college a fifth of the rest).
        junior = junior_share[region]
        self.schooling = np.where(u[0] < junior, 0, np.where(u[0] < junior + (1 - junior) * 0.8, 1, 2)).astype(np.int8)
        self.trained = u[1] < trained_share
        self.skill = (0.15 + 0.2 * self.schooling + 0.25 * self.trained + 0.1 * u[2]).astype(np.float32)
        self.quality = rng.beta(4.0, 3.0, n).astype(np.float32)
        self.productivity = rng.lognormal(0.0, 0.35, n).astype(np.float32)
        self.honesty = (0.5 + u[3]).astype(np.float32)
        self.member = u[4] < np.repeat(member_share, households)
        online = u[5] < initial_online[region]
        self.stage = np.where(online, ENROLLED, NOT_REACHED).astype(np.int8)
        self.channel = np.where(online, SHOP, np.where(self.member, COOP, OFFLINE)).astype(np.int8)
        # Links of households already online date from one to five years before the start.
        self.link_since = np.where(online, -12 - (48 * u[6]).astype(np.int32), NO_LINK).astype(np.int32)
        self.wage_factor = rng.lognormal(-0.18, 0.6, n).astype(np.float32)
        self.shortfall = np.zeros(n, np.int8)
        self.promised = np.zeros(n, np.float32)
        self.new_farmer = np.zeros(n, bool)
        self.returnee = np.zeros(n, bool)
        self.traced = np.zeros(n, bool)
        self.misrepresent = np.zeros(n, bool)
        self.reputation = np.full(n, 0.5, np.float32)
        self.sales_count = np.where(online, 12, 0).astype(np.float32)
        self.stock = np.zeros(n, np.float32)
        self.cash = np.zeros(n, np.float64)
        self.income_month = np.zeros(n, np.float64)
        self.income_ytd = np.zeros(n, np.float64)
        self.income_year = np.zeros(n, np.float64)
        self.online_kg_ytd = np.zeros(n, np.float32)
        self.online_revenue_ytd = np.zeros(n, np.float64)
        self.online_revenue_year = np.zeros(n, np.float64)

    @property
    def online(self) -> np.ndarray:
        """Households that sell online this month (shop, livestream or cooperative)."""
        return self.channel != OFFLINE

    @property
    def enrolled(self) -> np.ndarray:
        """Households enrolled or mobilised in the e-commerce network."""
        return self.stage >= ENROLLED

    def village_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a farmer column over each village (grid order makes it a reshape)."""
        return values.reshape(-1, self.households).sum(axis=1, dtype=np.float64)

    def village_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a farmer column in each village."""
        return self.village_sum(values) / self.households

    def open_channels(self, village_broadband: np.ndarray, village_g5: np.ndarray, village_served: np.ndarray,
                      village_has_leader: np.ndarray, enrolled: np.ndarray | bool | None = None) -> np.ndarray:
        """Which channels each household can use: array (n, 4) of bool.

        Online channels need enrolment (pass ``enrolled=True`` for the channels enrolment would
        open) and logistics; the shop needs broadband; the livestream needs 5G and a new farmer in the
        village (the household itself, or a leader whose livestream followers sell through).
        """
        enrolled = self.enrolled if enrolled is None else enrolled
        hh = self.households
        served = np.repeat(village_served, hh)
        online = enrolled & served
        return np.stack([
            np.ones(self.n, bool),
            self.member & served,
            online & np.repeat(village_broadband, hh),
            online & np.repeat(village_g5, hh) & (self.new_farmer | np.repeat(village_has_leader, hh)),
        ], axis=1)

    def choose_channels(self, net_price: np.ndarray, open_mask: np.ndarray, sensitivity: float,
                        inertia: float, draws: np.ndarray) -> None:
        """Logit choice with inertia over the open channels by expected net price per kg."""
        utility = sensitivity * np.log(np.maximum(net_price, 1e-3))
        utility[np.arange(self.n), self.channel] += inertia
        utility = np.where(open_mask, utility, -np.inf)
        utility -= utility.max(axis=1, keepdims=True)
        weights = np.exp(utility)
        cum = np.cumsum(weights, axis=1)
        pick = (draws[:, None] * cum[:, -1:] > cum).sum(axis=1)
        self.channel = np.minimum(pick, 3).astype(np.int8)

    def decide_fraud(self, gain_share: np.ndarray, detection: np.ndarray, penalty: np.ndarray) -> None:
        """Misrepresent quality where the expected net gain beats the household's honesty.

        The expected net gain per yuan of premium is ``1 - detection * (1 + penalty)``; a household
        lies when that exceeds its honesty threshold (uniform 0.5-1.5), and only where a premium of
        at least 1% of the price is to be had.
        """
        expected = 1.0 - detection * (1.0 + penalty)
        self.misrepresent = (gain_share > 0.01) & (expected > self.honesty) & self.online & ~self.traced

    def decide_traceability(self, gain_per_kg: np.ndarray, cost_per_kg: float, fixed_cost: float,
                            monthly_kg: np.ndarray) -> None:
        """Online sellers verify their quality where the premium it earns beats its cost per kg.

        The fixed monthly cost spread over a small seller's few kilograms is what small sellers feel.
        """
        cost = cost_per_kg + fixed_cost / np.maximum(monthly_kg, 1.0)
        self.traced = self.online & (gain_per_kg > cost)

    def close_year(self) -> None:
        """Move this year's income to last year's and start a new year."""
        self.income_year[:] = self.income_ytd
        self.income_ytd[:] = 0.0
        self.online_revenue_year[:] = self.online_revenue_ytd
        self.online_revenue_ytd[:] = 0.0
        self.online_kg_ytd[:] = 0.0
