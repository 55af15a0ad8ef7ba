"""Start a small experiment from the experiments page: a packaged suite at a small size, with progress.

The page plans the suite as ``ruralsim suite NAME --replicates R --farmers N --months M`` does
(:func:`experiments.reports.suite_plan`) and runs it with the project's runner
(:func:`experiments.runner.run_experiment`, one worker, in a thread of the page's server) into
``<results>/page/NAME_rR_fN_mM`` (the folder the page searches). The progress bar counts the runs
the runner has saved; a run already on disk is not run again (the runner resumes), so pressing
Start twice costs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import solara

from abm.io.scenario import ScenarioError
from experiments.parsers import PARSE_FARMERS, PARSE_MONTHS, PARSE_REPLICATES, read_option
from experiments.reports import SUITE_MIN_MONTHS, SUITES, suite_plan
from experiments.runner import make_jobs, run_experiment

#: how often the progress bar reads the runner's folder (seconds)
POLL_S = 0.5


def launch_folder(root: Path, suite: str, replicates: int, farmers: int, months: int) -> Path:
    """Where a suite started from the page writes its results: ``ROOT/page/NAME_rR_fN_mM``."""
    return Path(root) / "page" / f"{suite}_r{replicates}_f{farmers}_m{months}"


def runs_saved(out: Path) -> int:
    """How many runs of an experiment the runner has saved so far."""
    folder = out / "runs"
    return sum(1 for _ in folder.glob("*.parquet")) if folder.is_dir() else 0


def run_with_progress(plan, out: Path, report: Callable[[float], None]) -> str | None:
    """Run ``plan`` into ``out`` in a thread, calling ``report(percent)`` as runs finish; the error, if any."""
    total, failure = len(make_jobs(plan)), []

    def work() -> None:
        try:
            run_experiment(plan, out, workers=1, progress=False)
        except (ScenarioError, OSError, ValueError) as err:
            failure.append(str(err))

    thread = threading.Thread(target=work, name=f"page experiment {out.name}", daemon=True)
    thread.start()
    while thread.is_alive():
        report(100.0 * runs_saved(out) / total)
        thread.join(POLL_S)
    report(100.0)
    return failure[0] if failure else None


@solara.component
def LaunchCard(root: str, on_done: Callable[[str], None]) -> None:
    """Pick a suite and its size, Start, watch the progress; ``on_done(folder)`` once its results are under ``root``."""
    suite = solara.use_reactive(SUITES[0])
    replicates, farmers = solara.use_reactive("2"), solara.use_reactive("600")
    months = solara.use_reactive(str(SUITE_MIN_MONTHS))
    progress, message = solara.use_reactive(0.0), solara.use_reactive("")
    job, set_job = solara.use_state(None)

    def start() -> None:
        try:
            sizes = (read_option("--replicates", PARSE_REPLICATES, replicates.value),
                     read_option("--farmers", PARSE_FARMERS, farmers.value),
                     read_option("--months", PARSE_MONTHS, months.value))
            plan = suite_plan(suite.value, *sizes)
        except ScenarioError as err:
            message.set(str(err))
            return
        message.set("")
        progress.set(0.0)
        set_job((plan, launch_folder(root, suite.value, *sizes)))

    def run_job() -> None:
        if job is None:
            return
        plan, out = job
        error = run_with_progress(plan, out, progress.set)
        message.set(error or f"done: {len(make_jobs(plan))} runs in {out}")
        set_job(None)
        if error is None:
            on_done(str(out))

    solara.lab.use_task(run_job, dependencies=[job], prefer_threaded=True)
    with solara.Card("Run a small experiment", classes=["ruralsim-launch"], style={"max-width": "1100px"}):
        solara.Text(f"A packaged suite at a small size, run by the project's runner (one worker) into "
                    f"{Path(root) / 'page'}; months from {SUITE_MIN_MONTHS}.", style={"font-size": "13px"})
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Select("suite", values=list(SUITES), value=suite, style={"max-width": "160px"},
                          classes=["ruralsim-launch-suite"])
            solara.InputText("replicates", value=replicates, style={"max-width": "100px"},
                            classes=["ruralsim-launch-replicates"])
            solara.InputText("households", value=farmers, style={"max-width": "110px"},
                            classes=["ruralsim-launch-farmers"])
            solara.InputText("months", value=months, style={"max-width": "90px"}, classes=["ruralsim-launch-months"])
            solara.Button("Start", on_click=start, disabled=job is not None, color="primary",
                          classes=["ruralsim-launch-start"])
        if job is not None:
            solara.ProgressLinear(value=progress.value, classes=["ruralsim-launch-progress"])
            solara.Text(f"{progress.value:.0f}% of the runs", classes=["ruralsim-launch-percent"],
                        style={"font-size": "12px"})
        if message.value:
            solara.Text(message.value, classes=["ruralsim-launch-message"], style={"font-size": "12px"})
