"""The page under bad input, in Chromium: every text field refuses a bad value with the command line's message.

Each field (the seed, the months to run, an uploaded scenario file, the A/B page's sets, seed and months,
the experiment launch's replicates, households and months) is given bad values as a careless user would
type them; the page shows the message ``ruralsim`` prints for the same value (asked of the command line
itself, in this process), shows no server error, and keeps working. The parameter sliders cannot be moved
outside their declared ranges, so they have nothing to refuse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.experiments.exphelpers import invoke
from tests.viz.test_viz_browser import TIMEOUT_MS, month, own_page, step


def cli_message(*args: str) -> str:
    """What ``ruralsim ARGS`` says about the value (its error line without ``error: ``)."""
    code, _, err = invoke(*args)
    assert code == 2, err
    return err.strip().removeprefix("error: ")


def no_server_error(page: Page) -> None:
    """The page shows no traceback (Solara shows a server error's in the page)."""
    expect(page.get_by_text("Traceback")).to_have_count(0)


@pytest.fixture
def sim(browser: Browser, browser_context_args: dict, server_url: str):
    """The simulation page in its own session."""
    expect.set_options(timeout=TIMEOUT_MS)
    with own_page(browser, browser_context_args, server_url + "/") as page:
        page.locator(".ruralsim-summary").wait_for()
        yield page


def test_the_seed_box_refuses_with_the_command_lines_message(sim: Page) -> None:
    seed = sim.locator(".ruralsim-seed input")
    for typed in ("4x2", "-1", "1.5", "99999999999999999999", " "):
        seed.fill(typed)
        seed.press("Enter")
        sim.get_by_role("button", name="Reset", exact=True).click()
        expect(sim.locator(".ruralsim-summary-problem")).to_contain_text(cli_message("run", "--seed", typed))
        expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 42")  # the default, said so
    no_server_error(sim)
    seed.fill("7")
    seed.press("Enter")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary-problem")).to_have_count(0)
    step(sim)


def test_a_bad_seed_offers_no_scenario_download_and_says_why(sim: Page) -> None:
    """The scenario file holds the seed: with one the command line refuses, the page says so in place of the
    download button (a click used to end in the server's traceback), and offers it again once the seed is good."""
    seed, download = sim.locator(".ruralsim-seed input"), sim.get_by_role("button", name="scenario TOML")
    expect(download).to_have_count(1)
    seed.fill("4x2")
    seed.press("Enter")
    expect(sim.locator(".ruralsim-download-problem")).to_contain_text(
        "no scenario TOML to download: " + cli_message("run", "--seed", "4x2"))
    expect(download).to_have_count(0)
    no_server_error(sim)
    seed.fill("7")
    seed.press("Enter")
    expect(sim.locator(".ruralsim-download-problem")).to_have_count(0)
    expect(download).to_have_count(1)


def test_the_months_to_run_refuse_with_the_command_lines_message(sim: Page) -> None:
    box, before = sim.locator(".ruralsim-months input"), month(sim)
    for typed in ("0", "1.5", "1e3", "abc", "1201", ""):
        box.fill(typed)
        sim.get_by_role("button", name="Run", exact=True).click()
        expect(sim.locator(".ruralsim-run-message")).to_have_text(cli_message("run", "--months", typed))
    assert month(sim) == before  # nothing ran
    no_server_error(sim)
    box.fill("2")
    sim.get_by_role("button", name="Run", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text(f"{before + 2} (last simulated")
    expect(sim.locator(".ruralsim-run-message")).to_have_count(0)


BAD_FILES = {
    "binary.toml": b"name = 'a'\0\x01",
    "latin.toml": "name = 'caf\u00e9'".encode("latin-1"),
    "range.toml": b"[parameters]\ncommission = 7\n",
    "text.yaml": b"parameters:\n  commission: '0.1'\n",
    "alias.yaml": b"a: &x 1\nname: n\n",
    "unknown.toml": b"[parameters]\ncomission = 0.1\n",
    "notes.txt": b"name = 'a'\n",
    "empty.toml": b"",
}


def upload(page: Page, path: Path) -> None:
    """Choose a file with the page's upload button, as a user does."""
    with page.expect_file_chooser() as chooser:
        page.locator(".ruralsim-upload button").click()
    chooser.value.set_files(str(path))


def test_an_uploaded_scenario_file_is_checked_as_the_command_line_checks_one(sim: Page, tmp_path: Path) -> None:
    message = sim.locator(".ruralsim-scenario-message")
    for name, content in BAD_FILES.items():
        path = tmp_path / name
        path.write_bytes(content)
        expected = cli_message("run", str(path)).replace(str(path), name)
        upload(sim, path)
        expect(message).to_contain_text(expected.split("\n")[0])
        for line in expected.split("\n")[1:]:
            expect(message).to_contain_text(line.strip())
    no_server_error(sim)
    good = tmp_path / "good.toml"
    good.write_text("name = 'good'\nseed = 5\n[parameters]\ncommission = 0.2\n")
    upload(sim, good)
    expect(message).to_contain_text("loaded good.toml: press Reset to run it")
    sim.get_by_role("button", name="Reset", exact=True).click()
    expect(sim.locator(".ruralsim-summary")).to_contain_text("seed 5")
    expect(sim.locator(".ruralsim-changes")).to_contain_text("commission")


def test_the_compare_page_refuses_bad_sets_seeds_and_months(browser: Browser, browser_context_args: dict,
                                                             server_url: str) -> None:
    with own_page(browser, browser_context_args, server_url + "/compare") as page:
        message, run = page.locator(".ruralsim-compare-message"), page.get_by_role("button", name="Run A and B")
        cases = [(".ruralsim-set-b textarea", "commission = abc", cli_message("run", "--set", "commission=abc")),
                 (".ruralsim-set-b textarea", "comission = 0.1", cli_message("run", "--set", "comission=0.1")),
                 (".ruralsim-set-b textarea", "commission", cli_message("run", "--set", "commission"))]
        for selector, typed, expected in cases:
            page.locator(selector).fill(typed)
            run.click()
            expect(message).to_contain_text("parameter set B: ")
            expect(message).to_contain_text(expected.split("\n")[-1].strip())
        page.locator(".ruralsim-set-b textarea").fill("commission = 0.3")
        for typed in ("x", "-3"):
            page.locator(".ruralsim-compare-seed input").fill(typed)
            run.click()
            expect(message).to_have_text(cli_message("run", "--seed", typed))
        page.locator(".ruralsim-compare-seed input").fill("3")
        for typed, allowed in (("0", "out of range"), ("241", "out of range"), ("two", "not a whole number")):
            page.locator(".ruralsim-compare-months input").fill(typed)
            run.click()
            expect(message).to_contain_text(f"--months = {typed if allowed == 'out of range' else repr(typed)}: "
                                            f"{allowed}; allowed: a whole number from 1 to 240")
        no_server_error(page)
        page.locator(".ruralsim-compare-months input").fill("2")
        run.click()
        expect(page.locator(".ruralsim-compare-table")).to_contain_text("B - A")
        expect(message).to_have_count(0)


def test_the_experiment_launch_refuses_bad_sizes(browser: Browser, browser_context_args: dict,
                                                 server_url: str) -> None:
    with own_page(browser, browser_context_args, server_url + "/experiments") as page:
        message = page.locator(".ruralsim-launch-message")
        for field, option, typed in (("replicates", "--replicates", "0"), ("replicates", "--replicates", "2.5"),
                                     ("farmers", "--farmers", "50"), ("farmers", "--farmers", "1e4"),
                                     ("months", "--months", "abc"), ("months", "--months", "5000")):
            box = page.locator(f".ruralsim-launch-{field} input")
            box.fill(typed)
            box.press("Enter")  # commit the text to the page's state before Start reads it (else a race with the click)
            page.get_by_role("button", name="Start").click()
            expect(message).to_have_text(cli_message("suite", "trust", option, typed))
            box.fill({"replicates": "2", "farmers": "600", "months": "13"}[field])
            box.press("Enter")
        expect(page.locator(".ruralsim-launch-progress")).to_have_count(0)  # nothing started
        no_server_error(page)
        page.locator(".ruralsim-launch-months input").fill("1")  # the suite's own minimum, past the options'
        page.locator(".ruralsim-launch-months input").press("Enter")
        page.get_by_role("button", name="Start").click()
        expect(message).to_contain_text("months")
