"""The channel prices' equations in plain numpy: what each kernel of :mod:`abm.channels.prices` computes.

Read these to see the equations; the kernels compute the same numbers household by household in
one compiled pass (``tests/abm/test_channel_prices_reference.py`` checks them bit for bit on random
inputs). The arguments are those of the kernels, in their order (:meth:`ChannelPrices._columns`).
"""

from __future__ import annotations

import numpy as np

from abm.channels.prices import LEADER_EFFORT_SHARE
from abm.core.stages import COOP, LIVE, OFFLINE, SHOP


def effort_per_kg(skill: np.ndarray, effort_cost: float, kg: np.ndarray) -> np.ndarray:
    """Shop effort per kg: ``effort_cost * (1 - 0.5 * skill)`` in float32 (the skill's type), then per kg."""
    return (np.float32(effort_cost) * (np.float32(1) - skill * np.float32(0.5))).astype(np.float64) / kg


def live_effort_per_kg(effort: np.ndarray, new_farmer: np.ndarray) -> np.ndarray:
    """A new farmer streams for herself (full effort); a follower streams through a leader (a share of it)."""
    return np.where(new_farmer, effort, effort * LEADER_EFFORT_SHARE)


def net_prices(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, offline_price,
               expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open, has_leader
               ) -> np.ndarray:
    """Net price per kg of each channel for the households ``rows``: the village's price less own effort, (rows, 4)."""
    v = rows // households
    effort = effort_per_kg(skill[rows], effort_cost, monthly_kg[rows])
    net = np.empty((rows.size, 4))
    net[:, OFFLINE] = offline_price[v]
    net[:, COOP] = expected_coop[v]
    net[:, SHOP] = expected_shop[v] - effort
    net[:, LIVE] = expected_live[v] - live_effort_per_kg(effort, new_farmer[rows])
    return net


def online_gain_and_effort(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, offline_price,
                           expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open,
                           has_leader) -> tuple[np.ndarray, np.ndarray]:
    """Best net price per kg after own effort over the channels enrolment would open, less the bulk price; its effort.

    The cooperative counts for a member where logistics serve the village, the shop where the
    village also has broadband, the livestream where it has 5G and a new farmer streams (the
    household or a leader of the village); -inf where none is open.
    """
    v = rows // households
    effort = effort_per_kg(skill[rows], effort_cost, monthly_kg[rows])
    own_effort = np.stack([np.zeros(rows.size), effort, live_effort_per_kg(effort, new_farmer[rows])])
    live = (new_farmer[rows] | has_leader[v]) & live_open[v]
    net = np.stack([np.where(member[rows] & coop_open[v], expected_coop[v], -np.inf),
                    np.where(shop_open[v], expected_shop[v] - effort, -np.inf),
                    np.where(live, expected_live[v] - own_effort[2], -np.inf)])
    best = np.argmax(net, axis=0)  # the first of equal channels
    column = np.arange(rows.size)
    return net[best, column] - offline_price[v], np.where(np.isfinite(net[best, column]), own_effort[best, column], 0.0)
