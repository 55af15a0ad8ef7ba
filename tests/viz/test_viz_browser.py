"""The browser page in Chromium: load, step, redraw, map layers, reset, presets, experiments.

It loads, steps, redraws, switches map layers, resets with new parameters and presets, survives a
mistyped seed, and shows an experiment's results. Screenshots: ``test-results/viz/``.

One page (one browser session, one model) serves the simulation tests in order; each test checks
a change relative to the state it finds, so any of them can also run alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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


def summary_value(page: Page, name: str) -> str:
    """The value of one row of the summary table (e.g. ``month``)."""
    row = page.locator(".ruralsim-summary tr", has=page.locator("td", has_text=re.compile(f"^{name}$")))
    return row.locator("td").nth(1).inner_text()


def month(page: Page) -> int:
    """The model's month as the summary shows it."""
    return int(summary_value(page, "month").split()[0])


def chart(page: Page, name: str) -> Locator:
    """The image of one figure (``map``, ``income``, ``adoption``, ``loss``, ``trust``, ``funnel``)."""
    return page.locator(f".ruralsim-chart-{name} img")


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
    expect(page.locator(".ruralsim-summary")).to_contain_text(f"{before + 1} (year")
    return before + 1


def test_page_loads_with_controls_map_and_charts(sim: Page, screenshots: Path) -> None:
    for name in ("Reset", "Step", "▶"):
        expect(sim.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(sim.get_by_text("ruralsim: rural e-commerce").first).to_be_visible()
    for name in ("map", "income", "adoption", "loss", "trust", "funnel"):
        expect(chart(sim, name)).to_have_count(1)
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
    expect(sim.get_by_text(f"Time: {before + 1}.0")).to_be_visible()


def test_a_plot_changes_when_the_model_steps(sim: Page, screenshots: Path) -> None:
    adoption, funnel = chart(sim, "adoption"), chart(sim, "funnel")
    before = adoption.get_attribute("src"), funnel.get_attribute("src")
    step(sim)
    expect(adoption).not_to_have_attribute("src", before[0])
    expect(funnel).not_to_have_attribute("src", before[1])
    tall_screenshot(sim, screenshots / "02_stepped.png")


def test_picking_another_layer_redraws_the_map(sim: Page, screenshots: Path) -> None:
    the_map = chart(sim, "map")
    before = the_map.get_attribute("src")
    sim.locator(".ruralsim-map-layer").click()
    sim.get_by_role("option", name="online adoption").click()
    expect(sim.locator(".ruralsim-map-layer")).to_contain_text("online adoption")
    expect(the_map).not_to_have_attribute("src", before)
    after = the_map.get_attribute("src")
    sim.locator(".ruralsim-map-layer").click()
    sim.get_by_role("option", name="translation stage").click()
    expect(the_map).not_to_have_attribute("src", after)
    the_map.screenshot(path=screenshots / "03_map_stage.png")


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
    sim.screenshot(path=screenshots / "04_reset_with_more_farmers.png")


def test_a_preset_sets_the_controls_and_reset_applies_it(sim: Page) -> None:
    sim.locator(".ruralsim-preset").click()
    sim.get_by_role("option", name="trust: blockchain traceability").click()
    expect(sim.locator(".ruralsim-param-trust_mechanism")).to_contain_text("blockchain")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("baseline / blockchain")
    expect(sim.locator(".ruralsim-summary")).to_contain_text("preset: trust: blockchain traceability")
    assert summary_value(sim, "households").startswith("5,880")  # the preset restored the app's defaults


def test_a_mistyped_seed_is_reported_and_the_page_lives_on(sim: Page) -> None:
    seed = sim.locator(".v-card", has_text="Model Parameters").locator("input")
    seed.fill("4x2")
    seed.press("Enter")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("random seed '4x2'")
    expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 42")
    seed.fill("7")
    seed.press("Enter")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 7")
    expect(sim.locator(".ruralsim-summary-problem")).to_have_count(0)
    step(sim)


def test_experiment_page_compares_the_arms_of_a_results_folder(browser: Browser, browser_context_args: dict,
                                                               server_url: str, screenshots: Path) -> None:
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server_url + "/experiments")
    expect(page.locator(".ruralsim-experiment-description")).to_contain_text("viz_small")
    expect(page.locator(".ruralsim-experiment-description")).to_contain_text("2 arms x 3 replicates")
    figure = page.locator(".ruralsim-bands img")
    expect(figure).to_have_count(1)
    table = page.locator(".ruralsim-summary-table")
    expect(table).to_contain_text("low")
    expect(table).to_contain_text("high")
    before = figure.get_attribute("src")
    page.locator(".ruralsim-outcome").click()
    page.get_by_role("option", name=re.compile("^households selling online", re.IGNORECASE)).click()
    expect(figure).not_to_have_attribute("src", before)
    tall_screenshot(page, screenshots / "05_experiments.png", height=1600)
    levels = figure.get_attribute("src")
    page.get_by_text("difference to the reference arm (paired)").click()
    expect(figure).not_to_have_attribute("src", levels)
    figure.screenshot(path=screenshots / "06_experiment_differences.png")
    context.close()
