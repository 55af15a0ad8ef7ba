"""Translation: shocks raise defection and lower stability, which recovers; presets differ; the network exports."""

from __future__ import annotations

import functools

import networkx as nx
import numpy as np
import pytest

from abm.model import RuralEconomy
from abm.params import Parameters
from abm.scenario import load_scenario
from abm.simulate import run
from testworlds import DIFFUSING

SEEDS = (0, 1, 2)


@functools.cache
def _runs(name: str, months: int = 96, **overrides):
    sc = load_scenario(name).with_overrides({"farmers": 6000} | DIFFUSING | overrides)
    return [run(sc, seed=s, months=months).series for s in SEEDS]


@pytest.mark.parametrize("shock", ["shock_logistics", "shock_commission"])
def test_shock_raises_defection_lowers_stability_and_recovers(shock):
    """During the shock year defections multiply and stability falls; a few years later it is back."""
    base = _runs("default", shock_start=36, shock_months=12)
    hit = _runs(shock, shock_start=36, shock_months=12)
    during = slice(37, 54)  # the shock year and the half year in which its shortfalls mature
    assert sum(h.flow_defected[during].sum() for h in hit) > 1.5 * sum(b.flow_defected[during].sum() for b in base)
    for b, h in zip(base, hit):
        assert h.stability[42:55].mean() < 0.93 * b.stability[42:55].mean()
        assert h.stability[84:97].mean() > b.stability[84:97].mean() - 0.02


def test_development_models_grow_different_networks():
    """The three presets of source 004 differ beyond replicate noise in the stage they push."""
    def final(name):
        return np.array([[s.enrolled.iloc[-1], s.mobilised.iloc[-1]] for s in _runs(name, months=60)])
    base, platform, livestream = final("default"), final("platform"), final("livestream")
    noise = base.std(axis=0) + 1.0
    assert platform[:, 0].mean() - base[:, 0].mean() > 3 * noise[0]   # recruiters enrol more households
    assert livestream[:, 1].mean() - base[:, 1].mean() > 3 * noise[1]  # more new farmers mobilised


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
