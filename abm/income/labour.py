"""Online selling and the household's working time: wages forgone by sellers, wages earned by neighbours.

An online business takes working time (agricultural household models: Singh, Squire and Strauss
1986; de Janvry, Fafchamps and Sadoulet 1991). A seller's own time is worth what the household
weighs when it chooses the channel (the effort cost, :mod:`abm.channel_prices`); a household with
members in wage work takes it out of their wage work, so its wages fall by that much (the sign
household surveys find: Li et al. 2021), while a household without wage earners uses idle time.
Packing, customer service and delivery beyond the family are hired in the village at
``ecommerce_labour_share`` of online revenue: wages paid by sellers to the village's households
that do not sell online that month (jobs that online turnover creates, AliResearch 2020).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from abm.core.stages import COOP, LIVE


class LabourFlows(NamedTuple):
    """This month's e-commerce labour: per seller and per household (yuan)."""

    forgone: np.ndarray    # per seller: wages its members gave up to run the business
    hired: np.ndarray      # per seller: wages paid for hired packing, service and delivery
    received: np.ndarray   # per household: wages earned from other households' online businesses
    days_hired: float      # working days hired this month


def online_labour(sellers: np.ndarray, seller_channel: np.ndarray, seller_revenue: np.ndarray,
                  seller_shipped: np.ndarray, skill: np.ndarray, new_farmer: np.ndarray, wages: np.ndarray,
                  households: int, effort_cost: float, leader_effort_share: float, labour_share: float,
                  day_wage: float, shop_owners: np.ndarray, shop_hired: np.ndarray) -> LabourFlows:
    """Wages forgone and paid by this month's online sellers, and earned by their neighbours.

    A seller that shipped online gives up ``min(wages, effort)`` of its members' wages, the effort
    being ``effort_cost x (1 - 0.5 skill)`` on its shop or stream (a follower streaming through a host
    ``leader_effort_share`` of it; nothing for pooled cooperative sales), and pays ``labour_share`` of its online
    revenue to hired help; online shops beyond own produce hire too (``shop_hired`` per shop, its household
    ``shop_owners``: :mod:`abm.enterprise.business`). Each village's hired wages are shared equally by its households
    neither selling online this month nor running a shop (by all of them where none is left).
    """
    active = seller_shipped > 0
    effort = effort_cost * (1.0 - 0.5 * skill[sellers].astype(np.float64))
    effort = np.where(seller_channel == COOP, 0.0, effort)
    effort = np.where((seller_channel == LIVE) & ~new_farmer[sellers], effort * leader_effort_share, effort)
    forgone = np.where(active, np.minimum(wages[sellers], effort), 0.0)
    hired = labour_share * seller_revenue
    n = wages.size
    villages = n // households
    village = sellers // households
    is_seller = np.zeros(n, bool)
    is_seller[sellers[active]] = True
    is_seller[shop_owners] = True
    bill = np.bincount(village, weights=hired, minlength=villages)
    if shop_owners.size:
        bill = bill + np.bincount(shop_owners // households, weights=shop_hired, minlength=villages)
    others = households - np.bincount(np.flatnonzero(is_seller) // households, minlength=villages)
    per_worker = np.where(others > 0, bill / np.maximum(others, 1.0), bill / households)
    share = np.repeat(per_worker, households)
    received = np.where(np.repeat(others > 0, households) & is_seller, 0.0, share)
    return LabourFlows(forgone, hired, received, float(bill.sum()) / day_wage)
