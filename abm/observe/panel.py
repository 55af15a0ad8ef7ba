"""The household panel and the village table: snapshots of the model's state that researchers analyse.

``households.parquet`` has one row per household and snapshot month (year ends by default);
``villages.parquet`` one row per village at month 0 and at every year end. Flows in both are
*year to date*: added up from January of the snapshot's year to its month, so at a year end they
are the whole year. Columns are declared once, in :data:`HOUSEHOLD_COLUMNS` and
:data:`VILLAGE_COLUMNS` (income terms come from :data:`abm.income.month.INCOME_COMPONENTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from abm.core import crops
from abm.core.calendar import add_calendar
from abm.core.params import REGIONS
from abm.core.stages import CHANNELS, ENROLLED, NO_LINK, STAGES
from abm.core.world import LAYERS
from abm.income.month import INCOME_COMPONENTS, MONTH_FLOWS
from abm.measure.outcomes import PART_MEANING
from agents.households import INCOME_PARTS

if TYPE_CHECKING:
    import networkx as nx

    from abm.observe.view import Observed

#: categories of the categorical columns, and whether their order means something
CATEGORIES: dict[str, tuple[tuple[str, ...], bool]] = {
    "region": (REGIONS, True), "crop": (crops.CROPS, True), "stage": (STAGES, True), "channel": (CHANNELS, False),
}
PANEL_KINDS = ("yearly", "monthly", "none")
_YTD_PERIOD = "year to date"


@dataclass(frozen=True)
class Column:
    """One column of a snapshot table: name, unit, meaning, kind, storage type and how to read it.

    ``kind`` is ``flow`` (accrued over ``period``: "year to date" or "year"), ``stock`` (the level at
    the snapshot), ``rate``, ``count``, ``id`` or ``category``; ``read`` gets the model and the
    recorder and returns one value per row (codes for a categorical column).
    """

    name: str
    unit: str
    meaning: str
    kind: str
    dtype: str
    read: Callable[[Observed, PanelRecorder], np.ndarray]
    period: str = ""



def _last_year_part(part: int) -> Callable[[Observed, PanelRecorder], np.ndarray]:
    """Reader of one survey part of each household's income_last_year (:data:`agents.households.INCOME_PARTS`)."""
    return lambda m, r: m.year_stats["household_parts"][part]


def _ytd(name: str) -> Callable[[Observed, PanelRecorder], np.ndarray]:
    """Reader of one of the recorder's year-to-date sums."""
    return lambda m, r: r.ytd[name]


HOUSEHOLD_COLUMNS: list[Column] = [
    Column("household", "", "Household id: its index in grid order (village = household // households).", "id",
           "int32", lambda m, r: np.arange(m.farmers.n)),
    Column("village", "", "Village id (grid C order: village = x * height + y).", "id", "int32",
           lambda m, r: m.province.terms.village_of),
    Column("county", "", "County id.", "id", "int32",
           lambda m, r: m.province.villages.county[m.province.terms.village_of]),
    Column("region", "", "Region: west < centre < east.", "category", "category", lambda m, r: m.farmers.region),
    Column("crop", "", "Crop the household's village grows.", "category", "category", lambda m, r: m.farmers.crop),
    Column("channel", "", "Sales channel this month.", "category", "category", lambda m, r: m.farmers.channel),
    Column("stage", "", "Translation stage: not_reached < problematised < interested < enrolled < mobilised.",
           "category", "category", lambda m, r: m.farmers.stage),
    Column("member", "", "Member of the county's cooperative.", "stock", "bool", lambda m, r: m.farmers.member),
    Column("new_farmer", "", "A new farmer (livestreamer or returnee).", "stock", "bool",
           lambda m, r: m.farmers.new_farmer),
    Column("returnee", "", "A returnee supported by the government.", "stock", "bool", lambda m, r: m.farmers.returnee),
    Column("returned", "", "A member came back from migrant work to run an online shop (on its own, without support).",
           "stock", "bool", lambda m, r: m.farmers.returned),
    Column("shop", "", "Runs an online shop beyond its own produce (processed food, specialities, handicrafts).",
           "stock", "bool", lambda m, r: m.farmers.shop_since > NO_LINK),
    Column("trained", "", "Has e-commerce training.", "stock", "bool", lambda m, r: m.farmers.trained),
    Column("skill", "index 0-1", "E-commerce skill.", "stock", "float32", lambda m, r: m.farmers.skill),
    Column("income", "yuan", "Household income (the sum of the income components).", "flow", "float64",
           lambda m, r: r.ytd["income"], _YTD_PERIOD),
    *(Column(c.name, "yuan", c.meaning, "flow", "float32", _ytd(c.name), _YTD_PERIOD) for c in INCOME_COMPONENTS),
    *(Column(name, unit, meaning, "flow", "float32", _ytd(name), _YTD_PERIOD) for name, (unit, meaning, _) in
      MONTH_FLOWS.items()),
    Column("income_last_year", "yuan/year", "The income the model's Gini, Theil and income means use at this month: "
           "the last complete year's income; before month 12 the expected income of selling everything offline.",
           "flow", "float64", lambda m, r: m.income_basis(), "year"),
    Column("persons", "persons", "Persons in the household (persons_per_household: the census mean, the same for "
           "every household); income per person divides by it.", "stock", "float32",
           lambda m, r: np.full(m.farmers.n, m.household_income.persons)),
    *(Column(f"income_last_year_{k}", "yuan/year", f"{PART_MEANING[k]} of the household: the survey's part of "
             "income_last_year (the four parts add up to it).", "flow", "float32", _last_year_part(i), "year")
      for i, k in enumerate(INCOME_PARTS)),
    Column("income_per_person", "yuan/person/year", "income_last_year over persons: the household's disposable "
           "income per person as the survey counts it (its mean is the series' income_per_person).", "flow",
           "float32", lambda m, r: m.income_basis() / m.household_income.persons, "year"),
    Column("cash", "yuan", "Cash: every income since month 1, and a returnee's start-up support (a capital grant, "
           "not income; no consumption is modelled).", "stock", "float32",
           lambda m, r: m.farmers.cash),
]


def _layer(name: str) -> Callable[[Observed, PanelRecorder], np.ndarray]:
    """Reader of one of the grid's property layers, per village."""
    return lambda m, r: getattr(m.grid, name).data.ravel()


def _served(m: Observed) -> np.ndarray:
    """Villages whose county a logistics provider serves this month."""
    served = np.zeros(m.province.villages.coop_of_county.size, bool)
    for lp in m.province.institutions.providers:
        served |= lp.serves
    return served[m.province.villages.county]


def _village_sum(values: Callable[[Observed, PanelRecorder], np.ndarray]):
    """Reader of a household column added up in each village."""
    return lambda m, r: m.farmers.village_sum(values(m, r))


_STATIC_LAYERS = [name for name in LAYERS if name not in ("adoption", "income", "stage")]
VILLAGE_COLUMNS: list[Column] = [
    Column("village", "", "Village id (grid C order: village = x * height + y).", "id", "int32",
           lambda m, r: np.arange(m.geo.villages)),
    Column("x", "", "Grid column (west to east).", "id", "int16",
           lambda m, r: np.arange(m.geo.villages) // m.geo.height),
    Column("y", "", "Grid row.", "id", "int16", lambda m, r: np.arange(m.geo.villages) % m.geo.height),
    *(Column(name, "km" if name == "road_km" else ("share" if name == "cold_chain" else ""),
             LAYERS[name][1][0].upper() + LAYERS[name][1][1:] + ".",
             "category" if name in CATEGORIES else ("id" if name == "county" else "stock"),
             "category" if name in CATEGORIES else np.dtype(LAYERS[name][0]).name, _layer(name))
      for name in _STATIC_LAYERS),
    Column("cooperative", "", "The village's county has a cooperative.", "stock", "bool",
           lambda m, r: m.province.villages.coop_of_county[m.province.villages.county] >= 0),
    Column("served", "", "A logistics provider serves the village's county this month.", "stock", "bool",
           lambda m, r: _served(m)),
    Column("households", "households", "Households in the village.", "count", "int16",
           lambda m, r: np.full(m.geo.villages, m.farmers.households)),
    Column("households_online", "households", "Households that sold online this month (delivered kg through a "
           "cooperative, shop or livestream).",
           "count", "int16", _village_sum(lambda m, r: m.sold_online())),
    Column("households_enrolled", "households", "Households enrolled or mobilised this month.", "count", "int16",
           _village_sum(lambda m, r: m.farmers.stage >= ENROLLED)),
    Column("online_share", "share of households", "Households that sold online this month, over the village's.",
           "rate", "float32", lambda m, r: m.farmers.village_mean(m.sold_online())),
    Column("online_turnover", "yuan", "Online sales revenue of the village's households.", "flow", "float32",
           _village_sum(lambda m, r: r.ytd["online_revenue"]), _YTD_PERIOD),
    Column("income_mean", "yuan/year", "Mean of the households' income_last_year (see households.parquet).", "flow",
           "float32", lambda m, r: m.farmers.village_mean(m.income_basis()), "year"),
]


def snapshot_months(kind: str, months: int, chosen: Iterable[int] | None = None) -> list[int]:
    """The months a panel records: the chosen ones, or every year end, every month, or none."""
    if chosen is not None:
        return sorted(set(chosen))
    return {"yearly": list(range(12, months + 1, 12)), "monthly": list(range(months + 1)), "none": []}[kind]


class PanelRecorder:
    """Adds up each household's monthly flows over the year and keeps snapshots of the chosen months.

    Call :meth:`observe` once after building the model (month 0) and after every step.
    """

    def __init__(self, household_months: Iterable[int], village_months: Iterable[int],
                 network_months: Iterable[int] = ()) -> None:
        """Record households, villages and the actor-network (``graphs``, by month) at the months given."""
        self.household_months = set(household_months)
        self.village_months = set(village_months)
        self.network_months = set(network_months)
        self.graphs: dict[int, nx.Graph] = {}
        self.ytd: dict[str, np.ndarray] = {}
        self.households: list[dict[str, np.ndarray]] = []
        self.villages: list[dict[str, np.ndarray]] = []

    def observe(self, m: Observed) -> None:
        """Add this month's flows to the year so far, snapshot if this month is chosen, start a year after December."""
        month = m.steps
        if month == 0 or (month - 1) % 12 == 0:
            self.ytd = {name: np.zeros(m.farmers.n) for name in ("income", *self._flow_names())}
        if month > 0:
            self.ytd["income"] += m.farmers.income_month
            for c in INCOME_COMPONENTS:
                self.ytd[c.name] += c.read(m.month_income)
            for name, (*_, read) in MONTH_FLOWS.items():
                self.ytd[name] += read(m.month_income)
        if month in self.household_months:
            self.households.append(_snapshot(HOUSEHOLD_COLUMNS, m, self))
        if month in self.village_months:
            self.villages.append(_snapshot(VILLAGE_COLUMNS, m, self))
        if month in self.network_months:
            # start-up time: the network (NetworkX, the actors) loads in a run, not where only the columns are read
            from abm.observe.network import actor_network

            self.graphs[month] = actor_network(m)

    @staticmethod
    def _flow_names() -> list[str]:
        """Names of the year-to-date sums: the income components, then the other monthly flows."""
        return [c.name for c in INCOME_COMPONENTS] + list(MONTH_FLOWS)

    def household_frame(self) -> pd.DataFrame:
        """The household panel, one row per household and snapshot month."""
        return _frame(HOUSEHOLD_COLUMNS, self.households)

    def rows_at(self, month: int) -> pd.DataFrame | None:
        """The panel's rows of ``month`` when it is a snapshot month already observed, else None."""
        last = self.households[-1] if self.households else None
        if last is None or last["month"][0] != month:
            return None
        return _frame(HOUSEHOLD_COLUMNS, [last])

    def village_frame(self) -> pd.DataFrame:
        """The village table, one row per village and snapshot month."""
        return _frame(VILLAGE_COLUMNS, self.villages)


def _snapshot(columns: list[Column], m: Observed, r: PanelRecorder) -> dict[str, np.ndarray]:
    """One snapshot: every column read now and stored in its compact type (categoricals as int8 codes)."""
    rows = len(columns[0].read(m, r))
    out = {"month": np.full(rows, m.steps, np.int16)}
    for c in columns:
        dtype = "int8" if c.dtype == "category" else c.dtype
        out[c.name] = np.asarray(c.read(m, r)).astype(dtype)
    return out


def _frame(columns: list[Column], snapshots: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Snapshots stacked into one table, categoricals decoded, calendar columns after ``month``."""
    names = ["month", *(c.name for c in columns)]
    if snapshots:
        data = {name: np.concatenate([s[name] for s in snapshots]) for name in names}
    else:
        data = {"month": np.zeros(0, np.int16)} | {c.name: np.zeros(0, "int8" if c.dtype == "category" else c.dtype)
                                                   for c in columns}
    for c in columns:
        if c.dtype == "category":
            categories, ordered = CATEGORIES[c.name]
            data[c.name] = pd.Categorical.from_codes(data[c.name], categories=list(categories), ordered=ordered)
    return add_calendar(pd.DataFrame(data))
