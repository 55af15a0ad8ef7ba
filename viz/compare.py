"""The Compare page: two parameter sets (A and B) on the same seed, run side by side, with their difference.

Each set is a list of ``NAME=VALUE`` lines (as ``ruralsim run --set``) over the app's defaults;
both models are built with the same seed, so they share the world and the random draws up to
where the parameters make them differ, and B - A is the effect of the change for that seed. The
page shows the chosen outcome for A and B and their difference over months, the village maps
side by side and the final month's headline numbers with B - A.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import solara

from abm.io.scenario import ScenarioError, parse_overrides, validate_parameters
from experiments import figures
from experiments.parsers import read_option, whole
from viz import charts
from viz.components import CSS, EChart, history, recorded_outcomes
from viz.controls import DEFAULT_SEED, UI_DEFAULTS, UIModel, parse_seed
from viz.labels import number, outcome_title, outcome_unit

#: the final-month table's outcomes
HEADLINE = ("income_mean", "adoption", "consumer_trust", "stability", "gini", "fraud_rate", "fresh_loss")
#: months the page runs two models for: at most twenty years (the command line has no such limit)
PARSE_COMPARE_MONTHS = whole(1, 240)
#: colours of A, B and their difference
COLOURS = {"A": "#0072B2", "B": "#D55E00", "B - A": figures.ALL_COLOUR}


def parameter_set(text: str, label: str) -> dict[str, Any]:
    """A set's ``NAME=VALUE`` lines as parameter values over the app's defaults (ScenarioError names the set)."""
    try:
        values = parse_overrides([line.strip() for line in text.splitlines() if line.strip()])
    except ScenarioError as err:
        raise ScenarioError(f"parameter set {label}: {err}") from err
    validate_parameters(UI_DEFAULTS | values, origin=f"parameter set {label}")
    return values


def run_pair(a: dict[str, Any], b: dict[str, Any], seed: int, months: int,
             progress=lambda percent: None) -> tuple[UIModel, UIModel]:
    """Build A and B on ``seed`` and run both ``months`` months, reporting the percentage done."""
    models = UIModel(seed=seed, **a), UIModel(seed=seed, **b)
    for month in range(1, months + 1):
        for model in models:
            model.step()
        progress(100.0 * month / months)
    return models


def difference_table(a: UIModel, b: UIModel) -> pd.DataFrame:
    """The final month's headline outcomes of A and B and B - A, formatted."""
    rows = []
    for name in HEADLINE:
        va, vb = float(a.metrics[name]), float(b.metrics[name])
        rows.append({"outcome": outcome_title(name), "unit": outcome_unit(name), "A": number(va), "B": number(vb),
                     "B - A": number(vb - va)})
    return pd.DataFrame(rows)


def pair_options(a: UIModel, b: UIModel, outcome: str) -> tuple[dict, dict]:
    """The outcome of A and B over months, and B - A (options of two figures)."""
    sa, sb = history(a).series, history(b).series
    title, unit = outcome_title(outcome), outcome_unit(outcome)
    both = charts.time_series(f"{title}: A and B", unit, sa["month"],
                              [charts.Line("A", sa[outcome], COLOURS["A"]),
                               charts.Line("B", sb[outcome], COLOURS["B"])])
    diff = charts.time_series(f"{title}: B - A", unit, sa["month"],
                              [charts.Line("B - A", sb[outcome].to_numpy() - sa[outcome].to_numpy(), COLOURS["B - A"])],
                              y_min=None)
    diff["yAxis"]["scale"] = True
    return both, diff


@solara.component
def PairView(a: UIModel, b: UIModel) -> None:
    """The two runs: outcome figures (A and B, B - A), the maps side by side, the final-month table."""
    names = recorded_outcomes(a)
    outcome, set_outcome = solara.use_state("adoption")
    labels = {f"{outcome_title(n)} [{n}]": n for n in names}
    both, diff = solara.use_memo(lambda: pair_options(a, b, outcome), [a, b, outcome])
    solara.Select("outcome", values=list(labels), value=next(t for t, n in labels.items() if n == outcome),
                  on_value=lambda text: set_outcome(labels[text]), dense=True, classes=["ruralsim-compare-outcome"],
                  style={"max-width": "520px"})
    with solara.Div(classes=["ruralsim-grid"]):
        EChart("compare-both", both)
        EChart("compare-difference", diff)
        EChart("compare-map-a", _titled(charts.map_option(a, "adoption", 700), "A"), height=440)
        EChart("compare-map-b", _titled(charts.map_option(b, "adoption", 700), "B"), height=440)
    solara.HTML(tag="p", unsafe_innerHTML=f"<b>Month {a.steps}</b>: A, B and B - A (same seed {a.seed})",
                style={"margin": "12px 0 4px 0"})
    with solara.Div(classes=["ruralsim-compare-table"]):
        solara.DataFrame(difference_table(a, b), items_per_page=20)


def _titled(option: dict, label: str) -> dict:
    """A map option with the set's label in front of its title."""
    option["title"]["text"] = f"{label}: {option['title']['text']}"
    return option


@solara.component
def Compare() -> None:
    """The Compare page's controls (seed, months, sets A and B), Run with progress, then :func:`PairView`."""
    seed, months = solara.use_reactive(str(DEFAULT_SEED)), solara.use_reactive("24")
    text_a, text_b = solara.use_reactive(""), solara.use_reactive("commission = 0.12")
    progress, message = solara.use_reactive(0.0), solara.use_reactive("")
    job, set_job = solara.use_state(None)
    pair, set_pair = solara.use_state(None)

    def start() -> None:
        try:
            job_ = (parameter_set(text_a.value, "A"), parameter_set(text_b.value, "B"), parse_seed(seed.value),
                    read_option("--months", PARSE_COMPARE_MONTHS, months.value))
        except ScenarioError as err:
            message.set(str(err))
            return
        message.set("")
        set_job(job_)

    def run_job() -> None:
        if job is not None:
            set_pair(run_pair(*job, progress=progress.set))
            set_job(None)

    solara.lab.use_task(run_job, dependencies=[job], prefer_threaded=True)
    solara.Style(CSS)
    with solara.Column(style={"padding": "12px"}, classes=["ruralsim-compare"]):
        solara.HTML(tag="h2", unsafe_innerHTML="Compare two parameter sets", style={"margin": "4px 0 4px 0"})
        solara.Text("One NAME=VALUE per line over the app's defaults (5,880 households; names as in "
                    "`ruralsim params`); both run on the same seed.", style={"font-size": "13px"})
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            for label, text in (("A", text_a), ("B", text_b)):
                with solara.Div(classes=[f"ruralsim-set-{label.lower()}"], style={"min-width": "320px"}):
                    solara.Text(f"set {label} (empty: the app's defaults)", style={"font-size": "13px"})
                    solara.InputTextArea("", value=text, rows=3, continuous_update=True)
            with solara.Column(style={"max-width": "160px"}):
                solara.InputText("seed", value=seed, classes=["ruralsim-compare-seed"])
                solara.InputText("months", value=months, classes=["ruralsim-compare-months"])
            solara.Button("Run A and B", on_click=start, color="primary", disabled=job is not None,
                          classes=["ruralsim-compare-run"])
        if job is not None:
            solara.ProgressLinear(value=progress.value, classes=["ruralsim-compare-progress"])
        if message.value:
            solara.Error(message.value, classes=["ruralsim-compare-message"])
        if pair is not None:
            PairView(*pair)
