"""The monthly step's household equations in plain numpy: what each kernel of :mod:`abm.income.kernels` computes.

Read these to see the equations; the kernels compute the same numbers in one compiled pass
(``tests/abm/test_month_kernels.py`` checks them bit for bit on random inputs). Columns the
kernels change in place are changed in place here too.
"""

from __future__ import annotations

import numpy as np

from abm.core.stages import COOP, ENROLLED, LIVE, SHOP
from agents.platform import EASTERN_LIVESTREAM


def month_income(offline_revenue, sellers, seller_net, offwork, production, allowance, cash, income_ytd) -> np.ndarray:
    """Income = bulk sales + online net income + wages - production cost + allowances; added to cash and the year."""
    income = offline_revenue.copy()
    income[sellers] += seller_net
    income = ((income + offwork) - production) + allowance
    cash += income
    income_ytd += income
    return income


def harvest_households(village_yield, productivity, home_share, storable, stock_sale_share, stock) -> tuple:
    """Kg on offer, harvested, kept at home and added to stock (float32); storable crops sell a share of the stock."""
    households = productivity.size // village_yield.size
    harvested = (np.repeat(village_yield, households) * productivity.astype(np.float64)).astype(np.float32)
    home = harvested * home_share
    net = harvested - home
    in_stock = stock + net
    from_stock = in_stock * np.float32(stock_sale_share)
    zero = np.float32(0.0)
    stock[:] = np.where(storable, in_stock - from_stock, (stock + zero) - zero)
    offer = np.where(storable, from_stock, net)
    return offer, harvested, home, np.where(storable, net - from_stock, zero - zero)


def learn_sellers(sellers, seller_delivered, seller_caught, skill, reputation, sales_count, skill_learning) -> None:
    """Sellers who delivered learn: skill, rating (20% towards not caught) and months of sales."""
    learnt = sellers[seller_delivered > 0]
    caught = seller_caught[seller_delivered > 0]
    skill[learnt] = skill[learnt] + np.float32(skill_learning) * (np.float32(1) - skill[learnt])
    reputation[learnt] = (reputation[learnt] + 0.2 * ((1.0 - caught) - reputation[learnt])).astype(np.float32)
    sales_count[learnt] = sales_count[learnt] + np.float32(1)


def enrolled_and_new_farmers(stage: np.ndarray, new_farmer: np.ndarray, households: int) -> tuple:
    """Enrolled (or mobilised) households and new farmers in each village, as float64."""
    by_village = (-1, households)
    return ((stage >= ENROLLED).reshape(by_village).sum(axis=1).astype(np.float64),
            new_farmer.reshape(by_village).sum(axis=1).astype(np.float64))


def household_passage_points(village_points: np.ndarray, has_coop: np.ndarray, member: np.ndarray) -> np.ndarray:
    """A household's passage points: its village's, plus one for a member where the county has a cooperative."""
    households = member.size // village_points.size
    return (np.repeat(village_points, households) + (member & np.repeat(has_coop, households))).astype(np.int8)


def cooperative_and_platform_sellers(member, channel, platform_of, households: int, platforms: int) -> tuple:
    """Members selling through the cooperative in each village (float64), and each platform's online sellers.

    A livestreamer sells on the livestream platform, a shop on the household's platform.
    """
    coop = (member & (channel == COOP)).reshape(-1, households).sum(axis=1).astype(np.float64)
    platform = np.where(channel == LIVE, EASTERN_LIVESTREAM, platform_of)[(channel == LIVE) | (channel == SHOP)]
    return coop, np.bincount(platform, minlength=platforms).astype(np.int64)
