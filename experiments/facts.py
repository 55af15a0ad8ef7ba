"""Stylized facts (``seeds/facts.csv``) and the measures that compute each fact's simulated value.

A fact is one row of ``seeds/facts.csv``: a statement from a source paper, its figure, and how the
model is checked against it. Its ``kind`` says what the model owes it:

- ``input``: the scenario sets it (an endowment); the measure reads it back from the run.
- ``output``: the model must produce it; the measure computes it from the run's series.
- ``policy``: the figure of a policy lever the experiments use; the measure reads the lever's value
  in the run (a lever that is off in the baseline is reported as such, not as a miss).
- ``context``: a figure no province model can reproduce (national scale); no measure.

Acceptance. A *point* fact (``target`` with no ``low``/``high``) is met when
``|value - target| <= tolerance``. A *bound* fact (``low`` and/or ``high``, e.g. "under 10%" is
``high = 0.10``) is met when the value lies within ``[low - tolerance, high + tolerance]``; its miss
is the distance outside ``[low, high]``, so a value inside the bound misses by zero. The
calibration objective sums ``(miss / tolerance) ** 2`` over the calibration targets.

Measures are plain functions ``measure(run) -> float`` of a run's ``series`` (one row per month,
month 0 being the initial state), ``regions`` (month x region) and ``manifest`` (its parameters);
they are registered by name in :data:`MEASURES`, which the ``measure`` column of the facts file
names. Windows: the "last years" of a run are its last :data:`LAST_MONTHS` months; growth rates
are trend rates over the years :data:`GROWTH_YEARS` (see :func:`trend_growth` for why).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from abm.calendar import model_year_of
from abm.scenario import ScenarioError
from agents.households import INCOME_PARTS

#: what the model owes a fact (see the module docstring)
KINDS = ("input", "output", "policy", "context")
#: the columns of ``seeds/facts.csv``, in order
COLUMNS = ("id", "statement", "target", "low", "high", "unit", "source", "tolerance", "kind", "measure",
           "calibration_target")
#: the source papers a fact may cite (MISSION.md)
SOURCES = ("000_9a8f51988e555b84.txt", "001_ff255768d815f055.txt", "002_d2a0d7a49f16f090.txt",
           "003_d59e74559908fb7a.txt", "004_26afaa9ec5ea077b.txt",
           # official statistics (MISSION.md, "Official statistics"), read in copies of the releases
           "NBS_yearly_releases", "NBS_2023_composition_secondary", "Rural_Green_Book_2021-22_secondary",
           "NBS_2016_agricultural_census", "MOFCOM_via_Xinhua", "MOFCOM_NBS_derived", "NBS_monthly_releases",
           "MARA_secondary", "SAMR_secondary", "Fujian_Statistical_Yearbook_2022_table_7-11")
#: months at the end of a run over which shares and price ratios are averaged (three years)
LAST_MONTHS = 36
#: first and last year of the growth window: year 1 holds the start-up transients (consumers' trust
#: moving from its initial value, price indices from 1, expectations from list prices)
GROWTH_YEARS = (2, 6)


class RunLike(Protocol):
    """What a measure reads: :class:`abm.simulate.RunResult` or a run loaded from the runner's files."""

    series: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]


@dataclass(frozen=True)
class Fact:
    """One stylized fact: the figure, its acceptance interval and how the model is measured against it."""

    id: str
    statement: str
    target: float
    low: float | None
    high: float | None
    unit: str
    source: str
    tolerance: float
    kind: str
    measure: str
    calibration_target: bool

    @property
    def is_bound(self) -> bool:
        """Whether the fact is a bound ("under 10%") rather than a point figure ("about 25%")."""
        return self.low is not None or self.high is not None

    def miss(self, value: float) -> float:
        """Distance of ``value`` from the fact: outside ``[low, high]`` for a bound, from the target otherwise."""
        if value is None or not math.isfinite(value):
            return math.inf
        if not self.is_bound:
            return abs(value - self.target)
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return max(0.0, lo - value, value - hi)

    def scaled_miss(self, value: float) -> float:
        """The miss in units of the tolerance (0 inside; infinite for a miss with zero tolerance)."""
        miss = self.miss(value)
        if miss == 0.0:
            return 0.0
        return miss / self.tolerance if self.tolerance > 0 else math.inf

    def within(self, value: float) -> bool:
        """Whether ``value`` meets the fact: its miss is at most the tolerance."""
        return self.miss(value) <= self.tolerance + 1e-12

    def acceptance(self) -> tuple[float, float]:
        """The interval of values that meet the fact."""
        if not self.is_bound:
            return self.target - self.tolerance, self.target + self.tolerance
        lo = -math.inf if self.low is None else self.low - self.tolerance
        hi = math.inf if self.high is None else self.high + self.tolerance
        return lo, hi


# --- measures -----------------------------------------------------------------------------------

Measure = Callable[[RunLike], float]
#: every measure a fact may name, by function name
MEASURES: dict[str, Measure] = {}


def measure(fn: Measure) -> Measure:
    """Register a measure under its function name."""
    MEASURES[fn.__name__] = fn
    return fn


def _months(run: RunLike) -> pd.DataFrame:
    """The simulated months of a run's series (month 0, the initial state, left out)."""
    return run.series[run.series.month > 0]


def _last(run: RunLike) -> pd.DataFrame:
    """The last :data:`LAST_MONTHS` simulated months of a run."""
    s = _months(run)
    return s[s.month > s.month.max() - LAST_MONTHS]


def _ratio(numerator: pd.Series, denominator: pd.Series) -> float:
    """Sum over sum, NaN when the denominator is zero."""
    whole = float(denominator.sum())
    return float(numerator.sum()) / whole if whole > 0 else math.nan


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Mean of ``values`` weighted by ``weights`` over the rows where the value is known."""
    ok = values.notna() & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else math.nan


def _initial(run: RunLike, column: str) -> float:
    """A model-level series value at month 0 (the initial state)."""
    return float(run.series.loc[run.series.month == 0, column].iloc[0])


def _initial_regions(run: RunLike, column: str) -> pd.Series:
    """A regional value at month 0, indexed by region name."""
    r = run.regions
    return r[r.month == 0].set_index("region")[column]


def _parameter(run: RunLike, name: str) -> float:
    """A parameter's value in the run, from its manifest."""
    return float(run.manifest["parameters"][name])


def yearly_totals(run: RunLike, column: str) -> pd.Series:
    """Totals of a monthly flow over each complete year (year 1 is months 1-12), indexed by year."""
    s = _months(run)
    year = (s.month - 1) // 12 + 1
    complete = year.map(year.value_counts()) == 12
    return s[complete].groupby(year[complete])[column].sum()


def trend_growth(totals: pd.Series, years: tuple[int, int] = GROWTH_YEARS) -> float:
    """Trend growth rate a year over a window of years: ``exp(b) - 1`` for the least-squares slope ``b`` of log totals.

    The source figures (6.7% and 9.9%, 004) are present-day rates, and month 0 is the present (its
    endowments are present-day facts), so the model's counterpart is the growth of its first years
    once the start-up transients are over: years 2-6 by default. A window to year 10 would let a
    diffusion curve that explodes and then saturates average out to the figure (growth of 80% in
    year 2 and under 1% by year 8 gives a 2-10 trend of 7%); a window at the end would ask the
    status quo to keep its present growth for a decade. A fitted slope uses every year of the
    window and is steadier than an end-point CAGR, which hangs on two harvests.

    Args:
        totals: Yearly totals indexed by year (1 = months 1-12).
        years: First and last year of the window.

    Returns:
        The growth rate a year, or NaN when the window holds fewer than two positive years.
    """
    window = totals.loc[years[0]:years[1]]
    window = window[window > 0]
    if len(window) < 2:
        return math.nan
    slope = np.polyfit(window.index.to_numpy(float), np.log(window.to_numpy(float)), 1)[0]
    return float(math.expm1(slope))


@measure
def cold_chain_national(run: RunLike) -> float:
    """Mean cold-chain coverage over all villages at the start (month 0)."""
    return _initial(run, "cold_chain")


@measure
def cold_chain_west_gap(run: RunLike) -> float:
    """How far western coverage falls short of eastern at the start: ``1 - west / east`` (month 0)."""
    cc = _initial_regions(run, "cold_chain")
    return 1.0 - float(cc["west"]) / float(cc["east"]) if cc["east"] > 0 else math.nan


@measure
def villages_without_5g(run: RunLike) -> float:
    """Share of villages without 5G at the start (month 0)."""
    return 1.0 - _initial(run, "g5_share")


@measure
def junior_school_centre_west(run: RunLike) -> float:
    """The lower of the central and western junior-school shares (the fact holds for both), from the parameters.

    Households' schooling is drawn from these shares; the run's outputs do not report it.
    """
    return min(_parameter(run, "junior_school_west"), _parameter(run, "junior_school_centre"))


@measure
def trained_share_initial(run: RunLike) -> float:
    """Share of households systematically trained at the start (drawn, month 0)."""
    return _initial(run, "trained_share")


@measure
def fresh_loss_no_cold_chain(run: RunLike) -> float:
    """Transit loss of fresh produce from villages without cold chain (coverage < 0.1), all channels, whole run."""
    s = _months(run)
    return _ratio(s.fresh_lost_no_cold_chain, s.fresh_shipped_no_cold_chain)


@measure
def fresh_loss_cold_chain(run: RunLike) -> float:
    """Transit loss of fresh produce shipped online from villages with cold chain (coverage >= 0.8), whole run."""
    s = _months(run)
    return _ratio(s.fresh_lost_cold_chain, s.fresh_shipped_cold_chain)


def _sales(s: pd.DataFrame) -> pd.Series:
    """Each month's sales value, online and offline (the weights of kg shares over months)."""
    return s.online_sales + s.offline_sales


@measure
def branded_share(run: RunLike) -> float:
    """Branded share of the produce sold (kg), over the last three years, months weighted by sales value."""
    s = _last(run)
    return _weighted_mean(s.branded_share, _sales(s))


@measure
def processed_share(run: RunLike) -> float:
    """Deep-processed share of the produce sold (kg), over the last three years, months weighted by sales value."""
    s = _last(run)
    return _weighted_mean(s.processed_share, _sales(s))


@measure
def primary_share(run: RunLike) -> float:
    """Share of the kg traded online that is primary (unprocessed) produce, over the last three years."""
    s = _last(run)
    return _ratio(s.online_kg_primary, s.online_kg)


@measure
def unbranded_price_ratio(run: RunLike) -> float:
    """Online price of unbranded, untraced produce over branded produce (per kg of base value), last three years.

    The monthly ratio is averaged over the months that had both kinds on sale, weighted by online kg.
    """
    s = _last(run)
    return _weighted_mean(s.unbranded_price_ratio, s.online_kg)


@measure
def online_sales_growth(run: RunLike) -> float:
    """Trend growth a year of the online sales value (yuan, every online channel) over years 2-6.

    The province's online sales are its online retail of farm produce: the model sells only farm produce online.
    """
    return trend_growth(yearly_totals(run, "online_sales"))


@measure
def fund_rate(run: RunLike) -> float:
    """The east-west fund's rate in the run (0 where the fund is off)."""
    return _parameter(run, "fund_rate")


@measure
def cold_chain_subsidy_rate(run: RunLike) -> float:
    """The share of cold-chain investment the capex subsidy pays, in the run."""
    return _parameter(run, "cold_chain_subsidy_rate")


def _year_end(run: RunLike, column: str, calendar: int) -> float:
    """A year-statistic column (``period = year``) as it stands for calendar year ``calendar``.

    At the last month of a model year the statistic refers to that complete year; NaN when the run is shorter.
    """
    s = run.series
    row = s[s.month == 12 * model_year_of(calendar)]
    return float(row[column].iloc[0]) if len(row) else math.nan


def _income_in(calendar: int) -> Measure:
    """The measure of income per person (all households) in one calendar year."""
    def income_per_person(run: RunLike) -> float:
        return _year_end(run, "income_per_person", calendar)
    income_per_person.__doc__ = f"Income per person of all households in {calendar} (yuan/person/year)."
    return income_per_person


def _share_in(part: str, calendar: int) -> Measure:
    """The measure of one survey part's share of income per person in one calendar year."""
    def income_share(run: RunLike) -> float:
        return _year_end(run, f"income_{part}", calendar) / _year_end(run, "income_per_person", calendar)
    income_share.__doc__ = f"Share of {part} in income per person in {calendar}."
    return income_share


for _year in (2022, 2023, 2024):
    MEASURES[f"income_per_person_{_year}"] = _income_in(_year)
for _part in INCOME_PARTS:
    MEASURES[f"{_part}_share_2023"] = _share_in(_part, 2023)


def _yearly_income_growth(run: RunLike) -> pd.Series:
    """Growth of income per person in each complete year after the first (index: model year)."""
    s = run.series
    year_end = s[(s.month > 0) & (s.month % 12 == 0)].set_index("month")["income_per_person"]
    year_end.index = year_end.index // 12
    return (year_end / year_end.shift(1) - 1).dropna()


@measure
def income_growth_lowest(run: RunLike) -> float:
    """The lowest nominal growth of income per person over the years after the first."""
    return float(_yearly_income_growth(run).min())


@measure
def income_growth_highest(run: RunLike) -> float:
    """The highest nominal growth of income per person over the years after the first."""
    return float(_yearly_income_growth(run).max())


@measure
def east_west_income_per_person_2021(run: RunLike) -> float:
    """East's income per person over the west's in 2021 (the Green Book's year)."""
    r = run.regions
    row = r[r.month == 12 * model_year_of(2021)].set_index("region")["income_per_person"]
    return float(row["east"] / row["west"]) if len(row) else math.nan


@measure
def income_quintile_ratio_2021_2023(run: RunLike) -> float:
    """Top fifth's income over the bottom fifth's, the mean of 2019's to 2021's yearbook years mapped onto 2021-2023."""
    return float(np.nanmean([_year_end(run, "quintile_ratio", year) for year in (2021, 2022, 2023)]))


def _facts_years(run: RunLike, first: int, last: int) -> pd.DataFrame:
    """The simulated months of calendar years ``first`` to ``last``."""
    s = _months(run)
    return s[(s.month > 12 * (model_year_of(first) - 1)) & (s.month <= 12 * model_year_of(last))]


@measure
def online_share_of_farm_sales(run: RunLike) -> float:
    """Online sales over all farm sales (online and bulk, yuan) in 2021-2023, the years of MOFCOM's series."""
    s = _facts_years(run, 2021, 2023)
    return _ratio(s.online_sales, _sales(s))


@measure
def own_online_sellers_highest(run: RunLike) -> float:
    """The largest monthly share of households selling online themselves (own shop or livestream), 2021-2023."""
    return float(_facts_years(run, 2021, 2023).own_online_sellers.max())


@measure
def november_sales_ratio(run: RunLike) -> float:
    """November's online sales over the mean month of its year, averaged over the complete years after the first."""
    s = _months(run)
    year = (s.month - 1) // 12 + 1
    full = s[(year > 1) & (year.map(year.value_counts()) == 12)]
    year = (full.month - 1) // 12 + 1
    november = full[(full.month - 1) % 12 == 10].set_index(year[(full.month - 1) % 12 == 10]).online_sales
    return float((november / full.groupby(year).online_sales.mean()).mean())


@measure
def misrepresented_share(run: RunLike) -> float:
    """Share of online kg delivered by misrepresenting sellers, over the whole run."""
    s = _months(run)
    return _ratio(s.fraud_rate.fillna(0.0) * s.online_kg, s.online_kg)


@measure
def persons_per_household(run: RunLike) -> float:
    """Persons per household in the run (an input)."""
    return _parameter(run, "persons_per_household")


# --- the facts file -----------------------------------------------------------------------------

def facts_path() -> Path:
    """Where the packaged facts file lives (``seeds/facts.csv``)."""
    return Path(str(resources.files("seeds") / "facts.csv"))


def _number(text: str, column: str, where: str, required: bool) -> float | None:
    """Parse an optional number cell."""
    text = text.strip()
    if not text:
        if required:
            raise ScenarioError(f"{where}: {column} is empty; allowed: a number")
        return None
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"{where}: {column} = {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{where}: {column} = {text!r} is not finite")
    return value


def parse_fact(row: dict[str, str], where: str) -> Fact:
    """Validate one row of the facts file.

    Raises:
        ScenarioError: Naming the row, the column and what is allowed.
    """
    missing = [c for c in COLUMNS if c not in row or row[c] is None]
    if missing:
        raise ScenarioError(f"{where}: missing column(s) {', '.join(missing)}; allowed: {', '.join(COLUMNS)}")
    kind = row["kind"].strip()
    if kind not in KINDS:
        raise ScenarioError(f"{where}: kind = {kind!r}; allowed: {', '.join(KINDS)}")
    name = row["measure"].strip()
    if kind == "context":
        if name:
            raise ScenarioError(f"{where}: a context fact has no measure (got {name!r})")
    elif name not in MEASURES:
        raise ScenarioError(f"{where}: measure = {name!r} is not a function of experiments.facts; "
                            f"allowed: {', '.join(MEASURES)}")
    flag = row["calibration_target"].strip().lower()
    if flag not in ("yes", "no"):
        raise ScenarioError(f"{where}: calibration_target = {flag!r}; allowed: yes, no")
    if flag == "yes" and kind != "output":
        raise ScenarioError(f"{where}: only output facts can be calibration targets")
    sources = [s.strip() for s in row["source"].split(";") if s.strip()]
    unknown = [s for s in sources if s not in SOURCES]
    if not sources or unknown:
        raise ScenarioError(f"{where}: source = {row['source']!r}; allowed: {'; '.join(SOURCES)} (';'-separated)")
    low = _number(row["low"], "low", where, False)
    high = _number(row["high"], "high", where, False)
    if low is not None and high is not None and low > high:
        raise ScenarioError(f"{where}: low {low} > high {high}")
    tolerance = _number(row["tolerance"], "tolerance", where, True)
    if tolerance < 0:
        raise ScenarioError(f"{where}: tolerance = {tolerance} must be at least 0")
    if flag == "yes" and tolerance == 0:
        raise ScenarioError(f"{where}: a calibration target needs a tolerance above 0 (it scales the miss)")
    fid = row["id"].strip()
    if not fid.isidentifier():
        raise ScenarioError(f"{where}: id = {fid!r}; allowed: a name of letters, digits and underscores")
    return Fact(fid, row["statement"].strip(), _number(row["target"], "target", where, True), low, high,
                row["unit"].strip(), "; ".join(sources), tolerance, kind, name, flag == "yes")


def load_facts(path: str | Path | None = None) -> list[Fact]:
    """Read and validate the stylized facts (default: the packaged ``seeds/facts.csv``).

    Raises:
        ScenarioError: If the file is missing, a row is malformed or an id repeats.
    """
    path = Path(path) if path is not None else facts_path()
    if not path.is_file():
        raise ScenarioError(f"{path}: no such facts file")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ScenarioError(f"{path}: columns {reader.fieldnames}; expected: {', '.join(COLUMNS)}")
        facts = [parse_fact(row, f"{path}, row {i}") for i, row in enumerate(reader, start=2)]
    ids = [f.id for f in facts]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ScenarioError(f"{path}: repeated id(s) {', '.join(repeated)}")
    return facts


def measure_run(run: RunLike, facts: list[Fact]) -> dict[str, float]:
    """The simulated value of every measured fact in one run, by fact id."""
    return {f.id: float(MEASURES[f.measure](run)) for f in facts if f.measure}
