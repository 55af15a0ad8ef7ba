"""The new page's parts without a browser: figure options, number format, summary, scenarios, run controls."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import solara

from abm.io.scenario import ScenarioError
from viz import (charts, compare, components, controller, controls, experiments_view, flows, labels,
                 scenario_io, village_map)


@pytest.fixture(scope="module")
def model() -> controls.UIModel:
    """A small app model after five months."""
    m = controls.UIModel(farmers=900, households_per_village=10, seed=3, trust_mechanism="dual")
    for _ in range(5):
        m.step()
    return m


def test_time_series_axes_are_not_capped_below_their_data(model) -> None:
    option = components.loss_option(components.history(model))
    assert "max" not in option["yAxis"]  # fitted to the data by ECharts every month (the old axis stayed 0-0.05)
    values = [v for s in option["series"] for _, v in s["data"] if v is not None]
    assert option["yAxis"]["min"] == 0 <= min(values) and len(option["series"]) == 2
    trust = components.trust_option(components.history(model))
    assert trust["yAxis"]["max"] == 1.0 and max(v for s in trust["series"] for _, v in s["data"] if v) <= 1.0


def test_every_line_has_a_legend_entry_and_the_plot_room_for_the_wrapped_legend(model) -> None:
    option = components.funnel_option(components.history(model))
    names = [s["name"] for s in option["series"]]
    assert len(names) == 5 and sum(int(n.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for n in names) == model.farmers.n
    assert "data" not in option["legend"]  # ECharts lists every series; the legend wraps instead of being cut
    rows = charts.legend_rows(names)
    assert rows >= 2 and option["grid"]["top"] >= option["legend"]["top"] + 22 * rows
    assert option["xAxis"]["type"] == "category"  # stacks the stages month by month (not the months)
    json.dumps(option)  # plain data for the browser: no NaN, no numpy


def test_the_map_has_every_village_a_colour_key_and_markers_sized_to_the_grid(model) -> None:
    for layer in ("region", "adoption", "stage"):
        option = charts.map_option(model, layer)
        assert len(option["series"][0]["data"]) == model.geo.villages
        assert option["visualMap"]["type"] == ("continuous" if layer != "region" else "piecewise")
    small = charts.village_map(village_map.model_layers(model), "region", [], cell_px=40)
    big = charts.village_map(village_map.model_layers(model), "region", [], cell_px=6)
    assert big["series"][2]["symbolSize"] < small["series"][2]["symbolSize"]  # hubs keep apart at 60,000


def test_one_number_format_without_exponents() -> None:
    assert [labels.number(v) for v in (109_500.0, -5271, 0.12345, 1_095_000, 0.0)] == [
        "109,500", "-5,271", "0.1235", "1.095M", "0"]
    assert labels.with_unit(0.168, "share of households") == "16.8% of households"


def test_the_summary_lists_every_parameter_that_differs_from_the_preset(model) -> None:
    text = components.changes_text(model)
    assert "farmers 900 (preset: 6,000)" in text and "households_per_village 10 (preset: 20)" in text
    assert "trust_mechanism dual (preset: reputation)" in text
    assert components.changes_text(controls.UIModel(farmers=6000)) == "no parameter differs from the preset"


def test_the_inspector_shows_a_villages_figures(model) -> None:
    rows = dict(components.village_rows(model, 2, 1))
    assert rows["households"] == "10" and rows["region"] in ("west", "centre", "east")
    assert rows["share of households that sold online this month"] == labels.number(model.grid.adoption.data[2, 1])


def test_a_saved_scenario_reproduces_the_run(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("RURALSIM_RESULTS", str(tmp_path))
    state = {"preset": "trust: dual (credit rating, penalties)",
             "values": controls.preset_values("trust: dual (credit rating, penalties)") | {"farmers": 900}}
    path = scenario_io.save_scenario(state, "5", "dual_small")
    assert path == tmp_path / "scenarios" / "dual_small.toml" and scenario_io.saved_scenarios() == ["dual_small"]
    with pytest.raises(scenario_io.ScenarioError, match="exists already"):
        scenario_io.save_scenario(state, "5", "dual_small")  # never overwritten
    loaded, seed = scenario_io.state_from_toml(path.read_text(), str(path))
    runs = []
    for values, s in ((state, "5"), (loaded, seed)):
        m = controls.UIModel(controls.Settings(solara.reactive(values)), seed=s)
        for _ in range(3):
            m.step()
        runs.append(m.metrics["income_mean"])
    assert runs[0] == runs[1]


def test_the_address_carries_the_controls() -> None:
    state = controls.preset_values(controls.DEFAULT_PRESET) | {"commission": 0.2, "pairing": True}
    query = scenario_io.query_of({"preset": controls.DEFAULT_PRESET, "values": state}, "7")
    start = scenario_io.state_from_query(query)
    assert start.seed == "7" and start.state["values"]["commission"] == 0.2 and start.state["values"]["pairing"]
    assert "unknown parameter" in scenario_io.state_from_query("?comission=0.2").problem


def test_downloads_are_tables_pandas_reads(model) -> None:
    h = components.history(model)
    back = pd.read_csv(io.BytesIO(scenario_io.table_bytes(h.series, "csv")))
    assert len(back) == model.steps + 1 and "income_mean" in back
    parquet = pd.read_parquet(io.BytesIO(scenario_io.table_bytes(h.regions, "parquet")))
    assert np.array_equal(parquet["adoption"].to_numpy(), h.regions["adoption"].to_numpy())


def test_fast_forward_runs_the_months_asked_and_stops_when_told() -> None:
    m = controls.UIModel(farmers=900, households_per_village=10, seed=3)
    running, progress = solara.reactive(True), solara.reactive(0.0)
    assert controller.fast_forward(m, 4, running, progress) == 4 and m.steps == 4 and progress.value == 100
    running.set(False)
    assert controller.fast_forward(m, 4, running, progress) == 0 and m.steps == 4


def test_play_stops_before_the_next_month_once_paused() -> None:
    m = controls.UIModel(farmers=900, households_per_village=10, seed=3)
    playing = solara.reactive(True)

    def speed() -> float:  # pauses during the third month, as a click on Pause would
        if m.steps == 3:
            playing.set(False)
        return 1000.0

    controller.play_months(m, playing, speed)
    assert m.steps == 3


def test_the_sankey_carries_the_ledgers_money_and_the_network_is_sampled(model) -> None:
    month = model.money.frame()
    month = month[(month["month"] == model.steps) & (month["source"] != month["destination"])]
    option = flows.sankey_option(flows.money_flows(model, 1), "money flows")
    assert sum(link["value"] for link in option["series"][0]["links"]) == pytest.approx(month["amount"].sum())
    graph, enrolled = flows.sampled_network(model, most=10)
    farmers = [n for n, kind in graph.nodes(data="kind") if kind == "farmer"]
    assert enrolled > 10 and len(farmers) == 10 and "government" in graph
    assert flows.sampled_network(model, most=10)[0].nodes == graph.nodes  # a fixed-seed sample


def test_a_and_b_share_the_seed_and_differ_by_their_parameters() -> None:
    a, b = compare.run_pair({"farmers": 900, "households_per_village": 10},
                            compare.parameter_set("farmers = 900\nhouseholds_per_village = 10\ncommission = 0.35", "B"),
                            seed=3, months=4)
    both, diff = compare.pair_options(a, b, "adoption")
    first, second = ([p[1] for p in s["data"]] for s in both["series"])
    assert first[0] == second[0] and [p[1] for p in diff["series"][0]["data"]] == pytest.approx(
        [y - x for x, y in zip(first, second, strict=True)])
    assert list(compare.difference_table(a, b)["B - A"])  # one row per headline outcome
    with pytest.raises(ScenarioError, match="(?s)parameter set B: .*commission"):
        compare.parameter_set("commission = 7", "B")


def test_bands_say_their_replicates_and_warn_below_the_minimum() -> None:
    text, warning = experiments_view.replicate_note(2)
    assert "2 replicates" in text and "12.7" in warning
    assert experiments_view.replicate_note(experiments_view.MIN_REPLICATES)[1] is None
