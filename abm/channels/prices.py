"""A month's expected net price per kg of every sales channel, for the households that need it.

Prices are per village and channel, less a household's own effort on the online channels. Only the
households with a channel choice, and the interested households whose enrolment the translation
weighs, need them, so they are computed for given households (index arrays), not for everyone.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.stages import COOP, LIVE, OFFLINE, SHOP
from agents.farmers import FarmerPopulation

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

    def _columns(self) -> tuple:
        """The household and village columns the compiled price loops read, in their argument order."""
        return (self.households, self.skill, self.member, self.new_farmer, self.monthly_kg, self.effort_cost,
                self.offline_price, self.expected_coop, self.expected_shop, self.expected_live, self.coop_open,
                self.shop_open, self.live_open, self.has_leader)

    def net_prices(self, rows: np.ndarray) -> np.ndarray:
        """Net price per kg of each channel for these households: array (rows, 4)."""
        return _net_prices(rows, *self._columns())

    def online_gain_per_kg(self, rows: np.ndarray) -> np.ndarray:
        """Best net price after own effort over the online channels enrolment would open, less the bulk price.

        -inf where no online channel would open.
        """
        return _online_gain_and_effort(rows, *self._columns())[0]

    def promise_per_kg(self, rows: np.ndarray) -> np.ndarray:
        """Money gain per kg over the bulk price that enrolment promises these households (never negative).

        The channel best after effort, at its expected net price before the household's own effort: the
        promise is judged against realised online net revenue, which effort (time, not money) does not enter.
        """
        return self.enrolment_terms(rows)[1]

    def enrolment_terms(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For these households: expected monthly online gain after effort (yuan), promised money gain per kg."""
        gain_per_kg, effort_per_kg = _online_gain_and_effort(rows, *self._columns())
        return gain_per_kg * self.monthly_kg[rows], np.maximum(gain_per_kg + effort_per_kg, 0.0)


@njit(cache=True, nogil=True)
def _effort_per_kg(skill: np.float32, effort_cost: float, kg: float) -> float:
    """Cost per kg of selling on the shop channel: the effort cost less half of it with full skill.

    In float32 as numpy computed ``effort_cost * (1 - 0.5 * skill)`` on the float32 skill, then per kg.
    """
    return np.float64(np.float32(effort_cost) * (np.float32(1) - skill * np.float32(0.5))) / kg


@njit(cache=True, nogil=True)
def _live_effort_per_kg(effort: float, new_farmer: bool) -> float:
    """A new farmer streams for herself (full effort); a follower streams through a leader."""
    return effort if new_farmer else effort * LEADER_EFFORT_SHARE


@njit(cache=True, nogil=True)
def _net_prices(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, offline_price,
                expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open, has_leader):
    """Net price per kg of each channel for the households ``rows``: array (rows, 4)."""
    net = np.empty((rows.size, 4))
    for k in range(rows.size):
        i = rows[k]
        v = i // households
        effort = _effort_per_kg(skill[i], effort_cost, monthly_kg[i])
        net[k, OFFLINE] = offline_price[v]
        net[k, COOP] = expected_coop[v]
        net[k, SHOP] = expected_shop[v] - effort
        net[k, LIVE] = expected_live[v] - _live_effort_per_kg(effort, new_farmer[i])
    return net


@njit(cache=True, nogil=True)
def _online_gain_and_effort(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, offline_price,
                            expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open,
                            has_leader):
    """Of ``rows``: best online net price per kg after own effort less the bulk price, and that channel's effort.

    The gain is -inf and the effort 0 where no channel would open. The online channels counted are
    those enrolment would open to the household; a member's cooperative costs no effort of its own. On
    a tie the earlier channel (cooperative, shop, livestream) wins.
    """
    gain = np.empty(rows.size)
    best_effort = np.zeros(rows.size)
    for k in range(rows.size):
        i = rows[k]
        v = i // households
        e = _effort_per_kg(skill[i], effort_cost, monthly_kg[i])
        e_live = _live_effort_per_kg(e, new_farmer[i])
        best = expected_coop[v] if member[i] and coop_open[v] else -np.inf
        if shop_open[v] and expected_shop[v] - e > best:
            best, best_effort[k] = expected_shop[v] - e, e
        if (new_farmer[i] or has_leader[v]) and live_open[v] and expected_live[v] - e_live > best:
            best, best_effort[k] = expected_live[v] - e_live, e_live
        gain[k] = best - offline_price[v]
    return gain, best_effort
