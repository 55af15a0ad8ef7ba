"""The actor-network of a month as a typed networkx graph, and its export as GraphML and Parquet tables.

Nodes have a ``kind`` (farmer, village, cooperative, platform, logistics, government, actant);
edges a ``type`` and an ``age`` in months. Every enrolled farmer is linked to its village, every
village to its county's cooperative and to the logistics providers serving its county,
cooperatives to the marketplace, and platforms to the providers that deliver their orders, so the
graph has one main component holding every enrolled farmer. A node outside it means something:
an actant no actor mobilises (a brand standard without a branded cooperative), or a village whose
county has lost its provider and has no cooperative.

Ages: a farmer's links date from its enrolment (``link_since``), so their age is
``month - link_since``; the links of the built world (villages, cooperatives, providers,
platforms, actants) date from month 0, so their age is the month.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from abm.core import crops
from abm.core.params import REGIONS
from abm.core.stages import ENROLLED, LIVE, SHOP, STAGES
from abm.observe.view import Observed
from agents.platform import EASTERN_LIVESTREAM, EASTERN_MARKETPLACE

ACTANTS = ("infrastructure", "cold_chain", "brand_standard", "data", "policy_instrument", "trust_mechanism")


def actor_network(m: Observed, max_farmers: int | None = None) -> nx.Graph:
    """The actor-network this month (the first ``max_farmers`` enrolled farmers, or all of them)."""
    g = nx.Graph()
    month = m.steps
    _institutions(g, m, month)
    f = m.farmers
    ids = np.flatnonzero(f.stage >= ENROLLED)
    if max_farmers is not None:
        ids = ids[:max_farmers]
    villages = np.unique(ids // f.households)
    _villages(g, m, villages, month)
    _farmers(g, m, ids, month)
    return g


def _institutions(g: nx.Graph, m: Observed, month: int) -> None:
    """Actants, government, platforms, providers and cooperatives, with the links among them."""
    for name in ACTANTS:
        g.add_node(f"actant:{name}", kind="actant")
    g.add_node("government", kind="government", stage=STAGES[m.government.stage])
    g.add_edge("government", "actant:policy_instrument", type="government-actant", age=month)
    platforms, v = m.province.institutions.platforms, m.province.villages
    for p in platforms:
        g.add_node(f"platform:{p.name}", kind="platform", stage=STAGES[p.stage])
        for actant in ("data", "trust_mechanism"):
            g.add_edge(f"platform:{p.name}", f"actant:{actant}", type="platform-actant", age=month)
    for lp in m.province.institutions.providers:
        g.add_node(f"logistics:{lp.name}", kind="logistics", stage=STAGES[lp.stage])
        g.add_edge("government", f"logistics:{lp.name}", type="government-logistics", age=month)
        for actant in ("infrastructure", "cold_chain"):
            g.add_edge(f"logistics:{lp.name}", f"actant:{actant}", type="logistics-actant", age=month)
        for p in platforms:
            g.add_edge(f"platform:{p.name}", f"logistics:{lp.name}", type="platform-logistics", age=month)
    for c in m.cooperatives:
        g.add_node(f"coop:{c.county}", kind="cooperative", stage=STAGES[c.stage], branded=bool(c.branded),
                   region=REGIONS[v.county_region[c.county]], county=int(c.county))
        g.add_edge(f"coop:{c.county}", f"platform:{platforms[EASTERN_MARKETPLACE].name}", type="cooperative-platform",
                   age=month)
        if c.branded:
            g.add_edge(f"coop:{c.county}", "actant:brand_standard", type="cooperative-actant", age=month)


def _villages(g: nx.Graph, m: Observed, villages: np.ndarray, month: int) -> None:
    """Village nodes, each linked to its county's cooperative and to the providers serving its county."""
    layers = m.province.villages
    for v in villages.tolist():
        county = int(layers.county[v])
        g.add_node(f"village:{v}", kind="village", region=REGIONS[layers.region[v]], county=county,
                   crop=crops.CROPS[layers.crop[v]])
        if layers.coop_of_county[county] >= 0:
            g.add_edge(f"village:{v}", f"coop:{county}", type="village-cooperative", age=month)
        for lp in m.province.institutions.providers:
            if lp.serves[county]:
                g.add_edge(f"logistics:{lp.name}", f"village:{v}", type="logistics-village", age=month)


def _farmers(g: nx.Graph, m: Observed, ids: np.ndarray, month: int) -> None:
    """Farmer nodes with their village, platform, cooperative, government and new-farmer links.

    A livestreamer is linked to the livestream platform, a shop seller to its own marketplace (as the market
    books their commission).
    """
    f, layers = m.farmers, m.province.villages
    platforms, platform_of = m.province.institutions.platforms, m.province.terms.platform_of
    income = m.income_basis()
    leaders: dict[int, int] = {}
    for i in ids[f.new_farmer[ids]].tolist():
        leaders.setdefault(i // f.households, i)
    for i in ids.tolist():
        v = i // f.households
        node, age = f"farmer:{i}", int(month - f.link_since[i])
        g.add_node(node, kind="farmer", stage=STAGES[f.stage[i]], region=REGIONS[f.region[i]], village=v,
                   income=float(income[i]), new_farmer=bool(f.new_farmer[i]))
        g.add_edge(node, f"village:{v}", type="farmer-village", age=age)
        if f.channel[i] in (SHOP, LIVE):
            platform = EASTERN_LIVESTREAM if f.channel[i] == LIVE else platform_of[i]
            g.add_edge(node, f"platform:{platforms[platform].name}", type="farmer-platform", age=age)
        county = int(layers.county[v])
        if f.member[i] and layers.coop_of_county[county] >= 0:
            g.add_edge(node, f"coop:{county}", type="farmer-cooperative", age=age)
        if f.returnee[i] or f.trained[i]:
            g.add_edge("government", node, type="government-recipient", age=age)
        lead = leaders.get(v)
        if lead is not None and lead != i:
            g.add_edge(node, f"farmer:{lead}", type="follower-new_farmer", age=age)


def network_tables(graphs: dict[int, nx.Graph]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The graphs of several months as two tables: nodes (month, node, kind, attributes) and edges.

    Edges have month, source, target, type and age; a node attribute is missing (NaN) where its
    kind has none; region is the ordered categorical of the Parquet files.
    """
    nodes = pd.DataFrame([{"month": month, "node": n, **d} for month, g in graphs.items()
                          for n, d in g.nodes(data=True)])
    edges = pd.DataFrame([(month, u, v, d["type"], d["age"]) for month, g in graphs.items()
                          for u, v, d in g.edges(data=True)], columns=["month", "source", "target", "type", "age"])
    nodes = nodes.astype({"month": "int16", "kind": "category"})
    nodes["region"] = pd.Categorical(nodes["region"], categories=list(REGIONS), ordered=True)
    return nodes, edges.astype({"month": "int16", "type": "category", "age": "int32"})


def write_graphml(g: nx.Graph, path: Path) -> None:
    """Write the graph as GraphML (attributes typed by networkx)."""
    nx.write_graphml(g, path)
