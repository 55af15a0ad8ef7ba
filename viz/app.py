"""The ruralsim browser page: the simulation page (map, figures, run controls, parameters) and experiment results.

Start it with ``ruralsim ui`` (see :func:`viz.serve.ui`), or directly::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run viz/app.py --production --no-open --no-check-version

The simulation page runs one model per browser session, built from the parameter panel
(:mod:`viz.panel`), the seed and, on first load, the page address (``?farmers=60000&seed=7``,
see :mod:`viz.scenario_io`). Parameters apply on Reset. Figures are drawn in the browser
(:mod:`viz.components`); the run controls are :mod:`viz.controller`. The experiments page compares
the arms of a results folder written by the runner and starts small experiments
(:mod:`viz.experiments_view`); the Compare page runs two parameter sets on one seed
(:mod:`viz.compare`).
"""

from __future__ import annotations

import solara

from viz.compare import Compare
from viz.components import CSS
from viz.controller import RunControls
from viz.controls import Settings, UIModel
from viz.experiments_view import ExperimentView
from viz.panel import ParameterPanel, pending_changes
from viz.scenario_io import ScenarioCard, state_from_query
from viz.simulation_view import Figures

TITLE = "ruralsim: rural e-commerce"


@solara.component
def Simulation() -> None:
    """The simulation page: run controls, seed, parameters and scenarios in the sidebar; the figures in the main area."""
    router = solara.use_router()
    start = solara.use_memo(lambda: state_from_query(router.search or ""), [])
    state = solara.use_reactive(start.state)
    seed = solara.use_reactive(start.seed)
    settings = solara.use_memo(lambda: Settings(state), [])
    model = solara.use_reactive(solara.use_memo(lambda: UIModel(settings, seed=seed.value), []))

    def reset() -> None:
        model.set(UIModel(settings, seed=seed.value))

    solara.Style(CSS)
    PageTabs()
    with solara.Sidebar():
        RunControls(model, reset, len(pending_changes(state.value["values"], model.value)))
        with solara.Card("Seed", classes=["ruralsim-seed"]):
            solara.InputText("random seed (whole number; applies on Reset)", value=seed, continuous_update=True)
        ParameterPanel(state, model.value)
        ScenarioCard(state, seed, model.value)
    Figures(model.value)


@solara.component
def Experiments() -> None:
    """The experiment results page (and a small experiment started from it)."""
    solara.Style(CSS)
    PageTabs()
    ExperimentView()


@solara.component
def ComparePage() -> None:
    """The A/B page: two parameter sets on the same seed."""
    PageTabs()
    Compare()


routes = [
    solara.Route(path="/", component=Simulation, label="Simulation"),
    solara.Route(path="experiments", component=Experiments, label="Experiments"),
    solara.Route(path="compare", component=ComparePage, label="Compare"),
]


@solara.component
def PageTabs() -> None:
    """The browser tab's title and the app bar's tabs, named by the routes' labels.

    Solara's own tabs would read "Home" and the paths; tabs put in the app bar replace them.
    """
    solara.Title(TITLE)
    router = solara.use_router()
    current = "/" + router.path.strip("/").split("/")[0] if router.path.strip("/") else "/"
    paths = ["/" if r.path == "/" else f"/{r.path}" for r in routes]
    with solara.AppBar():
        with solara.lab.Tabs(value=paths.index(current) if current in paths else 0, align="center"):
            for route, path in zip(routes, paths, strict=True):
                solara.lab.Tab(route.label, path_or_route=path)
