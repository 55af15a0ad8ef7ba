"""Set-up of the province: villages, institutions and farmers, drawn from the model's generator in a fixed order.

The institutional actors are Mesa agents of ``model``; the draw order (cooperatives, carriers,
farmers, shop platforms, the development model's first new farmers) fixes every seed's world.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm.channels.prices import ChannelPrices
from abm.core import crops
from abm.core.params import Parameters
from abm.core.stages import COOP, NOT_REACHED, OFFLINE, PROBLEMATISED, SHOP
from abm.core.world import by_region
from abm.development.strategies import DevelopmentModel, development_model
from abm.eastwest.fund import EastWestAccounts
from abm.enterprise.business import expected_year, initial_shops, shop_gain, supplier_saving, village_shop_share
from abm.income.livelihoods import village_shop_shipping
from abm.market.demand import national_loss
from abm.state import HouseholdTerms, Institutions, Province, TraderTerms, Villages
from abm.trust.mechanisms import mechanism
from agents.consumers import SHOPPING_CALENDAR, ConsumerMarket
from agents.cooperative import Cooperative
from agents.farmers import FarmerPopulation
from agents.government import Government
from agents.households import HouseholdIncome, OffFarmIncome
from agents.logistics import LogisticsProvider
from agents.platform import CENTRAL_MARKETPLACE, EASTERN_MARKETPLACE, PLATFORM_TERMS, Platform


def build_province(model: mesa.Model) -> Province:
    """Villages, institutions and farmers, drawn from the model's generator in a fixed order."""
    p, g = model.p, model.grid
    region, county = g.region.data.ravel(), g.county.data.ravel()
    n_counties = int(county.max()) + 1
    hubs = np.flatnonzero(g.hub.data.ravel())
    hub_of_county = np.full(n_counties, -1)
    hub_of_county[county[hubs]] = hubs
    # A county belongs to the region of its seat (the hub village), even where its block straddles a border.
    county_region = region[hub_of_county].astype(np.int8)
    cooperatives, coop_of_county = _build_cooperatives(model, region, county, hub_of_county)
    platforms = [Platform(model, name, *terms, p.commission) for name, terms in PLATFORM_TERMS.items()]
    national = model.rng.random(n_counties) < 0.6
    providers = [
        LogisticsProvider(model, "national_express", national, p.logistics_base, p.logistics_per_km,
                          p.cold_chain_surcharge),
        LogisticsProvider(model, "regional_carrier", ~national, p.logistics_base * 1.1, p.logistics_per_km,
                          p.cold_chain_surcharge),
    ]
    government = Government(model, p)
    development = development_model(p)
    public_brand = development.brand_villages(g.station.data.ravel())
    villages = Villages.from_grid(g, coop_of_county, county_region, public_brand, trader_terms(p))
    farmers, platform_of = _build_farmers(model, villages, platforms[EASTERN_MARKETPLACE].seller_share, development)
    institutions = Institutions(cooperatives, platforms, providers, government,
                                ConsumerMarket(p.initial_trust, p.trust_learning, p.brand_taste_weight), mechanism(p))
    terms = HouseholdTerms.of(farmers, villages, p, platform_of)
    stock_share = january_stock(p.stock_sale_share)[terms.crop_index]
    farmers.stock[:] = (terms.annual_marketable * stock_share * terms.storable).astype(np.float32)
    return Province(p, villages, institutions, farmers, terms, EastWestAccounts(np.zeros(n_counties, bool)),
                    development)


def trader_terms(p: Parameters) -> TraderTerms:
    """The bulk traders' pricing terms of these parameters (:class:`abm.state.TraderTerms`)."""
    return TraderTerms(p.offline_price_ratio, p.trader_competition, p.bulk_freight_per_km, national_loss(p),
                       (p.fresh_loss_no_cold_chain, p.fresh_loss_cold_chain, p.loss_reference_km,
                        p.loss_distance_elasticity))


def january_stock(stock_sale_share: float, years: int = 20) -> np.ndarray:
    """Each crop's stock at the start of January, as a share of a year's marketable kg, where the calendar keeps it.

    The stock follows ``s <- (s + harvest share of the month) x (1 - share of stock offered that month)``
    (:func:`abm.crops.harvest_calendar`, ``stock_sale_share`` shaped by the shopping calendar); from an
    empty store it settles within a few years, so a run starts with the stock its calendar would hold
    rather than none (no months without produce to sell). Perishable crops keep no stock.
    """
    calendar = crops.harvest_calendar()
    sold = stock_sale_share * SHOPPING_CALENDAR
    stock = np.zeros(len(crops.CROPS))
    for _ in range(years):
        for moy in range(12):
            stock = (stock + calendar[:, moy]) * (1.0 - sold[moy])
    return np.where(crops.STORABLE, stock, 0.0)


def _build_cooperatives(model: mesa.Model, region: np.ndarray, county: np.ndarray, hub_of_county: np.ndarray
                        ) -> tuple[list[Cooperative], np.ndarray]:
    """Cooperatives at county hubs, in a share of counties by region; returns them and each county's one.

    ``coop_branded`` of them start branded, as nearly exactly as whole cooperatives allow (those with the
    lowest draws): a province has few county cooperatives, and branding each at random made the branded
    share at the start, and with it the first years' online sales, differ several-fold between seeds.
    """
    p = model.p
    n_counties = hub_of_county.size
    coop_of_county = np.full(n_counties, -1)
    cooperatives: list[Cooperative] = []
    u = model.rng.random((3, n_counties))
    share = by_region(p, "coop_counties")
    cells = list(model.grid.all_cells)
    counties = [c for c in range(n_counties) if hub_of_county[c] >= 0 and u[0, c] < share[region[hub_of_county[c]]]]
    order = np.argsort(u[1, counties], kind="stable")
    branded = set(np.asarray(counties)[order[: int(round(p.coop_branded * len(counties)))]].tolist())
    for c in counties:
        v = hub_of_county[c]
        coop = Cooperative(model, cells[v], int(v), c, c in branded,
                           p.coop_processing if u[2, c] < 0.3 else 0.0, p.coop_fee)
        coop_of_county[c] = len(cooperatives)
        cooperatives.append(coop)
    return cooperatives, coop_of_county


def _build_farmers(model: mesa.Model, v: Villages, shop_share: float, development: DevelopmentModel
                   ) -> tuple[FarmerPopulation, np.ndarray]:
    """The farmer population, each household's shop platform, and the development model's first new farmers."""
    p = model.p
    member_share = np.where(v.has_coop(), p.coop_membership, 0.0)
    f = FarmerPopulation(v.region, v.crop, p.households_per_village, by_region(p, "junior_school"),
                         p.trained_share, by_region(p, "initial_online"), member_share, model.rng,
                         honesty_floor=p.honesty_floor)
    platform_of = np.where(model.rng.random(f.n) < shop_share, EASTERN_MARKETPLACE,
                           CENTRAL_MARKETPLACE).astype(np.int8)
    development.seed_new_farmers(f, v.g5, model.rng)
    return f, platform_of


def expected_income(pv: Province, off_farm: OffFarmIncome) -> np.ndarray:
    """Yearly income each household would earn selling everything offline (the starting estimate)."""
    f, p = pv.farmers, pv.p
    offline = pv.villages.offline_price()[pv.terms.village_of] * pv.terms.annual_marketable
    cost = crops.YIELD_KG[f.crop] * f.productivity * crops.BASE_PRICE[f.crop] * p.production_cost_share
    return offline - cost + 12 * off_farm.total()


def seat_initial_sellers(pv: Province, expected_net: np.ndarray, rng: np.random.Generator) -> None:
    """Seat the households online at the start among those for whom a shop pays at the month-0 prices.

    ``expected_net`` is each group's expected net price per kg when the market clears at the start
    (:meth:`abm.market.GroupMarket.initialise`); a shop pays where its expected net price, less the
    household's effort, beats the trader's price (broadband villages). Each seated household is on
    its shop with the long-run probability of the monthly channel choice (:func:`stationary_online`),
    otherwise on its cooperative or the trader: a start state the model keeps, not a first year in
    which a third of the sellers drop back. ``initial_reached`` of the other households start
    problematised (reached by e-commerce before the start, not yet interested).
    """
    f, v, p = pv.farmers, pv.villages, pv.p
    prices = ChannelPrices(f, v.offline_price(), expected_net, pv.terms.monthly_kg, p.online_effort_cost,
                           p.leader_effort_share, np.ones(v.n, bool), v.broadband, np.zeros(v.n, bool),
                           np.zeros(v.n, bool))
    shop_net = prices.net_prices(np.arange(f.n))[:, SHOP]
    pays = v.broadband[pv.terms.village_of] & (shop_net > v.offline_price()[pv.terms.village_of])
    f.seat_online(by_region(p, "initial_online"), pays)
    seated = np.flatnonzero(f.channel == SHOP)
    net = prices.net_prices(seated)
    draws = rng.random(f.n)  # one a household, whoever is seated: arms with other shares keep the same stream
    online = draws[seated] < stationary_online(net[:, SHOP], net[:, OFFLINE], p.choice_sensitivity,
                                                         p.channel_inertia)
    f.channel[seated[~online]] = np.where(f.member[seated[~online]], COOP, OFFLINE)
    # E-commerce had been reaching villages for years before 2021: a share of the others start problematised
    # (they know of selling online, not yet interested), so the funnel does not start empty.
    reached = rng.random(f.n) < p.initial_reached  # one draw a household, as above
    f.stage[(f.stage == NOT_REACHED) & reached] = PROBLEMATISED


def stationary_online(online_net: np.ndarray, offline_net: np.ndarray, sensitivity: float, inertia: float
                      ) -> np.ndarray:
    """Long-run share of months on the online channel of the two-channel logit choice with inertia.

    With utilities ``sensitivity x log(net)`` and ``inertia`` for staying, a household moves online with
    chance ``a`` and back with ``b`` a month; the two-state chain spends ``a / (a + b)`` of its months online.
    """
    on = sensitivity * np.log(np.maximum(online_net, 1e-3))
    off = sensitivity * np.log(np.maximum(offline_net, 1e-3))
    join = 1.0 / (1.0 + np.exp(off + inertia - on))
    leave = 1.0 / (1.0 + np.exp(on + inertia - off))
    return join / (join + leave)


def shop_prospects(pv: Province, hi: HouseholdIncome) -> tuple[np.ndarray, np.ndarray]:
    """Who could run an online shop beyond their own produce, and what one opened now would earn in its first year.

    Able: enough skill, a village with broadband and a carrier, a member in wage work to run it. The
    expected year is at the village's parcel cost and supplier saving (:mod:`abm.enterprise.business`).
    """
    f, v, p = pv.farmers, pv.villages, pv.p
    connected = np.repeat(v.broadband & pv.served(), f.households)
    able = (f.skill >= p.business_skill) & connected & (hi.earners > 0)
    saving = supplier_saving(p, village_shop_share(f.shop_since, f.households))
    expected = expected_year(p, f.skill, np.repeat(village_shop_shipping(pv), f.households),
                             np.repeat(saving, f.households))
    return able, expected


def open_shops(f: FarmerPopulation, hi: HouseholdIncome, owners: np.ndarray, since: np.ndarray | int,
               reservation: np.ndarray, returning: np.ndarray, time_share: float) -> None:
    """Open a shop in each of ``owners``: one member leaves wage work to run it.

    ``since`` is the month each opened (one month for all, or one each); ``reservation`` is what each
    shop must earn in a year to stay open; the member gives up ``time_share`` of a wage (the rest stays
    part-time wage work), or all of it where ``returning``: the member comes back from migrant work, and
    the household has a returned migrant.
    """
    f.shop_since[owners] = since
    f.shop_reservation[owners] = reservation
    hi.move_earners(owners, into_shop=True, time_share=np.where(returning, 1.0, time_share))
    f.returned[owners[returning]] = True


def seat_initial_shops(pv: Province, hi: HouseholdIncome, rng: np.random.Generator) -> None:
    """The online shops beyond own produce already running at the start (``initial_shop_share``; at 0 none, no draw)."""
    p, f = pv.p, pv.farmers
    if p.initial_shop_share == 0:
        return
    able, expected = shop_prospects(pv, hi)
    migrant = rng.random(f.n) < p.migrant_share
    outside, gain = shop_gain(p, expected, 12.0 * hi.earner_wage(), migrant)
    owners, since = initial_shops(p, able, gain, rng)
    open_shops(f, hi, owners, since, outside[owners], migrant[owners], p.shop_time_share)
