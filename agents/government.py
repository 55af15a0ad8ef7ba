"""Government: budgets per instrument and year, and the instruments that spend them.

Every instrument works through a mechanism of the model (capacity, coverage, skill, new farmers,
brands, shipping cost), never as a direct bonus to an outcome, and every yuan shows in the ledger.
The east-west fund spends through the same instrument functions, with the fund as payer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from mesa import Agent

from abm.core.declare import INSTRUMENTS
from abm.core.ledger import MoneyLedger
from abm.core.params import Parameters
from abm.core.stages import MOBILISED, NO_LINK

#: talent titles (source 000): yearly online sales (yuan, in a real county; scaled to a model county by
#: ``Government.title_sales_scale``), households lifted, monthly allowance (yuan)
TITLES = ((5_000_000.0, 10, 2000.0), (2_000_000.0, 10, 1000.0), (500_000.0, 3, 500.0))


@dataclass
class PolicyTargets:
    """What the instruments act on, handed to them by the model (villages and farmers in grid order)."""

    region: np.ndarray            # per village
    county: np.ndarray            # per village
    county_region: np.ndarray     # per county: the region of its seat
    fresh: np.ndarray             # per village: grows a fresh crop
    broadband: np.ndarray         # per village, mutable
    g5: np.ndarray                # per village, mutable
    cold_chain: np.ndarray        # per village, mutable
    road_km: np.ndarray           # per village
    farmers: object               # agents.farmers.FarmerPopulation
    cooperatives: list = field(default_factory=list)


def priority(region: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Order of candidates: west first, then centre, then east; the neediest first within a region.

    A stable lexsort keeps the order deterministic for equal needs.
    """
    return np.lexsort((-need, region))


def first_by_priority(region: np.ndarray, need: np.ndarray, k: int) -> np.ndarray:
    """``priority(region, need)[:k]`` without sorting every candidate: the same positions in the same order.

    Regions are taken in order; in the region where the ``k`` places run out only the candidates up
    to the cut-off are sorted (ties at the cut-off keep their original order, as the stable lexsort
    does). ``need`` must not contain NaN.
    """
    if k >= region.size:
        return priority(region, need)
    key = -need
    taken: list[np.ndarray] = []
    left = k
    for r in np.flatnonzero(np.bincount(region)):  # the regions present, in order (no sort)
        if left <= 0:
            break
        pos = np.flatnonzero(region == r)
        if pos.size > left:
            cut = np.partition(key[pos], left - 1)[left - 1]
            below = pos[key[pos] < cut]
            tied = pos[key[pos] == cut][: left - below.size]
            pos = np.sort(np.concatenate([below, tied]))
        taken.append(pos[np.lexsort((key[pos],))])
        left -= pos.size
    return np.concatenate(taken) if taken else np.zeros(0, np.intp)


def build_cold_chain(t: PolicyTargets, money: float, rate: float, capex: float, ledger: MoneyLedger,
                     payer: str, mask: np.ndarray | None = None) -> float:
    """Co-fund shared cold chain: the payer covers ``rate`` of each village's investment.

    Villages with fresh crops and the least coverage go first; the logistics provider pays the rest
    and the village's route becomes fully covered. Returns the money spent.
    """
    ok = t.fresh & (t.cold_chain < 0.95) & (mask if mask is not None else True)
    cand = np.flatnonzero(ok)
    cand = cand[priority(t.region[cand], 1 - t.cold_chain[cand])]
    cost = rate * capex * (1 - t.cold_chain[cand])
    take = cand[np.cumsum(cost) <= money]
    spent = float(cost[: take.size].sum())
    own = float(((1 - rate) * capex * (1 - t.cold_chain[take])).sum())
    ledger.add(payer, "logistics", spent, "cold_chain_subsidy")
    ledger.add("logistics", "equipment", spent + own, "cold_chain_investment")
    t.cold_chain[take] = 1.0
    return spent


def roll_out_broadband(t: PolicyTargets, money: float, cost_5g: float, ledger: MoneyLedger, payer: str) -> float:
    """Tiered roll-out (source 004): broadband baseline first (west), then 5G; returns money spent."""
    spent = 0.0
    for layer, unit in ((t.broadband, cost_5g * 0.5), (t.g5, cost_5g)):
        need = ~layer & (t.broadband if layer is t.g5 else True)
        cand = np.flatnonzero(need)
        cand = cand[priority(t.region[cand], t.road_km[cand])]
        n = int(min(cand.size, (money - spent) // unit)) if unit > 0 else cand.size
        layer[cand[:n]] = True
        spent += n * unit
    ledger.add(payer, "telecom", spent, "broadband")
    return spent


def train(t: PolicyTargets, money: float, cost: float, gain: float, ledger: MoneyLedger, payer: str,
          mask: np.ndarray | None = None) -> float:
    """Certify untrained farmers who are already interested in e-commerce, least skilled first.

    Training raises skill by ``gain`` and is an interessement device: trainees become interested.
    """
    f = t.farmers
    ok = ~f.trained & (f.stage >= 1) & (mask if mask is not None else True)
    cand = np.flatnonzero(ok)
    n = int(min(cand.size, money // cost)) if cost > 0 else cand.size
    chosen = cand[first_by_priority(f.region[cand], 1 - f.skill[cand], n)]
    f.trained[chosen] = True
    f.skill[chosen] = np.minimum(1.0, f.skill[chosen] + gain)
    f.stage[chosen] = np.maximum(f.stage[chosen], 2)
    spent = n * cost
    ledger.add(payer, "training_providers", spent, "training")
    return spent


def award_brands(t: PolicyTargets, money: float, award: float, ledger: MoneyLedger, payer: str,
                 counties: np.ndarray | None = None) -> float:
    """Give brand awards to unbranded cooperatives (west first), which register a brand with it."""
    spent = 0.0
    coops = sorted((c for c in t.cooperatives if not c.branded), key=lambda c: (t.region[c.village], c.county))
    for coop in coops:
        if spent + award > money:
            break
        if counties is not None and not counties[coop.county]:
            continue
        coop.branded = True
        spent += award
    ledger.add(payer, "cooperatives", spent, "brand_award")
    ledger.add("cooperatives", "brand_services", spent, "brand_award")
    return spent


def add_processing(t: PolicyTargets, money: float, unit: float, ledger: MoneyLedger, payer: str,
                   counties: np.ndarray) -> float:
    """Fund deep-processing lines in branded cooperatives of the given counties."""
    spent = 0.0
    for coop in t.cooperatives:
        if counties[coop.county] and coop.branded and coop.processing < 0.5 and spent + unit <= money:
            coop.processing = min(0.5, coop.processing + 0.15)
            spent += unit
    ledger.add(payer, "cooperatives", spent, "processing_grant")
    ledger.add("cooperatives", "equipment", spent, "processing_grant")
    return spent


def sales_led(own_sales_year: np.ndarray, followers_streamed: np.ndarray, new_farmer: np.ndarray,
              households: int) -> np.ndarray:
    """Each new farmer's yearly sales for a talent title: her own online sales and her share of her followers'.

    Followers stream through the hosts of their village, so a village's followers' livestream sales
    of the year (``followers_streamed``, per village) are shared equally among its hosts. A host's own
    livestream sales are in her own sales alone, so nothing counts twice; other households get 0.
    """
    village = np.arange(new_farmer.size) // households
    hosts = np.bincount(village, weights=new_farmer, minlength=followers_streamed.size)
    share = followers_streamed / np.maximum(hosts, 1)
    return np.where(new_farmer, own_sales_year + share[village], 0.0)


def support_returnees(t: PolicyTargets, money: float, unit: float, ledger: MoneyLedger, payer: str,
                      month: int) -> float:
    """Returnee start-ups: a supported returnee joins a household in a 5G village as a new farmer.

    West first, and within a region the most productive farms first (no random draw, so arms with
    and without the instrument keep common random numbers). The household's link to the network
    dates from ``month`` unless it already had one.
    """
    f = t.farmers
    g5 = np.repeat(t.g5, f.households)
    cand = np.flatnonzero(g5 & ~f.new_farmer & ~f.returnee & (f.stage < 4))
    n = int(min(cand.size, money // unit)) if unit > 0 else 0
    chosen = cand[first_by_priority(f.region[cand], f.productivity[cand], n)]
    f.returnee[chosen] = True
    f.new_farmer[chosen] = True
    f.skill[chosen] = np.maximum(f.skill[chosen], 0.8)
    f.stage[chosen] = MOBILISED
    f.link_since[chosen] = np.where(f.link_since[chosen] > NO_LINK, f.link_since[chosen], month)
    f.cash[chosen] += unit
    spent = n * unit
    ledger.add(payer, "farmers", spent, "returnee_support")
    return spent


class Government(Agent):
    """County-to-central government: a budget per instrument and year, spent by stated rules."""

    def __init__(self, model, p: Parameters) -> None:
        """Set the yearly budgets from the parameters."""
        super().__init__(model)
        self.p = p
        self.yearly = {i: float(getattr(p, f"budget_{i}")) for i in INSTRUMENTS}
        self.available = dict.fromkeys(INSTRUMENTS, 0.0)
        self.spent_total = dict.fromkeys(INSTRUMENTS, 0.0)
        self.spent_month = dict.fromkeys(INSTRUMENTS, 0.0)
        # Source 000's sales thresholds are a real county's (about 100,000 households); a model county has
        # county_size^2 x households_per_village households, so its hosts lead that much smaller a market.
        self.title_sales_scale = p.county_size ** 2 * p.households_per_village / p.households_per_real_county
        self.titles = np.zeros(0, np.int8)
        self.title_holders = np.zeros(0, np.intp)  # households with a title, senior first (paid in this order)
        self.logistics_factor = 0.0
        self.stage = 3

    def open_year(self, ledger: MoneyLedger) -> None:
        """Allocate this year's budgets from the treasury (on top of a rest carried from last year)."""
        for i in INSTRUMENTS:
            ledger.add("treasury", "government", self.yearly[i], f"budget_{i}")
            self.available[i] += self.yearly[i]
        self.stage = 4 if any(self.yearly.values()) else 3

    def close_year(self, ledger: MoneyLedger) -> None:
        """At December's close, return what is left to the treasury under the ``return`` rule (``carry`` keeps it).

        Returned in the year it was left, so the last year's rest goes back too. A rest spent down to
        a rounding error below zero (:meth:`spend` allows 1e-6 yuan of it) returns nothing.
        """
        if self.p.unspent_rule != "return":
            return
        for i in INSTRUMENTS:
            ledger.add("government", "treasury", max(self.available[i], 0.0), f"return_{i}")
            self.available[i] = 0.0

    def allowance(self, instrument: str, month_of_year: int) -> float:
        """Money the instrument may spend this month: an even share of what is left this year."""
        return self.available[instrument] / (12 - month_of_year)

    def spend(self, instrument: str, amount: float) -> None:
        """Book ``amount`` as spent by an instrument; it can never exceed what is available."""
        if amount > self.available[instrument] + 1e-6:
            raise ValueError(f"{instrument} would overspend: {amount} > {self.available[instrument]}")
        self.available[instrument] -= amount
        self.spent_total[instrument] += amount
        self.spent_month[instrument] += amount

    def act(self, t: PolicyTargets, month: int, ledger: MoneyLedger) -> None:
        """Run the capital instruments for this month (months since the start), each within its monthly allowance."""
        p = self.p
        month_of_year = (month - 1) % 12
        self.spent_month = dict.fromkeys(INSTRUMENTS, 0.0)
        actions = {
            "cold_chain": lambda m: build_cold_chain(t, m, p.cold_chain_subsidy_rate, p.cold_chain_capex,
                                                     ledger, "government"),
            "broadband": lambda m: roll_out_broadband(t, m, p.g5_cost_per_village, ledger, "government"),
            "training": lambda m: train(t, m, p.training_cost, p.training_skill_gain, ledger, "government"),
            "returnee": lambda m: support_returnees(t, m, p.returnee_support, ledger, "government", month),
            "brand": lambda m: award_brands(t, m, p.brand_award, ledger, "government"),
        }
        for name, action in actions.items():
            if self.available[name] > 0:
                self.spend(name, action(self.allowance(name, month_of_year)))

    def logistics_discount(self, month_of_year: int, eligible_kg: float) -> float:
        """Per-kg shipping subsidy offered this month, scaled down so the allowance is not exceeded.

        ``eligible_kg`` are the kg on offer this month in the villages the subsidy serves: at most that
        many ship, so the subsidy granted never exceeds this month's allowance.
        """
        money = self.allowance("logistics", month_of_year) if self.available["logistics"] > 0 else 0.0
        if money <= 0 or eligible_kg <= 0:
            return 0.0
        return min(self.p.logistics_subsidy_per_kg, money / eligible_kg)

    def award_titles(self, sales_led_year: np.ndarray, lifted: np.ndarray, new_farmer: np.ndarray) -> None:
        """Grant talent titles at year end to new farmers meeting the sales and households-lifted thresholds.

        ``sales_led_year`` is each household's yearly sales as a title counts them (:func:`sales_led`),
        measured against the thresholds scaled to a model county (``title_sales_scale``).
        """
        level = np.zeros(sales_led_year.size, np.int8)
        for rank, (sales, households, _) in enumerate(TITLES):
            meets = (new_farmer & (sales_led_year >= sales * self.title_sales_scale) & (lifted >= households)
                     & (level == 0))
            level[meets] = 3 - rank
        self.titles = level
        # Titles change only here, once a year, so the pay order is sorted here rather than every month.
        order = np.argsort(-level, kind="stable")
        self.title_holders = order[level[order] > 0]

    def allowances(self, n: int, month_of_year: int, ledger: MoneyLedger) -> np.ndarray:
        """Monthly allowance of each farmer: title holders are paid, senior first, while the budget lasts."""
        pay = np.zeros(n)
        holders = self.title_holders
        if holders.size == 0:
            return pay
        money = self.allowance("talent", month_of_year) if self.available["talent"] > 0 else 0.0
        amounts = np.array([0.0, TITLES[2][2], TITLES[1][2], TITLES[0][2]])[self.titles[holders]]
        within_budget = np.cumsum(amounts) <= money
        pay[holders[within_budget]] = amounts[within_budget]
        paid = float(pay.sum())
        ledger.add("government", "farmers", paid, "talent_allowance")
        self.spend("talent", paid)
        return pay
