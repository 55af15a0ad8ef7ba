"""Plotting helpers shared by the Solara app and the notebooks: labelled axes, region colours, bands.

Everything draws on a matplotlib ``Axes`` it is given (or a ``Figure`` from :func:`new_figure`,
which does not touch pyplot, so it is safe in the Solara server's threads). In a notebook::

    from experiments import figures
    fig = plots.new_figure(6, 3.5)
    plots.by_region(fig.subplots(), model.datacollector.get_table_dataframe("regions"), "adoption")

Regions always have the same colours (west orange, centre blue, east green), and every axis is
labelled with its unit from the outcome registry, :data:`abm.measure.outcomes.OUTCOMES`.

The time-series helpers can be called again on the same axes with longer data: they then only
update their lines (found by ``gid``) and the limits, which is several times cheaper than drawing
a new figure. The app redraws every month that way; :class:`VillageMap` does the same for the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from abm.core.crops import CROPS
from abm.core.params import REGIONS
from abm.core.stages import STAGES
from abm.core.world import LAYERS
from abm.measure.outcomes import OUTCOMES

#: one colour per region (Okabe-Ito, colour-blind safe), used by every plot and the map
REGION_COLOURS = {"west": "#E69F00", "centre": "#56B4E9", "east": "#009E73"}
#: colour of a province-wide line next to the regional ones
ALL_COLOUR = "#222222"
#: colours of the translation stages, not reached (light) to mobilised (dark)
STAGE_COLOURS = ("#e8e8e8", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
#: colours of the crops on the map
CROP_COLOURS = ("#d62728", "#2ca02c", "#e3c16f", "#17becf", "#ff7f0e")
#: colours of experiment arms (the reference arm is drawn in ALL_COLOUR)
ARM_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999")

#: fixed margins of the app's time-series figures (room for a legend on the right); constrained
#: layout costs about as much again as drawing on two cores, so the app lays figures out by hand
SERIES_MARGINS = {"left": 0.13, "right": 0.74, "bottom": 0.16, "top": 0.88}


def outcome_label(name: str) -> tuple[str, str]:
    """Title and unit of an outcome from :mod:`abm.measure.outcomes` (the name in words, no unit, if undeclared)."""
    declared = OUTCOMES.get(name)
    return (declared.title, declared.unit) if declared else (name.replace("_", " "), "")


def axis_label(name: str) -> str:
    """The unit of an outcome for a y axis, or its title when no unit is known."""
    title, unit = outcome_label(name)
    return unit or title


def new_figure(width: float = 5.2, height: float = 3.4, dpi: int = 90,
               margins: dict[str, float] | None = None) -> Figure:
    """A matplotlib Figure made without pyplot (thread-safe, nothing to close).

    Args:
        width: Width in inches.
        height: Height in inches.
        dpi: Dots per inch.
        margins: Fixed ``subplots_adjust`` margins (fast); default: constrained layout (tidier).
    """
    if margins is None:
        return Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    fig = Figure(figsize=(width, height), dpi=dpi)
    fig.subplots_adjust(**margins)
    return fig


def _find(ax: Axes, gid: str) -> Artist | None:
    """The artist of ``ax`` with this gid, if it has one."""
    for artist in (*ax.lines, *ax.collections):
        if artist.get_gid() == gid:
            return artist
    return None


def _line(ax: Axes, gid: str, x: np.ndarray, y: np.ndarray, **style: Any) -> Line2D:
    """Update the line with this gid, or draw it (with ``style``) on first use."""
    line = _find(ax, gid)
    if line is None:
        (line,) = ax.plot(x, y, gid=gid, **style)
    else:
        line.set_data(x, y)
    return line


def style_time_axis(ax: Axes, title: str, unit: str, xlabel: str = "month") -> None:
    """Title, axis labels and a light grid for a monthly time series."""
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(unit, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, lw=0.4, alpha=0.5)


def rescale(ax: Axes, months: np.ndarray | None = None, bottom: float | None = None, top: float | None = None) -> None:
    """Fit the limits to the data; the month axis spans at least the first year."""
    ax.relim()
    ax.autoscale_view()
    last = float(np.max(months)) if months is not None and len(months) else 0.0
    ax.set_xlim(0, max(12.0, last))
    if bottom is not None or top is not None:
        ax.set_ylim(bottom=bottom, top=top)


def outside_legend(ax: Axes, handles: list | None = None, labels: list | None = None, title: str | None = None) -> None:
    """A frameless legend to the right of the axes, top-aligned (it never hides data)."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  title=title, title_fontsize=7, alignment="left", borderaxespad=0.0)


def _months(frame: pd.DataFrame) -> np.ndarray:
    """The month column of a frame, or its row number when it has none."""
    return frame["month"].to_numpy() if "month" in frame else np.arange(len(frame))


def by_region(ax: Axes, regions: pd.DataFrame, column: str, series: pd.DataFrame | None = None,
              title: str | None = None) -> Axes:
    """Lines of one regional outcome over months (one colour per region), with the province dashed.

    Args:
        ax: Axes to draw on (or to update, when this function drew on it before).
        regions: Long table with ``month``, ``region`` and ``column`` (the model's ``regions`` table).
        column: The outcome to draw.
        series: Optional model-level table (one row per month) whose ``column`` is drawn as "province".
        title: Axis title (default: the outcome's title).
    """
    first = _find(ax, "region-west") is None
    for region in REGIONS:
        rows = regions[regions["region"] == region]
        _line(ax, f"region-{region}", _months(rows), rows[column].to_numpy(dtype=float),
              color=REGION_COLOURS[region], lw=1.6, label=region, marker="o", ms=3, markevery=[-1])
    months = _months(regions)
    if series is not None and column in series:
        _line(ax, "province", _months(series), series[column].to_numpy(dtype=float), color=ALL_COLOUR, lw=1.2,
              ls="--", label="province")
    rescale(ax, months)
    if first:
        name, unit = outcome_label(column)
        style_time_axis(ax, title or name, unit)
        outside_legend(ax)
    return ax


def lines(ax: Axes, series: pd.DataFrame, columns: Sequence[str], title: str, unit: str,
          styles: Sequence[dict[str, Any]] | None = None, ylim: tuple[float | None, float | None] = (None, None)
          ) -> Axes:
    """Several model-level outcomes on one axis; months without a value (NaN) are left as gaps.

    Called again on the same axes, it updates the lines.
    """
    styles = styles or [{}] * len(columns)
    first = all(_find(ax, f"series-{c}") is None for c in columns)
    months = _months(series)
    for column, style in zip(columns, styles, strict=True):
        if column in series:
            kw = {"lw": 1.5, "marker": ".", "ms": 3, "label": outcome_label(column)[0]} | dict(style)
            _line(ax, f"series-{column}", months, series[column].to_numpy(dtype=float), **kw)
    rescale(ax, months, *ylim)
    if first:
        style_time_axis(ax, title, unit)
        outside_legend(ax)
    return ax


def funnel(ax: Axes, series: pd.DataFrame) -> Axes:
    """Translation funnel over time: households in each stage, stacked (not reached at the bottom).

    Called again on the same axes, it restacks and updates the counts in the legend.
    """
    months = _months(series)
    present = [s for s in STAGES if s in series]
    counts = [series[s].to_numpy(dtype=float) for s in present]
    labels = [f"{s.replace('_', ' ')} ({int(c[-1]) if len(c) else 0:,})" for s, c in zip(present, counts, strict=True)]
    old = [c for c in ax.collections if str(c.get_gid()).startswith("funnel-")]
    for collection in old:
        collection.remove()
    if len(months):
        stack = ax.stackplot(months, *counts, labels=labels, colors=[STAGE_COLOURS[STAGES.index(s)] for s in present],
                             edgecolor="white", lw=0.3)
        for s, collection in zip(present, stack, strict=True):
            collection.set_gid(f"funnel-{s}")
    rescale(ax, months, bottom=0)
    legend = ax.get_legend()
    if legend is None:
        style_time_axis(ax, "translation funnel (stage counts)", "households")
        handles, labs = ax.get_legend_handles_labels()
        outside_legend(ax, handles[::-1], labs[::-1])
    else:
        for text, label in zip(legend.get_texts(), labels[::-1], strict=False):
            text.set_text(label)
    return ax


def bands(ax: Axes, summary: pd.DataFrame, outcome: str | None = None, arms: Iterable[str] | None = None,
          reference: str | None = None, title: str | None = None, legend_title: str = "arm: mean, 95% CI",
          labels: dict[str, str] | None = None) -> Axes:
    """Mean of each arm over months with its confidence band (experiment results).

    Args:
        ax: Axes to draw on.
        summary: Rows with ``arm``, ``month``, ``mean``, ``ci_low``, ``ci_high`` (and ``outcome``),
            as from :func:`experiments.analysis.summarise`.
        outcome: Keep only this outcome's rows (default: the table has one outcome).
        arms: Arms to draw, in this order (default: all, in order of appearance).
        reference: The reference arm, drawn in black.
        title: Axis title (default: the outcome's title).
        legend_title: Title of the legend.
        labels: Legend label of each arm (default: its name).
    """
    if outcome is not None and "outcome" in summary:
        summary = summary[summary["outcome"] == outcome]
    outcome = outcome or (summary["outcome"].iloc[0] if "outcome" in summary and len(summary) else "")
    arms = list(arms) if arms is not None else list(dict.fromkeys(summary["arm"]))
    others = iter(ARM_COLOURS * (len(arms) // len(ARM_COLOURS) + 1))
    for arm in arms:
        rows = summary[summary["arm"] == arm].sort_values("month")
        colour = ALL_COLOUR if arm == reference else next(others)
        x = rows["month"].to_numpy()
        head, *rest = (labels or {}).get(arm, str(arm)).split("\n")
        label = "\n".join([head + (" (reference)" if arm == reference else ""), *rest])
        ax.plot(x, rows["mean"].to_numpy(dtype=float), color=colour, lw=1.6, label=label)
        ax.fill_between(x, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float),
                        color=colour, alpha=0.18, lw=0)
    name, unit = outcome_label(outcome)
    style_time_axis(ax, title or name, unit)
    ax.margins(x=0.01)
    if arms:
        outside_legend(ax, title=legend_title)
    return ax


# --- the village map ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLayer:
    """How one property layer of the village grid is coloured."""

    layer: str
    label: str
    unit: str
    kind: str  # "categorical", "boolean" or "continuous"
    categories: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    cmap: str = "viridis"
    vmin: float | None = None
    vmax: float | None = None
    ticklabels: tuple[str, ...] = ()


#: the layers the map can show, in menu order
MAP_LAYERS: dict[str, MapLayer] = {
    "region": MapLayer("region", "region", "", "categorical", REGIONS, tuple(REGION_COLOURS.values())),
    "broadband": MapLayer("broadband", "broadband", "", "boolean", ("no broadband", "broadband"),
                          ("#f0f0f0", "#4a90c2")),
    "g5": MapLayer("g5", "5G", "", "boolean", ("no 5G", "5G"), ("#f0f0f0", "#7b3294")),
    "cold_chain": MapLayer("cold_chain", "cold chain", "coverage, share of route", "continuous",
                           cmap="Blues", vmin=0.0, vmax=1.0),
    "crop": MapLayer("crop", "crop", "", "categorical", CROPS, CROP_COLOURS),
    "adoption": MapLayer("adoption", "online adoption", "share of households selling online", "continuous",
                         cmap="viridis", vmin=0.0, vmax=1.0),
    "income": MapLayer("income", "income", "mean household income, yuan/year", "continuous", cmap="magma"),
    "stage": MapLayer("stage", "translation stage", "mean stage of households", "continuous",
                      cmap="cividis", vmin=0.0, vmax=4.0, ticklabels=tuple(s.replace("_", " ") for s in STAGES)),
}


def _categorical_cmap(colours: Sequence[str]) -> tuple[ListedColormap, BoundaryNorm]:
    """A colour map and norm that give integer category k the colour ``colours[k]``."""
    return ListedColormap(list(colours)), BoundaryNorm(np.arange(len(colours) + 1) - 0.5, len(colours))


def _norm(spec: MapLayer, data: np.ndarray) -> Normalize:
    """The colour scale of a continuous layer: fixed where declared, else the 2nd-98th percentile."""
    finite = data[np.isfinite(data)]
    lo = spec.vmin if spec.vmin is not None else (float(np.percentile(finite, 2)) if finite.size else 0.0)
    hi = spec.vmax if spec.vmax is not None else (float(np.percentile(finite, 98)) if finite.size else 1.0)
    return Normalize(lo, max(hi, lo + 1e-9))


def model_layers(model: Any) -> dict[str, np.ndarray]:
    """The property layers of a model's village grid as ``{name: (width, height) array}``."""
    return {name: getattr(model.grid, name).data for name in LAYERS}


def model_cooperatives(model: Any) -> list[tuple[int, int, bool]]:
    """``(x, y, branded)`` of each of a model's cooperatives (Mesa FixedAgents on the grid)."""
    return [(int(c.cell.coordinate[0]), int(c.cell.coordinate[1]), bool(c.branded)) for c in model.cooperatives]


class VillageMap:
    """The village grid coloured by one layer, with service stations, logistics hubs and cooperatives.

    Grid column x is drawn left to right (west to east), row y bottom to top. Build it once per
    model and layer, then :meth:`update` it each month (it changes only the colours and the
    cooperatives' brands)::

        vm = VillageMap(fig.subplots(), plots.model_layers(model), "adoption",
                        plots.model_cooperatives(model), county_size=5)
        vm.update(plots.model_layers(model), plots.model_cooperatives(model))

    Args:
        ax: Axes to draw on.
        layers: Property-layer arrays of shape (width, height) by name (at least ``layer``; ``hub``,
            ``station`` and ``region`` add the markers and region borders).
        layer: Which layer colours the villages (a key of :data:`MAP_LAYERS`).
        cooperatives: ``(x, y, branded)`` of each cooperative.
        county_size: Draw county borders every ``county_size`` villages.
        legend: Add the marker legend (and, for categories, the colour key) below the map.
    """

    def __init__(self, ax: Axes, layers: dict[str, np.ndarray], layer: str = "region",
                 cooperatives: Sequence[tuple[int, int, bool]] = (), county_size: int | None = None,
                 legend: bool = True) -> None:
        """Draw the map."""
        self.ax, self.spec = ax, MAP_LAYERS[layer]
        data = np.asarray(layers[layer], dtype=float).T  # rows: y (south to north); columns: x (west to east)
        height, width = data.shape
        if self.spec.kind == "continuous":
            cmap, norm = self.spec.cmap, _norm(self.spec, data)
        else:
            cmap, norm = _categorical_cmap(self.spec.colours)
        self.image = ax.imshow(data, origin="lower", cmap=cmap, norm=norm, interpolation="nearest",
                               extent=(-0.5, width - 0.5, -0.5, height - 0.5), aspect="equal")
        if county_size:
            for x in np.arange(county_size, width, county_size) - 0.5:
                ax.axvline(x, color="white", lw=0.5, alpha=0.6)
            for y in np.arange(county_size, height, county_size) - 0.5:
                ax.axhline(y, color="white", lw=0.5, alpha=0.6)
        if "region" in layers:
            self._regions(np.asarray(layers["region"])[:, 0], height)
        handles = self._places(layers)
        self.coops = None
        handles += self._cooperatives(cooperatives)
        ax.set_xlim(-0.5, width - 0.5)
        ax.set_ylim(-0.5, height - 0.5)
        ax.set_xlabel("village column (west to east)", fontsize=8)
        ax.set_ylabel("village row", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if self.spec.kind != "continuous":
            handles = [Patch(facecolor=c, edgecolor="#888888", label=n)
                       for n, c in zip(self.spec.categories, self.spec.colours, strict=True)] + handles
        if legend and handles:
            ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.17),
                      ncols=min(4, len(handles)), handlelength=1.2, columnspacing=1.0)

    def _regions(self, region_of_column: np.ndarray, height: int) -> None:
        """Dashed borders between regions and their names above the map."""
        for x in np.flatnonzero(np.diff(region_of_column)) + 0.5:
            self.ax.axvline(x, color="black", lw=1.2, ls="--")
        for r, name in enumerate(REGIONS):
            cols = np.flatnonzero(region_of_column == r)
            if cols.size:
                self.ax.text(cols.mean(), height - 0.5, name, ha="center", va="bottom", fontsize=8,
                             color=REGION_COLOURS[name], fontweight="bold")

    def _places(self, layers: dict[str, np.ndarray]) -> list[Line2D]:
        """Mark service stations and logistics hubs; return their legend handles."""
        handles = []
        if "station" in layers:
            sx, sy = np.nonzero(np.asarray(layers["station"]))
            self.ax.scatter(sx, sy, s=6, c="white", edgecolors="black", linewidths=0.4, zorder=3)
            handles.append(Line2D([], [], ls="", marker="o", ms=3.5, mfc="white", mec="black", mew=0.5,
                                  label="service station"))
        if "hub" in layers:
            hx, hy = np.nonzero(np.asarray(layers["hub"]))
            self.ax.scatter(hx, hy, s=70, marker="s", facecolors="none", edgecolors="black", linewidths=1.1, zorder=4)
            handles.append(Line2D([], [], ls="", marker="s", ms=7, mfc="none", mec="black", mew=1.1,
                                  label="logistics hub"))
        return handles

    def _cooperatives(self, cooperatives: Sequence[tuple[int, int, bool]]) -> list[Line2D]:
        """Draw (or redraw) the cooperatives: white triangles, red where branded."""
        if self.coops is not None:
            self.coops.remove()
            self.coops = None
        if not cooperatives:
            return []
        xy = np.array([(x, y) for x, y, _ in cooperatives], dtype=float)
        colours = ["#e31a1c" if branded else "white" for *_, branded in cooperatives]
        self.coops = self.ax.scatter(xy[:, 0], xy[:, 1], s=38, marker="^", c=colours, edgecolors="black",
                                     linewidths=0.8, zorder=5)
        return [Line2D([], [], ls="", marker="^", ms=6, mfc="white", mec="black", label="cooperative"),
                Line2D([], [], ls="", marker="^", ms=6, mfc="#e31a1c", mec="black", label="branded cooperative")]

    def update(self, layers: dict[str, np.ndarray], cooperatives: Sequence[tuple[int, int, bool]] = ()) -> None:
        """Recolour the villages from the layer's current values and redraw the cooperatives."""
        data = np.asarray(layers[self.spec.layer], dtype=float).T
        self.image.set_data(data)
        if self.spec.kind == "continuous" and self.spec.vmax is None:
            norm = _norm(self.spec, data)
            self.image.set_clim(norm.vmin, norm.vmax)
        self._cooperatives(cooperatives)


#: fixed margins of the map figure (legend of markers below, colour bar on the right)
MAP_MARGINS = {"left": 0.09, "right": 0.8, "bottom": 0.24, "top": 0.9}


def map_figure(model: Any, layer: str = "region", width: float = 5.2, height: float = 4.0, dpi: int = 90,
               margins: dict[str, float] | None = MAP_MARGINS) -> tuple[Figure, VillageMap]:
    """A figure of the model's village map coloured by ``layer``, with a colour bar or colour key and units.

    Returns:
        The figure and its :class:`VillageMap` (call ``update`` on it after the model steps).
    """
    spec = MAP_LAYERS[layer]
    fig = new_figure(width, height, dpi, margins)
    ax = fig.subplots()
    vmap = VillageMap(ax, model_layers(model), layer, model_cooperatives(model), model.p.county_size)
    if spec.kind == "continuous":
        bar = fig.colorbar(vmap.image, cax=ax.inset_axes((1.03, 0.0, 0.035, 1.0)))
        bar.ax.tick_params(labelsize=7)
        if spec.ticklabels:  # named ticks say what the colours mean; the unit goes in the title
            bar.set_ticks(np.arange(len(spec.ticklabels)), labels=spec.ticklabels)
        else:
            bar.set_label(spec.unit, fontsize=8)
    in_title = spec.unit and (spec.kind != "continuous" or spec.ticklabels)
    title = f"villages: {spec.label}" + (f" ({spec.unit})" if in_title else "")
    ax.set_title(title, fontsize=10, loc="left", pad=14)
    return fig, vmap


def update_map(vmap: VillageMap, model: Any) -> None:
    """Recolour a model's map after a step (see :func:`map_figure`)."""
    vmap.update(model_layers(model), model_cooperatives(model))


def arm_colours(arms: Iterable[str], reference: str | None = None) -> dict[str, str]:
    """The colour :func:`bands` gives each arm when it draws these ``arms`` in this order.

    The reference arm gets :data:`ALL_COLOUR`, the others :data:`ARM_COLOURS` in turn, so bars,
    paired differences and rankings of the same arms can be coloured like their time series.
    """
    colours, k = {}, 0
    for arm in arms:
        if arm == reference:
            colours[arm] = ALL_COLOUR
        else:
            colours[arm] = ARM_COLOURS[k % len(ARM_COLOURS)]
            k += 1
    return colours
