"""Fixtures of the browser-page tests: a small experiment's results, the Solara server, Chromium.

The server runs ``viz/app.py`` exactly as ``ruralsim ui`` does (:func:`viz.serve.command`), on a
free port of 127.0.0.1, with the experiments page pointed at results made here by the runner.
Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``): Playwright cannot download one
offline. Screenshots go to ``test-results/viz/`` (gitignored).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from viz.serve import CHROMIUM, CHROMIUM_ARGS, command, environment, free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "viz"

#: a tiny experiment: two arms x three replicates, 500 households, 12 months (a second or two)
EXPERIMENT = """
name = "viz_small"
description = "Commission 3% against 12% (browser test)"
base = "default"
months = 12
replicates = 3
root_seed = 11
reference = "low"
parameters = { farmers = 500 }
outcomes = ["income_mean", "adoption", "consumer_trust", "fraud_rate", "stability"]

[arms.low]
commission = 0.03

[arms.high]
commission = 0.12
"""


def make_results(folder: Path) -> Path:
    """Run the small experiment with the project's runner (in this process); return its output folder."""
    from experiments.experiment import load_experiment
    from experiments.runner import run_experiment

    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "viz_small.toml"
    file.write_text(EXPERIMENT, encoding="utf-8")
    out = folder / "results" / "viz_small"
    run_experiment(load_experiment(file), out, workers=1, progress=False)
    return out


@pytest.fixture(scope="session")
def experiment_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of the small experiment (``results.parquet``, ``regions.parquet``, ``manifest.json``)."""
    return make_results(tmp_path_factory.mktemp("viz_experiment"))


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90.0) -> None:
    """Wait until ``url`` answers 200, failing early (with the server's log) if the server exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Solara server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the Solara server did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def serve(experiment_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app as ``ruralsim ui`` does over a copy of the small experiment's results; yields its URL.

    A copy, because the page writes there (a suite started from it), and other tests list the original.
    """
    port = free_port()
    served = tmp_path_factory.mktemp("viz_server")
    log = served / "server.log"
    results = served / "results"
    shutil.copytree(experiment_results.parent, results)
    with open(log, "wb") as out:
        proc = subprocess.Popen(command("127.0.0.1", port), cwd=ROOT, env=environment(results),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def server_url(experiment_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The page served for the whole session (tests that only read results)."""
    yield from serve(experiment_results, tmp_path_factory)


@pytest.fixture
def own_server_url(experiment_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page served for one test that writes into its results folder (so the others see the original)."""
    yield from serve(experiment_results, tmp_path_factory)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium headless (Playwright cannot download a browser here)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A desktop-sized window."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Folder for the tests' screenshots (``test-results/viz``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
