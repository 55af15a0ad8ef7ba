"""The outputs every run keeps, computed once a month from the model's state and the month's flows.

Income statistics, Gini and Theil use the last complete year's household income (computed at
year end, since they sort); before the first year ends they use the households' expected income.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from abm.core.declare import INSTRUMENTS
from abm.core.kernels import pairwise_sums_split
from abm.core.params import REGIONS
from abm.core.stages import CHANNELS, ENROLLED, EXIT_REASONS, LIVE, MOBILISED, NO_LINK, SHOP, STAGES, TRANSITIONS
from abm.measure.adoption_effect import EFFECTS
from abm.measure.inequality import gini, quintile_ratio, theil
from abm.measure.outcomes import FLOWS, OUTCOMES
from abm.translation.transitions import Tallies, stability
from agents.consumers import BUDGET_SHARE
from agents.households import INCOME_PARTS, province_parts

if TYPE_CHECKING:
    from abm.income.month import MonthIncome
    from abm.market.clearing import MonthFlows
    from abm.state import Province


def year_statistics(income: np.ndarray, region: np.ndarray) -> dict[str, Any]:
    """Inequality and income statistics of one year's household incomes (sorts, so once a year)."""
    th = theil(income, region.astype(np.int64), 3)
    means = np.bincount(region, weights=income, minlength=3) / np.maximum(np.bincount(region, minlength=3), 1)
    medians = np.array([np.median(income[region == r]) if (region == r).any() else 0.0 for r in range(3)])
    return {"gini": gini(income), "quintile_ratio": quintile_ratio(income),
            "theil": th.total, "theil_between": th.between, "theil_within": th.within,
            "income_mean": float(income.mean()), "income_median": float(np.median(income)),
            "region_mean": means, "region_median": medians}


def measure(pv: Province, month: int, ys: dict[str, Any], t: Tallies, window: tuple[np.ndarray, np.ndarray],
            month_flows: tuple[MonthFlows, np.ndarray, MonthIncome] | None, audience_scale: float,
            settled: np.ndarray
            ) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Model-level outcomes and one row of regional outcomes per region for this month (reads, never writes).

    ``ys`` is the last complete year's income statistics (``income_parts``: per person by part and
    region, :meth:`agents.households.HouseholdIncome.parts_per_person`), ``t`` this month's tallies,
    ``window`` the stability history's (enrolled a year ago, defections in the last 12 months),
    ``month_flows`` the month's market, translation and labour flows (None in month 0), ``audience_scale``
    the livestream audience's rationing this month and ``settled`` the cooperative members who left
    (by reason) and joined at this month's settlement (zeros outside December).
    """
    count = pv.farmers.region_households()
    stab = stability(t, *window)
    flows = flow_metrics(pv, month, month_flows)
    hosts = pv.farmers.region_count(pv.farmers.new_farmer)
    out = state_outcomes(pv, ys, t, stab) | flows.pop("model") | channel_outcomes(pv, audience_scale, settled)
    rows = []
    cold_chain, region = pv.villages.cold_chain, pv.villages.region
    for r, rname in enumerate(REGIONS):
        row = {"month": month, "region": rname,
               "income_mean": float(ys["region_mean"][r]), "income_median": float(ys["region_median"][r]),
               "cold_chain": float(cold_chain[region == r].mean()) if (region == r).any() else 0.0,
               "stability": float(stab[0][r]), "persistence": float(stab[1][r]), "fragile_share": float(stab[2][r]),
               "trained_share": float(t.trained[r] / max(count[r], 1)),
               "new_farmers": float(hosts[r])}
        for s, name in enumerate(STAGES):
            row[name] = float(t.stages[s, r])
        row |= income_per_person(ys["income_parts"][:, r], ys["farm_per_person"][r])
        row |= {k: float(v[r]) for k, v in flows["region"].items()}
        rows.append(row)
    return out, rows


def state_outcomes(pv: Province, ys: dict[str, Any], t: Tallies, stab: tuple[np.ndarray, ...]) -> dict[str, float]:
    """Model-level outcomes of the state at the month's end: income statistics, shares, stages, spending."""
    f, v, inst, ew = pv.farmers, pv.villages, pv.institutions, pv.eastwest
    alive_now = t.stages[ENROLLED] + t.stages[MOBILISED]
    stab_, persistence, fragile = stab
    out: dict[str, float] = {
        "income_mean": ys["income_mean"], "income_median": ys["income_median"],
        "gini": ys["gini"], "quintile_ratio": ys["quintile_ratio"], "theil": ys["theil"],
        "theil_between": ys["theil_between"], "theil_within": ys["theil_within"],
        **{f"adoption_effect_{k}": ys[f"adoption_effect_{k}"] for k in EFFECTS},
        "east_west_income_ratio": float(ys["region_mean"][2] / max(ys["region_mean"][0], 1e-9)),
        "enrolled_share": float(alive_now.sum() / f.n),
        "trained_share": float(t.trained.sum() / f.n),
        "skill_mean": float(f.skill.mean()),
        "cold_chain": float(v.cold_chain.mean()),
        "g5_share": float(v.g5.mean()),
        "broadband_share": float(v.broadband.mean()),
        "consumer_trust": float(BUDGET_SHARE @ inst.consumers.trust.mean(axis=1)),
        "new_farmers": float(np.count_nonzero(f.new_farmer)),
        "returnees": float(np.count_nonzero(f.returnee | f.returned)),
        "income_total": float(f.income_month.sum()),
        "stability": float(stab_[3]), "persistence": float(persistence[3]), "fragile_share": float(fragile[3]),
        "fund_balance": ew.fund_balance, "fund_spent_to_date": ew.fund_spent, "pairing_spent_to_date": ew.pairing_spent,
        "branded_cooperatives": float(sum(c.branded for c in inst.cooperatives)),
    }
    for s, name in enumerate(STAGES):
        out[name] = float(t.stages[s].sum())
    for name in INSTRUMENTS:
        out[f"spent_to_date_{name}"] = inst.government.spent_total[name]
    out["spent_to_date_total"] = float(sum(inst.government.spent_total.values()))
    households = f.region_households()
    return out | income_per_person(province_parts(ys["income_parts"], households),
                                   province_parts(ys["farm_per_person"], households))


def income_per_person(parts: np.ndarray, farm: float) -> dict[str, float]:
    """Income per person, its four survey parts and the farm part of net business (yuan/person/year)."""
    return ({"income_per_person": float(parts.sum())} | {f"income_{k}": float(v) for k, v in zip(INCOME_PARTS, parts)}
            | {"income_farm": float(farm)})


def channel_outcomes(pv: Province, audience_scale: float, settled: np.ndarray) -> dict[str, float]:
    """The livestream audience's rationing, cooperative members and the year's membership flows."""
    out = {"audience_scale": audience_scale, "coop_members": float(np.count_nonzero(pv.farmers.member))}
    out |= {f"coop_left_{reason}": float(settled[k]) for k, reason in enumerate(EXIT_REASONS)}
    return out | {"coop_joined": float(settled[-1])}


class RegionSums(NamedTuple):
    """This month's sales and kg summed by region (arrays over the three regions)."""

    online_sales: np.ndarray
    delivered: np.ndarray         # kg delivered online
    fraud: np.ndarray             # kg delivered online by misrepresenting sellers
    processed: np.ndarray
    branded: np.ndarray
    sales_by_channel: dict        # channel -> revenue by region (offline: bulk sales)
    fresh_shipped: np.ndarray
    fresh_lost: np.ndarray
    sold: np.ndarray              # kg sold, bulk and online
    bulk: np.ndarray              # kg sold in bulk
    shipped_all: np.ndarray       # per household: kg shipped, bulk and online


def flow_metrics(pv: Province, month: int, mf: tuple[MonthFlows, np.ndarray, MonthIncome] | None) -> dict[str, Any]:
    """Outcomes of this month's sales, losses, trust and translation flows (zeros before the first month)."""
    if mf is None:
        return _before_the_first_month()
    fl, trans, month_income = mf
    labour = month_income.labour
    r = _region_sums(pv, fl)
    model = _province_flow_outcomes(pv, month, fl, r)
    model |= {f"flow_{t}": float(trans[k].sum()) for k, t in enumerate(TRANSITIONS)}
    market_model, sell_through_r = _market_outcomes(pv, fl)
    model |= market_model
    wages_r = pv.farmers.region_sum(labour.received)
    model |= {"ecommerce_wages": float(wages_r.sum()), "ecommerce_jobs": labour.days_hired / WORK_DAYS,
              "wages_forgone": float(labour.forgone.sum())}
    livelihoods = livelihood_outcomes(pv, month_income)
    model |= {k: float(v.sum()) for k, v in livelihoods.items() if k != "consumption_saving_per_person"}
    model["consumption_saving_per_person"] = 12.0 * model["consumption_saving"] / (
        pv.farmers.n * pv.p.persons_per_household)
    sold, own, following = online_sellers_by_kind(pv, fl)
    model |= {"adoption": float(sold.sum() / pv.farmers.n), "own_online_sellers": float(own.sum() / pv.farmers.n),
              "followers": float(following.sum())}
    region_cols = {
        "sell_through": sell_through_r, "ecommerce_wages": wages_r,
        "adoption": sold / np.maximum(pv.farmers.region_households(), 1),
        "followers": following,
        "online_sales": r.online_sales,
        "fresh_loss": np.where(r.fresh_shipped > 0, r.fresh_lost / np.maximum(r.fresh_shipped, 1e-12), np.nan),
        "fraud_rate": r.fraud / np.maximum(r.delivered, 1e-12),
        "bulk_raw_share": np.where(r.sold > 0, r.bulk / np.maximum(r.sold, 1e-12), np.nan),
        "processed_share": r.processed / np.maximum(r.sold, 1e-12),
        "branded_share": r.branded / np.maximum(r.sold, 1e-12),
    }
    region_cols |= {f"sales_{c}": v for c, v in r.sales_by_channel.items()} | livelihoods
    region_cols |= {f"flow_{t}": trans[k] for k, t in enumerate(TRANSITIONS)}
    return {"model": model, "region": region_cols}


def livelihood_outcomes(pv: Province, month_income: MonthIncome) -> dict[str, np.ndarray]:
    """The month's online shops and consumption savings by region (counts, sums, and saving per person a year)."""
    f = pv.farmers
    shops = month_income.shops
    saving = f.region_sum(month_income.consumption_saving)
    persons = np.maximum(f.region_households(), 1) * pv.p.persons_per_household
    sales, net = f.region_sum_at(shops.owners, (shops.turnover, shops.net))
    return {"online_shops": f.region_count(f.shop_since > NO_LINK), "shop_sales": sales, "shop_net": net,
            "consumption_saving": saving,
            "consumption_saving_per_person": 12.0 * saving / persons}


def online_sellers_by_kind(pv: Province, fl: MonthFlows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Households that sold online this month (delivered kg to online buyers) by region: all, own, followers.

    Own sellers sell on their own shop or host their own livestream; followers sell on a host's
    livestream. Channel and host are as they were when they sold (the month's translation comes after).
    """
    sold = fl.sold
    live = fl.seller_channel == LIVE
    own = sold & ((fl.seller_channel == SHOP) | (live & fl.seller_new_farmer))
    following = sold & live & ~fl.seller_new_farmer
    return tuple(pv.farmers.region_count_at(fl.sellers[k]) for k in (sold, own, following))


def _region_sums(pv: Province, fl: MonthFlows) -> RegionSums:
    """Region sums of the month's flows, each bit for bit ``np.bincount`` of the per-household column.

    Online quantities are non-zero at the sellers alone: their region sums add the sellers' values
    (the same additions in the same order).
    """
    f, v, at = pv.farmers, pv.villages, fl.sellers
    # A channel's region sums add its own sellers' revenue and exact zeros for the others.
    seller_channel = fl.seller_channel  # as sold: the month's translation may since have moved a defector offline
    by_channel = [np.where(seller_channel == k, fl.seller_revenue, 0.0) for k in range(1, len(CHANNELS))]
    online_region, delivered_r, fraud_r, processed_r, branded_r, *channel_r = f.region_sum_at(
        at, (fl.seller_revenue, fl.seller_delivered, fl.seller_delivered * fl.seller_misrepresent, fl.seller_processed,
             fl.seller_branded, *by_channel))
    # Shipped and sold kg: bulk kg plus the sellers' online kg (everyone else adds an exact zero).
    shipped_all = fl.offline_kg.copy()
    shipped_all[at] += fl.seller_shipped
    sold = fl.offline_kg.copy()
    sold[at] += fl.seller_delivered
    shipped_fresh_r, lost_fresh_r = f.region_sum_in_villages((shipped_all, fl.lost), v.fresh_villages)
    offline_sales_r, sold_r, offline_r = f.region_sum((fl.offline_revenue, sold, fl.offline_kg))
    sales_by_channel = {"offline": offline_sales_r} | dict(zip(CHANNELS[1:], channel_r))
    return RegionSums(online_region, delivered_r, fraud_r, processed_r, branded_r, sales_by_channel,
                      shipped_fresh_r, lost_fresh_r, sold_r, offline_r, shipped_all)


def _province_flow_outcomes(pv: Province, month: int, fl: MonthFlows, r: RegionSums) -> dict[str, float]:
    """Model-level outcomes of the month's sales and losses; totals come from ``fl.sums`` (numpy's own order)."""
    f, v, at = pv.farmers, pv.villages, fl.sellers
    delivered_s = fl.seller_delivered
    # Cold chain is a village property: its masks are spread over the households (the sellers' read
    # from their villages), not compared per household.
    no_cc = np.repeat(v.fresh & (v.cold_chain < 0.1), f.households)
    with_cc_s = (v.fresh & (v.cold_chain >= 0.8))[at // f.households]
    (online_kg, processed_kg, online_sales, online_kg_fresh, shipped_cold_chain, lost_cold_chain, branded_kg,
     fraud_kg, traced_kg) = fl.sums.totals(
        delivered_s, fl.seller_processed, fl.seller_revenue, delivered_s * pv.terms.fresh[at],
        fl.seller_shipped * with_cc_s, fl.seller_lost * with_cc_s, fl.seller_branded,
        delivered_s * fl.seller_misrepresent, delivered_s * fl.seller_traced)
    sold_kg = online_kg + float(fl.offline_kg.sum())
    model = {
        "online_sales": online_sales, "offline_sales": float(fl.offline_revenue.sum()),
        "online_kg": online_kg, "online_kg_fresh": online_kg_fresh,
        "online_kg_primary": online_kg - processed_kg,
        "fresh_shipped": float(r.fresh_shipped.sum()), "fresh_lost": float(r.fresh_lost.sum()),
        "fresh_loss": _rate(r.fresh_lost.sum(), r.fresh_shipped.sum()),
        "fresh_shipped_no_cold_chain": float((r.shipped_all * no_cc).sum()),
        "fresh_lost_no_cold_chain": float((fl.lost * no_cc).sum()),
        "fresh_shipped_cold_chain": shipped_cold_chain,
        "fresh_lost_cold_chain": lost_cold_chain,
        "branded_share": weighted_share(branded_kg, sold_kg),
        "processed_share": weighted_share(processed_kg, sold_kg),
        "primary_share": 1.0 - weighted_share(processed_kg, online_kg),
        "unbranded_price_ratio": fl.unbranded_price_ratio,
        "quality_premium": fl.quality_premium,
        "fraud_rate": weighted_share(fraud_kg, online_kg),
        "market_reach": fl.sales_outside_region,
        "west_online_share": weighted_share(r.online_sales[0], r.online_sales.sum()),
        "bulk_raw_share_west": _rate(r.bulk[0], r.sold[0]),
        "platform_revenue": float(fl.platform_revenue.sum()),
        "traced_share": weighted_share(traced_kg, online_kg),
        "newcomer_sales_ratio": _newcomer_ratio(fl, month),
    }
    return model | {f"sales_{c}": float(v.sum()) for c, v in r.sales_by_channel.items()}


#: working days in a month of a full-time job (jobs = hired days / this)
WORK_DAYS = 22


def _market_outcomes(pv: Province, fl: MonthFlows) -> tuple[dict[str, float], np.ndarray]:
    """The online market's clearing: sell-through by channel, the groups at the price floor, the national capture.

    Returns the model-level outcomes and the sell-through by region (NaN where nothing was offered online).
    """
    shipped_r, offered_r = pv.farmers.region_sum_at(fl.sellers, (fl.seller_shipped, fl.seller_offer.astype(np.float64)))
    channel = fl.seller_channel.astype(np.int64)
    shipped_c = np.bincount(channel, weights=fl.seller_shipped, minlength=len(CHANNELS))
    offered_c = np.bincount(channel, weights=fl.seller_offer, minlength=len(CHANNELS))
    model = {"sell_through": _rate(shipped_r.sum(), offered_r.sum()),
             **{f"sell_through_{c}": _rate(shipped_c[k], offered_c[k]) for k, c in enumerate(CHANNELS) if k},
             "price_floor_share": fl.price_floor_share,
             "demand_capture": weighted_share(float(fl.seller_revenue.sum()), fl.national_budget)}
    return model, np.where(offered_r > 0, shipped_r / np.maximum(offered_r, 1e-12), np.nan)


#: flow outcomes whose month-0 value is not 0: rates with nothing to measure, and shares of all kg
MONTH_ZERO = {"fresh_loss": np.nan, "sell_through": np.nan, "sell_through_cooperative": np.nan,
              "sell_through_platform_shop": np.nan, "sell_through_livestream": np.nan, "price_floor_share": np.nan, "primary_share": 1.0, "unbranded_price_ratio": np.nan,
              "bulk_raw_share_west": 1.0, "newcomer_sales_ratio": np.nan}


def _before_the_first_month() -> dict[str, Any]:
    """The flow outcomes of month 0, the initial state: nothing has been sold, shipped or translated yet."""
    flows = [o for o in OUTCOMES.values() if o.computed_by == FLOWS]
    model = {o.name: MONTH_ZERO.get(o.name, 0.0) for o in flows if o.series}
    return {"model": model, "region": {o.name: np.zeros(3) for o in flows if o.regional}}


def _newcomer_ratio(fl: MonthFlows, month: int) -> float:
    """Online revenue per kg offered of sellers linked under a year when they sold, over sellers linked longer.

    Below 1 means newcomers sell less of what they offer, or at lower prices: a cold start. Sellers
    without a link (members selling through their cooperative without enrolling) are in neither
    group; a seller who defects this month counts by the link it sold under.
    """
    link = fl.seller_link_since
    linked = link > NO_LINK
    new = link[linked] > month - 12
    revenue = pairwise_sums_split(fl.seller_revenue[linked], new)
    offered = pairwise_sums_split(fl.seller_offer[linked], new)
    per_kg = [revenue[k] / max(offered[k], 1e-9) for k in (0, 1)]
    return per_kg[0] / per_kg[1] if 0 < np.count_nonzero(new) < new.size and per_kg[1] > 0 else float("nan")


def weighted_share(part: float, whole: float) -> float:
    """``part / whole``, or 0 when the whole is zero."""
    return float(part / whole) if whole > 0 else 0.0


def _rate(part: float, whole: float) -> float:
    """``part / whole``, or NaN when nothing was there to measure."""
    return float(part / whole) if whole > 0 else float("nan")
