"""The page's parts without a browser: controls from declarations, plots, components, experiment view."""

from __future__ import annotations

import json

import math
from pathlib import Path
from types import SimpleNamespace

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
import solara.widgets
from matplotlib.figure import Figure

from abm.core.params import declarations
from experiments import figures
from viz import components, controls, village_map
from viz.experiments_view import (
    DIFFERENCES,
    ExperimentView,
    find_result_folders,
    format_summary,
    outcome_bands,
    regional_outcomes,
)
from viz.serve import command, environment

DECLARED = {d["name"]: d for d in declarations()}


@pytest.fixture(scope="module")
def model() -> controls.UIModel:
    """A small app model after four months."""
    m = controls.UIModel(farmers=900, households_per_village=10, seed=3)
    for _ in range(4):
        m.step()
    return m


def test_every_control_is_derived_from_its_declaration() -> None:
    groups = controls.controls()
    names = [c.name for items in groups.values() for c in items]
    assert len(names) == len(set(names)) and set(names) <= set(DECLARED)
    for c in (c for items in groups.values() for c in items):
        d = DECLARED[c.name]
        assert c.description == d["description"] and c.source == d["source"]
        if d["type"] == "choice":
            assert c.kind == "choice" and list(c.choices) == d["choices"]
        elif d["type"] == "bool":
            assert c.kind == "bool"
        else:
            assert c.kind == d["type"]
            assert d["min"] <= c.min < c.max <= d["max"], c.name
            assert c.unit in c.label or d["unit"] == "0-1", c.label
            assert f"{controls.number(c.min)}-{controls.number(c.max)}" in c.label


def test_presets_are_valid_and_on_the_sliders_steps() -> None:
    controls.validate_presets()
    by_name = {c.name: c for items in controls.controls().values() for c in items}
    for preset, overrides in controls.PRESETS.items():
        for name, value in (controls.UI_DEFAULTS | overrides).items():
            c = by_name[name]
            if c.kind in ("int", "float"):
                assert c.min <= value <= c.max and math.isclose(c.snap(value), value), (preset, name, value)
    for name, value in controls.preset_values(controls.DEFAULT_PRESET).items():
        assert value == controls.UI_DEFAULTS.get(name, DECLARED[name]["default"])


def test_a_slider_rounding_a_calibrated_default_is_not_a_change() -> None:
    c = controls.control(DECLARED["imitation_rate"] | {"default": 0.0912})
    assert c.is_echo(0.0912, c.snap(0.0912))  # the slider reporting its nearest step back
    assert not c.is_echo(0.0912, c.snap(0.0912) + c.step)  # a real move
    assert not c.is_echo(c.snap(0.0912), c.snap(0.0912))  # on a step already: nothing to ignore


def test_ui_model_builds_from_the_panel_settings_and_a_typed_seed() -> None:
    state = SimpleNamespace(value={"preset": "x", "values": controls.preset_values("trust: acquaintance")
                                   | {"farmers": 600}})
    m = controls.UIModel(controls.Settings(state), seed=" 7 ", scenario=object())
    assert (m.seed, m.preset, m.p.trust_mechanism, m.p.farmers) == (7, "x", "acquaintance", 600)
    assert controls.UIModel(seed=7, farmers=600).farmers.cash.sum() == m.farmers.cash.sum()  # same seed, same draws
    typo = controls.UIModel(seed="abc", farmers=600)  # the page must not die on a typo
    assert typo.seed == controls.DEFAULT_SEED and "--seed = 'abc': not a whole number" in typo.problem
    bad = controls.UIModel(seed=1, farmers=10)  # below the declared minimum
    assert "farmers" in bad.problem and bad.p.farmers == controls.UI_DEFAULTS["farmers"]
    assert m.problem is None


def test_region_lines_have_region_colours_units_and_update_in_place(model) -> None:
    h = components.history(model)
    ax = Figure().subplots()
    figures.by_region(ax, h.regions, "adoption", h.series)
    colours = {line.get_label(): line.get_color() for line in ax.lines}
    assert {r: colours[r] for r in figures.REGION_COLOURS} == figures.REGION_COLOURS
    assert ax.get_ylabel() == "share of households" and ax.get_xlabel() == "month"
    longer = h.regions.assign(month=h.regions.month + 100)
    figures.by_region(ax, pd.concat([h.regions, longer]), "adoption", h.series)
    assert len(ax.lines) == 4 and len(ax.lines[0].get_xdata()) == 2 * (model.steps + 1)
    assert ax.get_xlim()[1] >= 100


def test_funnel_legend_counts_add_up_to_all_households(model) -> None:
    ax = Figure().subplots()
    figures.funnel(ax, components.history(model).series)
    counts = [int(t.get_text().rsplit("(", 1)[1].rstrip(")").replace(",", "")) for t in ax.get_legend().get_texts()]
    assert sum(counts) == model.farmers.n
    figures.funnel(ax, components.history(model).series)  # again: restacked, not duplicated
    assert len(ax.collections) == 5


@pytest.mark.parametrize("layer", list(village_map.MAP_LAYERS))
def test_every_map_layer_draws_with_a_key_and_places(model, layer: str) -> None:
    fig, vmap = village_map.map_figure(model, layer)
    ax = fig.axes[0]
    assert vmap.image.get_array().shape == (model.geo.height, model.geo.width)
    assert village_map.MAP_LAYERS[layer].label in ax.get_title(loc="left")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"service station", "logistics hub", "cooperative"} <= set(labels)
    has_bar = len(ax.child_axes) == 1  # the colour bar
    assert has_bar == (village_map.MAP_LAYERS[layer].kind == "continuous")


def test_the_map_recolours_when_the_model_steps() -> None:
    m = controls.UIModel(farmers=900, households_per_village=10, seed=5)
    fig, vmap = village_map.map_figure(m, "stage")
    before = np.array(vmap.image.get_array())
    for _ in range(6):
        m.step()
    village_map.update_map(vmap, m)
    assert not np.array_equal(before, np.array(vmap.image.get_array()))


def test_bands_draw_a_mean_and_an_interval_per_arm() -> None:
    summary = pd.DataFrame({"arm": ["a"] * 3 + ["b"] * 3, "month": [0, 1, 2] * 2, "outcome": "gini",
                            "mean": [0.3, 0.31, 0.32, 0.3, 0.29, 0.28], "ci_low": 0.25, "ci_high": 0.35})
    ax = Figure().subplots()
    figures.bands(ax, summary, "gini", reference="a")
    assert [line.get_label() for line in ax.lines] == ["a (reference)", "b"]
    assert ax.lines[0].get_color() == figures.ALL_COLOUR and len(ax.collections) == 2
    assert ax.get_ylabel() == "index"  # the Gini's unit in abm/measure/outcomes.py (above 1 only with negative incomes)


def _summary_html(rc) -> str:
    return next(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                if "This month" in (w.unsafe_innerHTML or ""))


def test_simulation_page_steps_switches_layers_and_resets_from_a_preset() -> None:
    from viz.app import Simulation

    components.map_layer.set("region")
    _, rc = solara.render(solara.AppLayout(children=[Simulation()]), handle_error=False)
    assert "0 (start)" in _summary_html(rc)
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "1 (last simulated: year 1, month 1)" in _summary_html(rc)
    images = rc.find(components.JsonEcharts)
    components.map_layer.set("adoption")
    assert rc.find(v.Select, label="map layer").widget.v_model == "online adoption"
    assert images  # the map is there, and it redrew without error
    rc.find(v.Select, label="preset").widget.v_model = "trust: acquaintance"
    assert "change(s) not applied yet" in str([w.children for w in rc.find(v.Alert).widgets])
    assert "changed: no parameter differs" in _summary_html(rc)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    html = _summary_html(rc)
    assert "0 (start)" in html and "baseline / acquaintance" in html


def test_experiment_helpers_find_and_summarise_the_runners_results(experiment_results: Path) -> None:
    assert find_result_folders(experiment_results.parent.parent) == [experiment_results]
    levels = outcome_bands(experiment_results, "adoption")
    assert set(levels.arm) == {"low", "high"} and (levels.ci_low <= levels["mean"]).all()
    west = outcome_bands(experiment_results, "adoption", "west", reference="low")
    assert set(west.arm) == {"high"} and "adoption" in regional_outcomes(experiment_results)
    from experiments.analysis import summary_table
    table = format_summary(summary_table(experiment_results))
    assert table["mean"].map(lambda s: isinstance(s, str) and len(s) <= 10).all()


def test_experiment_view_shows_the_results_folder(experiment_results: Path, monkeypatch) -> None:
    monkeypatch.setenv("RURALSIM_RESULTS", str(experiment_results.parent))
    _, rc = solara.render(ExperimentView(), handle_error=False)
    assert rc.find(v.Select, label="experiment").widget.v_model == str(experiment_results)
    figure = rc.find(components.JsonEcharts).widget
    levels = json.loads(figure.option_json)
    assert levels["legend"]["data"] == ["low (commission 0.03) (reference)", "high (commission 0.12)"]
    assert DIFFERENCES in str(rc.find(v.BtnToggle).widget.children[1].children)
    rc.find(v.BtnToggle).widget.v_model = 1  # the second button: paired differences to the reference
    differences = json.loads(rc.find(components.JsonEcharts).widget.option_json)
    assert differences["legend"]["data"] == ["high (commission 0.12)"]
    assert "arm minus low" in differences["title"]["text"]


def test_ui_serves_the_app_offline_in_production_mode() -> None:
    cmd = command("127.0.0.1", 9999)
    assert cmd[cmd.index("run") + 1].endswith("viz/app.py")
    assert {"--production", "--no-open", "--no-check-version"} <= set(cmd)
    assert cmd[cmd.index("--port") + 1] == "9999" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    env = environment("somewhere")
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False" and env["RURALSIM_RESULTS"] == "somewhere"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "False"  # Solara's banner covered the figures' axes
