"""Translation: shocks raise defection and lower stability, which recovers; presets differ; interest lapses;
the west's stability follows its infrastructure; the network exports; who enrols."""

from __future__ import annotations

import functools

import networkx as nx
import numpy as np
import pytest
from scipy import stats
from testworlds import DIFFUSING, month_prices

from abm.core.params import Parameters
from abm.core.stages import ENROLLED, INTERESTED, PROBLEMATISED
from abm.io.scenario import load_scenario
from abm.io.simulate import run
from abm.model import RuralEconomy
from abm.translation.transitions import Exposure, Rates, transition

SEEDS = (0, 1, 2)


@functools.cache
def _runs(name: str, months: int = 96, **overrides):
    sc = load_scenario(name).with_overrides({"farmers": 6000} | DIFFUSING | overrides)
    return [run(sc, seed=s, months=months).series for s in SEEDS]


@pytest.mark.parametrize("shock", ["shock_logistics", "shock_commission"])
def test_shock_raises_defection_lowers_stability_and_recovers(shock):
    """A shock lasting two harvest cycles (the default patience) raises defections by half or more and lowers stability; it recovers."""
    base = _runs("default", months=120, shock_start=36, shock_months=24)
    hit = _runs(shock, months=120, shock_start=36, shock_months=24)
    during = slice(37, 73)  # the two shock years, in which every household reviews twice
    assert sum(h.flow_defected[during].sum() for h in hit) > 1.5 * sum(b.flow_defected[during].sum() for b in base)
    for b, h in zip(base, hit):
        assert h.stability[54:73].mean() < 0.93 * b.stability[54:73].mean()
        assert h.stability[108:121].mean() > b.stability[108:121].mean() - 0.02


def test_development_models_grow_different_networks():
    """The three presets of source 004 differ in the stage they push: paired by seed, the 95% interval excludes 0."""
    def final(name):
        return np.array([[s.enrolled.iloc[-1], s.mobilised.iloc[-1]] for s in _runs(name, months=60)])
    base, platform, livestream = final("default"), final("platform"), final("livestream")

    def lower_bound(d: np.ndarray) -> float:
        return float(d.mean() - stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))

    assert lower_bound(platform[:, 0] - base[:, 0]) > 0    # recruiters enrol more households
    assert lower_bound(livestream[:, 1] - base[:, 1]) > 0  # more new farmers mobilised


def test_network_is_one_main_component_of_typed_links_holding_every_enrolled_farmer():
    """The network at a month: every node kind and link type of the ODD, all enrolled farmers in one component."""
    m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, development_model="livestream", **DIFFUSING),
                     seed=2)
    for _ in range(24):
        m.step()
    g = m.network()
    kinds = {d["kind"] for _, d in g.nodes(data=True)}
    assert {"farmer", "cooperative", "platform", "logistics", "government", "actant", "village"} <= kinds
    links = {d["type"] for *_, d in g.edges(data=True)}
    assert {"farmer-platform", "farmer-village", "village-cooperative", "logistics-village", "cooperative-platform",
            "follower-new_farmer"} <= links
    assert all(d["age"] >= 0 for *_, d in g.edges(data=True))
    farmers = [n for n, d in g.nodes(data=True) if d["kind"] == "farmer"]
    assert len(farmers) == int((m.farmers.stage >= 3).sum())
    main = max(nx.connected_components(g), key=len)
    assert set(farmers) <= main
    outside = set(g) - main
    assert all(g.nodes[n]["kind"] == "actant" for n in outside)  # only an actant nobody mobilises
    i = int(farmers[0].split(":")[1])
    node = g.nodes[farmers[0]]
    assert (node["region"], node["village"]) == (("west", "centre", "east")[m.farmers.region[i]], i // 25)
    assert node["income"] == m.farmers.income_year[i] and node["stage"] in ("enrolled", "mobilised")


def test_better_western_infrastructure_raises_western_stability():
    """With the east's broadband, 5G and cold chain, the west's network is more stable in years 4-6, seed by seed."""
    def west_stability(**overrides) -> list[float]:
        sc = load_scenario("default").with_overrides({"farmers": 4000} | overrides)
        out = []
        for s in (0, 1):
            r = run(sc, seed=s, months=72).regions
            out.append(r[(r.region == "west") & (r.month > 36)].stability.mean())
        return out

    built = west_stability(broadband_west=1.0, g5_west=0.7, cold_chain_west=0.45)
    for status_quo, better in zip(west_stability(), built):
        assert better > status_quo + 0.02


def test_interest_not_acted_on_lapses():
    """Interested households in villages that cannot sell online lose interest at the lapse rate, and come back."""
    m = RuralEconomy(farmers=3000, seed=6, broadband_west=0.0, broadband_centre=0.0, broadband_east=0.0)
    lapsed = interested = 0.0
    for _ in range(24):
        m.step()
        lapsed += m.metrics["flow_lapsed"]
        interested += m.metrics["interested"]
    assert lapsed > 0.5 * (1 - np.exp(-m.p.interest_lapse_rate)) * interested
    assert m.metrics["enrolled"] + m.metrics["mobilised"] < 0.2 * m.farmers.n


def test_interested_households_enrol_where_the_online_gain_net_of_effort_is_positive():
    """With certain draws an interested household able to sell online enrols exactly where its gain is positive.

    The expected gain already has the channel's effort subtracted; effort is not charged a second time.
    """
    m, prices = month_prices(online_effort_cost=600.0)
    pv, f = m.province, m.farmers
    v = pv.villages
    f.stage[f.stage < ENROLLED] = INTERESTED
    interested = np.flatnonzero(f.stage == INTERESTED)
    can_sell = v.broadband[interested // f.households]
    gain = prices.online_gain_per_kg(interested)
    effort = m.p.online_effort_cost * (1 - 0.5 * f.skill[interested]) / pv.terms.monthly_kg[interested]
    assert ((gain > 0) & (gain < effort) & can_sell).sum() > 20  # households the second charge would turn away
    x = Exposure(m.passage_points(), np.zeros(v.n), np.zeros(v.n), prices.enrolment_terms, v.broadband, v.g5)
    rates = Rates(0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.6, 6, 2, 0.0, 1.0)
    transition(f, x, rates, m.steps + 1, np.zeros((4, f.n), np.float32))
    np.testing.assert_array_equal(f.stage[interested] == ENROLLED, can_sell & (gain > 0))


def test_the_funnel_starts_with_households_already_reached_and_enrols_from_the_first_year():
    """``initial_reached`` of the households not online start problematised, so year 1 enrols more and is closer to
    year 2's pace; with none reached the funnel starts empty and year 1 enrols far fewer (paired seeds).
    """
    enrolled = {}
    for reached in (0.0, 0.6):
        m = RuralEconomy(farmers=6000, seed=3, initial_reached=reached)
        waiting = m.farmers.stage < ENROLLED
        share = float(np.mean(m.farmers.stage[waiting] == PROBLEMATISED))
        assert share == pytest.approx(reached, abs=0.02)
        years = []
        for _ in range(2):
            flow = 0.0
            for _ in range(12):
                m.step()
                flow += m.metrics["flow_enrolled"]
            years.append(flow)
        enrolled[reached] = years
    assert enrolled[0.6][0] > 2 * enrolled[0.0][0]
    # the first year is closer to the second's pace: the funnel does not start empty
    assert enrolled[0.6][0] / enrolled[0.6][1] > 1.5 * enrolled[0.0][0] / enrolled[0.0][1]
