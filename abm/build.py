"""Set-up of the province: villages, institutions and farmers, drawn from the model's generator in a fixed order.

The institutional actors are Mesa agents of ``model``; the draw order (cooperatives, carriers,
farmers, shop platforms, the development model's first new farmers) fixes every seed's world.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm.core import crops
from abm.core.world import by_region
from abm.development.strategies import DevelopmentModel, development_model
from abm.eastwest.fund import EastWestAccounts
from abm.state import HouseholdTerms, Institutions, Province, Villages
from abm.trust.mechanisms import mechanism
from agents.consumers import ConsumerMarket
from agents.cooperative import Cooperative
from agents.farmers import FarmerPopulation
from agents.government import Government
from agents.households import OffFarmIncome
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
    villages = Villages.from_grid(g, coop_of_county, county_region, public_brand, p.offline_price_ratio)
    farmers, platform_of = _build_farmers(model, villages, platforms[EASTERN_MARKETPLACE].seller_share, development)
    institutions = Institutions(cooperatives, platforms, providers, government,
                                ConsumerMarket(p.initial_trust, p.trust_learning), mechanism(p))
    return Province(p, villages, institutions, farmers, HouseholdTerms.of(farmers, villages, p, platform_of),
                    EastWestAccounts(np.zeros(n_counties, bool)), development)


def _build_cooperatives(model: mesa.Model, region: np.ndarray, county: np.ndarray, hub_of_county: np.ndarray
                        ) -> tuple[list[Cooperative], np.ndarray]:
    """Cooperatives at county hubs, in a share of counties by region; returns them and each county's one."""
    p = model.p
    n_counties = hub_of_county.size
    coop_of_county = np.full(n_counties, -1)
    cooperatives: list[Cooperative] = []
    u = model.rng.random((3, n_counties))
    share = by_region(p, "coop_counties")
    cells = list(model.grid.all_cells)
    for c in range(n_counties):
        v = hub_of_county[c]
        if v < 0 or u[0, c] >= share[region[v]]:
            continue
        coop = Cooperative(model, cells[v], int(v), c, bool(u[1, c] < p.coop_branded),
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
                         p.trained_share, by_region(p, "initial_online"), member_share, model.rng)
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
