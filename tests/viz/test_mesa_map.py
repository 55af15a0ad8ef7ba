"""The village map on Mesa's SpaceRenderer renders inside SolaraViz, from the grid's own property layers."""

from __future__ import annotations

import numpy as np
import pytest
import reacton
from mesa.visualization import SolaraViz

from abm.model import RuralEconomy
from viz.mesa_map import COOPERATIVE_COLOURS, village_renderer
from viz.village_map import MAP_LAYERS


@pytest.fixture(scope="module")
def model() -> RuralEconomy:
    """A small province after three months."""
    m = RuralEconomy(seed=4, farmers=3000)
    for _ in range(3):
        m.step()
    return m


@pytest.mark.parametrize("layer", ["region", "adoption", "income", "crop", "g5"])
def test_solaraviz_draws_the_layer_and_the_cooperatives(model: RuralEconomy, layer: str) -> None:
    """SolaraViz with the renderer draws the chosen layer's values cell for cell and one square per cooperative."""
    renderer = village_renderer(model, layer)
    reacton.render(SolaraViz(model, renderer=renderer, components=[], model_params={}), handle_error=False)
    ax = renderer.canvas
    assert len(ax.images) == 1
    np.testing.assert_array_equal(ax.images[0].get_array(), getattr(model.grid, layer).data.T.astype(float))
    squares = ax.collections[-1]
    assert len(squares.get_offsets()) == len(model.cooperatives)
    branded = [c.branded for c in model.cooperatives]
    red = np.isclose(squares.get_facecolors()[:, 0], int(COOPERATIVE_COLOURS[0][1:3], 16) / 255)
    assert list(red) == branded
    assert MAP_LAYERS[layer].label in ax.get_title(loc="left")


def test_the_map_follows_the_model_when_it_steps() -> None:
    """After months pass, a fresh draw shows the new adoption layer (what SolaraViz does on each step)."""
    m = RuralEconomy(seed=4, farmers=3000)
    renderer = village_renderer(m, "adoption")
    before = renderer.canvas.images[0].get_array().copy()
    for _ in range(6):
        m.step()
    renderer.canvas.images[0].remove()
    renderer.draw_propertylayer()
    after = renderer.canvas.images[-1].get_array()
    np.testing.assert_array_equal(after, m.grid.adoption.data.T)
    assert not np.array_equal(before, after)


def test_an_unknown_layer_names_the_known_ones(model: RuralEconomy) -> None:
    """A layer the map does not know is refused with the list of known layers."""
    with pytest.raises(ValueError, match="allowed: region, broadband"):
        village_renderer(model, "rainfall")
