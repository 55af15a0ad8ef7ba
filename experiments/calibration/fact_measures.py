"""The measures that compute each stylized fact's simulated value from a run, registered by name.

Measures are plain functions ``measure(run) -> float`` of a run's ``series`` (one row per month,
month 0 being the initial state), ``regions`` (month x region) and ``manifest`` (its parameters);
they are registered by name in :data:`MEASURES`, which the ``measure`` column of
``seeds/facts.csv`` names (:mod:`experiments.calibration.facts` reads that file). Windows: the "last years" of
a run are its last :data:`LAST_MONTHS` months; growth rates are trend rates over the years
:data:`GROWTH_YEARS` (see :func:`trend_growth` for why).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd

from abm.core.calendar import model_year_of
from abm.core.stages import STAGES
from agents.households import INCOME_PARTS

#: months at the end of a run over which shares and price ratios are averaged (three years)
LAST_MONTHS = 36
#: first and last year of the growth window: year 1 holds the start-up transients (consumers' trust
#: moving from its initial value, price indices from 1, expectations from list prices)
GROWTH_YEARS = (2, 6)


class RunLike(Protocol):
    """What a measure reads: :class:`abm.io.simulate.RunResult` or a run loaded from the runner's files."""

    series: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]


Measure = Callable[[RunLike], float]
#: A monthly share computed from a run's series (one value a month).
Share = Callable[[pd.DataFrame], pd.Series]
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
    """The richest fifth's mean income over the poorest fifth's, averaged over the year ends of 2021-2023."""
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
def returnees_share_2022(run: RunLike) -> float:
    """Households a member came back to (on support, or to run an online shop) at the end of 2022, over households."""
    end = run.series[run.series.month == 12 * model_year_of(2022)].iloc[0]
    return float(end.returnees / sum(end[s] for s in STAGES))


def yearly_means(run: RunLike, share: Share) -> pd.Series:
    """Means of a monthly share over each complete year (year 1 is months 1-12), indexed by year."""
    s = _months(run)
    year = (s.month - 1) // 12 + 1
    complete = year.map(year.value_counts()) == 12
    return share(s)[complete].groupby(year[complete]).mean()


def _own_sellers(s: pd.DataFrame) -> pd.Series:
    """Share of households selling online on a shop or stream of their own, each month."""
    return s.own_online_sellers


def _shop_share(s: pd.DataFrame) -> pd.Series:
    """Share of households running an online shop beyond their own produce, each month."""
    return s.online_shops / s[list(STAGES)].sum(axis=1)


def _growth(run: RunLike, share: Share, first: int, last: int) -> float:
    """Trend growth a year of a share's yearly means over calendar years ``first``-``last``."""
    return trend_growth(yearly_means(run, share), (model_year_of(first), model_year_of(last)))


def _own_sellers_growth(run: RunLike, first: int, last: int) -> float:
    """Trend growth a year of the yearly mean share of own online sellers over calendar years ``first``-``last``."""
    return _growth(run, _own_sellers, first, last)


@measure
def own_sellers_growth_2022_2025(run: RunLike) -> float:
    """Trend growth a year of households selling on a shop or stream of their own, 2022-2025 (years 2-5).

    The yearly mean share of ``own_online_sellers``, against MOFCOM's count of rural online shops.
    """
    return _own_sellers_growth(run, 2022, 2025)


@measure
def own_sellers_growth_change(run: RunLike) -> float:
    """Growth of own online sellers in 2023-2025 less their growth in 2021-2023 (negative: diffusion slows)."""
    return _own_sellers_growth(run, 2023, 2025) - _own_sellers_growth(run, 2021, 2023)


@measure
def shops_beyond_own_produce_2021_2023(run: RunLike) -> float:
    """Mean share of households running an online shop beyond their own produce, 2021-2023 (years 1-3)."""
    return float(yearly_means(run, _shop_share).loc[model_year_of(2021):model_year_of(2023)].mean())


@measure
def shops_growth_2022_2025(run: RunLike) -> float:
    """Trend growth a year of households running an online shop beyond their own produce, 2022-2025 (years 2-5)."""
    return _growth(run, _shop_share, 2022, 2025)


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


def _year_ends(run: RunLike, first: int, last: int) -> pd.DataFrame:
    """The December rows (year closes) of calendar years ``first`` to ``last``."""
    s = _facts_years(run, first, last)
    return s[s.month % 12 == 0]


def _adoption_effect(part: str) -> Measure:
    """The measure of the survey's matched estimate of adopting on ``part``: its mean over the closes of 2022-2026."""
    def adoption_effect(run: RunLike) -> float:
        return float(_year_ends(run, 2022, 2026)[f"adoption_effect_{part}"].mean())
    adoption_effect.__doc__ = (f"Adopters' {part} against matched non-adopters', difference in differences "
                               "(yuan/person/year), 2022-2026.")
    return adoption_effect


for _part in ("income", "wages", "business", "transfers"):
    MEASURES[f"adoption_effect_on_{_part}"] = _adoption_effect(_part)


@measure
def jobs_per_shop(run: RunLike) -> float:
    """Jobs per online seller (its own household plus hired full-time jobs), 2021-2023."""
    s = _facts_years(run, 2021, 2023)
    households = s[["not_reached", "problematised", "interested", "enrolled", "mobilised"]].sum(axis=1)
    sellers = float((s.own_online_sellers * households).mean())
    return 1.0 + float(s.ecommerce_jobs.mean()) / sellers if sellers > 0 else math.nan


@measure
def farm_price_growth(run: RunLike) -> float:
    """Nominal growth of the farm price index a year in the run (an input)."""
    return _parameter(run, "farm_price_growth")
