"""ECharts options of the page's figures: time series, the funnel and the village map, drawn in the browser.

The page sends each figure as an ECharts option (plain data, a few kB) that Solara's
``FigureEcharts`` draws in the browser with the ECharts copy of ``solara-assets`` (no CDN). Axes fit
their data each month, legends wrap instead of being cut, and every figure has PNG and SVG
download buttons (``echarts_json.vue``, SVG from ECharts' SVG renderer). The options are built
from the same tables and colours as :mod:`experiments.figures` (matplotlib, for notebooks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from abm.core.params import REGIONS
from abm.core.stages import STAGES
from experiments import figures
from viz.labels import outcome_title, outcome_unit
from viz.village_map import MAP_LAYERS, MapLayer, layer_norm, model_cooperatives, model_layers

#: font sizes (px) of the figures: legible at 1024 px wide
FONT, TITLE_FONT = 12, 14


@dataclass(frozen=True)
class Line:
    """One line of a time series: its name in the legend, values by month, colour and dash."""

    name: str
    values: Sequence[float]
    colour: str
    dashed: bool = False


def _clean(values: Sequence[float]) -> list[float | None]:
    """Values as JSON numbers, NaN and infinities as gaps (None)."""
    array = np.asarray(values, dtype=float)
    return [float(v) if np.isfinite(v) else None for v in array]


def _base(title: str, unit: str, legend_rows: int = 1) -> dict[str, Any]:
    """What every time-series option has: title, wrapped legend on top, tooltip, save button, no animation."""
    top = 52 + 22 * legend_rows
    return {
        "animation": False,
        "title": {"text": title, "left": 4, "top": 2, "textStyle": {"fontSize": TITLE_FONT, "fontWeight": "normal",
                                                                  "width": 330, "overflow": "truncate"}},
        "legend": {"top": 24, "left": 4, "right": 12, "textStyle": {"fontSize": FONT}, "itemWidth": 18},
        "grid": {"left": 12, "right": 18, "top": top, "bottom": 34, "containLabel": True},
        "tooltip": {"trigger": "axis", "confine": True},
        "xAxis": {"type": "value", "name": "month", "nameLocation": "middle", "nameGap": 24, "minInterval": 1,
                  "axisLabel": {"fontSize": FONT}, "nameTextStyle": {"fontSize": FONT}},
        "yAxis": {"type": "value", "name": unit, "nameTextStyle": {"fontSize": FONT, "align": "left"},
                  "axisLabel": {"fontSize": FONT}, "scale": False},
    }


def legend_rows(names: Sequence[str], width_px: float = 420.0) -> int:
    """How many rows a wrapped legend of ``names`` takes in a figure about ``width_px`` wide."""
    widths = [26 + 7 * len(n) for n in names]
    rows, used = 1, 0.0
    for w in widths:
        if used and used + w > width_px:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def time_series(title: str, unit: str, months: Sequence[int], lines: Sequence[Line],
                y_min: float | None = 0.0, y_max: float | None = None) -> dict[str, Any]:
    """A time-series option: one line per :class:`Line`, the y axis fitted to the data (from ``y_min``)."""
    option = _base(title, unit, legend_rows([line.name for line in lines]))
    x = [int(m) for m in months]
    option["series"] = [{"type": "line", "name": line.name, "showSymbol": len(x) < 30, "symbolSize": 4,
                         "data": [[m, v] for m, v in zip(x, _clean(line.values), strict=True)],
                         "lineStyle": {"color": line.colour, "width": 2, "type": "dashed" if line.dashed else "solid"},
                         "itemStyle": {"color": line.colour}} for line in lines]
    option["xAxis"]["min"], option["xAxis"]["max"] = 0, max(12, x[-1] if x else 0)
    if y_min is not None:
        option["yAxis"]["min"] = y_min
    if y_max is not None:
        option["yAxis"]["max"] = y_max
    return option


def by_region(regions: pd.DataFrame, column: str, series: pd.DataFrame | None = None,
              title: str | None = None) -> dict[str, Any]:
    """One regional outcome over months, a line per region and the province dashed."""
    lines = []
    for region in REGIONS:
        rows = regions[regions["region"] == region]
        lines.append(Line(region, rows[column].to_numpy(dtype=float), figures.REGION_COLOURS[region]))
    months = regions["month"].drop_duplicates().to_numpy()
    if series is not None and column in series:
        lines.append(Line("province", series[column].to_numpy(dtype=float), figures.ALL_COLOUR, dashed=True))
    return time_series(title or outcome_title(column), outcome_unit(column), months, lines)


def outcome_lines(series: pd.DataFrame, columns: Sequence[str], colours: Sequence[str], title: str,
                  unit: str, y_max: float | None = None) -> dict[str, Any]:
    """Several province-wide outcomes on one axis, each named by its title."""
    lines = [Line(outcome_title(c), series[c].to_numpy(dtype=float), colour)
             for c, colour in zip(columns, colours, strict=True) if c in series]
    return time_series(title, unit, series["month"], lines, y_max=y_max)


def _on_months(option: dict[str, Any], months: Sequence[int]) -> None:
    """Put a time-series option on a category axis of months (ECharts stacks values only there)."""
    option["xAxis"] = {**option["xAxis"], "type": "category", "data": [int(m) for m in months], "boundaryGap": False}
    del option["xAxis"]["min"], option["xAxis"]["max"], option["xAxis"]["minInterval"]
    for item in option["series"]:
        item["data"] = [v for _, v in item["data"]]


def bands(summary: pd.DataFrame, arms: Sequence[str], labels: dict[str, str], title: str, unit: str,
          reference: str | None = None, width_px: float = 900.0) -> dict[str, Any]:
    """Each arm's mean over months with its confidence band (``mean``, ``ci_low``, ``ci_high`` by ``arm``, ``month``).

    Every arm is in the legend (it wraps onto as many rows as it needs in a figure about
    ``width_px`` wide); a band is the arm's
    colour between ``ci_low`` and ``ci_high``, stacked under the arm's name so that its legend
    entry switches both.
    """
    colours = iter(figures.ARM_COLOURS * (len(arms) // len(figures.ARM_COLOURS) + 1))
    rows = {arm: summary[summary["arm"] == arm].sort_values("month") for arm in arms}
    lines = [Line(labels.get(arm, arm) + (" (reference)" if arm == reference else ""),
                  rows[arm]["mean"].to_numpy(dtype=float), figures.ALL_COLOUR if arm == reference else next(colours))
             for arm in arms]
    months = summary["month"].drop_duplicates().sort_values().to_numpy()
    option = time_series(title, unit, months, lines, y_min=None)
    option["yAxis"]["scale"] = True
    option["grid"]["top"] = 52 + 22 * legend_rows([line.name for line in lines], width_px)
    for arm, line in zip(arms, lines, strict=True):
        low, high = _clean(rows[arm]["ci_low"]), _clean(rows[arm]["ci_high"])
        width = [None if lo is None or hi is None else hi - lo for lo, hi in zip(low, high, strict=True)]
        for data, area in ((low, None), (width, {"color": line.colour, "opacity": 0.18})):
            option["series"].append({"type": "line", "name": line.name, "stack": f"band {arm}", "symbol": "none",
                                     "data": [[m, v] for m, v in zip(months.tolist(), data, strict=True)],
                                     "lineStyle": {"opacity": 0}, "itemStyle": {"color": line.colour},
                                     "areaStyle": area, "tooltip": {"show": False}, "silent": True})
    _on_months(option, months)
    option["legend"]["data"] = [line.name for line in lines]
    return option


def funnel(series: pd.DataFrame) -> dict[str, Any]:
    """The translation funnel: households in each stage, stacked (not reached at the bottom), counts in the legend."""
    present = [s for s in STAGES if s in series]
    names = [f"{s.replace('_', ' ')} ({int(series[s].iloc[-1]):,})" if len(series) else s.replace("_", " ")
             for s in present]
    lines = [Line(n, series[s].to_numpy(dtype=float), figures.STAGE_COLOURS[STAGES.index(s)])
             for s, n in zip(present, names, strict=True)]
    option = time_series("translation funnel (households by stage)", "households", series["month"], lines)
    _on_months(option, series["month"])  # on a value axis ECharts would stack the months too
    for item in option["series"]:
        item.update(stack="stages", areaStyle={"color": item["itemStyle"]["color"], "opacity": 0.9},
                    showSymbol=False, lineStyle={"width": 0.5, "color": "#ffffff"})
    return option


# --- the village map -----------------------------------------------------------------------------


def _colour_stops(cmap: str, n: int = 7) -> list[str]:
    """``n`` evenly spaced colours of a matplotlib colour map, as hex."""
    return [to_hex(colormaps[cmap](k / (n - 1))) for k in range(n)]


def _visual_map(spec: MapLayer, values: np.ndarray) -> dict[str, Any]:
    """The colour key of a layer: pieces for categories, a colour bar with its unit for continuous values."""
    common = {"left": "right", "top": "middle", "textStyle": {"fontSize": FONT}, "seriesIndex": 0}
    if spec.kind != "continuous":
        pieces = [{"value": k, "label": name, "color": colour}
                  for k, (name, colour) in enumerate(zip(spec.categories, spec.colours, strict=True))]
        return {"type": "piecewise", "pieces": pieces, **common}
    norm = layer_norm(spec, values)
    bar = {"type": "continuous", "min": float(norm.vmin), "max": float(norm.vmax), "calculable": False,
           "inRange": {"color": _colour_stops(spec.cmap)}, "precision": 2, "itemHeight": 180, **common}
    if spec.ticklabels:
        bar["text"] = [spec.ticklabels[-1], spec.ticklabels[0]]
    return bar


def _markers(name: str, xy: np.ndarray, symbol: str, size: float, fill: str, border: float = 1.0) -> dict[str, Any]:
    """A scatter series of map markers (stations, hubs, cooperatives) at village coordinates."""
    return {"type": "scatter", "name": name, "symbol": symbol, "symbolSize": size, "z": 3,
            "data": [[int(x), int(y)] for x, y in xy], "tooltip": {"show": False},
            "itemStyle": {"color": fill, "borderColor": "#000000", "borderWidth": border}}


def village_map(layers: dict[str, np.ndarray], layer: str, cooperatives: Sequence[tuple[int, int, bool]],
                cell_px: float) -> dict[str, Any]:
    """The village grid coloured by ``layer`` (a heat map), with stations, hubs and cooperatives on top.

    Markers are sized from ``cell_px`` (about how many pixels a village gets) so that they stay
    apart at any grid size; the legend switches each kind of marker off.
    """
    spec = MAP_LAYERS[layer]
    values = np.asarray(layers[layer], dtype=float)
    width, height = values.shape
    cells = [[x, y, (float(values[x, y]) if np.isfinite(values[x, y]) else None)]
             for x in range(width) for y in range(height)]
    axis = {"type": "category", "axisLabel": {"fontSize": FONT}, "nameTextStyle": {"fontSize": FONT},
            "nameLocation": "middle", "splitArea": {"show": False}}
    marker = max(3.0, min(16.0, 0.7 * cell_px))
    coops = np.array([(x, y) for x, y, _ in cooperatives], dtype=int).reshape(-1, 2)
    branded = np.array([b for *_, b in cooperatives], dtype=bool)
    series = [{"type": "heatmap", "name": spec.label, "data": cells, "emphasis": {"itemStyle": {"borderWidth": 1}}},
              _markers("service station", np.argwhere(layers["station"]), "circle", marker * 0.45, "#ffffff", 0.6),
              _markers("logistics hub", np.argwhere(layers["hub"]), "rect", marker, "rgba(0,0,0,0)", 1.5),
              _markers("cooperative", coops[~branded], "triangle", marker * 0.9, "#ffffff"),
              _markers("branded cooperative", coops[branded], "triangle", marker * 0.9, "#e31a1c")]
    unit = f" ({spec.unit})" if spec.unit else ""
    return {
        "animation": False,
        "title": {"text": f"villages: {spec.label}{unit}", "left": 4, "top": 2,
                  "textStyle": {"fontSize": TITLE_FONT, "fontWeight": "normal"}},
        "legend": {"bottom": 0, "data": [s["name"] for s in series[1:]], "textStyle": {"fontSize": FONT}},
        "tooltip": {"confine": True},
        "grid": {"left": 12, "right": 120, "top": 34, "bottom": 56, "containLabel": True},
        "xAxis": {**axis, "name": "village column (west to east)", "nameGap": 24,
                  "data": list(range(width))},
        "yAxis": {**axis, "name": "village row", "nameGap": 38, "data": list(range(height))},
        "visualMap": _visual_map(spec, values),
        "series": series,
    }


def map_option(model: Any, layer: str, width_px: float = 800.0) -> dict[str, Any]:
    """The village map of a model (see :func:`village_map`), for a figure about ``width_px`` wide."""
    cell = (width_px - 180) / max(1, model.geo.width)
    return village_map(model_layers(model), layer, model_cooperatives(model), cell)
