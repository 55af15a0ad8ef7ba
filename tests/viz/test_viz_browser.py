"""The browser page in Chromium: load, step, redraw, map layers, reset, presets, experiments.

It loads, steps, redraws, switches map layers, resets with new parameters and presets, survives a
mistyped seed, and shows an experiment's results. Screenshots: ``test-results/viz/``.

One page (one browser session, one model) serves the simulation tests in order; each test checks
a change relative to the state it finds, so any of them can also run alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

TIMEOUT_MS = 60_000  # two loaded cores: a step with all figures can take seconds


@pytest.fixture(scope="module")
def sim(browser: Browser, browser_context_args: dict, server_url: str) -> Iterator[Page]:
    """The simulation page, loaded once for this module's tests."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.goto(server_url + "/")
    page.locator(".ruralsim-summary").wait_for()
    yield page
    context.close()


@contextmanager
def own_page(browser: Browser, browser_context_args: dict, url: str, timeout_ms: int = TIMEOUT_MS) -> Iterator[Page]:
    """A page in a browser session of its own, opened at ``url`` (closed afterwards)."""
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(url)
    try:
        yield page
    finally:
        context.close()


def summary_value(page: Page, name: str) -> str:
    """The value of one row of the summary table (e.g. ``month``)."""
    row = page.locator(".ruralsim-summary tr", has=page.locator("td", has_text=re.compile(f"^{name}$")))
    return row.locator("td").nth(1).inner_text()


def month(page: Page) -> int:
    """The model's month as the summary shows it."""
    return int(summary_value(page, "month").split()[0])


def chart_selector(name: str) -> str:
    """The CSS selector of one figure (map, income, adoption, loss, trust, funnel, outputs)."""
    return f".ruralsim-chart-{name} .solara-echarts"


def chart(page: Page, name: str) -> Locator:
    """The drawing of one figure."""
    return page.locator(chart_selector(name))


def drawn(page: Page, name: str, script: str):
    """Evaluate ``script`` (a function of the ECharts instance) on one figure as the browser drew it."""
    chart(page, name).locator("canvas").first.wait_for()
    return chart(page, name).evaluate(f"el => ({script})(el.ruralsimChart)")


def points(page: Page, name: str) -> int:
    """How many points the first line of a figure has."""
    return drawn(page, name, "c => c.getOption().series[0].data.length")


def tall_screenshot(page: Page, path: Path, height: int = 2100) -> None:
    """Screenshot in a window tall enough to show every figure (the main area scrolls on its own)."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(300)
    page.screenshot(path=path)
    page.set_viewport_size(size)


def step(page: Page) -> int:
    """Press Step and wait until the summary shows the next month; return it."""
    before = month(page)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".ruralsim-summary")).to_contain_text(f"{before + 1} (last simulated")
    return before + 1


def test_page_loads_with_controls_map_and_charts(sim: Page, screenshots: Path) -> None:
    for name in ("Reset", "Step", "▶ Play"):
        expect(sim.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(sim.get_by_text("ruralsim: rural e-commerce").first).to_be_visible()
    tabs = sim.get_by_role("tab")
    expect(tabs).to_have_text(["Simulation", "Experiments", "Compare"], ignore_case=True)  # not HOME / PAGE 0
    for name in ("map", "income", "adoption", "loss", "trust", "funnel", "outputs"):
        expect(chart(sim, name).locator("canvas")).to_have_count(1)
    expect(sim.locator(".ruralsim-param-farmers")).to_contain_text("6,000 households")
    assert summary_value(sim, "households").startswith("5,880 in 294 villages")
    expect(sim.locator(".v-alert.error")).to_have_count(0)
    sim.screenshot(path=screenshots / "01_loaded.png")


def test_showing_every_control_changes_no_parameter(sim: Page) -> None:
    for group in ("market and diffusion", "western infrastructure", "government instruments",
                  "east-west cooperation", "shock"):
        sim.get_by_text(group, exact=True).click()
    expect(sim.locator(".ruralsim-param-imitation_rate .v-slider")).to_be_visible()
    sim.wait_for_timeout(1000)  # time for a slider to report a rounded value back, were it to
    expect(sim.locator(".ruralsim-pending")).to_have_count(0)


def test_step_advances_the_month(sim: Page) -> None:
    before = month(sim)
    assert step(sim) == before + 1


def wait_chart(page: Page, name: str, predicate: str) -> None:
    """Wait until ``predicate`` (a JavaScript function of the ECharts instance) holds on one figure.

    The figure is looked up at every check: a redraw may replace its element (a handle taken before
    would go on reading the old one) or leave it for a moment without its chart.
    """
    page.wait_for_function(f"""() => {{ const el = document.querySelector({chart_selector(name)!r});
        return !!(el && el.ruralsimChart && ({predicate})(el.ruralsimChart)); }}""")


def wait_points(page: Page, name: str, count: int) -> None:
    """Wait until the first line of a figure has at least ``count`` points (at least: an update still on
    its way when ``count`` was read may arrive with the step's)."""
    wait_chart(page, name, f"c => c.getOption().series[0].data.length >= {count}")


def test_a_plot_changes_when_the_model_steps(sim: Page, screenshots: Path) -> None:
    before = points(sim, "adoption"), points(sim, "funnel")
    step(sim)
    wait_points(sim, "adoption", before[0] + 1)
    wait_points(sim, "funnel", before[1] + 1)
    tall_screenshot(sim, screenshots / "02_stepped.png")


def test_picking_another_layer_redraws_the_map(sim: Page, screenshots: Path) -> None:
    for label, layer in (("online adoption", "adoption"), ("translation stage", "stage")):
        sim.locator(".ruralsim-map-layer").click()
        sim.get_by_role("option", name=label).click()
        expect(sim.locator(".ruralsim-chart-map")).to_have_attribute("data-layer", layer)
        wait_chart(sim, "map", f"c => c.getOption().series[0].name === {label!r}")
    sim.locator(".ruralsim-chart-map").screenshot(path=screenshots / "03_map_stage.png")


def test_plot_ranges_contain_their_data(sim: Page) -> None:
    for _ in range(3):
        step(sim)
    for name in ("loss", "income", "adoption", "trust", "funnel"):
        low, high = drawn(sim, name, "c => c.getModel().getComponent('yAxis', 0).axis.scale.getExtent()")
        values = drawn(sim, name, "c => c.getOption().series.flatMap(s => s.data.map(p => Array.isArray(p) ? "
                                  "p[1] : p)).filter(v => v !== null)")
        if name == "funnel":  # stacked by month: the top of the stack is the number of households
            n = points(sim, name)
            values = [sum(values[i::n]) for i in range(n)]
        assert low <= min(values) and max(values) <= high, (name, low, high, max(values))


def test_every_series_is_in_its_legend(sim: Page) -> None:
    for name in ("funnel", "income", "loss"):
        shown = drawn(sim, name, "c => c.getModel().getComponent('legend', 0).getData().map(d => d.get('name'))")
        series = drawn(sim, name, "c => c.getOption().series.map(s => s.name)")
        assert shown == series and len(series) >= 2


def test_nothing_covers_the_figures_and_the_page_uses_its_width(sim: Page, screenshots: Path) -> None:
    expect(sim.get_by_text("This website runs on")).to_have_count(0)  # Solara's banner sat on the axes
    for width, height in ((1024, 768), (1920, 1080), (1440, 900)):
        sim.set_viewport_size({"width": width, "height": height})
        sim.wait_for_timeout(800)
        sim.screenshot(path=screenshots / f"07_page_{width}.png")
        grid = sim.locator(".ruralsim-grid").bounding_box()
        the_map = sim.locator(".ruralsim-chart-map").bounding_box()
        assert the_map["width"] >= 0.6 * grid["width"] and the_map["width"] >= 550, (width, the_map)
        right = max(b["x"] + b["width"] for b in (sim.locator(".ruralsim-card").nth(i).bounding_box()
                                                  for i in range(sim.locator(".ruralsim-card").count())))
        assert right >= grid["x"] + 0.95 * grid["width"], width  # no empty right-hand side


def test_play_runs_months_and_pause_stops_at_once(sim: Page) -> None:
    expect(sim.locator(".ruralsim-speed-value")).to_contain_text("8 months/s")
    track = sim.locator(".ruralsim-speed .v-slider")
    box = track.bounding_box()
    track.click(position={"x": box["width"] - 2, "y": box["height"] / 2})  # 30: as fast as the page draws
    expect(sim.locator(".ruralsim-speed-value")).to_contain_text("30 months/s")
    start = month(sim)
    sim.get_by_role("button", name="▶ Play").click()
    expect(sim.get_by_role("button", name="❚❚ Pause")).to_be_visible()
    while month(sim) < start + 4:
        sim.wait_for_timeout(20)
    shown = sim.evaluate("""() => {  // the month on the page at the instant of the click, then the click
        const rows = [...document.querySelectorAll('.ruralsim-summary tr')];
        const row = rows.find(r => r.cells[0].textContent === 'month');
        const month = parseInt(row.cells[1].textContent);
        [...document.querySelectorAll('button')].find(b => b.textContent.includes('Pause')).click();
        return month; }""")
    expect(sim.get_by_role("button", name="▶ Play")).to_be_visible()
    sim.wait_for_timeout(1500)
    assert month(sim) <= shown + 1, (shown, month(sim))  # at most the month in progress at the click
    paused = month(sim)
    sim.wait_for_timeout(1000)
    assert month(sim) == paused


def test_run_n_months_and_inspect_a_village(sim: Page) -> None:
    start = month(sim)
    sim.locator(".ruralsim-months input").fill("5")
    sim.get_by_role("button", name="Run", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text(f"{start + 5} (last simulated")
    box = chart(sim, "map").bounding_box()
    sim.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    expect(sim.locator(".ruralsim-inspector")).to_contain_text("share of households that sold online this month")
    expect(sim.locator(".ruralsim-inspector")).to_contain_text("county cooperative")


def test_the_run_downloads_as_a_table_pandas_reads(sim: Page, tmp_path: Path) -> None:
    import pandas as pd

    with sim.expect_download() as info:
        sim.get_by_role("button", name="series.csv").click()
    path = tmp_path / "series.csv"
    info.value.save_as(path)
    frame = pd.read_csv(path)
    assert len(frame) == month(sim) + 1 and "income_mean" in frame


def test_a_slider_change_applies_on_reset(sim: Page, screenshots: Path) -> None:
    households = summary_value(sim, "households")
    control = sim.locator(".ruralsim-param-farmers")
    track = control.locator(".v-slider")
    box = track.bounding_box()
    assert box is not None
    track.click(position={"x": box["width"] * 0.3, "y": box["height"] / 2})
    expect(control).not_to_contain_text("6,000 households")
    expect(sim.locator(".ruralsim-pending")).to_contain_text("1 change")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("0 (start)")
    expect(sim.locator(".ruralsim-pending")).to_have_count(0)
    assert summary_value(sim, "households") != households
    expect(sim.locator(".ruralsim-changes")).to_contain_text("farmers")  # the summary says what differs
    sim.screenshot(path=screenshots / "04_reset_with_more_farmers.png")


def test_a_preset_sets_the_controls_and_reset_applies_it(sim: Page) -> None:
    sim.locator(".ruralsim-preset").click()
    sim.get_by_role("option", name="trust: blockchain traceability").click()
    expect(sim.locator(".ruralsim-param-trust_mechanism")).to_contain_text("blockchain")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("baseline / blockchain")
    expect(sim.locator(".ruralsim-summary")).to_contain_text("preset: trust: blockchain traceability")
    expect(sim.locator(".ruralsim-changes")).to_contain_text("no parameter differs from the preset")
    assert summary_value(sim, "households").startswith("5,880")  # the preset restored the app's defaults


def test_a_mistyped_seed_is_reported_and_the_page_lives_on(sim: Page) -> None:
    seed = sim.locator(".ruralsim-seed input")
    seed.fill("4x2")
    seed.press("Enter")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("--seed = '4x2': not a whole number")
    expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 42")
    seed.fill("7")
    seed.press("Enter")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 7")
    expect(sim.locator(".ruralsim-summary-problem")).to_have_count(0)
    step(sim)


def test_experiment_page_compares_the_arms_of_a_results_folder(browser: Browser, browser_context_args: dict,
                                                               server_url: str, screenshots: Path) -> None:
    with own_page(browser, browser_context_args, server_url + "/experiments") as page:
        check_the_experiment_page(page, screenshots)


def check_the_experiment_page(page: Page, screenshots: Path) -> None:
    """The small experiment's description, replicate note, legend, outcome switch and paired differences."""
    expect(page.locator(".ruralsim-experiment-description")).to_contain_text("viz_small")
    expect(page.locator(".ruralsim-experiment-description")).to_contain_text("2 arms x 3 replicates")
    expect(page.locator(".ruralsim-band-replicates")).to_contain_text("over 3 replicates")
    expect(page.locator(".ruralsim-band-warning")).to_contain_text("fewer than 5")  # 3 < the documented minimum
    figure = chart(page, "bands")
    figure.locator("canvas").wait_for()
    legend = "el => el.ruralsimChart.getModel().getComponent('legend', 0).getData().map(d => d.get('name'))"
    assert figure.evaluate(legend) == ["low (commission 0.03) (reference)", "high (commission 0.12)"]
    table = page.locator(".ruralsim-summary-table")
    expect(table).to_contain_text("low")
    expect(table).to_contain_text("high")
    title = "c => c.getOption().title[0].text"
    page.locator(".ruralsim-outcome").click()
    page.get_by_role("option", name=re.compile("^households that sold online this month", re.IGNORECASE)).click()
    wait_chart(page, "bands", f"c => ({title})(c).toLowerCase().startsWith('households that sold online this month')")
    tall_screenshot(page, screenshots / "05_experiments.png", height=1600)
    page.get_by_text("difference to the reference arm (paired)").click()
    wait_chart(page, "bands", f"c => ({title})(c).includes('arm minus low')")
    assert figure.evaluate(legend) == ["high (commission 0.12)"]
    figure.screenshot(path=screenshots / "06_experiment_differences.png")
