"""Online shops beyond one's own produce: what they earn a month, who starts one, who closes, who comes back.

A household with enough e-commerce skill in a village with broadband and a carrier can open an
online shop selling processed food, local specialities, handicrafts or goods bought in (Taobao
villages: AliResearch; rural online shops: MOFCOM). A member leaves wage work to run it, so the
household's wages fall by one earner's wage, or by the share ``shop_time_share`` of it where the shop
is run beside part-time wage work (Li et al. 2021: adopters' wage income falls); with
the chance ``migrant_share`` that member is a migrant who comes back, and weighs living at home
(``home_value``). A shop's turnover grows as it learns, its costs are the goods, parcels (cheaper
with a station and in busy villages), hired help (wages of neighbours, :mod:`abm.income.labour`)
and the repayment of its start-up cost; its goods cost less where the village is a cluster of shops
(shared suppliers); it closes by chance or when it earned less than the wage its member gave up.
Entry rises with the share of neighbours running shops (imitation).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from abm.core.params import Parameters
from abm.core.stages import NO_LINK


class ShopMonth(NamedTuple):
    """This month's accounts of the running shops (yuan, one value per shop; few households run one)."""

    owners: np.ndarray     # household index of each shop
    turnover: np.ndarray   # sales to online buyers
    goods: np.ndarray      # cost of the goods sold
    shipping: np.ndarray   # parcels
    hired: np.ndarray      # wages for hired packing, service and delivery
    repayment: np.ndarray  # this month's share of the start-up cost
    net: np.ndarray        # what is left: the household's net business income from the shop

    def at_households(self, values: np.ndarray, n: int) -> np.ndarray:
        """A per-shop array spread over all ``n`` households (zeros for households without a shop)."""
        out = np.zeros(n)
        out[self.owners] = values
        return out


def shipping_share(p: Parameters, road_km: np.ndarray, discount: np.ndarray) -> np.ndarray:
    """Shipping per yuan of a shop's turnover in each village: the parcel price by distance, after discounts."""
    at_reference = p.logistics_base + p.logistics_per_km * p.loss_reference_km
    return p.business_shipping_share * (p.logistics_base + p.logistics_per_km * road_km) / at_reference * discount


def village_shop_share(since: np.ndarray, households: int) -> np.ndarray:
    """Each village's share of households running a shop (``since``: month each shop opened, :data:`NO_LINK`: none)."""
    return (since > NO_LINK).reshape(-1, households).mean(axis=1)


def supplier_saving(p: Parameters, shop_share: np.ndarray) -> np.ndarray:
    """Share of a shop's goods cost saved in each village through suppliers shared with its other shops.

    Suppliers of packaging, raw materials and wholesale goods set up where many households run shops
    (Taobao villages); the saving grows with the village's share of shop households and is whole from
    the Taobao-village threshold on.
    """
    return p.supplier_cluster_saving * np.minimum(shop_share / p.taobao_village_shop_share, 1.0)


def monthly_turnover(p: Parameters, skill: np.ndarray, age: np.ndarray) -> np.ndarray:
    """A shop's turnover at ``age`` months: half the learnt level at opening, closing on it as it learns.

    The learnt level is ``business_turnover`` times ``0.5 + skill`` (1 for a household of skill 0.5).
    """
    learnt = p.business_turnover * (0.5 + skill.astype(np.float64))
    return learnt * (1.0 - 0.5 * np.exp(-age / p.business_learning_months))


def shop_month(p: Parameters, since: np.ndarray, month: int, skill: np.ndarray,
               village_shipping: np.ndarray, households: int) -> ShopMonth:
    """Every shop's accounts this month; ``since`` is the month each opened (:data:`NO_LINK`: none)."""
    owners = np.flatnonzero(since > NO_LINK)
    village = owners // households
    age = (month - since[owners]).astype(np.float64)
    turnover = monthly_turnover(p, skill[owners], age)
    saving = supplier_saving(p, village_shop_share(since, households))[village]
    goods = turnover * (1.0 - p.business_margin) * (1.0 - saving)
    shipping = turnover * village_shipping[village]
    hired = turnover * p.ecommerce_labour_share
    payback = 12.0 * p.business_payback_years
    repayment = np.where(age < payback, p.business_startup_cost / payback, 0.0)
    net = turnover - goods - shipping - hired - repayment
    return ShopMonth(owners, turnover, goods, shipping, hired, repayment, net)


def expected_year(p: Parameters, skill: np.ndarray, village_shipping: np.ndarray,
                  saving: np.ndarray | float = 0.0) -> np.ndarray:
    """What a shop opened now would earn in its first year, per household (its village's shipping share given).

    Twelve months of turnover at the first year's mean learning, less goods (``saving`` of their cost
    off: :func:`supplier_saving` of its village), parcels, hired help and the start-up cost spread
    over the payback years.
    """
    months = np.arange(12, dtype=np.float64)
    learning = float(np.mean(1.0 - 0.5 * np.exp(-months / p.business_learning_months)))
    turnover = 12.0 * p.business_turnover * (0.5 + skill.astype(np.float64)) * learning
    margin = p.business_margin + (1.0 - p.business_margin) * saving - village_shipping - p.ecommerce_labour_share
    return turnover * margin - p.business_startup_cost / p.business_payback_years


def shop_gain(p: Parameters, expected: np.ndarray, earner_wage: np.ndarray,
              migrant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a shop must earn in a year to pay (the wage its member gives up) and its gain over that (0 to 1).

    A member who stays gives up the share ``shop_time_share`` of the wage; one who comes back from migrant
    work gives up all of it, less what living at home is worth (``home_value``); the gain is the expected
    first year's excess over that outside option, relative to it.
    """
    outside = earner_wage * np.where(migrant, 1.0 - p.home_value, p.shop_time_share)
    return outside, np.clip((expected - outside) / np.maximum(outside, 1.0), 0.0, 1.0)


def initial_shops(p: Parameters, able: np.ndarray, gain: np.ndarray,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The shops running when the model starts: their households, and the month each opened (before month 0).

    ``initial_shop_share`` of all households (at most every able household with a gain), drawn without
    replacement among the ``able`` with a chance in proportion to ``gain`` (what a shop would gain them
    over their wage, as the yearly entry weighs it), each opened at a month drawn evenly over the
    ``initial_shop_years`` before the start. Draws nothing from ``rng`` when the share is 0.
    """
    weight = np.where(able, gain, 0.0)
    count = min(round(p.initial_shop_share * able.size), int(np.count_nonzero(weight > 0)))
    if count == 0:
        return np.empty(0, np.int64), np.empty(0, np.int32)
    owners = np.sort(rng.choice(able.size, size=count, replace=False, p=weight / weight.sum()))
    months_before = rng.integers(1, max(1, round(12 * p.initial_shop_years)) + 1, size=count)
    return owners, (-months_before).astype(np.int32)


class ShopDecisions(NamedTuple):
    """The December decisions: shops opened (and whose member is a returning migrant) and shops closed."""

    opened: np.ndarray       # household indices
    returning: np.ndarray    # bool per opened household: the member who runs it comes back from migrant work
    reservation: np.ndarray  # per opened household: the yearly outside option its shop must beat to stay open
    closed: np.ndarray       # household indices


def decide_shops(p: Parameters, since: np.ndarray, able: np.ndarray, expected: np.ndarray,
                 earner_wage: np.ndarray, year_net: np.ndarray, reservation: np.ndarray, households: int,
                 draws: np.ndarray) -> ShopDecisions:
    """Who opens and who closes a shop at the year's end.

    Args:
        p: the parameters.
        since: month each household's shop opened (:data:`NO_LINK`: none).
        able: households that could run one (skill, broadband, a carrier, a member in wage work).
        expected: each household's expected first-year net (:func:`expected_year`).
        earner_wage: the yearly wage of one of its wage earners (what the member gives up).
        year_net: each shop's net income this year.
        reservation: what each shop must earn in a year to stay open (its member's outside option when it opened).
        households: households per village.
        draws: three uniform draws per household (``(3, n)``): migrant, entry, failure.
    """
    running = since > NO_LINK
    migrant = draws[0] < p.migrant_share
    outside, gain = shop_gain(p, expected, earner_wage, migrant)
    shop_share = np.repeat(village_shop_share(since, households), households)
    chance = p.business_entry_rate * gain * (1.0 + p.business_imitation * shop_share)
    opened = np.flatnonzero(able & ~running & (draws[1] < chance))
    closed = np.flatnonzero(running & ((draws[2] < p.business_failure_rate) | (year_net < reservation)))
    return ShopDecisions(opened, migrant[opened], outside[opened], closed)
