"""Which sales channels a household can use this month, and which one it picks (compiled kernels).

A household's open channels are one uint8 of bits (bit ``k`` for channel ``k`` of
:mod:`abm.core.stages`). Households with produce and more than the offline channel open pick by
a logit over expected net prices per kg, with inertia for their current channel; the others keep
their channel while it is open. :mod:`abm.channels.reference` holds the same equations in plain
numpy (``tests/abm/test_channel_choice_reference.py`` checks them on random inputs).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from abm.core.kernels import np_maximum
from abm.core.stages import COOP, ENROLLED, LIVE, OFFLINE, SHOP
from agents.farmers import FarmerPopulation


def open_channels(f: FarmerPopulation, village_broadband: np.ndarray, village_g5: np.ndarray,
                  village_served: np.ndarray, village_has_leader: np.ndarray) -> np.ndarray:
    """Which channels each household can use: one uint8 per household, bit ``k`` set where channel ``k`` is open.

    Offline is always open. Online channels need enrolment and logistics; the shop needs
    broadband; the livestream needs 5G and a new farmer in the village (the household itself, or
    a leader whose livestream followers sell through).
    """
    return _open_channel_bits(f.stage, f.member, f.new_farmer, village_served & village_broadband,
                              village_served & village_g5, village_served, village_has_leader)


def choose_channels(current: np.ndarray, open_bits: np.ndarray, offer: np.ndarray,
                    net_price_of: Callable[[np.ndarray], np.ndarray], sensitivity: float, inertia: float,
                    draws: np.ndarray) -> np.ndarray:
    """Each household's channel this month: logit with inertia over the open channels (``open_bits``).

    The choice is by expected net price per kg, for households with produce (``offer > 0``);
    those without keep their ``current`` channel while it stays open. A household whose only open
    channel is offline picks it whatever the draw (its cumulative weights are all 1), so only
    households with a choice and produce are computed: ``net_price_of(rows)`` gives their net
    prices, array (rows, 4).
    """
    channel, rows = _idle_channels_and_choosers(open_bits, offer, current)
    if rows.size:
        channel[rows] = _logit_pick(net_price_of(rows), open_bits[rows], current[rows], draws[rows],
                                    sensitivity, inertia)
    return channel


@njit(cache=True, nogil=True)
def _open_channel_bits(stage: np.ndarray, member: np.ndarray, new_farmer: np.ndarray, shop_village: np.ndarray,
                       live_village: np.ndarray, served_village: np.ndarray, leader_village: np.ndarray) -> np.ndarray:
    """The open-channel bits of every household, village by village (see :func:`open_channels`)."""
    bits = np.empty(stage.size, np.uint8)
    households = stage.size // served_village.size
    for v in range(served_village.size):
        for i in range(v * households, (v + 1) * households):
            enrolled = stage[i] >= ENROLLED
            b = 1 << OFFLINE
            b |= (member[i] & served_village[v]) << COOP
            b |= (enrolled & shop_village[v]) << SHOP
            b |= (enrolled & (new_farmer[i] | leader_village[v]) & live_village[v]) << LIVE
            bits[i] = b
    return bits


@njit(cache=True, nogil=True)
def _idle_channels_and_choosers(open_bits: np.ndarray, offer: np.ndarray, current: np.ndarray) -> tuple:
    """Channels of the households without produce, and the households who choose (index array).

    A household without produce (not ``offer > 0``) keeps its channel while it is open and is
    otherwise offline; one with produce and more than the offline channel open chooses (its entry
    is left 0 here); the rest sell offline.
    """
    channel = np.zeros(open_bits.size, np.int8)
    rows = np.empty(open_bits.size, np.intp)
    count = 0
    for i in range(open_bits.size):
        if not offer[i] > 0:
            if (open_bits[i] >> current[i]) & 1:
                channel[i] = current[i]
        elif open_bits[i] != 1 << OFFLINE:
            rows[count] = i
            count += 1
    return channel, rows[:count].copy()


@njit(cache=True, nogil=True)
def _logit_pick(net: np.ndarray, open_bits: np.ndarray, current: np.ndarray, draws: np.ndarray,
                sensitivity: float, inertia: float) -> np.ndarray:
    """Channel picked in each row: logit over the open channels, with inertia for the current one if open.

    Row by row, the arithmetic of the full (rows, 4) numpy computation: utilities
    ``sensitivity * log(max(net, 1e-3))`` (-inf where closed), plus ``inertia``, less the row maximum;
    weights ``exp`` of them (0 where closed); the draw times the weights' running total counted
    against each running total, capped at 3.
    """
    picks = np.empty(net.shape[0], np.int8)
    utility = np.empty(4)
    weight = np.empty(4)
    for row in range(net.shape[0]):
        bits = open_bits[row]
        for k in range(4):
            utility[k] = sensitivity * np.log(np_maximum(net[row, k], 1e-3)) if (bits >> k) & 1 else -np.inf
        if (bits >> current[row]) & 1:
            utility[current[row]] += inertia
        top = np_maximum(np_maximum(utility[0], utility[1]), np_maximum(utility[2], utility[3]))
        for k in range(4):
            weight[k] = np.exp(utility[k] - top) if (bits >> k) & 1 else 0.0
        c1 = weight[0] + weight[1]
        c2 = c1 + weight[2]
        c3 = c2 + weight[3]
        x = np.float64(draws[row]) * c3
        pick = (x > weight[0]) + (x > c1) + (x > c2) + (x > c3)
        picks[row] = min(pick, 3)
    return picks
