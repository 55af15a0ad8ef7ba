"""The view observers read at the end of a month: the state records, never the model itself."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from abm.core.world import Geography
from abm.income.month import MonthIncome, households_that_sold
from abm.state import Province, ProvinceViews
from agents.households import HouseholdIncome


@dataclass(frozen=True)
class Observed(ProvinceViews):
    """What observers (household and village panels, the actor-network) read at the end of a month.

    Records only, never the model: ``steps`` is the month (0 before the first step), ``month_income``
    this month's income by component (``None`` at month 0), ``expected_income`` the income of selling
    everything offline, ``year_stats`` the last complete year's income statistics.
    """

    steps: int
    province: Province
    geo: Geography
    grid: OrthogonalMooreGrid
    household_income: HouseholdIncome
    expected_income: np.ndarray
    year_stats: dict
    month_income: MonthIncome | None

    def sold_online(self) -> np.ndarray:
        """Households that sold online this month (:func:`abm.income.month.households_that_sold`)."""
        return households_that_sold(self.farmers.n, self.month_income)

    def income_basis(self) -> np.ndarray:
        """The household income the model's income measures use now: last year's, or the expected before month 12."""
        return self.farmers.income_year if self.steps >= 12 else self.expected_income
