"""A month's expected net price per kg of every sales channel, for the households that need it.

Prices are per village and channel, less a household's own effort on the online channels. Only the
households with a channel choice, and the interested households whose enrolment the translation
weighs, need them, so they are computed for given households (index arrays), not for everyone.
"""

from __future__ import annotations

import numpy as np

from agents.farmers import COOP, LIVE, OFFLINE, SHOP, FarmerPopulation

LEADER_EFFORT_SHARE = 0.3  # a follower streams through a new farmer: this share of a streamer's effort


class ChannelPrices:
    """Expected net prices per kg of the month, frozen when the month's channels are chosen.

    The columns later phases of the month change are copied at construction (market clearing moves
    expectations, learning raises skill), so the translation sees the prices the choice saw.
    """

    def __init__(self, f: FarmerPopulation, offline_price: np.ndarray, expected_net: np.ndarray,
                 monthly_kg: np.ndarray, effort_cost: float, village_served: np.ndarray,
                 village_broadband: np.ndarray, village_g5: np.ndarray, village_has_leader: np.ndarray) -> None:
        """Snapshot of this month's prices and of the household columns they depend on.

        Args:
            f: the farmer population (skill, membership and new farmers are copied).
            offline_price: bulk price per kg of each village.
            expected_net: expected net price per kg of each (village, online channel) group, in group order.
            monthly_kg: each household's marketable kg in a month (constant in a run: not copied).
            effort_cost: monthly cost of selling online for an unskilled household, yuan.
            village_served: a logistics provider serves the village.
            village_broadband: the village has broadband.
            village_g5: the village has 5G.
            village_has_leader: the village has a new farmer, whom followers stream through.
        """
        self.households = f.households
        self.skill = f.skill.copy()
        self.member = f.member.copy()
        self.new_farmer = f.new_farmer.copy()
        self.offline_price = offline_price
        by_group = expected_net.reshape(-1, 3)
        # One contiguous copy per channel: a gather from it is faster than from a strided column.
        self.expected_coop, self.expected_shop, self.expected_live = (by_group[:, k].copy() for k in range(3))
        self.monthly_kg = monthly_kg
        self.effort_cost = effort_cost
        self.coop_open = village_served.copy()
        self.shop_open = village_served & village_broadband
        self.live_open = village_served & village_g5
        self.has_leader = village_has_leader.copy()

    def effort_per_kg(self, rows: np.ndarray) -> np.ndarray:
        """Cost per kg of selling on the shop channel: the effort cost less half of it with full skill."""
        effort = np.multiply(self.skill[rows], 0.5)  # float32, as cost * (1 - 0.5 * skill)
        np.subtract(1, effort, out=effort)
        np.multiply(self.effort_cost, effort, out=effort)
        return effort / self.monthly_kg[rows]

    def _live_effort_per_kg(self, rows: np.ndarray, effort: np.ndarray) -> np.ndarray:
        """A new farmer streams for herself (full effort); a follower streams through a leader."""
        return np.where(self.new_farmer[rows], effort, effort * LEADER_EFFORT_SHARE)

    def net_prices(self, rows: np.ndarray) -> np.ndarray:
        """Net price per kg of each channel for these households: array (rows, 4)."""
        village = rows // self.households
        effort = self.effort_per_kg(rows)
        net = np.empty((4, rows.size))  # built channel by channel, handed over as (rows, 4)
        net[OFFLINE] = self.offline_price[village]
        net[COOP] = self.expected_coop[village]
        net[SHOP] = self.expected_shop[village] - effort
        net[LIVE] = self.expected_live[village] - self._live_effort_per_kg(rows, effort)
        return net.T

    def online_gain_per_kg(self, rows: np.ndarray, effort: np.ndarray | None = None) -> np.ndarray:
        """Best net price over the online channels enrolment would open, less the bulk price (-inf: none).

        ``effort`` is these households' :meth:`effort_per_kg`, where the caller has it already.
        """
        village = rows // self.households
        if effort is None:
            effort = self.effort_per_kg(rows)
        best = np.where(self.member[rows] & self.coop_open[village], self.expected_coop[village], -np.inf)
        shop = np.where(self.shop_open[village], self.expected_shop[village] - effort, -np.inf)
        np.maximum(best, shop, out=best)
        live_open = (self.new_farmer[rows] | self.has_leader[village]) & self.live_open[village]
        live = np.where(live_open, self.expected_live[village] - self._live_effort_per_kg(rows, effort), -np.inf)
        np.maximum(best, live, out=best)
        return best - self.offline_price[village]

    def promise_per_kg(self, rows: np.ndarray) -> np.ndarray:
        """Gain per kg over the bulk price that enrolment promises these households (never negative)."""
        return np.maximum(self.online_gain_per_kg(rows), 0.0)

    def enrolment_terms(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For these households: expected monthly online gain, promised gain per kg, monthly effort cost (yuan)."""
        effort = self.effort_per_kg(rows)
        gain_per_kg = self.online_gain_per_kg(rows, effort)
        kg = self.monthly_kg[rows]
        return gain_per_kg * kg, np.maximum(gain_per_kg, 0.0), effort * kg
