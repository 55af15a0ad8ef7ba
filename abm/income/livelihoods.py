"""The month's livelihood flows beside the farm: every household's online shop and its saving from buying online."""

from __future__ import annotations

import numpy as np

from abm.core.stages import NOT_REACHED
from abm.enterprise.business import ShopMonth, shipping_share, shop_month
from abm.enterprise.consumption import consumption_saving
from abm.state import Province
from agents.logistics import parcel_discount


def village_shop_shipping(pv: Province) -> np.ndarray:
    """Each village's shipping per yuan of a shop's turnover: distance, its station and its online share."""
    p, v = pv.p, pv.villages
    discount = parcel_discount(v.station, v.online_share, p.station_shipping_discount, p.cluster_shipping_discount)
    return shipping_share(p, v.road_km, discount)


def month_livelihoods(pv: Province, month: int, served: np.ndarray,
                      last_year_income: np.ndarray) -> tuple[ShopMonth, np.ndarray]:
    """This month's shop accounts and consumption savings of every household (``served``: villages with a carrier)."""
    f, v = pv.farmers, pv.villages
    shops = shop_month(pv.p, f.shop_since, month, f.skill, village_shop_shipping(pv), f.households)
    connected = v.broadband & served
    saving = consumption_saving(pv.p, last_year_income, f.stage > NOT_REACHED, connected, v.station, f.households)
    return shops, saving
