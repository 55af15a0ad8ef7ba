"""The monthly step's compiled kernels over the households: harvest, income, learning, village counts.

Each does numpy's exact arithmetic in one pass over the households in grid order; the plain numpy
equations are in :mod:`abm.income.reference` (``tests/abm/test_month_kernels.py`` compares them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.stages import COOP, ENROLLED, LIVE, SHOP
from agents.platform import EASTERN_LIVESTREAM


@njit(cache=True, nogil=True)
def _month_income(offline_revenue: np.ndarray, sellers: np.ndarray, seller_net: np.ndarray, offwork: np.ndarray,
                  production: np.ndarray, allowance: np.ndarray, cash: np.ndarray,
                  income_ytd: np.ndarray) -> np.ndarray:
    """Each household's income this month, added to its cash and its income so far this year.

    Bulk sales, plus online net income (``sellers``, sorted, alone have one), plus wages, less
    production cost, plus allowances: the additions, in this order, of the in-place numpy sums.
    """
    income = offline_revenue.copy()
    for k in range(sellers.size):  # a separate pass: sellers are scattered, a test per household mispredicts
        income[sellers[k]] += seller_net[k]
    for i in range(income.size):
        income[i] = value = ((income[i] + offwork[i]) - production[i]) + allowance[i]
        cash[i] += value
        income_ytd[i] += value
    return income


@njit(cache=True, nogil=True)
def _harvest_households(village_yield: np.ndarray, productivity: np.ndarray, home_share: np.ndarray,
                        storable: np.ndarray, stock_sale_share: float, stock: np.ndarray) -> tuple:
    """Each household's kg on offer, harvested, kept at home and added to stock (float32), in one pass.

    The harvest is the village's yield per unit of productivity times the household's, rounded to
    float32; storable crops go to stock (updated in place) and a ``stock_sale_share`` of the stock
    is offered, the rest is offered at once: numpy's float32 arithmetic, step by step.
    """
    n = productivity.size
    households = n // village_yield.size
    offer = np.empty(n, np.float32)
    harvested = np.empty(n, np.float32)
    home = np.empty(n, np.float32)
    stock_change = np.empty(n, np.float32)
    share = np.float32(stock_sale_share)
    zero = np.float32(0.0)
    for v in range(village_yield.size):
        for i in range(v * households, (v + 1) * households):
            h = np.float32(village_yield[v] * np.float64(productivity[i]))
            kept = h * home_share[i]
            net = h - kept
            harvested[i] = h
            home[i] = kept
            if storable[i]:
                in_stock = stock[i] + net
                from_stock = in_stock * share
                stock[i] = in_stock - from_stock
                offer[i] = from_stock
                stock_change[i] = net - from_stock
            else:
                stock[i] = (stock[i] + zero) - zero
                offer[i] = net
                stock_change[i] = zero - zero
    return offer, harvested, home, stock_change


@njit(cache=True, nogil=True)
def _learn_sellers(sellers, seller_delivered, seller_caught, skill, reputation, sales_count,
                   skill_learning: float) -> None:
    """Sellers who delivered learn: skill, rating (20% towards not caught) and months of sales, in place.

    numpy's float32 and float64 steps, seller by seller (promises are judged in :mod:`abm.promises.judge`).
    """
    learning = np.float32(skill_learning)
    for k in range(sellers.size):
        if seller_delivered[k] > 0:
            i = sellers[k]
            skill[i] = skill[i] + learning * (np.float32(1) - skill[i])
            reputation[i] = np.float32(reputation[i] + 0.2 * ((1.0 - seller_caught[k]) - reputation[i]))
            sales_count[i] = sales_count[i] + np.float32(1)


@njit(cache=True, nogil=True)
def _enrolled_and_new_farmers(stage: np.ndarray, new_farmer: np.ndarray, households: int) -> tuple:
    """Number of enrolled (or mobilised) households and of new farmers in each village, as float64."""
    villages = stage.size // households
    enrolled = np.zeros(villages)
    new_farmers = np.zeros(villages)
    for v in range(villages):
        e = 0
        nf = 0
        for i in range(v * households, (v + 1) * households):
            e += stage[i] >= ENROLLED
            nf += new_farmer[i]
        enrolled[v] = e
        new_farmers[v] = nf
    return enrolled, new_farmers


@njit(cache=True, nogil=True)
def _household_passage_points(village_points: np.ndarray, has_coop: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Each household's passage points: its village's, plus one for a member where the county has a cooperative."""
    households = member.size // village_points.size
    points = np.empty(member.size, np.int8)
    for v in range(village_points.size):
        for i in range(v * households, (v + 1) * households):
            points[i] = village_points[v] + (member[i] & has_coop[v])
    return points


@njit(cache=True, nogil=True)
def _cooperative_and_platform_sellers(member: np.ndarray, channel: np.ndarray, platform_of: np.ndarray,
                                      households: int, platforms: int) -> tuple:
    """Members selling through the cooperative in each village (float64), and online sellers of each platform.

    A livestreamer sells on the livestream platform, a shop on the household's platform.
    """
    villages = member.size // households
    coop_sellers = np.zeros(villages)
    sellers = np.zeros(platforms, np.int64)
    for v in range(villages):
        count = 0
        for i in range(v * households, (v + 1) * households):
            count += member[i] & (channel[i] == COOP)
            if channel[i] == LIVE:
                sellers[EASTERN_LIVESTREAM] += 1
            elif channel[i] == SHOP:
                sellers[platform_of[i]] += 1
        coop_sellers[v] = count
    return coop_sellers, sellers
