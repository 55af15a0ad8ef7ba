"""How fast the browser page answers, driven in Chromium as a researcher would, beside the model's own step time.

Usage::

    python benchmarks/ui_benchmark.py [--repeats 7] [--play-seconds 6] [--farmers 6000] [--report PATH]

It serves the page as ``ruralsim ui`` does, opens it in Debian's Chromium (Playwright) and measures,
each as the median of ``--repeats`` tries: page load (until the summary shows), a Step (click until
the summary shows the next month), a Reset, a map layer change; then Play for ``--play-seconds``
(months per second) and how many months still run after Pause. The model's step time is measured
in this process on the same scenario. Prints the table and writes ``benchmarks/ui_benchmark.md``.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import re
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from viz.serve import CHROMIUM, CHROMIUM_ARGS, command, environment, free_port

REPORT = Path(__file__).with_name("ui_benchmark.md")
ROOT = Path(__file__).resolve().parents[1]
#: what the page must reach on two cores (the issue's targets)
#: (months after Pause: at most the month in progress when the click left the browser)
TARGETS = {"step_s": ("<", 0.3), "play_months_per_s": (">=", 4.0), "months_after_pause": ("<=", 1.0)}
#: how long Pause may take before it counts as never taking
PAUSE_WAIT_MS = 60_000
PLAY = re.compile(r"^(▶|▶ Play|Play)$")
PAUSE = re.compile(r"^(❚❚|❚❚ Pause|Pause)$")


@contextmanager
def served() -> Iterator[str]:
    """The page served on a free port of 127.0.0.1 (stopped on exit)."""
    port = free_port()
    proc = subprocess.Popen(command("127.0.0.1", port), cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def month(page: Page) -> int:
    """The month the summary shows (its first number)."""
    row = page.locator(".ruralsim-summary tr", has=page.locator("td", has_text=re.compile("^month")))
    return int(re.match(r"\d+", row.locator("td").nth(1).inner_text().replace(",", "")).group())


def timed(action: Callable[[], None], done: Callable[[], None]) -> float:
    """Seconds from ``action`` until ``done`` returns."""
    start = time.perf_counter()
    action()
    done()
    return time.perf_counter() - start


def wait_month(page: Page, target: int) -> None:
    """Wait until the summary shows month ``target``."""
    deadline = time.monotonic() + 60
    while month(page) != target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page did not reach month {target}")
        page.wait_for_timeout(10)


def step_seconds(page: Page) -> float:
    """Seconds from a click on Step until the next month shows."""
    before = month(page)
    return timed(lambda: page.get_by_role("button", name="Step", exact=True).click(),
                 lambda: wait_month(page, before + 1))


def reset_seconds(page: Page) -> float:
    """Seconds from a click on Reset until month 0 shows (after a step, so that there is something to reset)."""
    step_seconds(page)
    return timed(lambda: page.get_by_role("button", name="Reset", exact=True).click(), lambda: wait_month(page, 0))


def layer_seconds(page: Page, label: str) -> float:
    """Seconds from picking a map layer until the map shows it (new image, or the map's ``data-layer``)."""
    the_map = page.locator(".ruralsim-chart-map").first
    before = the_map.evaluate("el => (el.querySelector('img') || {}).src || el.dataset.layer")
    page.locator(".ruralsim-map-layer").first.click()
    option = page.get_by_role("option", name=label, exact=True)
    return timed(option.click, lambda: page.wait_for_function(
        "([el, before]) => ((el.querySelector('img') || {}).src || el.dataset.layer) !== before",
        arg=[the_map.element_handle(), before], timeout=60_000))


def play(page: Page, seconds: float) -> tuple[float, int, float]:
    """Months per second under Play, months that still ran after Pause was pressed, seconds until it took.

    The clock starts when the page shows the Pause button (the server took the click) and stops
    when Pause is clicked; months after Pause are counted once the Play button is back.
    """
    page.get_by_role("button", name=PLAY).click()
    page.get_by_role("button", name=PAUSE).wait_for()
    start, start_month = time.perf_counter(), month(page)
    page.wait_for_timeout(seconds * 1000)
    at_pause = month(page)
    elapsed = time.perf_counter() - start
    try:
        paused = timed(page.get_by_role("button", name=PAUSE).click,
                       lambda: page.get_by_role("button", name=PLAY).wait_for(timeout=PAUSE_WAIT_MS))
    except PlaywrightTimeout:  # Pause never took: reported as infinite (months after it unknown); a fresh page goes on
        page.reload()
        page.locator(".ruralsim-summary").first.wait_for()
        return (at_pause - start_month) / elapsed, math.nan, math.inf
    page.wait_for_timeout(2000)
    return (at_pause - start_month) / elapsed, month(page) - at_pause, paused


def model_step_ms(farmers: int, months: int = 24) -> float:
    """Median milliseconds of one month of the page's model (built as the page builds it)."""
    from viz.controls import UIModel

    model = UIModel(farmers=farmers)
    times = []
    for _ in range(months):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(url: str, repeats: int, play_seconds: float, query: str) -> dict[str, float]:
    """Every figure of the table for one page (medians of ``repeats``)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        loads = []
        for _ in range(max(1, repeats // 2)):
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(60_000)
            loads.append(timed(lambda: page.goto(url + "/" + query),
                               lambda: page.locator(".ruralsim-summary").first.wait_for()))
            page.wait_for_timeout(1500)
            if len(loads) < max(1, repeats // 2):
                page.close()
        steps = [step_seconds(page) for _ in range(repeats)]
        rates, after, pauses = zip(*[play(page, play_seconds) for _ in range(3)], strict=True)
        resets = [reset_seconds(page) for _ in range(max(1, repeats // 2))]
        layers = [layer_seconds(page, label) for label in ("online adoption", "region")
                  for _ in range(max(1, repeats // 4))]
        browser.close()
    return {"load_s": statistics.median(loads), "step_s": statistics.median(steps),
            "play_months_per_s": statistics.median(rates), "months_after_pause": statistics.median(after),
            "pause_s": statistics.median(pauses),
            "reset_s": statistics.median(resets), "layer_s": statistics.median(layers)}


def report(figures: dict[str, float], farmers: int, step_ms: float, label: str) -> list[str]:
    """Markdown lines: one row of figures with the targets they are checked against."""
    def cell(name: str) -> str:
        value = figures[name]
        text = f"{value:.2f}" if name != "months_after_pause" else f"{value:.0f}"
        if name in TARGETS:
            op, target = TARGETS[name]
            met = {"<": value < target, ">=": value >= target, "<=": value <= target}[op]
            text += " (met)" if met else f" (target {op} {target:g})"
        return text

    names = ["load_s", "step_s", "play_months_per_s", "months_after_pause", "pause_s", "reset_s", "layer_s"]
    return [f"| {label} | {farmers:,} | {step_ms:.1f} | " + " | ".join(cell(n) for n in names) + " |"]


HEADER = ["| page | farmers | model step ms | load s | step s | Play months/s | months after Pause | Pause s | "
          "reset s | layer change s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]


def main() -> None:
    """Measure, print and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="tries per figure (the median is reported)")
    parser.add_argument("--play-seconds", type=float, default=6.0, help="how long each Play runs")
    parser.add_argument("--farmers", type=int, nargs="+", default=[6000],
                        help="page sizes (the page's `farmers`; other than 6000 needs a page that reads ?farmers=)")
    parser.add_argument("--label", default=os.environ.get("UI_BENCHMARK_LABEL", "this commit"))
    parser.add_argument("--report", type=Path, default=REPORT, help=f"markdown file to write (default: {REPORT})")
    args = parser.parse_args()
    rows = []
    with served() as url:
        for farmers in args.farmers:
            query = "" if farmers == 6000 else f"?farmers={farmers}"
            figures = measure(url, args.repeats, args.play_seconds, query)
            rows += report(figures, farmers, model_step_ms(farmers), args.label)
            print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["# Browser page benchmark", "",
            f"Chromium (headless, Debian's) on the page served as `ruralsim ui`, window 1440x900, {date.today()}, "
            f"CPython {platform.python_version()}, {os.cpu_count()} cores, load average {load:.1f} at the end. "
            f"Medians of {args.repeats} tries (Play: 3 runs of {args.play_seconds:g} s).", "",
            *HEADER, *rows, "",
            "Pause s: click on Pause until the Play button is back. Step: click until the summary shows the next month (the figures are redrawn in the same server "
            "pass). Targets: " + ", ".join(f"{k} {op} {v:g}" for k, (op, v) in TARGETS.items()) + ". "
            "Regenerate with `python benchmarks/ui_benchmark.py`."]
    args.report.write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
