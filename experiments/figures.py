"""Plotting helpers shared by the Solara app and the notebooks: labelled axes, region colours, bands.

Everything draws on a matplotlib ``Axes`` it is given (or a ``Figure`` from :func:`new_figure`,
which does not touch pyplot, so it is safe in the Solara server's threads). In a notebook::

    from experiments import figures
    fig = figures.new_figure(6, 3.5)
    figures.by_region(fig.subplots(), model.datacollector.get_table_dataframe("regions"), "adoption")

Regions always have the same colours (west orange, centre blue, east green), and every axis is
labelled with its unit from the outcome registry, :data:`abm.measure.outcomes.OUTCOMES`.

The time-series helpers can be called again on the same axes with longer data: they then only
update their lines (found by ``gid``) and the limits, which is several times cheaper than drawing
a new figure. The app redraws every month that way; :class:`viz.village_map.VillageMap` does the same for the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from abm.core.params import REGIONS
from abm.core.stages import STAGES
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
