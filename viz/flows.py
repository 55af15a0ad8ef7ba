"""The actor network and the money flows of the simulation page, drawn in the browser (ECharts graph and Sankey).

The network is :func:`abm.observe.network.actor_network` this month; above :data:`NETWORK_FARMERS`
enrolled households it shows a fixed-seed sample of them (a display sample, drawn from its own
generator, never the model's) with their villages and every institution and actant. The Sankey
is the money ledger (:class:`abm.core.ledger.MoneyLedger`) of the last month or the last twelve:
payers on the left, payees on the right (an account can be both, so the graph has no cycle).
Both are drawn on demand (a checkbox), so the page stays as fast as before when they are off.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import solara

from abm.observe.network import actor_network
from experiments import figures
from viz.components import EChart, history
from viz.labels import number

#: most households the drawn network shows (a sample above it)
NETWORK_FARMERS = 150
#: seed of the display sample (fixed: the same month draws the same sample)
SAMPLE_SEED = 0
#: node kinds of the actor network, their colours and sizes (px)
KINDS = {"farmer": ("#56B4E9", 5), "village": ("#E69F00", 8), "cooperative": ("#009E73", 14),
         "platform": ("#D55E00", 18), "logistics": ("#0072B2", 16), "government": ("#CC79A7", 18),
         "actant": ("#999999", 12)}
PERIODS = {"last month": 1, "last 12 months": 12}


def sampled_network(model, most: int = NETWORK_FARMERS) -> tuple[nx.Graph, int]:
    """The actor network with at most ``most`` households (a fixed-seed sample), and how many are enrolled."""
    g = actor_network(model.observed())
    farmers = [n for n, kind in g.nodes(data="kind") if kind == "farmer"]
    if len(farmers) <= most:
        return g, len(farmers)
    keep = np.random.default_rng(SAMPLE_SEED).choice(len(farmers), most, replace=False)
    chosen = [farmers[i] for i in sorted(keep)]
    villages = {v for f in chosen for v in g.neighbors(f) if g.nodes[v]["kind"] == "village"}
    others = [n for n, kind in g.nodes(data="kind") if kind not in ("farmer", "village")]
    return g.subgraph([*others, *villages, *chosen]).copy(), len(farmers)


def network_option(g: nx.Graph, enrolled: int, month: int) -> dict:
    """An ECharts force-directed graph of the network, coloured by kind of node."""
    kinds = list(KINDS)
    shown = sum(1 for _, kind in g.nodes(data="kind") if kind == "farmer")
    which = f"all {enrolled:,} enrolled households" if shown == enrolled else \
        f"a sample of {shown:,} of {enrolled:,} enrolled households"
    nodes = [{"id": n, "name": n, "category": kinds.index(d["kind"]), "symbolSize": KINDS[d["kind"]][1],
              "value": d.get("stage", d["kind"])} for n, d in g.nodes(data=True)]
    links = [{"source": u, "target": v} for u, v in g.edges()]
    return {"animation": False,
            "title": {"text": f"actor network, month {month}", "subtext": which, "left": 4, "top": 2, "itemGap": 4,
                      "textStyle": {"fontSize": 14, "fontWeight": "normal"}, "subtextStyle": {"fontSize": 12}},
            "legend": {"bottom": 0, "data": kinds, "textStyle": {"fontSize": 12}},
            "tooltip": {"confine": True},
            "series": [{"type": "graph", "layout": "force", "roam": True, "top": 52, "bottom": 48,
                        "data": nodes, "links": links,
                        "categories": [{"name": k, "itemStyle": {"color": KINDS[k][0]}} for k in kinds],
                        "force": {"repulsion": 30, "edgeLength": [8, 40], "gravity": 0.12, "layoutAnimation": False},
                        "lineStyle": {"color": "#bdbdbd", "width": 0.6}, "label": {"show": False}}]}


def money_flows(model, months: int) -> pd.DataFrame:
    """Yuan paid from each account to each other over the last ``months`` months (source, destination, amount)."""
    rows = pd.DataFrame(model.money.rows, columns=["month", "source", "destination", "kind", "amount"])
    rows = rows[(rows["month"] > model.steps - months) & (rows["source"] != rows["destination"])]
    return rows.groupby(["source", "destination"], as_index=False)["amount"].sum()


def sankey_option(flows: pd.DataFrame, title: str) -> dict:
    """An ECharts Sankey of ``flows``: payers on the left, payees (``→ name``) on the right."""
    payers, payees = list(dict.fromkeys(flows["source"])), list(dict.fromkeys(flows["destination"]))
    nodes = [{"name": p, "depth": 0} for p in payers] + [{"name": f"→ {p}", "depth": 1} for p in payees]
    links = [{"source": s, "target": f"→ {d}", "value": float(a)}
             for s, d, a in flows[["source", "destination", "amount"]].itertuples(index=False)]
    return {"animation": False,
            "title": {"text": f"{title}: yuan, total {number(flows['amount'].sum())}", "left": 4, "top": 2,
                      "textStyle": {"fontSize": 14, "fontWeight": "normal"}},
            "tooltip": {"trigger": "item", "confine": True},
            "color": list(figures.ARM_COLOURS),
            "series": [{"type": "sankey", "top": 36, "bottom": 12, "left": 8, "right": 110, "nodeGap": 12,
                        "data": nodes, "links": links, "emphasis": {"focus": "adjacency"},
                        "lineStyle": {"color": "gradient", "opacity": 0.35}, "label": {"fontSize": 12}}]}


@solara.component
def NetworkAndFlows(model, steps: int = 0) -> None:
    """A checkbox; when ticked, the actor network and the Sankey of money flows (updated each month)."""
    shown, set_shown = solara.use_state(False)
    period, set_period = solara.use_state("last month")
    with solara.Div(classes=["ruralsim-flows"], style={"grid-column": "1 / -1"}):
        with solara.Row(style={"align-items": "center"}):
            with solara.Div(classes=["ruralsim-show-flows"]):
                solara.Checkbox(label="draw the actor network and the money flows (costs time each month)",
                                value=shown, on_value=set_shown)
            if shown:
                solara.ToggleButtonsSingle(value=period, values=list(PERIODS), on_value=set_period,
                                           classes=["ruralsim-flow-period"])
        if shown:
            FlowCharts(model, history(model).steps, period)


@solara.component
def FlowCharts(model, month: int, period: str) -> None:
    """The actor network and the Sankey of ``period``'s money flows, side by side."""
    graph = solara.use_memo(lambda: network_option(*sampled_network(model), month), [model, month])
    flows = solara.use_memo(lambda: sankey_option(money_flows(model, PERIODS[period]),
                                                  f"money flows, {period} (to month {month})"),
                            [model, month, period])
    with solara.Div(style={"display": "grid", "grid-template-columns": "repeat(auto-fit, minmax(440px, 1fr))",
                           "gap": "12px"}):
        EChart("network", graph, height=520)
        EChart("sankey", flows, height=520)
