"""The channels' equations in plain numpy: what the kernels of :mod:`abm.channels.prices` and `.choice` compute.

Read these to see the equations; the kernels compute the same numbers household by household in
one compiled pass (``tests/abm/test_channel_prices_reference.py`` and
``tests/abm/test_channel_choice_reference.py`` check them bit for bit on random inputs). The
arguments are those of the kernels, in their order (for the prices, :meth:`ChannelPrices._columns`).
"""

from __future__ import annotations

import numpy as np

from abm.core.stages import COOP, ENROLLED, LIVE, OFFLINE, SHOP


def effort_per_kg(skill: np.ndarray, effort_cost: float, kg: np.ndarray) -> np.ndarray:
    """Shop effort per kg: ``effort_cost * (1 - 0.5 * skill)`` in float32 (the skill's type), then per kg."""
    return (np.float32(effort_cost) * (np.float32(1) - skill * np.float32(0.5))).astype(np.float64) / kg


def live_effort_per_kg(effort: np.ndarray, new_farmer: np.ndarray, leader_share: float) -> np.ndarray:
    """A new farmer streams for herself (full effort); a follower streams through a leader (``leader_share`` of it)."""
    return np.where(new_farmer, effort, effort * leader_share)


def net_prices(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, leader_share, offline_price,
               expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open, has_leader
               ) -> np.ndarray:
    """Net price per kg of each channel for the households ``rows``: the village's price less own effort, (rows, 4)."""
    v = rows // households
    effort = effort_per_kg(skill[rows], effort_cost, monthly_kg[rows])
    net = np.empty((rows.size, 4))
    net[:, OFFLINE] = offline_price[v]
    net[:, COOP] = expected_coop[v]
    net[:, SHOP] = expected_shop[v] - effort
    net[:, LIVE] = expected_live[v] - live_effort_per_kg(effort, new_farmer[rows], leader_share)
    return net


def online_gain_and_effort(rows, households, skill, member, new_farmer, monthly_kg, effort_cost, leader_share,
                           offline_price,
                           expected_coop, expected_shop, expected_live, coop_open, shop_open, live_open,
                           has_leader) -> tuple[np.ndarray, np.ndarray]:
    """Best net price per kg after own effort over the channels enrolment would open, less the bulk price; its effort.

    The cooperative counts for a member where logistics serve the village, the shop where the
    village also has broadband, the livestream where it has 5G and a new farmer streams (the
    household or a leader of the village); -inf where none is open.
    """
    v = rows // households
    effort = effort_per_kg(skill[rows], effort_cost, monthly_kg[rows])
    own_effort = np.stack([np.zeros(rows.size), effort, live_effort_per_kg(effort, new_farmer[rows], leader_share)])
    live = (new_farmer[rows] | has_leader[v]) & live_open[v]
    net = np.stack([np.where(member[rows] & coop_open[v], expected_coop[v], -np.inf),
                    np.where(shop_open[v], expected_shop[v] - effort, -np.inf),
                    np.where(live, expected_live[v] - own_effort[2], -np.inf)])
    best = np.argmax(net, axis=0)  # the first of equal channels
    column = np.arange(rows.size)
    return net[best, column] - offline_price[v], np.where(np.isfinite(net[best, column]), own_effort[best, column], 0.0)


def open_channel_bits(stage, member, new_farmer, shop_village, live_village, served_village, leader_village
                      ) -> np.ndarray:
    """Bit ``k`` of each household's uint8 is set where channel ``k`` is open to it.

    Offline always; the cooperative for a member in a served village; the shop for an enrolled
    household in a village with the shop open; the livestream for an enrolled household in a
    village with it open, when the household or a leader of the village is a new farmer.
    """
    households = stage.size // served_village.size
    enrolled = stage >= ENROLLED
    coop = member & np.repeat(served_village, households)
    shop = enrolled & np.repeat(shop_village, households)
    live = enrolled & (new_farmer | np.repeat(leader_village, households)) & np.repeat(live_village, households)
    return ((1 << OFFLINE) | (coop << COOP) | (shop << SHOP) | (live << LIVE)).astype(np.uint8)


def idle_channels_and_choosers(open_bits, offer, current) -> tuple[np.ndarray, np.ndarray]:
    """Channels of the households without produce (0 for the rest), and the households who choose.

    Without produce (not ``offer > 0``) a household keeps its ``current`` channel while it is open,
    else sells offline; with produce it chooses where more than the offline channel is open.
    """
    idle = ~(offer > 0)
    still_open = (open_bits >> current) & 1 == 1
    channel = np.where(idle & still_open, current, 0).astype(np.int8)
    return channel, np.flatnonzero(~idle & (open_bits != 1 << OFFLINE))


def logit_pick(net, open_bits, current, draws, sensitivity, inertia) -> np.ndarray:
    """Channel picked in each row: a logit over the open channels with ``inertia`` for the current one.

    Utilities ``sensitivity * log(max(net, 1e-3))`` (-inf where closed) plus ``inertia`` for the
    current channel, less the row maximum; weights their ``exp``; the pick is the number of running
    totals the draw times the total exceeds, capped at 3.
    """
    is_open = (open_bits[:, None] >> np.arange(4)) & 1 == 1
    utility = np.where(is_open, sensitivity * np.log(np.maximum(net, 1e-3)), -np.inf)
    utility[np.arange(net.shape[0]), current] += inertia
    weight = np.where(is_open, np.exp(utility - utility.max(axis=1, keepdims=True)), 0.0)
    running = np.cumsum(weight, axis=1)
    drawn = draws.astype(np.float64)[:, None] * running[:, -1:]
    return np.minimum((drawn > running).sum(axis=1), 3).astype(np.int8)
