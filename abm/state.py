"""The province's state as named records that the month's phases receive explicitly.

:class:`Villages` holds per-village views of the grid's property layers (the layers stay the one
home of spatial data: a policy writing ``villages.cold_chain[v]`` writes the layer) and the
village facts fixed at set-up; :class:`Institutions` the few institutional actors;
:class:`HouseholdTerms` the per-household constants of the monthly step; :class:`Province` bundles
them with the farmer population, the parameters and the east-west accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from abm.core import crops
from abm.core.ledger import GoodsLedger, MoneyLedger, MonthPurchases, check_close, check_purchases
from abm.core.params import Parameters
from abm.core.stages import EXIT_REASONS
from abm.development.strategies import DevelopmentModel
from abm.eastwest.fund import EastWestAccounts
from abm.trust.mechanisms import TrustMechanism
from agents.consumers import ConsumerMarket
from agents.cooperative import Cooperative, PooledYear
from agents.farmers import FarmerPopulation
from agents.government import Government, PolicyTargets
from agents.households import HouseholdIncome
from agents.logistics import LogisticsProvider, transit_loss
from agents.platform import Platform

if TYPE_CHECKING:  # the month's income is built from the market's flows (a layer above); only its type is named
    from abm.income.month import MonthIncome


@dataclass(frozen=True)
class TraderTerms:
    """How a bulk trader prices a village's produce: the destination price less loss, haulage and margin.

    ``price = base x offline_price_ratio x (1 - loss) / (1 - national loss) x (1 + trader_competition x
    online share) - bulk_freight_per_km x road km``: a trader buys at the wholesale price of what
    arrives (the village route's transit loss against the nation's, which the ratio is set at), less
    the haul to the trunk road and its margin; the margin narrows where more of the village sells
    online (traders must bid for produce). Better roads, cold chain and online competition so reach
    households who never sell online.
    """

    ratio: float
    competition: float
    freight_per_km: float
    national_loss: np.ndarray  # per crop: transit loss on the nation's routes (abm.market.national_loss)
    loss_params: tuple         # (loss without cold chain, with it, reference km, distance elasticity)

    def route_loss(self, crop: np.ndarray, cold_chain: np.ndarray, road_km: np.ndarray) -> np.ndarray:
        """Transit loss of each village's route out (every route uses its cold chain)."""
        return transit_loss(crops.PERISHABILITY[crop], cold_chain, road_km, *self.loss_params)

    def price(self, crop: np.ndarray, cold_chain: np.ndarray, road_km: np.ndarray, online_share: np.ndarray,
              level: float = 1.0) -> np.ndarray:
        """The bulk price per kg in each village at farm-gate price index ``level``, never below zero."""
        arriving = (1.0 - self.route_loss(crop, cold_chain, road_km)) / (1.0 - self.national_loss[crop])
        bid = crops.BASE_PRICE[crop] * level * self.ratio * arriving * (1.0 + self.competition * online_share)
        return np.maximum(bid - self.freight_per_km * road_km, 0.0)


@dataclass(frozen=True)
class Villages:
    """Each village (grid cell, C order): views of the property layers and facts fixed at set-up."""

    region: np.ndarray          # 0 west, 1 centre, 2 east (layer view)
    county: np.ndarray          # county index (layer view)
    crop: np.ndarray            # crop index, int64 (a copy: crops never change)
    broadband: np.ndarray       # layer view, written by the broadband roll-out
    g5: np.ndarray              # layer view, written by the broadband roll-out
    road_km: np.ndarray         # layer view
    cold_chain: np.ndarray      # layer view, written by cold-chain subsidies and the fund
    station: np.ndarray         # village service station (layer view)
    fresh: np.ndarray           # grows a fresh crop
    fresh_villages: np.ndarray  # indices of the fresh-crop villages
    coop_of_county: np.ndarray  # index of each county's cooperative (-1: none)
    county_region: np.ndarray   # region of each county's seat
    public_brand: np.ndarray    # sells under the government's regional public brand
    online_share: np.ndarray    # share of households on an online channel at last month's end
    traders: TraderTerms        # how a bulk trader prices a village's produce
    price_level: np.ndarray     # this month's farm-gate price index, one value (crops.price_level)

    @classmethod
    def from_grid(cls, grid: OrthogonalMooreGrid, coop_of_county: np.ndarray, county_region: np.ndarray,
                  public_brand: np.ndarray, traders: TraderTerms) -> Villages:
        """Views of ``grid``'s layers, with the county and brand facts decided at set-up."""
        crop = grid.crop.data.ravel().astype(np.int64)
        fresh = crops.FRESH[crop]
        return cls(grid.region.data.ravel(), grid.county.data.ravel(), crop, grid.broadband.data.ravel(),
                   grid.g5.data.ravel(), grid.road_km.data.ravel(), grid.cold_chain.data.ravel(),
                   grid.station.data.ravel(), fresh, np.flatnonzero(fresh), coop_of_county, county_region,
                   public_brand, np.zeros(grid.region.data.size), traders, np.ones(1))

    @property
    def n(self) -> int:
        """Number of villages."""
        return self.region.size

    def offline_price(self) -> np.ndarray:
        """Price a bulk trader pays per kg in each village (spatial arbitrage, :meth:`TraderTerms.price`)."""
        return self.traders.price(self.crop, self.cold_chain, self.road_km, self.online_share, self.price_level[0])

    def has_coop(self) -> np.ndarray:
        """Whether each village's county has a cooperative."""
        return self.coop_of_county[self.county] >= 0


@dataclass(frozen=True)
class Institutions:
    """The institutional actors: cooperatives, platforms, carriers, government, consumers, trust mechanism."""

    cooperatives: list[Cooperative]
    platforms: list[Platform]
    providers: list[LogisticsProvider]
    government: Government
    consumers: ConsumerMarket
    trust: TrustMechanism

    def platform(self, name: str) -> Platform:
        """The platform of this name (``eastern_marketplace``, ``eastern_livestream``, ``central_marketplace``)."""
        return next(pl for pl in self.platforms if pl.name == name)

    def commission_rates(self) -> np.ndarray:
        """Each platform's commission rate this month, in platform order."""
        return np.array([pl.commission for pl in self.platforms])


@dataclass(frozen=True)
class HouseholdTerms:
    """Per-household constants of the monthly step, computed once (the same numbers every month)."""

    annual_marketable: np.ndarray       # kg a year for sale (after the home share)
    monthly_kg: np.ndarray              # a twelfth of it, at least 1 kg
    village_of: np.ndarray              # each household's village
    crop_index: np.ndarray              # crop, as intp
    crop_runs: tuple                    # each crop's households as runs of whole villages (starts, ends, bounds)
    fresh: np.ndarray                   # grows a fresh crop
    storable: np.ndarray                # grows a storable crop
    home_share: np.ndarray              # share of the harvest kept at home (float32)
    base_price: np.ndarray              # base price of the household's crop
    production_cost_per_kg: np.ndarray
    platform_of: np.ndarray             # the platform a shop seller uses (int8 platform index)

    @classmethod
    def of(cls, f: FarmerPopulation, villages: Villages, p: Parameters, platform_of: np.ndarray) -> HouseholdTerms:
        """The constants of population ``f`` in ``villages`` under parameters ``p``."""
        annual = crops.YIELD_KG[f.crop] * (1 - crops.HOME_SHARE[f.crop]) * f.productivity
        crop = f.crop.astype(np.intp)
        by_crop = np.argsort(villages.crop, kind="stable")
        runs = (by_crop * f.households, (by_crop + 1) * f.households,
                np.searchsorted(villages.crop[by_crop], np.arange(len(crops.CROPS) + 1)))
        base_price = crops.BASE_PRICE[crop]
        return cls(annual, np.maximum(annual / 12.0, 1.0), np.arange(f.n) // f.households, crop, runs,
                   crops.FRESH[crop], crops.STORABLE[crop], crops.HOME_SHARE[crop].astype(np.float32), base_price,
                   base_price * p.production_cost_share, platform_of)


@dataclass(frozen=True)
class Province:
    """Everything the month's phases read and write, besides the ledgers and the market's own state.

    ``development`` is the development model (a strategy, :mod:`abm.development.strategies`).
    """

    p: Parameters
    villages: Villages
    institutions: Institutions
    farmers: FarmerPopulation
    terms: HouseholdTerms
    eastwest: EastWestAccounts
    development: DevelopmentModel

    def served(self) -> np.ndarray:
        """Villages a carrier serves now: their county is one a provider serves and has not withdrawn from."""
        counties = np.zeros(self.villages.coop_of_county.size, bool)
        for lp in self.institutions.providers:
            counties |= lp.serves
        return counties[self.villages.county]

    def policy_targets(self) -> PolicyTargets:
        """What the government and the fund may act on (village layers written in place)."""
        v = self.villages
        return PolicyTargets(v.region, v.county, v.county_region, v.fresh, v.broadband, v.g5, v.cold_chain,
                             v.road_km, self.farmers, self.institutions.cooperatives)


@dataclass
class Carried:
    """What one phase hands to a later phase or month (besides the market's prices and the stability history).

    ``household_income`` the households' off-farm incomes and this year's allowances; ``expected_income``
    each household's income from selling everything offline (the measures' basis before month 12);
    ``year_stats`` the last complete year's income statistics; ``pooled`` the cooperatives' pooled sales
    this year (settled in December); ``membership_flows`` the last settlement (left by reason, joined);
    ``followers_streamed`` this year's followers' livestream sales by village (the talent titles);
    ``month_income`` this month's income by component (None before the first settlement); ``cash_at_close``
    farmers' cash at the last month's close (the books check it); ``last_year`` the last closed year's
    income parts and who sold online (the survey's comparison of adopters).
    """

    household_income: HouseholdIncome
    expected_income: np.ndarray
    year_stats: dict
    pooled: PooledYear
    membership_flows: np.ndarray
    followers_streamed: np.ndarray
    month_income: MonthIncome | None = None
    cash_at_close: float = 0.0
    last_year: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def opening(cls, household_income: HouseholdIncome, expected_income: np.ndarray, year_stats: dict,
                cooperatives: int, villages: int) -> Carried:
        """What the first month starts from: nothing pooled, settled or streamed yet."""
        return cls(household_income, expected_income, year_stats, PooledYear(cooperatives),
                   np.zeros(len(EXIT_REASONS) + 1), np.zeros(villages))


class ProvinceViews:
    """The roles most code reads, as views of ``self.province`` (the model and the observers' view share them)."""

    province: Province

    @property
    def farmers(self) -> FarmerPopulation:
        """The farmer households (numpy columns in grid order)."""
        return self.province.farmers

    @property
    def cooperatives(self) -> list[Cooperative]:
        """The cooperatives, in county order."""
        return self.province.institutions.cooperatives

    @property
    def government(self) -> Government:
        """The government with its instruments and budgets."""
        return self.province.institutions.government


def check_books(money: MoneyLedger, goods: GoodsLedger, province: Province, cash_before: float,
                flows: MonthPurchases) -> float:
    """The ledgers match the state and the market: cash, cooperatives, fund, government, online purchases.

    ``cash_before`` is farmers' cash at the previous check (0 before the first month); ``flows`` are the
    month's market flows (the logistics subsidy shippers granted must be booked in full). Returns farmers' cash.
    """
    check_purchases(money, goods, flows)
    cash = float(province.farmers.cash.sum())
    check_close("farmers' cash", cash_before + money.net_flow("farmers"), cash, abs(cash))
    inst = province.institutions
    coop_cash = sum(c.cash for c in inst.cooperatives)
    check_close("cooperatives' cash", money.balance["cooperatives"], coop_cash, abs(coop_cash))
    fund = province.eastwest.fund_balance
    check_close("fund", money.balance["fund"], fund, fund)
    gov = sum(inst.government.available.values())
    check_close("government budgets", money.balance["government"], gov, gov)
    return cash
