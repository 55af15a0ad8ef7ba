"""The simulation page's main area: the village map, summary and inspector, every time series, network and flows.

Only :func:`Figures` reads Mesa's ``update_counter``, so the page redraws after every step, in one pass.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import update_counter

from viz.components import SERIES_CHARTS, OutputsChart, SeriesChart, Summary, VillageInspector, VillageMap
from viz.flows import NetworkAndFlows


@solara.component
def Figures(model) -> None:
    """The simulation page's main area: map, summary and inspector, every time series, network and money flows.

    Only this component reads Mesa's ``update_counter``: a month re-renders the figures in one pass.
    """
    update_counter.get()
    steps = model.steps  # an argument of each figure, so that each re-renders when the month changes
    with solara.Div(classes=["ruralsim-grid"]):
        VillageMap(model, steps)
        with solara.Column(gap="12px"):
            Summary(model, steps)
            VillageInspector(model, steps)
        for name in SERIES_CHARTS:
            SeriesChart(model, name, steps)
        OutputsChart(model, steps)
        NetworkAndFlows(model, steps)
