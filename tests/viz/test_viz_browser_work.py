"""The page's work features in Chromium: figure and table downloads, network and money flows, A/B, experiments.

Each download is saved and read back (pandas for tables, the SVG's text, the PNG's signature,
the scenario through the runner's parser); the experiments tab starts a nine-arm suite at a small
size and shows every arm. Screenshots: ``test-results/viz/``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from abm.io.scenario import parse_scenario
from tests.viz.test_viz_browser import TIMEOUT_MS, chart, drawn, month, own_page, tall_screenshot, wait_chart

LEGEND = "c => c.getModel().getComponent('legend', 0).getData().map(d => d.get('name'))"


@pytest.fixture(scope="module")
def sim(browser: Browser, browser_context_args: dict, server_url: str) -> Iterator[Page]:
    """The simulation page after 12 months (a year end: the household panel has its first snapshot)."""
    expect.set_options(timeout=TIMEOUT_MS)
    with own_page(browser, browser_context_args, server_url + "/") as page:
        page.locator(".ruralsim-summary").wait_for()
        page.get_by_role("button", name="Run", exact=True).click()  # 12 months, the box's default
        expect(page.locator(".ruralsim-summary")).to_contain_text("12 (last simulated")
        yield page


def download(page: Page, click, path: Path) -> Path:
    """Click something that downloads a file and save it as ``path``."""
    with page.expect_download() as info:
        click()
    info.value.save_as(path)
    return path


def test_each_figure_downloads_as_svg_and_png(sim: Page, tmp_path: Path) -> None:
    for name in ("adoption", "map"):
        svg = download(sim, sim.locator(f".ruralsim-chart-{name} .ruralsim-svg").click, tmp_path / f"{name}.svg")
        text = svg.read_text(encoding="utf-8")
        assert text.startswith("<svg") and "</svg>" in text and "<path" in text
        assert sim.locator(f".ruralsim-chart-{name} .ruralsim-svg").get_attribute("title").endswith("SVG")
        png = download(sim, sim.locator(f".ruralsim-chart-{name} .ruralsim-png").click, tmp_path / f"{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert "online" in (tmp_path / "adoption.svg").read_text(encoding="utf-8")  # the title is in the drawing


def test_ledger_and_household_panel_download_as_tables_pandas_reads(sim: Page, tmp_path: Path) -> None:
    ledger = pd.read_parquet(download(sim, sim.get_by_role("button", name="ledger.parquet").click,
                                      tmp_path / "ledger.parquet"))
    assert set(ledger.columns) == {"month", "source", "destination", "kind", "amount"}
    assert ledger["month"].max() == month(sim) and (ledger["amount"] > 0).all()
    households = pd.read_csv(download(sim, sim.get_by_role("button", name="households.csv").click,
                                      tmp_path / "households.csv"))
    assert len(households) == 5880 and households["month"].unique().tolist() == [12]
    assert "income" in " ".join(households.columns)


def test_the_scenario_file_holds_the_current_controls(sim: Page, tmp_path: Path) -> None:
    seed = sim.locator(".ruralsim-seed input")
    seed.fill("9")
    seed.press("Enter")
    path = download(sim, sim.get_by_role("button", name="scenario TOML").click, tmp_path / "page.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    scenario = parse_scenario(data, str(path))
    assert scenario.seed == 9 and scenario.parameters.farmers == 6000
    seed.fill("42")
    seed.press("Enter")


def test_the_actor_network_and_the_money_flows_are_drawn(sim: Page, screenshots: Path) -> None:
    toggle = sim.locator(".ruralsim-show-flows").get_by_text("draw the actor network")
    toggle.click()  # the server answers in its own time: wait for the figure, not for the box
    chart(sim, "network").locator("canvas").wait_for()
    nodes = drawn(sim, "network", "c => c.getOption().series[0].data.map(n => n.id)")
    farmers = [n for n in nodes if n.startswith("farmer:")]
    assert 0 < len(farmers) <= 150 and "government" in nodes and any(n.startswith("coop:") for n in nodes)
    assert drawn(sim, "network", LEGEND) == ["farmer", "village", "cooperative", "platform", "logistics",
                                             "government", "actant"]
    links = drawn(sim, "sankey", "c => c.getOption().series[0].links")
    title = drawn(sim, "sankey", "c => c.getOption().title[0].text")
    assert any(link["source"] == "consumers" and link["target"] == "→ farmers" for link in links)
    assert "last month" in title and all(link["value"] > 0 for link in links)
    sim.locator(".ruralsim-flows").screenshot(path=screenshots / "08_network_and_flows.png")
    toggle.click()
    expect(chart(sim, "network")).to_have_count(0)


def test_compare_runs_two_sets_on_one_seed_side_by_side(browser: Browser, browser_context_args: dict,
                                                        server_url: str, screenshots: Path) -> None:
    with own_page(browser, browser_context_args, server_url + "/compare") as page:
        check_a_comparison(page, screenshots)


def check_a_comparison(page: Page, screenshots: Path) -> None:
    """Run A (defaults) against B (commission 0.35) for six months; then a set that is not allowed."""
    page.locator(".ruralsim-set-b textarea").fill("commission = 0.35")
    page.locator(".ruralsim-compare-months input").fill("6")
    page.get_by_role("button", name="Run A and B").click()
    table = page.locator(".ruralsim-compare-table")
    expect(table).to_contain_text("B - A")
    both = page.locator(".ruralsim-chart-compare-both .solara-echarts")
    both.locator("canvas").wait_for()
    assert both.evaluate(f"el => ({LEGEND})(el.ruralsimChart)") == ["A", "B"]
    series = both.evaluate("el => el.ruralsimChart.getOption().series.map(s => s.data.map(p => p[1]))")
    difference = page.locator(".ruralsim-chart-compare-difference .solara-echarts").evaluate(
        "el => el.ruralsimChart.getOption().series[0].data.map(p => p[1])")
    assert len(series[0]) == 7 and series[0][0] == series[1][0]  # the same seed: the same month 0
    assert difference == pytest.approx([b - a for a, b in zip(*series, strict=True)])
    assert any(abs(d) > 0 for d in difference)  # commission 0.35 changes adoption within six months
    expect(page.locator(".ruralsim-chart-compare-map-a")).to_be_visible()
    expect(page.locator(".ruralsim-chart-compare-map-b")).to_be_visible()
    page.locator(".ruralsim-set-b textarea").fill("commission = 7")
    page.get_by_role("button", name="Run A and B").click()
    expect(page.locator(".ruralsim-compare-message")).to_contain_text("commission")
    tall_screenshot(page, screenshots / "09_compare.png", height=1500)


def test_the_experiments_tab_starts_a_suite_and_shows_every_arm(browser: Browser, browser_context_args: dict,
                                                                own_server_url: str, screenshots: Path) -> None:
    with own_page(browser, browser_context_args, own_server_url + "/experiments", TIMEOUT_MS * 3) as page:
        check_a_started_suite(page, screenshots)


def check_a_started_suite(page: Page, screenshots: Path) -> None:
    """Start the trust suite (9 arms) at 2 replicates, 600 households, 13 months; every arm in the legend."""
    page.locator(".ruralsim-launch-suite").click()
    page.get_by_role("option", name="trust", exact=True).click()
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".ruralsim-launch-progress")).to_be_visible()
    expect(page.locator(".ruralsim-launch-message")).to_contain_text("done: 18 runs", timeout=TIMEOUT_MS * 4)
    expect(page.locator(".ruralsim-experiment-description")).to_contain_text("9 arms x 2 replicates")
    figure = page.locator(".ruralsim-chart-bands .solara-echarts")
    # the figure may still show the experiment selected before for a moment: wait for the suite's nine arms
    wait_chart(page, "bands", f"c => ({LEGEND})(c).length === 9")
    shown = figure.evaluate(f"el => ({LEGEND})(el.ruralsimChart)")
    assert len(shown) == 9 and len(set(shown)) == 9  # every arm, none dropped
    assert sum("(reference)" in name for name in shown) == 1
    expect(page.locator(".ruralsim-band-warning")).to_contain_text("Only 2 replicates")
    tall_screenshot(page, screenshots / "10_experiment_started.png", height=1400)
