"""The rural e-commerce model: a Mesa Model whose monthly step runs the phases in a fixed order.

Order of a month (docs/ODD.md, "Process overview and scheduling"): budgets and shocks, harvest,
channel choice, market clearing and logistics, settlement, learning and trust, translation,
government policy and the east-west fund, measurement and data collection.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import mesa
import networkx as nx
import numpy as np
from numba import njit

from abm import crops
from abm.channel_prices import ChannelPrices
from abm.eastwest import pair_counties, spend_fund
from abm.kernels import running_sums_over_runs
from abm.ledger import GoodsLedger, MoneyLedger, check_close
from abm.market import GroupMarket
from abm.measures import measure, year_statistics
from abm.outcomes import check_declared, region_outcomes, series_outcomes
from abm.params import Parameters
from abm.scenario import validate_parameters
from abm.translation import Exposure, Rates, network, transition
from abm.trust import mechanism
from abm.world import Geography, build_grid, by_region, neighbour_mean
from agents.consumers import ConsumerMarket
from agents.cooperative import Cooperative
from agents.farmers import COOP, ENROLLED, LIVE, MOBILISED, OFFLINE, SHOP, FarmerPopulation
from agents.government import Government, PolicyTargets, train
from agents.logistics import LogisticsProvider
from agents.platform import Platform

TRACE_FIXED_COST = 200.0  # yuan a month for a traceability account and devices, whatever the volume (assumption)
ASPIRATION_ADAPTATION = 0.05  # monthly pull of a household's promised gain towards its realised gain


def read_metric(model: RuralEconomy, name: str) -> float:
    """Reporter for Mesa's DataCollector: one named metric of this month (picklable)."""
    return model.metrics[name]


class RuralEconomy(mesa.Model):
    """A province of villages where farmers, cooperatives, platforms, logistics and government interact."""

    def __init__(self, parameters: Parameters | None = None, seed: int = 42, **overrides: Any) -> None:
        """Build the world from declared parameters (``overrides`` are validated like a scenario file)."""
        super().__init__(rng=seed)
        p = parameters or Parameters()
        if overrides:
            p = validate_parameters(p.model_dump() | overrides, origin="model arguments")
        self.p = p
        self.geo = Geography.from_params(p)
        self.grid = build_grid(self.geo, p, self.rng, self.random)
        g = self.grid
        # Per-village views of the property layers (C order), so updates show in the layers.
        self.v_region = g.region.data.ravel()
        self.v_county = g.county.data.ravel()
        self.v_crop = g.crop.data.ravel().astype(np.int64)
        self.v_broadband = g.broadband.data.ravel()
        self.v_g5 = g.g5.data.ravel()
        self.v_road_km = g.road_km.data.ravel()
        self.v_cold_chain = g.cold_chain.data.ravel()
        self.v_station = g.station.data.ravel()
        self.v_fresh = crops.FRESH[self.v_crop]
        self.fresh_villages = np.flatnonzero(self.v_fresh)
        n_counties = int(self.v_county.max()) + 1
        self._build_institutions(n_counties)
        member_share = np.where(self.coop_of_county[self.v_county] >= 0, p.coop_membership, 0.0)
        self.farmers = FarmerPopulation(
            self.v_region, self.v_crop, p.households_per_village, by_region(p, "junior_school"),
            p.trained_share, by_region(p, "initial_online"), member_share, self.rng)
        f = self.farmers
        self.platform_of = np.where(self.rng.random(f.n) < self.platforms[0].seller_share, 0, 2).astype(np.int8)
        if p.development_model == "livestream":
            seed_nf = np.repeat(self.v_g5, f.households) & (self.rng.random(f.n) < 0.01)
            f.new_farmer[seed_nf] = True
            f.stage[seed_nf] = MOBILISED
            f.link_since[seed_nf] = 0
            f.skill[seed_nf] = np.maximum(f.skill[seed_nf], 0.7)
        if p.development_model == "government_brand":
            self.public_brand = self.v_station.copy()
        else:
            self.public_brand = np.zeros(self.geo.villages, bool)
        self.consumers = ConsumerMarket(p.initial_trust, p.trust_learning)
        self.trust = mechanism(p)
        self.market = GroupMarket(self.geo.villages)
        self.money = MoneyLedger()
        self.goods = GoodsLedger(len(crops.CROPS))
        self.fund_balance = 0.0
        self.fund_spent = 0.0
        self.pairing_spent = 0.0
        self.pairing_counties = np.zeros(n_counties, bool)
        self.calendar = crops.harvest_calendar()
        self.annual_marketable = (crops.YIELD_KG[f.crop] * (1 - crops.HOME_SHARE[f.crop]) * f.productivity)
        # Per-household constants of the monthly step, computed once (the same numbers every month).
        self._monthly_kg = np.maximum(self.annual_marketable / 12.0, 1.0)
        self.village_of = np.arange(f.n) // f.households  # each household's village
        self._crop_index = f.crop.astype(np.intp)
        # Each crop's households as runs of whole villages, in household order (for per-crop sums).
        by_crop = np.argsort(self.v_crop, kind="stable")
        self._crop_runs = (by_crop * f.households, (by_crop + 1) * f.households,
                           np.searchsorted(self.v_crop[by_crop], np.arange(len(crops.CROPS) + 1)))
        self.fresh_household = crops.FRESH[self._crop_index]  # grows a fresh crop
        self._storable = crops.STORABLE[self._crop_index]
        self._home_share = crops.HOME_SHARE[self._crop_index].astype(np.float32)
        self.base_price_household = crops.BASE_PRICE[self._crop_index]  # base price of the household's crop
        self._production_cost_per_kg = self.base_price_household * p.production_cost_share
        self._offwork_income = by_region(p, "offwork_income")[f.region] * f.wage_factor  # a month's wages
        self._offwork_total = float(self._offwork_income.sum())
        self.alive_history: list[np.ndarray] = []
        self.defection_history: list[np.ndarray] = []
        self.last_shipped_eligible = 0.0
        self.market.initialise(self)
        self._expected = self._expected_income()
        self.year_stats = year_statistics(self._expected, f.region)
        self.metrics: dict[str, float] = {}
        self.region_rows: list[dict[str, float]] = []
        self._measure(month_flows=None)
        check_declared(list(self.metrics), list(self.region_rows[0]))
        self.datacollector = mesa.DataCollector(
            model_reporters={o.name: partial(read_metric, name=o.name) for o in series_outcomes()},
            tables={"regions": ["month", "region", *(o.name for o in region_outcomes())]},
        )
        self._collect()

    # --- set-up -------------------------------------------------------------------------------

    def _build_institutions(self, n_counties: int) -> None:
        """Create cooperatives (at county hubs), platforms, logistics providers and the government."""
        p = self.p
        hubs = np.flatnonzero(self.grid.hub.data.ravel())
        hub_of_county = np.full(n_counties, -1)
        hub_of_county[self.v_county[hubs]] = hubs
        # A county belongs to the region of its seat (the hub village), even where its block straddles a border.
        self.county_region = self.v_region[hub_of_county].astype(np.int8)
        self.coop_of_county = np.full(n_counties, -1)
        self.cooperatives: list[Cooperative] = []
        u = self.rng.random((3, n_counties))
        share = by_region(p, "coop_counties")
        cells = list(self.grid.all_cells)
        for county in range(n_counties):
            v = hub_of_county[county]
            if v < 0 or u[0, county] >= share[self.v_region[v]]:
                continue
            coop = Cooperative(self, cells[v], int(v), county, bool(u[1, county] < p.coop_branded),
                               p.coop_processing if u[2, county] < 0.3 else 0.0, p.coop_fee)
            self.coop_of_county[county] = len(self.cooperatives)
            self.cooperatives.append(coop)
        self.platforms = [
            Platform(self, "eastern_marketplace", 2, False, 0.7, p.commission),
            Platform(self, "eastern_livestream", 2, True, 0.0, p.commission),
            Platform(self, "central_marketplace", 1, False, 0.3, p.commission),
        ]
        national = self.rng.random(n_counties) < 0.6
        self.providers = [
            LogisticsProvider(self, "national_express", national, p.logistics_base, p.logistics_per_km,
                              p.cold_chain_surcharge),
            LogisticsProvider(self, "regional_carrier", ~national, p.logistics_base * 1.1, p.logistics_per_km,
                              p.cold_chain_surcharge),
        ]
        self.government = Government(self, p)

    def _expected_income(self) -> np.ndarray:
        """Yearly income each household would earn selling everything offline (the starting estimate)."""
        f, p = self.farmers, self.p
        v = np.arange(f.n) // f.households
        offline = self.offline_price()[v] * self.annual_marketable
        cost = crops.YIELD_KG[f.crop] * f.productivity * crops.BASE_PRICE[f.crop] * p.production_cost_share
        return offline - cost + 12 * by_region(p, "offwork_income")[f.region] * f.wage_factor

    def offline_price(self) -> np.ndarray:
        """Price a bulk trader pays per kg in each village: lower where the road is long."""
        base = crops.BASE_PRICE[self.v_crop] * self.p.offline_price_ratio
        return base * np.maximum(0.5, 1.0 - 0.002 * self.v_road_km)

    # --- the monthly step ---------------------------------------------------------------------

    def step(self) -> None:
        """Advance the province by one month."""
        month = self.steps
        moy = (month - 1) % 12
        if moy == 0:
            self.government.open_year(self.money)
        self._apply_shocks(month)
        offer, harvested, home, stock_in = self._harvest(moy)
        self._choose_channels(offer)
        flows = self.market.clear(self, offer)
        self._settle(flows, offer, harvested, home, stock_in, moy)
        self._learn(flows, offer)
        translation_flows = self._translate(month, flows)
        self._policy(moy, month)
        if moy == 11:
            self._close_year()
        self._measure(month_flows=(flows, translation_flows))
        self._check_books()
        self.money.close_month(month)
        self._collect()

    def _apply_shocks(self, month: int) -> None:
        """Switch the scenario's shock on or off: a commission hike, or a provider leaving counties."""
        p = self.p
        active = p.shock != "none" and p.shock_start < month <= p.shock_start + p.shock_months
        for pl in self.platforms:
            pl.set_shock(active and p.shock == "commission_hike", p.commission_hike)
        if p.shock == "logistics_exit":
            lp = self.providers[0]
            if active:
                lp.withdraw(lp.home & (np.arange(lp.home.size) % 2 == 0))
            else:
                lp.restore()
        served = np.zeros(self.coop_of_county.size, bool)
        for lp in self.providers:
            served |= lp.serves
        self.v_served = served[self.v_county]

    def _harvest(self, moy: int) -> tuple[np.ndarray, ...]:
        """Harvest this month's crop; keep the home share; storable crops go to stock and sell from it."""
        per_crop = crops.YIELD_KG * self.calendar[:, moy]
        return _harvest_households(per_crop[self.v_crop], self.farmers.productivity, self._home_share,
                                   self._storable, crops.STOCK_SALE_SHARE, self.farmers.stock)

    def _choose_channels(self, offer: np.ndarray) -> None:
        """Each household with produce picks a channel by expected net price per kg (logit with inertia).

        The month's prices (:class:`ChannelPrices`) are computed for the households with a choice
        alone; the translation later reads the same prices for the households it weighs.
        """
        f, p = self.farmers, self.p
        has_nf = f.village_sum(f.new_farmer) > 0
        open_bits = f.open_channels(self.v_broadband, self.v_g5, self.v_served, has_nf)
        self.channel_prices = prices = ChannelPrices(
            f, self.offline_price(), self.market.expected_net, self._monthly_kg, p.online_effort_cost,
            self.v_served, self.v_broadband, self.v_g5, has_nf)
        f.choose_channels(open_bits, offer, prices.net_prices, p.choice_sensitivity, p.channel_inertia,
                          self.rng.random(f.n, dtype=np.float32))
        unset = np.flatnonzero(f.enrolled & (f.promised == 0))
        f.promised[unset] = prices.promise_per_kg(unset)

    def _settle(self, fl, offer, harvested, home, stock_change, moy: int) -> None:
        """Pay everyone, book every yuan and kilogram, and update farmers' cash and income."""
        f, led = self.farmers, self.money
        production = harvested * self._production_cost_per_kg
        offwork = self._offwork_income
        allowance = self.government.allowances(f.n, moy, led)
        income = _month_income(fl.offline_revenue, fl.sellers, fl.seller_net, offwork, production, allowance,
                               f.cash, f.income_ytd)
        revenue, commission, coop_fee, shipping, tracing, penalty = fl.sums.totals(
            fl.seller_revenue, fl.seller_commission, fl.seller_coop_fee, fl.seller_logistics, fl.seller_trace_cost,
            fl.seller_penalty)
        led.add("consumers", "farmers", revenue, "online_sales")
        led.add("traders", "farmers", fl.offline_revenue.sum(), "offline_sales")
        led.add("labour_market", "farmers", self._offwork_total, "wages")
        led.add("farmers", "inputs", production.sum(), "production_cost")
        led.add("farmers", "platforms", commission, "commission")
        led.add("farmers", "cooperatives", coop_fee, "coop_fee")
        led.add("farmers", "logistics", shipping, "shipping")
        led.add("farmers", "traceability", tracing, "traceability")
        led.add("farmers", "consumers", penalty, "fraud_penalty")
        led.add("consumers", "platforms", fl.discrimination, "price_discrimination")
        subsidy = min(fl.logistics_subsidy, self.government.available["logistics"])
        led.add("government", "logistics", subsidy, "logistics_subsidy")
        if subsidy > 0:
            self.government.spend("logistics", subsidy)
        for c, coop in enumerate(self.cooperatives):
            coop.cash += fl.coop_fee_by_coop[c]
        fund_in = fl.fund_levy
        led.add("platforms", "fund", fund_in, "east_west_fund")
        self.fund_balance += fund_in
        for k, pl in enumerate(self.platforms):
            pl.revenue += fl.platform_revenue[k]
        f.income_month = income
        f.online_revenue_ytd[fl.sellers] += fl.seller_revenue
        # Unsold storable kg go back to stock (sellers only; everyone else adds an exact zero).
        stock_change[fl.sellers] += fl.seller_to_stock
        f.stock[fl.sellers] += fl.seller_to_stock
        crop = self._crop_index
        k = len(crops.CROPS)
        harvested_k, home_k, stock_change_k = running_sums_over_runs((harvested, home, stock_change), *self._crop_runs)
        delivered_offline_k, lost_k = running_sums_over_runs((fl.delivered_offline, fl.lost), *self._crop_runs)
        self.goods.record(
            self.steps, harvested=harvested_k, home=home_k,
            delivered_online=np.bincount(crop[fl.sellers], weights=fl.seller_delivered, minlength=k),
            delivered_offline=delivered_offline_k, lost=lost_k, stock_change=stock_change_k,
        )
        self.last_shipped_eligible = fl.eligible_kg

    def _learn(self, fl, offer: np.ndarray) -> None:
        """Learning by doing, sellers' ratings, promises judged, and consumers' trust from what they received."""
        f, p = self.farmers, self.p
        _learn_households(fl.sellers, fl.seller_delivered, fl.seller_caught, fl.seller_net, fl.seller_offer,
                          self.offline_price(), offer, f.stage, f.skill, f.reputation, f.sales_count, f.promised,
                          f.shortfall, p.skill_learning, p.promise_tolerance, ASPIRATION_ADAPTATION)
        self.consumers.learn(fl.bought_by_origin, fl.disappointed_by_origin, fl.noticed_markup)
        f.decide_fraud(fl.premium_share, self.trust.detection, self.trust.penalty)
        if self.trust.traceable:
            f.decide_traceability(fl.verification_gain, p.trace_cost, TRACE_FIXED_COST, self._monthly_kg)

    def _translate(self, month: int, fl) -> np.ndarray:
        """Stage transitions of farmers and the institutional actors' stages."""
        f, p = self.farmers, self.p
        enrolled_v, new_farmers_v = _enrolled_and_new_farmers(f.stage, f.new_farmer, f.households)
        v_enrolled, v_nf = enrolled_v / f.households, new_farmers_v / f.households
        imitation = neighbour_mean(v_enrolled, self.geo.width, self.geo.height) + \
            p.new_farmer_pull * neighbour_mean(v_nf, self.geo.width, self.geo.height)
        pp = self.passage_points(new_farmers_v)
        # Interessement devices of the village (each household's training is added in the transition);
        # the terms are multiples of 0.5, so their sum is exact in any order.
        village_incentives = (self.v_station * 0.5
                              + (self.v_broadband * 1.0 if p.development_model == "platform" else 0.0)
                              + ((v_nf > 0) * 1.0 if p.development_model == "livestream" else 0.0)
                              + (self.public_brand * 1.0 if p.development_model == "government_brand" else 0.0)
                              + self.pairing_counties[self.v_county] * 0.5)
        x = Exposure(pp, imitation, village_incentives, self.channel_prices.enrolment_terms,
                     self.v_broadband & self.v_served, self.v_g5)
        mob = p.mobilisation_rate * (3.0 if p.development_model == "livestream" else 1.0)
        rates = Rates(p.innovation_rate, p.passage_point_rate, p.imitation_rate, p.interessement_rate,
                      p.enrolment_rate, mob, p.defection_patience)
        flows = transition(f, x, rates, month, self.rng.random((4, f.n), dtype=np.float32))
        coop_sellers, sellers = _cooperative_and_platform_sellers(f.member, f.channel, self.platform_of,
                                                                  f.households, len(self.platforms))
        active = np.bincount(self.v_county, weights=coop_sellers, minlength=self.coop_of_county.size)
        for coop in self.cooperatives:
            coop.update_stage(int(active[coop.county]))
        for k, pl in enumerate(self.platforms):
            pl.update_stage(int(sellers[k]), threshold=max(10, f.n // 100))
        return flows

    def passage_points(self, new_farmers_by_village: np.ndarray | None = None) -> np.ndarray:
        """Obligatory passage points within each farmer's reach: station, cooperative, new farmer, recruiter (int8).

        ``new_farmers_by_village`` is the number of new farmers in each village, where the caller has it.
        """
        return _household_passage_points(*self.village_passage_points(new_farmers_by_village), self.farmers.member)

    def village_passage_points(self, new_farmers_by_village: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """Each village's passage points (int8), and whether its county has a cooperative (a member's one more)."""
        f = self.farmers
        if new_farmers_by_village is None:
            new_farmers_by_village = f.village_sum(f.new_farmer)
        has_coop = self.coop_of_county[self.v_county] >= 0
        recruiter = self.v_broadband if self.p.development_model == "platform" else np.zeros_like(self.v_station)
        return self.v_station.astype(np.int8) + (new_farmers_by_village > 0) + recruiter, has_coop

    def _policy(self, moy: int, month: int) -> None:
        """Government instruments, cooperatives' investment, and the east-west fund and pairing."""
        targets = self.policy_targets()
        self.government.act(targets, moy, self.money)
        for coop in self.cooperatives:
            coop.invest(self.money, 0.15)
        if self.p.pairing and month == 1:
            self.pairing_counties = pair_counties(self.county_region)
        if self.p.pairing and moy == 0:
            west_paired = np.repeat(self.pairing_counties[self.v_county], self.farmers.households)
            self.pairing_spent += train(targets, self.pairing_cost(), self.p.training_cost,
                                        self.p.training_skill_gain, self.money, "eastern_partners", west_paired)
        if self.fund_balance > 0 and moy == 11:
            spent = spend_fund(targets, self.fund_balance, self.p, self.money)
            self.fund_balance -= spent
            self.fund_spent += spent

    def network(self, max_farmers: int | None = None) -> nx.Graph:
        """The actor-network this month as a networkx graph (actors, actants, typed links with ages)."""
        return network(self.farmers, self.steps, self.v_county, self.cooperatives, self.platforms, self.providers,
                       self.government, self.platform_of, max_farmers)

    def pairing_cost(self) -> float:
        """What eastern partners spend this year on pairing: a cost per paired western county."""
        return float(self.p.pairing_cost * self.pairing_counties.sum())

    def policy_targets(self) -> PolicyTargets:
        """What the government and the fund may act on."""
        return PolicyTargets(self.v_region, self.v_county, self.county_region, self.v_fresh, self.v_broadband,
                             self.v_g5, self.v_cold_chain, self.v_road_km, self.farmers, self.cooperatives)

    def _close_year(self) -> None:
        """Year end: income statistics, talent titles, a new year for every household."""
        f = self.farmers
        f.close_year()
        self.year_stats = year_statistics(f.income_year, f.region)
        v = np.arange(f.n) // f.households
        live_sales = np.bincount(v, weights=f.online_revenue_year * (f.channel == LIVE), minlength=self.geo.villages)
        nf_count = np.maximum(f.village_sum(f.new_farmer), 1)
        lifted = np.repeat((f.village_sum(f.enrolled & ~f.new_farmer)) / nf_count, f.households)
        led_sales = np.repeat(live_sales / nf_count, f.households) + f.online_revenue_year
        self.government.award_titles(led_sales, lifted, f.new_farmer)

    # --- measurement --------------------------------------------------------------------------

    def _measure(self, month_flows) -> None:
        """Compute this month's model-level and regional metrics."""
        self.metrics, self.region_rows = measure(self, month_flows)

    def refresh_layers(self) -> None:
        """Copy this month's village means of adoption, income and stage into the grid's property layers."""
        f = self.farmers
        shape = self.grid.adoption.data.shape
        self.grid.adoption.data[:] = f.village_mean(f.channel != OFFLINE).reshape(shape)
        self.grid.income.data[:] = f.village_mean(f.income_year if self.steps >= 12 else self._expected).reshape(shape)
        self.grid.stage.data[:] = f.village_mean(f.stage).reshape(shape)

    def _collect(self) -> None:
        """Record metrics with Mesa's DataCollector (model level and the regional table)."""
        self.refresh_layers()
        self.datacollector.collect(self)
        for row in self.region_rows:
            self.datacollector.add_table_row("regions", row)

    def _check_books(self) -> None:
        """The money ledger matches the state every month: farmers' cash, cooperatives, fund, government."""
        f = self.farmers
        cash = float(f.cash.sum())
        check_close("farmers' cash", self._cash_before + self.money.net_flow("farmers"), cash, abs(cash))
        self._cash_before = cash
        coop_cash = sum(c.cash for c in self.cooperatives)
        check_close("cooperatives' cash", self.money.balance["cooperatives"], coop_cash, abs(coop_cash))
        check_close("fund", self.money.balance["fund"], self.fund_balance, self.fund_balance)
        gov = sum(self.government.available.values())
        check_close("government budgets", self.money.balance["government"], gov, gov)

    _cash_before = 0.0


@njit(cache=True, nogil=True)
def _month_income(offline_revenue: np.ndarray, sellers: np.ndarray, seller_net: np.ndarray, offwork: np.ndarray,
                  production: np.ndarray, allowance: np.ndarray, cash: np.ndarray,
                  income_ytd: np.ndarray) -> np.ndarray:
    """Each household's income this month, added to its cash and its income so far this year.

    Bulk sales, plus online net income (``sellers``, sorted, alone have one), plus wages, less
    production cost, plus allowances: the additions, in this order, of the in-place numpy sums.
    """
    income = offline_revenue.copy()
    for k in range(sellers.size):  # a separate pass: sellers are scattered, a test per household mispredicts
        income[sellers[k]] += seller_net[k]
    for i in range(income.size):
        income[i] = value = ((income[i] + offwork[i]) - production[i]) + allowance[i]
        cash[i] += value
        income_ytd[i] += value
    return income


@njit(cache=True, nogil=True)
def _harvest_households(village_yield: np.ndarray, productivity: np.ndarray, home_share: np.ndarray,
                        storable: np.ndarray, stock_sale_share: float, stock: np.ndarray) -> tuple:
    """Each household's kg on offer, harvested, kept at home and added to stock (float32), in one pass.

    The harvest is the village's yield per unit of productivity times the household's, rounded to
    float32; storable crops go to stock (updated in place) and a ``stock_sale_share`` of the stock
    is offered, the rest is offered at once: numpy's float32 arithmetic, step by step.
    """
    n = productivity.size
    households = n // village_yield.size
    offer = np.empty(n, np.float32)
    harvested = np.empty(n, np.float32)
    home = np.empty(n, np.float32)
    stock_change = np.empty(n, np.float32)
    share = np.float32(stock_sale_share)
    zero = np.float32(0.0)
    for v in range(village_yield.size):
        for i in range(v * households, (v + 1) * households):
            h = np.float32(village_yield[v] * np.float64(productivity[i]))
            kept = h * home_share[i]
            net = h - kept
            harvested[i] = h
            home[i] = kept
            if storable[i]:
                in_stock = stock[i] + net
                from_stock = in_stock * share
                stock[i] = in_stock - from_stock
                offer[i] = from_stock
                stock_change[i] = net - from_stock
            else:
                stock[i] = (stock[i] + zero) - zero
                offer[i] = net
                stock_change[i] = zero - zero
    return offer, harvested, home, stock_change


@njit(cache=True, nogil=True)
def _learn_households(sellers, seller_delivered, seller_caught, seller_net, seller_offer, offline_price, offer,
                      stage, skill, reputation, sales_count, promised, shortfall, skill_learning: float,
                      promise_tolerance: float, adaptation: float) -> None:
    """Sellers who delivered learn (skill, rating, sales count); committed households with produce judge the month.

    The realised gain per kg over the bulk price (0 without an online sale) counts as a shortfall when
    below ``promise_tolerance`` of the promised gain, and the promise moves ``adaptation`` of the way
    towards it; a NaN promise (online before month 0) is first set to it. Columns change in place,
    with numpy's float32 and float64 steps.
    """
    households = offer.size // offline_price.size
    learning = np.float32(skill_learning)
    for k in range(sellers.size):
        if seller_delivered[k] > 0:
            i = sellers[k]
            skill[i] = skill[i] + learning * (np.float32(1) - skill[i])
            reputation[i] = np.float32(reputation[i] + 0.2 * ((1.0 - seller_caught[k]) - reputation[i]))
            sales_count[i] = sales_count[i] + np.float32(1)
    tolerance = np.float32(promise_tolerance)
    realised_gain = np.zeros(offer.size)
    for k in range(sellers.size):
        kg = max(seller_offer[k], np.float32(1e-9))
        realised_gain[sellers[k]] = seller_net[k] / np.float64(kg) - offline_price[sellers[k] // households]
    for v in range(offline_price.size):
        for i in range(v * households, (v + 1) * households):
            realised = realised_gain[i]
            if stage[i] >= ENROLLED and offer[i] > 0:
                promise = promised[i]
                if np.isnan(promise):
                    promise = np.float32(realised)
                shortfall[i] = shortfall[i] + 1 if realised < tolerance * promise else 0
                promised[i] = np.float32(promise + adaptation * (realised - np.float64(promise)))


@njit(cache=True, nogil=True)
def _enrolled_and_new_farmers(stage: np.ndarray, new_farmer: np.ndarray, households: int) -> tuple:
    """Number of enrolled (or mobilised) households and of new farmers in each village, as float64."""
    villages = stage.size // households
    enrolled = np.zeros(villages)
    new_farmers = np.zeros(villages)
    for v in range(villages):
        e = 0
        nf = 0
        for i in range(v * households, (v + 1) * households):
            e += stage[i] >= ENROLLED
            nf += new_farmer[i]
        enrolled[v] = e
        new_farmers[v] = nf
    return enrolled, new_farmers


@njit(cache=True, nogil=True)
def _household_passage_points(village_points: np.ndarray, has_coop: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Each household's passage points: its village's, plus one for a member where the county has a cooperative."""
    households = member.size // village_points.size
    points = np.empty(member.size, np.int8)
    for v in range(village_points.size):
        for i in range(v * households, (v + 1) * households):
            points[i] = village_points[v] + (member[i] & has_coop[v])
    return points


@njit(cache=True, nogil=True)
def _cooperative_and_platform_sellers(member: np.ndarray, channel: np.ndarray, platform_of: np.ndarray,
                                      households: int, platforms: int) -> tuple:
    """Members selling through the cooperative in each village (float64), and online sellers of each platform.

    A livestreamer sells on the livestream platform (index 1), a shop on the household's platform.
    """
    villages = member.size // households
    coop_sellers = np.zeros(villages)
    sellers = np.zeros(platforms, np.int64)
    for v in range(villages):
        count = 0
        for i in range(v * households, (v + 1) * households):
            count += member[i] & (channel[i] == COOP)
            if channel[i] == LIVE:
                sellers[1] += 1
            elif channel[i] == SHOP:
                sellers[platform_of[i]] += 1
        coop_sellers[v] = count
    return coop_sellers, sellers
