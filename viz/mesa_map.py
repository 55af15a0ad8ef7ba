"""The village map on Mesa's own ``SpaceRenderer``, for a ``SolaraViz`` page of one's own.

The project's page (``viz/app.py``) draws its map with ECharts; a Mesa user who builds a page with
``mesa.visualization.SolaraViz`` passes this renderer instead::

    from mesa.visualization import SolaraViz
    from abm.model import RuralEconomy
    from viz.mesa_map import village_renderer

    model = RuralEconomy(farmers=6000)
    page = SolaraViz(model, renderer=village_renderer(model, "adoption"),
                     model_params={"farmers": {"type": "SliderInt", "value": 6000, "label": "households",
                                               "min": 600, "max": 30000, "step": 600}})

Villages are the grid's cells and the map's colours are its property layers (``abm.core.world.LAYERS``):
one layer is drawn through Mesa's ``PropertyLayerStyle``, in the colours of :data:`viz.village_map.MAP_LAYERS`;
the cooperatives, the only agents placed on cells, are squares through ``AgentPortrayalStyle``
(red when branded). Households are rows of arrays, not agents, so there is nothing else to portray.

Why not ``make_space_component``: in Mesa 3.5 it is the older entry point. Its property-layer
portrayal is a dict, deprecated (``FutureWarning``, removed in Mesa 4.0), it portrays every
agent on a cell with one function and nothing else, and on grids whose cells hold no agents of a
portrayed kind its drawing has failed with ``IndexError: too many indices`` (Mesa issues #2642 and
#2658). ``SpaceRenderer`` is what Mesa 3.5 documents for new pages: a layer style and an agent style,
each a function, and a ``post_process`` hook for titles and keys.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Patch
from mesa.discrete_space import PropertyLayer
from mesa.visualization import SpaceRenderer
from mesa.visualization.components import AgentPortrayalStyle, PropertyLayerStyle

from agents.cooperative import Cooperative
from viz.village_map import MAP_LAYERS, MapLayer

#: colours of a cooperative's square: branded, not branded
COOPERATIVE_COLOURS = ("#d62728", "#ffffff")


def layer_style(spec: MapLayer) -> PropertyLayerStyle:
    """Mesa's style of one map layer: its colour map (categories in their own colours) and range."""
    if spec.kind == "continuous":
        return PropertyLayerStyle(colormap=spec.cmap, vmin=spec.vmin, vmax=spec.vmax, colorbar=True)
    return PropertyLayerStyle(colormap=list(spec.colours), vmin=0, vmax=len(spec.colours) - 1, colorbar=False)


def only_layer(name: str, style: PropertyLayerStyle, layer: PropertyLayer) -> PropertyLayerStyle | None:
    """The property-layer portrayal Mesa calls for every layer: ``style`` for ``name``, nothing for the others."""
    return style if layer.name == name else None


def portray(agent: Any) -> AgentPortrayalStyle | None:
    """The agent portrayal Mesa calls for every agent on a cell: a cooperative is a square, red when branded."""
    if not isinstance(agent, Cooperative):
        return None
    colour = COOPERATIVE_COLOURS[0] if agent.branded else COOPERATIVE_COLOURS[1]
    return AgentPortrayalStyle(color=colour, marker="s", size=24, edgecolors="black", linewidths=0.6, zorder=3)


def label_map(spec: MapLayer, ax: Axes) -> None:
    """Mesa's ``post_process`` hook: title, axes and, for categories, the colour key."""
    ax.set_title(f"villages: {spec.label}" + (f" ({spec.unit})" if spec.unit else ""), fontsize=10, loc="left")
    ax.set_xlabel("x (west to east)", fontsize=9)
    ax.set_ylabel("y", fontsize=9)
    handles = [Patch(facecolor=COOPERATIVE_COLOURS[0], edgecolor="black", label="cooperative (branded)")]
    if spec.kind != "continuous":
        handles = [Patch(facecolor=c, label=k) for k, c in zip(spec.categories, spec.colours, strict=True)] + handles
    ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=4)


def village_renderer(model: Any, layer: str = "region") -> SpaceRenderer:
    """A ``SpaceRenderer`` of a model's village grid coloured by ``layer``, ready for ``SolaraViz(renderer=...)``.

    Args:
        model: A :class:`abm.model.RuralEconomy` (or a subclass).
        layer: The property layer the villages are coloured by: a key of :data:`viz.village_map.MAP_LAYERS`.

    Raises:
        ValueError: For a layer the map does not know, naming the known ones.
    """
    if layer not in MAP_LAYERS:
        raise ValueError(f"layer {layer!r}: unknown; allowed: {', '.join(MAP_LAYERS)}")
    spec = MAP_LAYERS[layer]
    renderer = SpaceRenderer(model, backend="matplotlib")
    renderer.setup_propertylayer(partial(only_layer, layer, layer_style(spec))).setup_agents(portray)
    renderer.post_process = partial(label_map, spec)
    return renderer.render()
