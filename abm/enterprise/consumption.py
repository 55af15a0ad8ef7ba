"""Cheaper goods bought online: what a household saves on its consumption, a welfare gain kept out of income.

Couture, Faber, Gu and Liu (2021, AER: Insights) find that connecting villages to e-commerce raised
rural welfare mainly by lowering users' cost of living, where parcels had not reached before. Here a
household buys ``online_purchase_share`` of its consumption online once e-commerce has reached it and
its village has broadband and a carrier (``purchases_without_station`` of that without a village
station), and saves ``online_price_saving`` on each yuan. Consumption is ``consumption_propensity``
times its income of the last year.
"""

from __future__ import annotations

import numpy as np

from abm.core.params import Parameters


def consumption_saving(p: Parameters, last_year_income: np.ndarray, reached: np.ndarray, connected: np.ndarray,
                       station: np.ndarray, households: int) -> np.ndarray:
    """Each household's saving this month from buying online (yuan; 0 where parcels do not reach it).

    Args:
        p: the parameters.
        last_year_income: household income of the last year (expected income in the first).
        reached: households e-commerce has reached (past ``not reached``).
        connected: villages with broadband served by a carrier this month.
        station: villages with a service station.
        households: households per village.
    """
    share = np.where(connected, p.online_purchase_share * np.where(station, 1.0, p.purchases_without_station), 0.0)
    # the saving per yuan of last year's income: a month's consumption x the share bought online x the saving
    rate = np.repeat(share * (p.consumption_propensity / 12.0 * p.online_price_saving), households)
    return np.where(reached, rate * np.maximum(last_year_income, 0.0), 0.0)
