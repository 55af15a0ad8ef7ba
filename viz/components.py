"""Solara components of the simulation page: the village map, the time series and a summary.

Each component takes the model and reads Mesa's ``update_counter``, so it redraws after every step.
Figures are kept per component and model and only updated each month (see :mod:`viz.plots`), then
sent as PNG: on two cores that is several times cheaper than drawing new figures.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import pandas as pd
import solara
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from viz import plots

#: PNG resolution of the app's figures (light on two cores, sharp enough on screen)
DPI = 90
#: size in inches of a time-series figure and of the map
SERIES_SIZE = (5.6, 3.2)
MAP_SIZE = (5.6, 4.0)
#: page style: figures shrink with their grid cell instead of overflowing it
CSS = """
.ruralsim-chart img { max-width: 100%; height: auto; }
"""
#: fast PNG encoding (the images are small; compression costs more than it saves here)
PNG = {"format": "png", "dpi": DPI, "pil_kwargs": {"compress_level": 1}}
#: map layer chosen in this browser session (kept when the model is reset)
map_layer = solara.reactive("region")


@dataclass
class History:
    """A model's monthly history as data frames (one row per month; month x region)."""

    steps: int
    series: pd.DataFrame
    regions: pd.DataFrame


_histories: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def history(model) -> History:
    """The model's DataCollector tables, built once per month and shared by the charts."""
    cached = _histories.get(model)
    if cached is None or cached.steps != model.steps:
        series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        series.insert(0, "month", range(len(series)))
        cached = History(model.steps, series, model.datacollector.get_table_dataframe("regions"))
        _histories[model] = cached
    return cached


def series_figure() -> tuple[Figure, Axes]:
    """An empty time-series figure and its axes, with the app's fixed margins."""
    fig = plots.new_figure(*SERIES_SIZE, dpi=DPI, margins=plots.SERIES_MARGINS)
    return fig, fig.subplots()


@solara.component
def Chart(model, name: str, draw: Callable[[Axes, History], object]) -> None:
    """A time series of the model: ``draw(ax, history)`` on this model's figure, as a PNG each month."""
    update_counter.get()
    fig, ax = solara.use_memo(series_figure, [model])
    h = history(model)
    solara.use_memo(lambda: draw(ax, h), [model, h.steps])
    with solara.Div(classes=["ruralsim-chart", f"ruralsim-chart-{name}"], style={"width": "100%"}):
        solara.FigureMatplotlib(fig, dependencies=[id(model), h.steps], **PNG)


def map_state(model, layer: str) -> int:
    """A digest of what the map shows: the layer's values and the cooperatives' brands.

    Static layers (region, crop, ...) keep their digest from month to month, so the map is not
    redrawn and sent again for them.
    """
    values = getattr(model.grid, layer).data
    return hash((values.tobytes(), tuple(bool(c.branded) for c in model.cooperatives)))


@solara.component
def VillageMap(model) -> None:
    """The village grid coloured by the chosen layer, with cooperatives, stations and hubs."""
    update_counter.get()
    layer = map_layer.value
    state = map_state(model, layer)
    fig, vmap = solara.use_memo(lambda: plots.map_figure(model, layer, *MAP_SIZE, dpi=DPI), [model, layer])
    solara.use_memo(lambda: plots.update_map(vmap, model), [model, layer, state])
    labels = {spec.label: name for name, spec in plots.MAP_LAYERS.items()}
    with solara.Column(gap="0px", style={"width": "100%"}):
        solara.Select("map layer", values=list(labels), value=plots.MAP_LAYERS[layer].label,
                      on_value=lambda text: map_layer.set(labels[text]), dense=True,
                      style={"max-width": "260px"}, classes=["ruralsim-map-layer"])
        with solara.Div(classes=["ruralsim-chart", "ruralsim-chart-map"], style={"width": "100%"}):
            solara.FigureMatplotlib(fig, dependencies=[id(model), layer, state], **PNG)


def _income(ax: Axes, h: History) -> None:
    plots.by_region(ax, h.regions, "income_mean", h.series)


def _adoption(ax: Axes, h: History) -> None:
    plots.by_region(ax, h.regions, "adoption", h.series, title="online adoption")


def _loss(ax: Axes, h: History) -> None:
    plots.lines(ax, h.series, ["fresh_loss", "fraud_rate"], "fresh loss and fraud rate", "share of kg",
                [{"color": "#0072B2", "label": "fresh loss\n(of fresh kg\nshipped)"},
                 {"color": "#D55E00", "label": "fraud rate\n(of online kg)"}], ylim=(0, None))


def _trust(ax: Axes, h: History) -> None:
    plots.lines(ax, h.series, ["consumer_trust", "stability"], "consumer trust and network stability",
                "index 0-1", [{"color": "#CC79A7", "label": "consumer\ntrust"},
                              {"color": plots.ALL_COLOUR, "label": "network\nstability"}], ylim=(0, 1))


def _funnel(ax: Axes, h: History) -> None:
    plots.funnel(ax, h.series)


@solara.component
def IncomeByRegion(model) -> None:
    """Mean household income by region (last complete year), with the province."""
    Chart(model, "income", _income)


@solara.component
def AdoptionByRegion(model) -> None:
    """Share of households selling online, by region and in the province."""
    Chart(model, "adoption", _adoption)


@solara.component
def LossAndFraud(model) -> None:
    """Fresh produce lost in transit and online produce misrepresented (shares of kg)."""
    Chart(model, "loss", _loss)


@solara.component
def TrustAndStability(model) -> None:
    """Consumers' trust in rural produce and the network's stability (indices 0-1)."""
    Chart(model, "trust", _trust)


@solara.component
def Funnel(model) -> None:
    """The translation funnel: households in each stage over months."""
    Chart(model, "funnel", _funnel)


def summary_rows(model) -> list[tuple[str, str]]:
    """This month's headline numbers of a model, as (name, formatted value with unit)."""
    m, p = model.metrics, model.p
    year, month = divmod(model.steps, 12)
    return [
        ("month", f"{model.steps} (year {year + 1}, month {month + 1})" if model.steps else "0 (start)"),
        ("households", f"{model.farmers.n:,} in {model.geo.villages:,} villages "
                       f"({model.geo.width} x {model.geo.height})"),
        ("cooperatives", f"{len(model.cooperatives)} ({sum(c.branded for c in model.cooperatives)} branded)"),
        ("development model / trust", f"{p.development_model} / {p.trust_mechanism}"),
        ("mean income", f"{m['income_mean']:,.0f} yuan/year"),
        ("online adoption", f"{m['adoption']:.1%} of households"),
        ("consumer trust", f"{m['consumer_trust']:.2f}"),
        ("network stability", f"{m['stability']:.2f}"),
        ("Gini", f"{m['gini']:.3f}"),
    ]


def html_table(rows: list[tuple[str, str]]) -> str:
    """Rows of (name, value) as a small HTML table (values in bold), text escaped."""
    cells = "".join(f"<tr><td style='padding:2px 12px 2px 0;color:#555'>{escape(name)}</td>"
                    f"<td style='padding:2px 0'><b>{escape(value)}</b></td></tr>" for name, value in rows)
    return f"<table style='border-collapse:collapse;font-size:13px'>{cells}</table>"


@solara.component
def Summary(model) -> None:
    """Headline numbers of this month, in a small table (HTML: Solara's Markdown would fetch KaTeX online)."""
    update_counter.get()
    seed, preset = escape(str(getattr(model, "seed", "?"))), escape(str(getattr(model, "preset", "none")))
    head = f"<p style='margin:4px 0 8px 0;font-size:14px'><b>This month</b> (seed {seed}, preset: {preset})</p>"
    problem = getattr(model, "problem", None)
    note = (f"<p class='ruralsim-summary-problem' style='color:#b00020;margin:0 0 8px 0;white-space:pre-line'>"
            f"{escape(problem)}</p>") if problem else ""
    solara.HTML(tag="div", unsafe_innerHTML=head + note + html_table(summary_rows(model)), classes=["ruralsim-summary"])


#: the simulation page's components, in grid order (two per row)
COMPONENTS = [VillageMap, Summary, IncomeByRegion, AdoptionByRegion, LossAndFraud, TrustAndStability, Funnel]
