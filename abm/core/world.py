"""The village grid: a Mesa OrthogonalMooreGrid whose property layers hold the spatial fields.

Villages are cells. Regions are bands of columns, west on the left, east on the right. A county
is a square block of villages with one logistics hub at its centre. Village arrays are kept in
the grid's C order (``v = x * height + y``), so ``layer.data.ravel()`` is the per-village vector.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from abm.core.crops import REGION_CROP_MIX
from abm.core.params import REGIONS, Parameters

if TYPE_CHECKING:
    from mesa.discrete_space import OrthogonalMooreGrid

#: the layers every village carries; dynamic ones are refreshed by the model each month
LAYERS = {
    "region": (np.int8, "region (0 west, 1 centre, 2 east)"),
    "county": (np.int32, "county id"),
    "crop": (np.int8, "crop grown"),
    "broadband": (np.bool_, "usable broadband"),
    "g5": (np.bool_, "5G coverage"),
    "road_km": (np.float32, "km to the trunk network via the county hub"),
    "cold_chain": (np.float32, "cold-chain coverage of the route (share)"),
    "station": (np.bool_, "village e-commerce service station"),
    "hub": (np.bool_, "county logistics hub"),
    "adoption": (np.float32, "share of households that sold online this month"),
    "income": (np.float32, "mean household income, yuan/year"),
    "stage": (np.float32, "mean translation stage (0-4)"),
}


@dataclass
class Geography:
    """Sizes of the village grid derived from the parameters."""

    width: int
    height: int
    households: int
    county_size: int

    @property
    def villages(self) -> int:
        """Number of villages (grid cells)."""
        return self.width * self.height

    @property
    def farmers(self) -> int:
        """Number of farmer households."""
        return self.villages * self.households

    @classmethod
    def from_params(cls, p: Parameters) -> Geography:
        """Pick a grid about 3:2 wide (three region bands) that holds about ``p.farmers`` households."""
        villages = max(3, round(p.farmers / p.households_per_village))
        width = max(3, round(math.sqrt(villages * 1.5)))
        height = max(1, round(villages / width))
        return cls(width, height, p.households_per_village, p.county_size)


def region_of_columns(width: int) -> np.ndarray:
    """Region index of each grid column: three equal bands, west to east."""
    return np.minimum((np.arange(width) * 3) // width, 2).astype(np.int8)


def by_region(p: Parameters, stem: str) -> np.ndarray:
    """The per-region values of parameters named ``{stem}_west``, ``_centre`` and ``_east``."""
    return np.array([getattr(p, f"{stem}_{r}") for r in REGIONS], dtype=np.float64)


def build_grid(geo: Geography, p: Parameters, rng: np.random.Generator, random) -> OrthogonalMooreGrid:
    """Create the grid and fill its property layers with the regions' endowments."""
    # start-up time: Mesa (with SciPy and NetworkX) loads when a world is built, not when a command plans one
    from mesa.discrete_space import OrthogonalMooreGrid

    grid = OrthogonalMooreGrid((geo.width, geo.height), torus=False, random=random)
    for name, (dtype, _) in LAYERS.items():
        grid.create_property_layer(name, default_value=0, dtype=dtype)
    w, h, cs = geo.width, geo.height, geo.county_size
    x, y = np.meshgrid(np.arange(w), np.arange(h), indexing="ij")
    region = region_of_columns(w)[x]
    grid.region.data[:] = region
    counties_y = -(-h // cs)
    grid.county.data[:] = (x // cs) * counties_y + (y // cs)
    hub_x = np.minimum((x // cs) * cs + cs // 2, w - 1)
    hub_y = np.minimum((y // cs) * cs + cs // 2, h - 1)
    grid.hub.data[:] = (x == hub_x) & (y == hub_y)
    hub_km = np.hypot(x - hub_x, y - hub_y) * p.km_per_cell
    grid.road_km.data[:] = hub_km + by_region(p, "remoteness_km")[region] * rng.uniform(0.5, 1.5, region.shape)
    cum = REGION_CROP_MIX.cumsum(axis=1)[region]
    grid.crop.data[:] = (rng.random(region.shape)[..., None] > cum).sum(axis=-1)
    grid.broadband.data[:] = rng.random(region.shape) < by_region(p, "broadband")[region]
    # 5G only where broadband is, so the share among broadband villages is scaled up.
    g5_given_bb = np.clip(by_region(p, "g5") / np.maximum(by_region(p, "broadband"), 1e-9), 0, 1)
    grid.g5.data[:] = grid.broadband.data & (rng.random(region.shape) < g5_given_bb[region])
    grid.station.data[:] = rng.random(region.shape) < by_region(p, "station")[region]
    mean_cc = by_region(p, "cold_chain")[region]
    # Coverage varies between villages around the regional mean (beta with concentration 4).
    conc = 4.0
    grid.cold_chain.data[:] = rng.beta(np.maximum(mean_cc * conc, 1e-3), np.maximum((1 - mean_cc) * conc, 1e-3))
    return grid


def neighbour_mean(values: np.ndarray, width: int, height: int) -> np.ndarray:
    """Mean of a per-village value over each village's Moore neighbourhood, itself included.

    A fixed 3x3 stencil over the grid (edges use the cells that exist), so it costs one pass.
    """
    g = values.reshape(width, height).astype(np.float64)
    padded = np.zeros((width + 2, height + 2))
    padded[1:-1, 1:-1] = g
    total = np.zeros_like(g)
    for dx in (0, 1, 2):
        for dy in (0, 1, 2):
            total += padded[dx:dx + width, dy:dy + height]
    return (total / _neighbour_count(width, height)).ravel()


@functools.lru_cache(maxsize=8)
def _neighbour_count(width: int, height: int) -> np.ndarray:
    """Number of cells in each village's Moore neighbourhood, itself included (a constant of the grid)."""
    ones = np.pad(np.ones((width, height)), 1)
    count = np.zeros((width, height))
    for dx in (0, 1, 2):
        for dy in (0, 1, 2):
            count += ones[dx:dx + width, dy:dy + height]
    count.flags.writeable = False
    return count
