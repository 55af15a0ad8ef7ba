"""The rural e-commerce model: a Mesa Model whose monthly step runs the phases in a fixed order.

Order of a month (docs/ODD.md, "Process overview and scheduling"): budgets and shocks, harvest,
channel choice, market clearing and logistics, settlement, learning and trust, translation,
government policy and the east-west fund, measurement and data collection; in December the year's
close (:mod:`abm.year_end`). The state lives in the records of :mod:`abm.state`: ``model.province``
and ``model.carried`` (what one phase hands to a later one); no phase reads another's output through
any other model attribute.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, NamedTuple

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from abm.build import build_province, expected_income, seat_initial_sellers, seat_initial_shops
from abm.channels.choice import choose_channels, open_channels
from abm.channels.prices import ChannelPrices
from abm.core import crops
from abm.core.calendar import year_of
from abm.core.checks import ScenarioError, seed_value, validate_parameters
from abm.core.kernels import running_sums_over_runs
from abm.core.ledger import GoodsLedger, MoneyLedger
from abm.core.params import Parameters
from abm.core.stages import EXIT_REASONS, LIVE, OFFLINE, TRANSITIONS
from abm.core.world import Geography, build_grid, neighbour_mean
from abm.eastwest.fund import pair_counties, spend_fund
from abm.enterprise.business import ShopMonth
from abm.income.kernels import (
    _cooperative_and_platform_sellers,
    _enrolled_and_new_farmers,
    _harvest_households,
    _learn_sellers,
    _month_income,
)
from abm.income.labour import LabourFlows, online_labour
from abm.income.livelihoods import month_livelihoods
from abm.income.month import MonthIncome, households_that_sold
from abm.income.passage_points import household_passage_points, village_passage_points
from abm.market.clearing import GroupMarket, MonthFlows
from abm.measure.adoption_effect import EFFECTS
from abm.measure.measures import measure, year_statistics
from abm.measure.outcomes import check_declared, region_outcomes, series_outcomes
from abm.observe.network import actor_network
from abm.observe.panel import PANEL_KINDS, PanelRecorder, snapshot_months
from abm.observe.view import Observed
from abm.promises.judge import HARVEST_CYCLE, judge_promises
from abm.state import Carried, ProvinceViews, check_books
from abm.translation.transitions import Exposure, Rates, StabilityHistory, tallies, transition
from abm.year_end import close_year, pool_sales
from agents.consumers import SHOPPING_CALENDAR
from agents.government import PolicyTargets, train
from agents.households import HouseholdIncome

HOUSEHOLDS = "households"  # the DataCollector column of the household panel's rows (with ``panel``)
MAX_MONTHS = 1200  # the longest run a scenario declares (a panel's months are chosen up to it)
DEFAULT_SEED = 42  # the seed of a model built without one (a scenario's default seed too)
_UNSET: Any = object()  # a seed argument not given
SeedLike = int | np.integer | float | np.random.Generator | None


def model_seed(seed: SeedLike = _UNSET, rng: SeedLike = _UNSET) -> int | np.random.Generator | None:
    """What Mesa's ``Model(rng=...)`` gets from a ``seed`` or an ``rng`` argument (:data:`DEFAULT_SEED` without).

    A whole number of Python or numpy (``np.int64(3)``, ``3.0``) becomes the int it stands for,
    so a seed from ``np.arange``, the EMA Workbench or a pandas row gives the run that seed gives;
    None (unseeded) and a numpy Generator pass through as Mesa takes them.

    Raises:
        ScenarioError: When both are given, or for text, a bool, a fraction, NaN or a negative number.
    """
    if rng is not _UNSET and seed is not _UNSET:
        raise ScenarioError(f"seed = {seed!r} and rng = {rng!r}: give one; allowed: seed or rng (the same seed)")
    name, value = ("rng", rng) if rng is not _UNSET else ("seed", DEFAULT_SEED if seed is _UNSET else seed)
    if value is None or isinstance(value, np.random.Generator):
        return value
    return seed_value(value, name)


def read_metric(model: RuralEconomy, name: str) -> float:
    """Reporter for Mesa's DataCollector: one named metric of this month (picklable)."""
    return model.metrics[name]


def household_recorder(panel: str, panel_months: Iterable[int] | None) -> PanelRecorder | None:
    """The recorder of a model's household panel (``panel`` yearly, monthly or none, or ``panel_months``), or None.

    Raises:
        ScenarioError: For an unknown ``panel``.
    """
    if panel not in PANEL_KINDS:
        raise ScenarioError(f"panel = {panel!r}: unknown; allowed: {', '.join(PANEL_KINDS)}")
    months = snapshot_months(panel, MAX_MONTHS, panel_months)
    return PanelRecorder(months, ()) if months else None


def panel_rows(model: RuralEconomy) -> pd.DataFrame | None:
    """Reporter of the DataCollector's ``households`` column: this month's panel rows, None outside panel months."""
    return model.household_panel.rows_at(model.steps)


class Harvest(NamedTuple):
    """This month's harvest per household (float32 kg): on offer, harvested, kept at home, added to stock."""

    offer: np.ndarray
    harvested: np.ndarray
    home: np.ndarray
    stock_change: np.ndarray


class RuralEconomy(ProvinceViews, mesa.Model):
    """A province of villages where farmers, cooperatives, platforms, logistics and government interact.

    Attributes: ``p`` (parameters), ``geo`` and ``grid`` (Mesa's grid with the property layers),
    ``province`` (the state records), ``market`` (prices and expectations carried between months),
    ``money`` and ``goods`` (the ledgers), ``history`` (what stability looks back on),
    ``carried`` (what a phase hands to a later one: income terms, the year's pools and statistics,
    :class:`abm.state.Carried`), ``metrics`` and ``region_rows`` (this month's outcomes), ``datacollector``.
    """

    def __init__(self, parameters: Parameters | None = None, seed: SeedLike = _UNSET, rng: SeedLike = _UNSET,
                 panel: str = "none", panel_months: Iterable[int] | None = None, **overrides: Any) -> None:
        """Build the world from declared parameters (``overrides`` are validated like a scenario file).

        Args:
            parameters: The declared parameters (default: every default).
            seed: The seed of the model's generators (default :data:`DEFAULT_SEED`): a whole number (Python
                or numpy), or None for an unseeded run, as ``mesa.batch_run(iterations=...)`` passes.
            rng: The same under Mesa 3's name (``RuralEconomy(rng=7)`` is ``RuralEconomy(seed=7)``);
                give one of the two. A numpy ``Generator`` is taken as Mesa takes it.
            panel: Keep the household panel (``yearly``: every year end, ``monthly`` or ``none``), as
                ``ruralsim run --panel`` does: :attr:`household_panel` holds it, and the DataCollector's
                ``households`` column holds each panel month's rows (None in other months), which is
                what ``mesa.batch_run`` returns. It does not change the model's results.
            panel_months: The panel's months instead (e.g. ``[0, 6, 12]``).
            **overrides: Parameter values by name, e.g. ``farmers=5000`` (numpy scalars accepted).

        Raises:
            ScenarioError: For a bad seed or parameter value, naming it and what is allowed.
        """
        super().__init__(rng=model_seed(seed, rng))
        self.household_panel = household_recorder(panel, panel_months)
        p = parameters or Parameters()
        if overrides:
            p = validate_parameters(p.model_dump() | overrides, origin="model arguments")
        self.p = p
        self.geo = Geography.from_params(p)
        self.grid = build_grid(self.geo, p, self.rng, self.random)
        self.province = build_province(self)
        self.market = GroupMarket(self.geo.villages)
        self.money = MoneyLedger()
        self.goods = GoodsLedger(len(crops.CROPS))
        self.calendar = crops.harvest_calendar()
        self.history = StabilityHistory()
        self.market.initialise(self.province)
        seat_initial_sellers(self.province, self.market.expected_net, self.rng)
        self._refresh_online_share()
        self.market = GroupMarket(self.geo.villages)
        self.market.initialise(self.province)
        households = HouseholdIncome(p, self.farmers.region, self.rng)
        seat_initial_shops(self.province, households, self.rng)
        expected = expected_income(self.province, households.month)
        opening = (year_statistics(expected, self.farmers.region) | households.year_parts(expected, 0.0)
                   | {f"adoption_effect_{k}": 0.0 for k in EFFECTS})
        self.carried = Carried.opening(households, expected, opening, len(self.cooperatives), self.geo.villages)
        self._measure(month_flows=None)
        check_declared(list(self.metrics), list(self.region_rows[0]))
        reporters = {o.name: partial(read_metric, name=o.name) for o in series_outcomes()}
        if self.household_panel is not None:
            reporters[HOUSEHOLDS] = panel_rows
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters, tables={"regions": ["month", "region", *(o.name for o in region_outcomes())]},
        )
        self._collect()

    # --- public views -------------------------------------------------------------------------

    def network(self, max_farmers: int | None = None) -> nx.Graph:
        """The actor-network this month as a typed networkx graph (``abm.observe.network``)."""
        return actor_network(self.observed(), max_farmers)

    def observed(self) -> Observed:
        """What observers read at the end of this month (:class:`abm.observe.view.Observed`), as records."""
        c = self.carried
        return Observed(self.steps, self.province, self.geo, self.grid, c.household_income, c.expected_income,
                        c.year_stats, c.month_income)

    def policy_targets(self) -> PolicyTargets:
        """What the government and the fund may act on."""
        return self.province.policy_targets()

    def passage_points(self, new_farmers_by_village: np.ndarray | None = None) -> np.ndarray:
        """Obligatory passage points within each farmer's reach: station, cooperative, new farmer, recruiter (int8)."""
        return household_passage_points(self.province, new_farmers_by_village)

    # --- the monthly step ---------------------------------------------------------------------

    def step(self) -> None:
        """Advance the province by one month, phase by phase in the ODD's order."""
        month = self.steps
        moy = (month - 1) % 12
        if moy == 0:
            self.government.open_year(self.money)
            self.carried.household_income.open_year(int(year_of(month)))
        served = self._apply_shocks(month)
        self.province.villages.price_level[0] = crops.price_level(self.p.farm_price_growth, month)
        harvest = self._harvest(moy)
        prices = self._choose_channels(harvest.offer, served)
        flows = self.market.clear(self.province, month, harvest.offer, self.rng)
        self._settle(flows, harvest, moy, served)
        self._learn(flows, harvest.offer)
        translation_flows = self._translate(month, prices, served)
        self._policy(moy, month)
        if moy == 11:
            close_year(self.carried, self.province, self.money, self.rng, month)
        self._measure(month_flows=(flows, translation_flows, self.carried.month_income))
        self.carried.cash_at_close = self._check_books(flows)
        self.money.close_month(month)
        self._collect()

    def _apply_shocks(self, month: int) -> np.ndarray:
        """Switch the scenario's shock on or off; returns which villages a carrier serves this month."""
        p, inst = self.p, self.province.institutions
        active = p.shock != "none" and p.shock_start <= month < p.shock_start + p.shock_months
        for pl in inst.platforms:
            pl.set_shock(active and p.shock == "commission_hike", p.commission_hike)
        if p.shock == "logistics_exit":
            lp = inst.providers[0]
            if active:
                lp.withdraw(lp.home & (np.arange(lp.home.size) % 2 == 0))
            else:
                lp.restore()
        return self.province.served()

    def _harvest(self, moy: int) -> Harvest:
        """Harvest this month's crop; keep the home share; storable crops go to stock and sell from it.

        The share of the stock offered follows the shopping calendar: households release more stored
        produce for the festivals (Double 11, Spring Festival) when buyers spend more.
        """
        pv = self.province
        per_crop = crops.YIELD_KG * self.calendar[:, moy]
        return Harvest(*_harvest_households(per_crop[pv.villages.crop], pv.farmers.productivity, pv.terms.home_share,
                                            pv.terms.storable, self.p.stock_sale_share * SHOPPING_CALENDAR[moy],
                                            pv.farmers.stock))

    def _choose_channels(self, offer: np.ndarray, served: np.ndarray) -> ChannelPrices:
        """Each household with produce picks a channel by expected net price per kg (logit with inertia).

        Returns the month's prices (:class:`ChannelPrices`), computed for the households with a choice
        alone; the translation later reads the same prices for the households it weighs.
        """
        pv, p = self.province, self.p
        f, v = pv.farmers, pv.villages
        has_nf = f.village_sum(f.new_farmer) > 0
        open_bits = open_channels(f, v.broadband, v.g5, served, has_nf)
        prices = ChannelPrices(f, v.offline_price(), self.market.expected_net, pv.terms.monthly_kg,
                               p.online_effort_cost, p.leader_effort_share, served, v.broadband, v.g5, has_nf)
        f.channel = choose_channels(f.channel, open_bits, offer, prices.net_prices, p.choice_sensitivity,
                                    p.channel_inertia, self.rng.random(f.n, dtype=np.float32))
        unset = np.flatnonzero(f.enrolled & (f.promised == 0))
        f.promised[unset] = prices.promise_per_kg(unset)
        return prices

    def _settle(self, fl: MonthFlows, harvest: Harvest, moy: int, served: np.ndarray) -> None:
        """Pay everyone, book every yuan and kilogram, and update farmers' cash and income."""
        pv = self.province
        f, inst, terms = pv.farmers, pv.institutions, pv.terms
        production = harvest.harvested * terms.production_cost_per_kg * pv.villages.price_level[0]
        allowance = inst.government.allowances(f.n, moy, self.money)
        households = self.carried.household_income
        households.allowances_ytd += allowance
        off_farm = households.month
        p = self.p
        last_year = f.income_year if self.steps > 12 else self.carried.expected_income
        shops, saving = month_livelihoods(pv, self.steps, served, last_year)
        labour = online_labour(fl.sellers, fl.seller_channel, fl.seller_revenue, fl.seller_shipped, f.skill,
                               f.new_farmer, off_farm.wages, f.households, p.online_effort_cost,
                               p.leader_effort_share, p.ecommerce_labour_share, p.local_day_wage, shops.owners,
                               shops.hired)
        self.carried.month_income = MonthIncome(fl, off_farm, production, allowance, labour, shops, saving)
        wage_change = self.carried.month_income.wage_change()
        households.wage_change_ytd += wage_change
        f.shop_net_ytd[shops.owners] += shops.net
        beside_sales = off_farm.total() + wage_change
        beside_sales[shops.owners] += shops.net
        f.income_month = _month_income(fl.offline_revenue, fl.sellers, fl.seller_net - labour.hired, beside_sales,
                                       production, allowance, f.cash, f.income_ytd)
        self._book_money(fl, production.sum(), labour)
        self._book_shops(shops)
        f.online_revenue_ytd[fl.sellers] += fl.seller_revenue
        following = (fl.seller_channel == LIVE) & ~fl.seller_new_farmer
        self.carried.followers_streamed += np.bincount(fl.sellers[following] // f.households,
                                               weights=fl.seller_revenue[following], minlength=self.geo.villages)
        runs = terms.crop_runs
        harvested_k, home_k, stock_change_k = running_sums_over_runs((harvest.harvested, harvest.home,
                                                                      harvest.stock_change),
                                                                     *runs)
        delivered_offline_k, lost_k = running_sums_over_runs((fl.delivered_offline, fl.lost), *runs)
        self.goods.record(
            self.steps, harvested=harvested_k, home=home_k,
            delivered_online=np.bincount(terms.crop_index[fl.sellers], weights=fl.seller_delivered,
                                         minlength=len(crops.CROPS)),
            delivered_offline=delivered_offline_k, lost=lost_k, stock_change=stock_change_k,
        )

    def _book_money(self, fl: MonthFlows, production_cost: float, labour: LabourFlows) -> None:
        """Book the month's payments in the money ledger and pay cooperatives, platforms and the fund."""
        led, pv = self.money, self.province
        inst = pv.institutions
        revenue, commission, coop_fee, shipping, tracing, penalty = fl.sums.totals(
            fl.seller_revenue, fl.seller_commission, fl.seller_coop_fee, fl.seller_logistics, fl.seller_trace_cost,
            fl.seller_penalty)
        led.add("consumers", "farmers", revenue, "online_sales")
        led.add("traders", "farmers", fl.offline_revenue.sum(), "offline_sales")
        off_farm = self.carried.household_income.month
        led.add("labour_market", "farmers", float(off_farm.wages.sum()) - float(labour.forgone.sum()), "wages")
        led.add("farmers", "farmers", float(labour.hired.sum()), "ecommerce_wages")
        led.add("local_business", "farmers", float(off_farm.business.sum()), "nonfarm_business")
        led.add("property_income", "farmers", float(off_farm.property.sum()), "property_income")
        led.add("social_transfers", "farmers", float(off_farm.transfers.sum()), "transfers")
        led.add("farmers", "inputs", production_cost, "production_cost")
        led.add("farmers", "platforms", commission, "commission")
        led.add("farmers", "cooperatives", coop_fee, "coop_fee")
        led.add("farmers", "logistics", shipping, "shipping")
        led.add("farmers", "traceability", tracing, "traceability")
        led.add("farmers", "consumers", penalty, "fraud_penalty")
        led.add("consumers", "platforms", fl.discrimination, "price_discrimination")
        led.add("government", "logistics", fl.logistics_subsidy, "logistics_subsidy")
        if fl.logistics_subsidy > 0:
            inst.government.spend("logistics", fl.logistics_subsidy)
        for c, coop in enumerate(inst.cooperatives):
            coop.cash += fl.coop_fee_by_coop[c]
        led.add("platforms", "fund", fl.fund_levy, "east_west_fund")
        pv.eastwest.fund_balance += fl.fund_levy
        for k, pl in enumerate(inst.platforms):
            pl.revenue += fl.platform_revenue[k]

    def _book_shops(self, shops: ShopMonth) -> None:
        """Book the month's online-shop sales and costs (their hired help is in the e-commerce wages)."""
        led = self.money
        led.add("consumers", "farmers", float(shops.turnover.sum()), "online_shop_sales")
        led.add("farmers", "suppliers", float(shops.goods.sum()) + float(shops.repayment.sum()), "online_shop_costs")
        led.add("farmers", "logistics", float(shops.shipping.sum()), "online_shop_shipping")
        led.add("farmers", "farmers", float(shops.hired.sum()), "ecommerce_wages")

    def _learn(self, fl: MonthFlows, offer: np.ndarray) -> None:
        """Learning by doing, sellers' ratings, promises judged, and consumers' trust from what they received."""
        pv, p = self.province, self.p
        f, inst = pv.farmers, pv.institutions
        _learn_sellers(fl.sellers, fl.seller_delivered, fl.seller_caught, f.skill, f.reputation, f.sales_count,
                       p.skill_learning)
        offline_price = pv.villages.offline_price()
        judge_promises(fl.sellers, fl.seller_net, fl.seller_offer, fl.seller_shipped, offline_price, offer, f.stage,
                       f.link_since, f.promised, f.cycle_gain, f.cycle_promised, f.shortfall, self.steps,
                       p.promise_tolerance, p.promise_materiality, p.aspiration_adaptation, HARVEST_CYCLE)
        pool_sales(self.carried, pv, fl, offline_price)
        inst.consumers.learn(fl.bought_by_origin, fl.disappointed_by_origin, fl.noticed_markup)
        f.decide_fraud(fl.premium_share, inst.trust.detection, inst.trust.penalty)
        if inst.trust.traceable:
            f.decide_traceability(fl.verification_gain, p.trace_cost, p.trace_fixed_cost, pv.terms.monthly_kg)

    def _translate(self, month: int, prices: ChannelPrices, served: np.ndarray) -> np.ndarray:
        """Stage transitions of farmers and the institutional actors' stages; returns the month's flows by region."""
        pv, p = self.province, self.p
        f, v = pv.farmers, pv.villages
        enrolled_v, new_farmers_v = _enrolled_and_new_farmers(f.stage, f.new_farmer, f.households)
        v_enrolled, v_nf = enrolled_v / f.households, new_farmers_v / f.households
        imitation = neighbour_mean(v_enrolled, self.geo.width, self.geo.height) + \
            p.new_farmer_pull * neighbour_mean(v_nf, self.geo.width, self.geo.height)
        pp = household_passage_points(pv, new_farmers_v)
        # Interessement devices of the village (each household's training is added in the transition).
        village_incentives = pv.development.village_incentives(v.station, v.broadband, v_nf, v.public_brand,
                                                               pv.eastwest.pairing_counties[v.county])
        x = Exposure(pp, imitation, village_incentives, prices.enrolment_terms, v.broadband & served, v.g5)
        mob = p.mobilisation_rate * pv.development.mobilisation_factor
        rates = Rates(p.innovation_rate, p.passage_point_rate, p.imitation_rate, p.interessement_rate,
                      p.enrolment_rate, mob, p.mobilisation_skill, p.mobilisation_sales, p.defection_patience,
                      p.interest_lapse_rate, self.market.audience_scale)
        flows = transition(f, x, rates, month, self.rng.random((4, f.n), dtype=np.float32))
        self._update_institution_stages()
        return flows

    def _update_institution_stages(self) -> None:
        """Cooperatives and platforms move through their stages by how many households sell through them."""
        pv = self.province
        f, inst = pv.farmers, pv.institutions
        coop_sellers, sellers = _cooperative_and_platform_sellers(f.member, f.channel, pv.terms.platform_of,
                                                                  f.households, len(inst.platforms))
        active = np.bincount(pv.villages.county, weights=coop_sellers, minlength=pv.villages.coop_of_county.size)
        for coop in inst.cooperatives:
            coop.update_stage(int(active[coop.county]))
        for k, pl in enumerate(inst.platforms):
            pl.update_stage(int(sellers[k]), threshold=max(10, f.n // 100))

    def _policy(self, moy: int, month: int) -> None:
        """Government instruments, cooperatives' investment, and the east-west fund and pairing."""
        pv, p = self.province, self.p
        accounts = pv.eastwest
        targets = pv.policy_targets()
        pv.institutions.government.act(targets, month, self.money)
        for coop in pv.institutions.cooperatives:
            coop.invest(self.money, 0.15, p.coop_brand_cost, p.processing_line_cost, p.coop_reserve)
        if p.pairing and month == 1:
            accounts.pairing_counties = pair_counties(pv.villages.county_region)
        if p.pairing and moy == 0:
            west_paired = np.repeat(accounts.pairing_counties[pv.villages.county], pv.farmers.households)
            accounts.pairing_spent += train(targets, accounts.pairing_cost(p.pairing_cost), p.training_cost,
                                            p.training_skill_gain, self.money, "eastern_partners", west_paired)
        if accounts.fund_balance > 0 and moy == 11:
            spent = spend_fund(targets, accounts.fund_balance, p, self.money)
            accounts.fund_balance -= spent
            accounts.fund_spent += spent

    # --- measurement --------------------------------------------------------------------------

    def _measure(self, month_flows: tuple[MonthFlows, np.ndarray, MonthIncome] | None) -> None:
        """Count the households, extend the stability history, and compute this month's outcomes."""
        pv, month = self.province, self.steps
        census = tallies(pv.farmers, month, *village_passage_points(pv))
        defected = None if month_flows is None else month_flows[1][TRANSITIONS.index("defected")]
        window = self.history.record(census, defected)
        settled = self.carried.membership_flows if month > 0 and month % 12 == 0 else np.zeros(len(EXIT_REASONS) + 1)
        self.metrics, self.region_rows = measure(pv, month, self.carried.year_stats, census, window, month_flows,
                                                 self.market.audience_scale, settled)

    def sold_online(self) -> np.ndarray:
        """Households that sold online this month: delivered kg to online buyers (bool; none in month 0)."""
        return households_that_sold(self.farmers.n, self.carried.month_income)

    def refresh_layers(self) -> None:
        """Copy this month's village means of adoption, income and stage into the grid's property layers."""
        f = self.farmers
        shape = self.grid.adoption.data.shape
        self.grid.adoption.data[:] = f.village_mean(self.sold_online()).reshape(shape)
        income = f.income_year if self.steps >= 12 else self.carried.expected_income
        self.grid.income.data[:] = f.village_mean(income).reshape(shape)
        self.grid.stage.data[:] = f.village_mean(f.stage).reshape(shape)

    def _refresh_online_share(self) -> None:
        """Each village's share of households on an online channel at the month's end (the bulk traders read it)."""
        f = self.farmers
        self.province.villages.online_share[:] = f.village_mean(f.channel != OFFLINE)

    def _collect(self) -> None:
        """Record metrics with Mesa's DataCollector (model level and the regional table), and the panel if kept."""
        self.refresh_layers()
        self._refresh_online_share()
        if self.household_panel is not None:
            self.household_panel.observe(self.observed())
        self.datacollector.collect(self)
        for row in self.region_rows:
            self.datacollector.add_table_row("regions", row)

    def _check_books(self, flows: MonthFlows) -> float:
        """The ledgers match the state and the market every month; returns farmers' cash at this close."""
        return check_books(self.money, self.goods, self.province, self.carried.cash_at_close, flows)

