"""The calendar of every output table: which year and month of the year a model month is.

Month 0 is the initial state, before the first step: it is year 0, month of year 0 (stocks and
rates describe the world as built; monthly flows are 0). Month ``m >= 1`` is month
``(m - 1) % 12 + 1`` (1 January ... 12 December) of year ``(m - 1) // 12 + 1``, so year 1 is
months 1-12 and a year end is a month divisible by 12. Group by ``year`` (not ``month // 12``)
to add up a year's flows.

Model year 1 is the calendar year :data:`FIRST_YEAR` (2021): month 1 is January 2021 and month 0
the province at the start of 2021. The year was chosen so that the official statistics the
baseline is compared with (incomes 2021-2024, online retail of farm produce 2021-2023, online
shops at the end of 2022) fall in the run's first four years, and the present-day growth figures
of source 004 (2025) in year 5, inside the growth window of years 2-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.core.crops import CROPS
from abm.core.params import REGIONS

FIRST_YEAR = 2021  # the calendar year of model year 1 (months 1-12)
#: the one storage type of each calendar column in every table (runs, experiments, panels, the Python API)
CALENDAR_TYPES = {"month": np.int16, "year": np.int16, "month_of_year": np.int8}
#: the ordered categories of the category columns every table shares (stage and channel: ``abm.observe.panel``)
ORDERED = {"region": list(REGIONS), "crop": list(CROPS)}

CALENDAR_COLUMNS = {
    "year": "Year of the month: months 1-12 are year 1; month 0 (the initial state) is year 0.",
    "month_of_year": "Month of the year, 1 (January) to 12 (December); 0 for month 0, the initial state.",
}


def year_of(month: np.ndarray) -> np.ndarray:
    """Year of each model month (0 for month 0)."""
    month = np.asarray(month)
    return np.where(month > 0, (month - 1) // 12 + 1, 0).astype(np.int16)


def month_of_year(month: np.ndarray) -> np.ndarray:
    """Month of the year of each model month, 1-12 (0 for month 0)."""
    month = np.asarray(month)
    return np.where(month > 0, (month - 1) % 12 + 1, 0).astype(np.int8)


def add_calendar(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with ``year`` and ``month_of_year`` columns right after its ``month`` column (int16 here)."""
    out = df.copy()
    out["month"] = out["month"].astype(CALENDAR_TYPES["month"])
    at = list(out.columns).index("month") + 1
    out.insert(at, "month_of_year", month_of_year(out["month"].to_numpy()))
    out.insert(at, "year", year_of(out["month"].to_numpy()))
    return out


def analysis_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A table as every output has it: calendar columns after ``month``, region and crop as ordered categoricals.

    Region values that are missing (the province-wide rows of an experiment's run file) stay missing.
    """
    out = df if "year" in df.columns else add_calendar(df)
    for name, categories in ORDERED.items():
        if name in out.columns and not isinstance(out[name].dtype, pd.CategoricalDtype):
            out = out.assign(**{name: pd.Categorical(out[name], categories=categories, ordered=True)})
    return out


def calendar_year(year: int) -> int:
    """Calendar year of model year ``year``."""
    return FIRST_YEAR + year - 1


def model_year_of(calendar: int) -> int:
    """Model year of a calendar year (1 for :data:`FIRST_YEAR`)."""
    return calendar - FIRST_YEAR + 1
