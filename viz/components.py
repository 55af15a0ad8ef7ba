"""Solara components of the simulation page: village map with inspector, time series, outputs picker, summary.

:func:`viz.simulation_view.Figures` reads Mesa's ``update_counter``, so the page redraws after every step,
in one pass.
Figures are ECharts options (:mod:`viz.charts`) drawn in the browser: a month sends a few kB of
data instead of images, and the axes fit their data each month.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import pandas as pd
import solara
import traitlets
from solara.components.echarts import EchartsWidget

from abm.core.crops import CROPS
from abm.core.params import REGIONS
from abm.core.world import LAYERS
from abm.model import HOUSEHOLDS
from experiments import figures
from viz import charts, village_map
from viz.controls import changed_parameters
from viz.labels import number, outcome_title, outcome_unit, with_unit

#: page style: the figures' grid fills the width (one to three columns), the map spans two
CSS = """
.ruralsim-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px;
                 width: 100%; }
.ruralsim-wide { grid-column: 1 / -1; }
@media (min-width: 1500px) { .ruralsim-wide { grid-column: span 2; } }
.ruralsim-card { background: white; border: 1px solid #e0e0e0; border-radius: 4px; padding: 6px; min-width: 0; }
.ruralsim-summary table td { font-size: 13px; }
.ruralsim-run { position: sticky; top: 0; z-index: 5; }
.ruralsim-figure-downloads button { font-size: 11px; line-height: 16px; padding: 0 5px; margin-left: 3px;
                                    border: 1px solid #bdbdbd; border-radius: 3px; background: #fff; color: #424242; }
.ruralsim-figure-downloads button:hover { background: #e3f2fd; }
"""
#: height in px of a time-series figure and of the map
SERIES_HEIGHT, MAP_HEIGHT = 330, 520
#: map layer chosen in this browser session (kept when the model is reset)
map_layer = solara.reactive("region")
#: village picked on the map, (column, row), or None
picked_village: solara.Reactive[tuple[int, int] | None] = solara.reactive(None)


@dataclass
class History:
    """A model's monthly history as data frames (one row per month; month x region)."""

    steps: int
    series: pd.DataFrame
    regions: pd.DataFrame


_histories: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_locks_lock = threading.Lock()
_drawn: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_drawn_changed = threading.Condition()


def set_drawn(model, month: int) -> None:
    """Note that the browser has drawn ``month`` of ``model`` (its last figure said so)."""
    with _drawn_changed:
        _drawn[model] = max(month, _drawn.get(model, -1))
        _drawn_changed.notify_all()


def wait_drawn(model, month: int, timeout: float) -> bool:
    """Wait (at most ``timeout`` s) until the browser has drawn ``month`` of ``model``; whether it has."""
    with _drawn_changed:
        return _drawn_changed.wait_for(lambda: _drawn.get(model, -1) >= month, timeout)


def model_lock(model) -> threading.Lock:
    """The lock held while a model steps and while its tables are read (Play steps in another thread)."""
    with _locks_lock:
        return _locks.setdefault(model, threading.Lock())


def history(model) -> History:
    """The model's DataCollector tables, built once per month and shared by the charts."""
    cached = _histories.get(model)
    if cached is None or cached.steps != model.steps:
        with model_lock(model):
            steps = model.steps
            series = model.datacollector.get_model_vars_dataframe()[recorded_outcomes(model)].reset_index(drop=True)
            regions = model.datacollector.get_table_dataframe("regions")
        series.insert(0, "month", range(len(series)))
        cached = History(steps, series, regions)
        _histories[model] = cached
    return cached


class JsonEcharts(EchartsWidget):
    """Solara's ECharts widget with the option sent as JSON text (see ``echarts_json.vue``)."""

    template_file = (__file__, "echarts_json.vue")
    option_json = traitlets.Unicode("{}").tag(sync=True)
    filename = traitlets.Unicode("figure").tag(sync=True)
    month = traitlets.Int(-1).tag(sync=True)
    drawn = traitlets.Int(-1).tag(sync=True)


@solara.component
def EChart(name: str, option: dict, height: int = SERIES_HEIGHT, on_click: Callable | None = None,
           data_layer: str = "", month: int = -1, on_drawn: Callable[[int], None] | None = None) -> None:
    """One browser-drawn figure in a card (class ``ruralsim-chart-NAME``), resizing with the page.

    Its PNG and SVG buttons download it as ``NAME.png`` / ``NAME.svg``; ``on_drawn(month)`` is
    called once the browser has drawn the option of ``month``.
    """
    text = solara.use_memo(lambda: json.dumps(option, separators=(",", ":")), [id(option)])
    with solara.Div(classes=["ruralsim-card", "ruralsim-chart", f"ruralsim-chart-{name}"],
                    attributes={"data-layer": data_layer} if data_layer else {}):
        JsonEcharts.element(option_json=text, on_click=on_click, responsive=True, filename=name, month=month,
                            on_drawn=on_drawn, attributes={"style": f"height: {height}px; width: 100%;"})


def income_option(h: History) -> dict:
    """Mean household income by region (last complete year), with the province."""
    return charts.by_region(h.regions, "income_mean", h.series)


def adoption_option(h: History) -> dict:
    """Share of households that sold online this month, by region and in the province."""
    return charts.by_region(h.regions, "adoption", h.series, title="online adoption")


def loss_option(h: History) -> dict:
    """Fresh produce lost in transit and online produce misrepresented (shares of kg)."""
    return charts.outcome_lines(h.series, ["fresh_loss", "fraud_rate"], ["#0072B2", "#D55E00"],
                                "fresh loss and fraud rate", "share of kg")


def trust_option(h: History) -> dict:
    """Consumers' trust in rural produce and the network's stability (indices 0-1)."""
    return charts.outcome_lines(h.series, ["consumer_trust", "stability"], ["#CC79A7", figures.ALL_COLOUR],
                                "consumer trust and network stability", "index 0-1", y_max=1.0)


def funnel_option(h: History) -> dict:
    """The translation funnel: households in each stage over months."""
    return charts.funnel(h.series)


#: the page's fixed time series: name -> option builder
SERIES_CHARTS: dict[str, Callable[[History], dict]] = {
    "income": income_option, "adoption": adoption_option, "loss": loss_option, "trust": trust_option,
    "funnel": funnel_option,
}


@solara.component
def SeriesChart(model, name: str, steps: int = 0) -> None:
    """One of :data:`SERIES_CHARTS`, updated each month."""
    h = history(model)
    option = solara.use_memo(lambda: SERIES_CHARTS[name](h), [model, h.steps, name])
    EChart(name, option)


def recorded_outcomes(model) -> list[str]:
    """Every outcome the model records each month (its DataCollector's columns but the household panel's rows)."""
    return [name for name in model.datacollector.model_reporters if name != HOUSEHOLDS]


@solara.component
def OutputsChart(model, steps: int = 0) -> None:
    """Any recorded outcome over months, picked from a list (by region where the model records it so)."""
    h = history(model)
    names = recorded_outcomes(model)
    chosen, set_chosen = solara.use_state("gini")
    labels = {f"{outcome_title(n)} [{n}]": n for n in names}
    regional = chosen in h.regions.columns

    def build() -> dict:
        if regional:
            return charts.by_region(h.regions, chosen, h.series)
        return charts.outcome_lines(h.series, [chosen], [figures.ALL_COLOUR], outcome_title(chosen),
                                    outcome_unit(chosen))

    option = solara.use_memo(build, [model, h.steps, chosen])
    with solara.Div(classes=["ruralsim-outputs"]):
        solara.Select("output", values=list(labels), value=next(t for t, n in labels.items() if n == chosen),
                      on_value=lambda text: set_chosen(labels[text]), dense=True, classes=["ruralsim-output-pick"])
        # the last figure of the page: once the browser drew its month, it drew the month (Play waits for it)
        EChart("outputs", option, month=h.steps, on_drawn=lambda month: set_drawn(model, month))


def map_state(model, layer: str) -> int:
    """A digest of what the map shows: the layer's values and the cooperatives' brands (static layers keep it)."""
    values = getattr(model.grid, layer).data
    return hash((values.tobytes(), tuple(bool(c.branded) for c in model.cooperatives)))


@solara.component
def VillageMap(model, steps: int = 0) -> None:
    """The village grid coloured by the chosen layer, with cooperatives, stations and hubs; click a village."""
    layer = map_layer.value
    state = map_state(model, layer)
    option = solara.use_memo(lambda: charts.map_option(model, layer), [model, layer, state])
    labels = {spec.label: name for name, spec in village_map.MAP_LAYERS.items()}

    def clicked(event: dict) -> None:
        if event.get("seriesType") == "heatmap" and event.get("data"):
            picked_village.set((int(event["data"][0]), int(event["data"][1])))

    with solara.Div(classes=["ruralsim-wide"]):
        solara.Select("map layer", values=list(labels), value=village_map.MAP_LAYERS[layer].label,
                      on_value=lambda text: map_layer.set(labels[text]), dense=True,
                      style={"max-width": "260px"}, classes=["ruralsim-map-layer"])
        EChart("map", option, height=MAP_HEIGHT, on_click=clicked, data_layer=layer)


def village_rows(model, x: int, y: int) -> list[tuple[str, str]]:
    """What the inspector shows of village (x, y): its layers, households and cooperative."""
    grid = model.grid
    rows = [("village", f"column {x}, row {y} (id {x * model.geo.height + y})"),
            ("households", f"{model.geo.households:,}")]
    for name, (_, meaning) in LAYERS.items():
        value = getattr(grid, name).data[x, y]
        if name == "region":
            text = REGIONS[int(value)]
        elif name == "crop":
            text = CROPS[int(value)]
        elif isinstance(value, bool) or value.dtype == bool:
            text = "yes" if value else "no"
        else:
            text = number(value)
        rows.append((name if name in ("region", "crop", "county") else meaning, text))
    county = int(grid.county.data[x, y])
    coop_of_county = model.province.villages.coop_of_county
    coop = int(coop_of_county[county]) if county < len(coop_of_county) else -1
    rows.append(("county cooperative", "none" if coop < 0 else
                 ("branded" if model.cooperatives[coop].branded else "not branded")))
    return rows


@solara.component
def VillageInspector(model, steps: int = 0) -> None:
    """The figures of the village last clicked on the map."""
    where = picked_village.value
    with solara.Div(classes=["ruralsim-card", "ruralsim-inspector"]):
        if where is None or where[0] >= model.geo.width or where[1] >= model.geo.height:
            solara.Text("Click a village on the map to see its figures.", style={"font-size": "13px"})
            return
        solara.HTML(tag="div", unsafe_innerHTML="<b>Village inspector</b>" + html_table(village_rows(model, *where)))


def summary_rows(model) -> list[tuple[str, str]]:
    """This month's headline numbers of a model, as (name, formatted value with unit)."""
    m = model.metrics
    year, month = divmod(model.steps - 1, 12)
    last = f" (last simulated: year {year + 1}, month {month + 1})" if model.steps else " (start)"
    rows = [("month", f"{model.steps}{last}"),
            ("households", f"{model.farmers.n:,} in {model.geo.villages:,} villages "
                           f"({model.geo.width} x {model.geo.height})"),
            ("cooperatives", f"{len(model.cooperatives)} ({sum(c.branded for c in model.cooperatives)} branded)"),
            ("development model / trust", f"{model.p.development_model} / {model.p.trust_mechanism}")]
    for name in ("income_mean", "adoption", "consumer_trust", "stability", "gini"):
        rows.append((outcome_title(name), with_unit(m[name], outcome_unit(name))))
    return rows


def html_table(rows: list[tuple[str, str]]) -> str:
    """Rows of (name, value) as a small HTML table (values in bold), text escaped."""
    cells = "".join(f"<tr><td style='padding:2px 12px 2px 0;color:#555'>{escape(name)}</td>"
                    f"<td style='padding:2px 0'><b>{escape(value)}</b></td></tr>" for name, value in rows)
    return f"<table style='border-collapse:collapse;font-size:13px'>{cells}</table>"


def changes_text(model) -> str:
    """The parameters of a model that differ from its preset, as ``name value (preset: value)``."""
    changed = changed_parameters(model.p, getattr(model, "preset", None))
    if not changed:
        return "no parameter differs from the preset"
    return "; ".join(f"{name} {_value(new)} (preset: {_value(old)})" for name, (old, new) in changed.items())


def _value(value: Any) -> str:
    """A parameter value as the summary shows it."""
    return number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


@solara.component
def Summary(model, steps: int = 0) -> None:
    """Headline numbers of this month and what differs from the preset (HTML: Markdown would fetch KaTeX)."""
    seed, preset = escape(str(getattr(model, "seed", "?"))), escape(str(getattr(model, "preset", "none")))
    head = (f"<p style='margin:4px 0 4px 0;font-size:14px'><b>This month</b> (seed {seed}, preset: {preset})</p>"
            f"<p class='ruralsim-changes' style='margin:0 0 8px 0;font-size:13px'>changed: "
            f"{escape(changes_text(model))}</p>")
    problem = getattr(model, "problem", None)
    note = (f"<p class='ruralsim-summary-problem' style='color:#b00020;margin:0 0 8px 0;white-space:pre-line'>"
            f"{escape(problem)}</p>") if problem else ""
    solara.HTML(tag="div", unsafe_innerHTML=head + note + html_table(summary_rows(model)),
                classes=["ruralsim-card", "ruralsim-summary"])
