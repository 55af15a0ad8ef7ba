"""Household income as the rural household survey counts it: wages, net business, property, transfers.

NBS's survey divides a rural household's disposable income into four parts. Here net business
income is the household's farm sales (offline and online, net of commission, fees, shipping and
production cost: the market's mechanism) plus non-farm household business (shops, transport,
home-stays: an input by region); wages (local and migrant work), net property income (land
transfer rents, dividends) and net transfers (pensions, subsidies, remittances) are inputs by
region, each with its own nominal growth, stepped each January; government allowances are
transfers. Income per person divides by the persons per household.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np

from abm.core.params import Parameters
from abm.core.world import by_region

#: the survey's four parts of disposable income, in the order of every (part, region) array here
INCOME_PARTS = ("wages", "business", "property", "transfers")
#: share of households with 0, 1, 2 and 3 members in wage work (local or migrant); a household without
#: one (the elderly, those tied to the farm) earns no wages (assumption, see docs/ODD.md 7.5)
WAGE_EARNER_SHARES = (0.3, 0.35, 0.28, 0.07)


def _normal_cdf(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def spread_factor(rng: np.random.Generator, sigma: float, n: int, tail_quantile: float) -> np.ndarray:
    """Lognormal factors with log-sd ``sigma``, capped at the ``tail_quantile`` quantile, mean 1 (one a household).

    A draw ``x = exp(-sigma^2 / 2 + sigma z)`` above the cap ``c = exp(-sigma^2 / 2 + sigma z_q)`` is set to it
    (winsorised: no household draws a business many standard deviations out), and the factors are divided
    by the capped distribution's mean ``Phi(z_q - sigma) + c (1 - Phi(z_q))`` so the regional level is kept.
    """
    draws = rng.lognormal(-sigma ** 2 / 2, sigma, n)
    if tail_quantile >= 1.0:
        return draws
    z = statistics.NormalDist().inv_cdf(tail_quantile)
    cap = math.exp(-sigma ** 2 / 2 + sigma * z)
    return np.minimum(draws, cap) / (_normal_cdf(z - sigma) + cap * (1.0 - tail_quantile))


def wage_factors(rng: np.random.Generator, n: int, spread: float,
                 tail_quantile: float) -> tuple[np.ndarray, np.ndarray]:
    """Each household's wage earners, and its wages relative to its region's level (mean 1): earners times each one's wage.

    ``spread`` is the log-sd of the household's wage draw (the parameter ``wage_spread``).
    """
    shares = np.array(WAGE_EARNER_SHARES)
    earners = rng.choice(shares.size, n, p=shares)
    return earners, earners * spread_factor(rng, spread, n, tail_quantile) / float(np.arange(shares.size) @ shares)


@dataclass
class OffFarmIncome:
    """Each household's monthly income from outside its farm sales, for the current calendar year (float64).

    Attributes:
        wages: wages of the household's members this month.
        business: net income of the household's non-farm business this month.
        property: net property income this month.
        transfers: net transfers this month (government allowances are added as they are paid).
    """

    wages: np.ndarray
    business: np.ndarray
    property: np.ndarray
    transfers: np.ndarray

    def total(self) -> np.ndarray:
        """All four a month, per household."""
        return ((self.wages + self.business) + self.property) + self.transfers


class HouseholdIncome:
    """The off-farm levels of every household and the survey's accounting of a year's income by part."""

    def __init__(self, p: Parameters, region: np.ndarray, rng: np.random.Generator) -> None:
        """Draw each household's wage earners and its spread of every off-farm part; set the levels of year 1.

        Args:
            p: the parameters (regional levels ``*_west/centre/east``, growth rates and the spreads between
                households, ``wage_spread``, ``business_spread``, ``property_spread``, ``transfer_spread``).
            region: each household's region.
            rng: the model's generator.
        """
        self.persons = p.persons_per_household
        self.region = region
        n = region.size
        q = p.income_tail_quantile
        earners, factor = wage_factors(rng, n, p.wage_spread, q)
        self.earners = earners.astype(np.int8)  # members in wage work (one leaves it to run an online shop)
        self._wage_level = by_region(p, "wage_income")[region] * factor
        self._business_level = by_region(p, "nonfarm_business")[region] * spread_factor(rng, p.business_spread, n, q)
        self._property_level = by_region(p, "property_income")[region] * spread_factor(rng, p.property_spread, n, q)
        self._transfer_level = by_region(p, "transfer_income")[region] * spread_factor(rng, p.transfer_spread, n, q)
        self._growth = np.array([p.wage_growth, p.nonfarm_business_growth, p.property_growth, p.transfer_growth])
        self._given_up = np.zeros(n)  # wage level a shop's member gave up (restored when it closes)
        self._year = 1
        self.month = self.for_year(1)
        self.allowances_ytd = np.zeros(region.size)  # government allowances paid this year (transfers)
        self.wage_change_ytd = np.zeros(region.size)  # wages earned in online businesses less wages forgone for them

    def for_year(self, year: int) -> OffFarmIncome:
        """The monthly off-farm income of every household in model year ``year`` (levels x growth^(year-1))."""
        g = (1.0 + self._growth) ** (year - 1)
        return OffFarmIncome(self._wage_level * g[0], self._business_level * g[1], self._property_level * g[2],
                             self._transfer_level * g[3])

    def earner_wage(self) -> np.ndarray:
        """This month's wages of one of each household's wage earners (0 without any), yuan."""
        return np.where(self.earners > 0, self.month.wages / np.maximum(self.earners, 1), 0.0)

    def move_earners(self, households: np.ndarray, into_shop: bool, time_share: np.ndarray | float = 1.0) -> None:
        """One member of each household leaves wage work for its shop (``into_shop``) or goes back to it.

        The member gives up ``time_share`` of one earner's share of the household's wage level (every
        year's; the rest is part-time wage work beside the shop) and no longer counts as a wage earner;
        closing the shop gives back the wage given up, at the level it left.
        """
        if into_shop:
            per_earner = self._wage_level[households] / np.maximum(self.earners[households], 1)
            given_up = per_earner * time_share
            self._given_up[households] = given_up
            self._wage_level[households] -= given_up
            self.earners[households] -= 1
        else:
            self._wage_level[households] += self._given_up[households]
            self._given_up[households] = 0.0
            self.earners[households] += 1
        self.month = self.for_year(self._year)  # a new record: this month's income terms keep the old one

    def open_year(self, year: int) -> None:
        """Step every level to model year ``year`` (each January)."""
        self._year = year
        self.month = self.for_year(year)

    def year_parts(self, income_year: np.ndarray, allowances_year: np.ndarray | float,
                   shop_net_year: np.ndarray | float = 0.0) -> dict[str, np.ndarray]:
        """A year's survey accounts at its close, at this year's levels: per household, and per person by region.

        ``farm_per_person`` is the farm part of net business by region: net business less the non-farm
        business and the online shops' net income (``shop_net_year``), i.e. farm sales less production cost.
        """
        parts = self.household_parts(income_year, allowances_year, self.month, self.wage_change_ytd)
        farm = parts[1] - 12.0 * self.month.business - shop_net_year
        return {"household_parts": parts, "income_parts": self.parts_per_person(parts),
                "farm_per_person": self.parts_per_person(farm[np.newaxis])[0]}

    def household_parts(self, income_year: np.ndarray, allowances_year: np.ndarray | float,
                        off_farm: OffFarmIncome, wage_change: np.ndarray | float = 0.0) -> np.ndarray:
        """Each household's income of a year by survey part: array (part, household), yuan/year.

        Wages, property and transfers are twelve months of ``off_farm`` (transfers plus the year's
        ``allowances_year``, wages plus the year's ``wage_change``: wages earned in neighbours' online
        businesses less those forgone to run one's own, :mod:`abm.labour`); net business is what is left of each household's ``income_year``: its
        farm sales net of costs and its non-farm business. The parts add up to the year's income.
        """
        transfers = 12.0 * off_farm.transfers + allowances_year
        wages = 12.0 * off_farm.wages + wage_change
        prop = 12.0 * off_farm.property
        return np.array([wages, income_year - wages - prop - transfers, prop, transfers])

    def parts_per_person(self, household_parts: np.ndarray) -> np.ndarray:
        """Mean income per person by part and region of :meth:`household_parts`: array (part, region)."""
        count = np.maximum(np.bincount(self.region, minlength=3), 1) * self.persons
        return np.array([np.bincount(self.region, weights=v, minlength=3) / count for v in household_parts])


def province_parts(parts: np.ndarray, households: np.ndarray) -> np.ndarray:
    """Province-wide income per person by part from the regional means (weights: households per region)."""
    return parts @ households / households.sum()
