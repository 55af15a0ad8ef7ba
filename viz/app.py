"""The ruralsim browser page: Mesa's SolaraViz on the model, and a page of experiment results.

Start it with ``ruralsim ui`` (see :func:`viz.serve.ui`), or directly::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run viz/app.py --production --no-open --no-check-version

The simulation page is Mesa's SolaraViz: its controls (Reset, Play/Pause, Step, the seed box), the
app's components (:mod:`viz.components`: map, time series, summary) and, in the sidebar, the
parameter panel derived from the declarations (:mod:`viz.panel`) with presets. Parameters apply on
Reset. Each browser session has its own model. The experiments page compares the arms of a results
folder written by the runner (:mod:`viz.experiments_view`).
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from viz.components import COMPONENTS, CSS
from viz.controls import DEFAULT_SEED, Settings, UIModel, model_params
from viz.experiments_view import ExperimentView
from viz.panel import ParameterPanel, initial_state

TITLE = "ruralsim: rural e-commerce"


@solara.component
def Simulation() -> None:
    """The simulation page: SolaraViz with the app's components, the parameter panel and this session's model."""
    state = solara.use_reactive(solara.use_memo(initial_state, []))
    settings = solara.use_memo(lambda: Settings(state), [])
    params = solara.use_memo(lambda: model_params(settings, DEFAULT_SEED), [])
    model = solara.use_reactive(solara.use_memo(lambda: UIModel(settings, seed=DEFAULT_SEED), []))
    solara.Style(CSS)
    SolaraViz(model, components=[(c, 0) for c in COMPONENTS], model_params=params, name=TITLE, play_interval=150)
    SidebarBelow(state, model.value)


@solara.component
def SidebarBelow(state: solara.Reactive, model) -> None:
    """The parameter panel in the sidebar, below SolaraViz's cards.

    Solara orders sidebar content by how deep in the component tree it is declared, so the panel
    is declared two levels down, below SolaraViz's own sidebar (Controls, seed, Information).
    """
    _PanelInSidebar(state, model)


@solara.component
def _PanelInSidebar(state: solara.Reactive, model) -> None:
    """Put the parameter panel in the sidebar."""
    with solara.Sidebar():
        ParameterPanel(state, model)


@solara.component
def Experiments() -> None:
    """The experiment results page."""
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    ExperimentView()


routes = [
    solara.Route(path="/", component=Simulation, label="Simulation"),
    solara.Route(path="experiments", component=Experiments, label="Experiments"),
]
