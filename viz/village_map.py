"""The village map of the page and the quickstart notebook: a grid of villages coloured by one property layer.

:class:`VillageMap` draws once and then only updates its image and markers each month (cheap);
colours and units come from :data:`MAP_LAYERS`, regions and crops in the colours of
:mod:`experiments.figures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
from experiments.figures import CROP_COLOURS, REGION_COLOURS, new_figure


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


def layer_norm(spec: MapLayer, data: np.ndarray) -> Normalize:
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
            cmap, norm = self.spec.cmap, layer_norm(self.spec, data)
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
            norm = layer_norm(self.spec, data)
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
