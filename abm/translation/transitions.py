"""Actor-network translation: stage transitions as hazards, the funnel and the network's stability.

Stages (Callon's moments): not reached -> problematised -> interested -> enrolled -> mobilised, with
defection from enrolment or mobilisation back to problematised when promises fail over a harvest
cycle (:mod:`abm.promises.judge`), and interest that lapses back to problematised when it is not acted
on. Each hazard is a sum of named mechanism terms (see docs/ODD.md, "Translation").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from abm.core.stages import COOP, ENROLLED, INTERESTED, MOBILISED, NO_LINK, NOT_REACHED, OFFLINE, PROBLEMATISED, STAGES
from agents.farmers import FarmerPopulation


@dataclass
class Exposure:
    """Per-farmer inputs to the translation hazards this month."""

    passage_points: np.ndarray   # number of obligatory passage points within reach (int)
    imitation: np.ndarray        # per village: enrolled neighbours plus weighted new farmers nearby (share)
    incentives: np.ndarray       # per village: interessement devices offered there (count, may be fractional)
    # For given households (index array): expected monthly online gain over offline after the channel's
    # effort (yuan), and the gain over offline per kg that enrolment promises.
    enrolment_terms: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    can_sell_online: np.ndarray  # per village: broadband and logistics (bool)
    can_livestream: np.ndarray   # per village: 5G (bool)


@dataclass
class Rates:
    """Hazard coefficients, from the parameters and the development model."""

    innovation: float
    passage_point: float
    imitation: float
    interessement: float
    enrolment: float
    mobilisation: float
    mobilisation_skill: float  # least skill of an enrolled household that can be mobilised
    mobilisation_sales: int    # least months of sales of an enrolled household that can be mobilised
    patience: int
    lapse: float             # hazard that an interested household that does not enrol loses interest
    audience_slack: float    # share of livestream demand the platform's audience carried last month (0-1)


def transition(f: FarmerPopulation, x: Exposure, r: Rates, month: int, draws: np.ndarray) -> np.ndarray:
    """Apply one month of stage transitions in place; return the count of each transition by region.

    Args:
        f: the farmer population (stage, skill, shortfall, links change in place).
        x: this month's exposure.
        r: hazard coefficients.
        month: the current month (for link ages).
        draws: uniform draws, array (4, n).

    Returns:
        Array (len(TRANSITIONS), 3): transitions of each kind per region this month.
    """
    stage = f.stage
    lapse_probability = 1 - np.exp(-r.lapse)
    to_p, to_i, can_sell, to_m, defect, lapse_idle = _at_risk_and_drawn(
        stage, f.trained, f.skill, f.sales_count, f.shortfall, x.passage_points, f.households, draws,
        _first_contact_probability(x, r), x.incentives, r.interessement, x.can_sell_online, x.can_livestream,
        1 - np.exp(-r.mobilisation * r.audience_slack), np.float32(r.mobilisation_skill), r.mobilisation_sales,
        r.patience, lapse_probability)
    to_e, promise_e, waiting = _enrolments(f, x, r, can_sell, draws[2])
    # Interest not acted on lapses: interested households that did not enrol this month, by draw 1.
    to_l = np.union1d(lapse_idle, waiting[draws[1][waiting] < lapse_probability])
    reenrolled = to_e[f.defected_at[to_e] > NO_LINK]
    stage[to_p] = PROBLEMATISED
    stage[to_i] = INTERESTED
    stage[to_l] = PROBLEMATISED
    stage[to_e] = ENROLLED
    f.link_since[to_e] = month
    f.promised[to_e] = promise_e
    stage[to_m] = MOBILISED
    f.new_farmer[to_m] = True
    stage[defect] = PROBLEMATISED
    f.link_since[defect] = NO_LINK
    f.defected_at[defect] = month
    f.new_farmer[defect] = False
    f.shortfall[defect] = 0
    f.channel[defect] = np.where(f.member[defect], COOP, OFFLINE)
    for opened in (to_e, defect):
        f.cycle_gain[opened] = 0.0
        f.cycle_promised[opened] = 0.0
    return np.stack([f.region_count_at(k) for k in (to_p, to_i, to_e, to_m, defect, to_l, reenrolled)])


def _enrolments(f: FarmerPopulation, x: Exposure, r: Rates, can_sell: np.ndarray, draws: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interested households able to sell online enrol where the expected gain, net of effort, is positive.

    The gain is the best open online channel's net price after that channel's own effort (none for a
    member's cooperative), so the effort is charged once. Returns the enrolling households, their
    promises (gain per kg) and those who stay interested.
    """
    expected_gain, promise = x.enrolment_terms(can_sell)
    worth = np.flatnonzero(expected_gain > 0)
    candidates = can_sell[worth]
    enrols = draws[candidates] < 1 - np.exp(-r.enrolment * (0.5 + f.skill[candidates]))
    stays = np.ones(can_sell.size, bool)
    stays[worth[enrols]] = False
    return candidates[enrols], promise[worth][enrols], can_sell[stays]


def _first_contact_probability(x: Exposure, r: Rates) -> np.ndarray:
    """Hazard of first contact by village and number of passage points, array (villages, counts).

    A household not reached depends on the network only through its village's imitation and its
    number of passage points (a small integer), so each probability is computed once and looked up.
    """
    counts = np.arange(int(x.passage_points.max(initial=0)) + 1)
    return 1 - np.exp(-(r.innovation + r.passage_point * counts[None, :] + r.imitation * x.imitation[:, None]))


@njit(cache=True, nogil=True)
def _at_risk_and_drawn(stage, trained, skill, sales_count, shortfall, passage_points, households, draws,
                       first_contact, incentives, interessement, can_sell_online, can_livestream,
                       mobilisation_probability, mobilisation_skill, mobilisation_sales, patience,
                       lapse_probability):
    """One pass over the households: who moves this month, by last month's stage (index arrays).

    Returns the households reached (draw 0 under their first-contact probability), interested
    (draw 1 under ``1 - exp(-interessement * (1 + trained + village incentives))``), able to enrol
    (interested where the village can sell online), mobilised (enrolled, 5G, skill >= ``mobilisation_skill``,
    at least ``mobilisation_sales`` months of sales, no broken promise; draw 3 under
    ``mobilisation_probability``), defecting (committed with ``patience`` broken promises) and losing
    interest (interested where the village cannot sell online; draw 1 under ``lapse_probability``), with
    numpy's arithmetic (the float32 skill against a float32 threshold);
    :func:`abm.translation.reference.at_risk_and_drawn` states it in numpy.
    """
    n = stage.size
    found = np.empty((6, n), np.intp)
    count = np.zeros(6, np.intp)
    counts_per_village = first_contact.shape[1]
    table = first_contact.ravel()
    # The interessement hazard depends on a household only through its village and its training.
    interest = np.empty((incentives.size, 2))
    for v in range(incentives.size):
        for trained_now in range(2):
            interest[v, trained_now] = 1 - np.exp(-interessement * (1 + (np.float64(trained_now) + incentives[v])))
    for i in range(n):
        s = stage[i]
        v = i // households
        kind = -1
        if s == NOT_REACHED:
            if draws[0, i] < table[v * counts_per_village + passage_points[i]]:
                kind = 0
        elif s == PROBLEMATISED:
            if draws[1, i] < interest[v, np.intp(trained[i])]:
                kind = 1
        elif s == INTERESTED:
            if can_sell_online[v]:
                kind = 2
            elif draws[1, i] < lapse_probability:
                kind = 5
        else:
            if shortfall[i] >= patience:
                kind = 4
            elif (s == ENROLLED and can_livestream[v] and skill[i] >= mobilisation_skill
                  and sales_count[i] >= mobilisation_sales and shortfall[i] == 0
                  and draws[3, i] < mobilisation_probability):
                kind = 3
        if kind >= 0:
            found[kind, count[kind]] = i
            count[kind] += 1
    return (found[0, :count[0]].copy(), found[1, :count[1]].copy(), found[2, :count[2]].copy(),
            found[3, :count[3]].copy(), found[4, :count[4]].copy(), found[5, :count[5]].copy())


@dataclass
class Tallies:
    """Households counted by region (float64 arrays over the three regions) for the month's measures."""

    stages: np.ndarray        # (stage, region): households at each stage
    trained: np.ndarray       # systematically trained
    old_links: np.ndarray     # enrolled with a link at least twelve months old
    fragile: np.ndarray       # enrolled with fewer than two passage points


def tallies(f: FarmerPopulation, month: int, village_points: np.ndarray, has_coop: np.ndarray) -> Tallies:
    """Count the households of each region by stage, training, link age and passage points, in one pass.

    ``village_points`` and ``has_coop`` are each village's passage points and whether its county
    has a cooperative (a member has one more passage point there).
    """
    counts = _region_tallies(f.stage, f.trained, f.member, f.link_since, f.region[::f.households], village_points,
                             has_coop, month)
    if counts[:len(STAGES)].sum() != f.n:
        raise ValueError(f"a stage outside 0-{len(STAGES) - 1}")
    return Tallies(counts[:len(STAGES)], counts[5], counts[6], counts[7])


@njit(cache=True, nogil=True)
def _region_tallies(stage, trained, member, link_since, village_region, village_points, has_coop, month):
    """Array (8, 3) of counts by region: the five stages, trained, old links, fragile (see :class:`Tallies`).

    Counters stay in registers while the region stays the same (regions are bands of villages);
    :func:`abm.translation.reference.region_tallies` states it in numpy.
    """
    out = np.zeros((8, 3))
    households = stage.size // village_region.size
    region = village_region[0]
    c = np.zeros(8, np.int64)
    for v in range(village_region.size):
        if village_region[v] != region:
            for k in range(8):
                out[k, region] += c[k]
            c[:] = 0
            region = village_region[v]
        s0 = s1 = s2 = s3 = s4 = trained_n = old = fragile = 0
        points = village_points[v]
        coop = has_coop[v]
        for i in range(v * households, (v + 1) * households):
            s = stage[i]
            s0 += s == NOT_REACHED
            s1 += s == PROBLEMATISED
            s2 += s == INTERESTED
            s3 += s == ENROLLED
            s4 += s == MOBILISED
            trained_n += trained[i]
            enrolled = s >= ENROLLED
            old += enrolled & (link_since[i] > NO_LINK) & (link_since[i] <= month - 12)
            fragile += enrolled & (points + (member[i] & coop) < 2)
        c[0] += s0
        c[1] += s1
        c[2] += s2
        c[3] += s3
        c[4] += s4
        c[5] += trained_n
        c[6] += old
        c[7] += fragile
    for k in range(8):
        out[k, region] += c[k]
    return out


@dataclass
class StabilityHistory:
    """What network stability looks back on: enrolled households a year ago, defections in the last year."""

    alive: list[np.ndarray] = field(default_factory=list)      # per month: enrolled + mobilised by region
    defected: list[np.ndarray] = field(default_factory=list)   # per stepped month: defections by region

    def record(self, t: Tallies, defected: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Add this month (``defected`` is None in month 0); returns (alive a year ago, defections in 12 months)."""
        self.alive.append(t.stages[ENROLLED] + t.stages[MOBILISED])
        year_ago = self.alive[max(0, len(self.alive) - 13)]
        if defected is not None:
            self.defected.append(defected)
        recent = np.sum(self.defected[-12:], axis=0) if self.defected else np.zeros(3)
        return year_ago, recent


def stability(t: Tallies, alive_year_ago: np.ndarray, defected_last_year: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Network stability by region: link persistence times (1 - fragile share).

    Persistence is the share of links alive a year ago that are still alive (a link is a farmer's
    enrolment in the network, dated by ``link_since``). An enrolled actor reached by fewer than two
    passage points is fragile, and an actor who defected in the last twelve months is a link already
    broken: fragile share = (fragile enrolled + recent defectors) / (enrolled + recent defectors).

    Returns:
        (stability, persistence, fragile share), each an array over the three regions and, last,
        the whole province (computed from province totals, not as an average of the regions).
    """
    def by_region_and_total(counts: np.ndarray) -> np.ndarray:
        return np.append(counts, counts.sum())

    kept = by_region_and_total(t.old_links)
    alive_year_ago = np.append(alive_year_ago, alive_year_ago.sum())
    persistence = np.where(alive_year_ago > 0, np.minimum(kept / np.maximum(alive_year_ago, 1), 1.0), 1.0)
    n_enrolled = by_region_and_total(t.stages[ENROLLED] + t.stages[MOBILISED])
    defected = np.append(defected_last_year, defected_last_year.sum())
    fragile = by_region_and_total(t.fragile) + defected
    reached = n_enrolled + defected
    fragile_share = np.where(reached > 0, fragile / np.maximum(reached, 1), 0.0)
    return persistence * (1 - fragile_share), persistence, fragile_share
