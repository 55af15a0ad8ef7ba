"""The crops villages grow: perishability, harvest calendar, storability, processing and prices.

Figures are stated assumptions in the ranges of Chinese farm-gate statistics; the loss scaling
(`perishability`) is relative to fresh fruit, whose absolute loss the parameters set (source 003).
"""

from __future__ import annotations

import numpy as np

CROPS = ("fruit", "vegetables", "grain", "tea", "chili")
FRESH = np.array([True, True, False, False, False])
#: base (farm-gate wholesale) price, yuan per kg
BASE_PRICE = np.array([5.0, 2.8, 2.6, 60.0, 9.0])


def price_level(growth: float, month: int) -> float:
    """The farm-gate price index in ``month`` (1 in January of year 1): ``(1 + growth)^((month - 1) / 12)``."""
    return float((1.0 + growth) ** ((max(month, 1) - 1) / 12))
#: marketable output of one household in a year, kg
YIELD_KG = np.array([6000.0, 9000.0, 7000.0, 320.0, 2200.0])
#: transit loss relative to fresh fruit at the same distance and cold chain
PERISHABILITY = np.array([1.0, 1.1, 0.08, 0.06, 0.15])
#: share of the harvest the household keeps for its own use
HOME_SHARE = np.array([0.05, 0.10, 0.15, 0.05, 0.05])
#: storable crops are sold from stock, a share each month; perishable ones in the harvest month
STORABLE = ~FRESH
STOCK_SALE_SHARE = 0.2
#: whether a cooperative can deep-process the crop
PROCESSABLE = np.array([True, False, True, True, True])
#: crop mix of villages by region (rows west, centre, east)
REGION_CROP_MIX = np.array([
    [0.30, 0.15, 0.25, 0.10, 0.20],
    [0.25, 0.25, 0.30, 0.10, 0.10],
    [0.25, 0.35, 0.20, 0.15, 0.05],
])


def harvest_calendar() -> np.ndarray:
    """Share of a crop's yearly output harvested in each month: array (crop, month 0-11)."""
    months = {
        "fruit": [7, 8, 9],
        "vegetables": [3, 4, 5, 6, 7, 8, 9],
        "grain": [5, 9],
        "tea": [3, 4],
        "chili": [7, 8],
    }
    cal = np.zeros((len(CROPS), 12))
    for c, name in enumerate(CROPS):
        cal[c, months[name]] = 1.0 / len(months[name])
    return cal
