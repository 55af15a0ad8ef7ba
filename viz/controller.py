"""The run controls of the simulation page: Reset, Step, Play/Pause at a chosen speed, run N months or to the end.

Mesa's SolaraViz controller is replaced because it cannot be configured to do what a researcher
needs: its Pause runs one more month, its interval sliders show no values, and it has no
fast-forward. Here Play checks Pause before every month and waits until the browser has drawn the
last one (so it never runs ahead of the page), the speed is in months per second, and
"run N months" steps without drawing each month, with a progress bar and a Stop button. Every
step ends with Mesa's ``force_update`` so that the figures (which read ``update_counter``) redraw.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import reacton.core
import solara
from mesa.visualization.utils import force_update

from abm.io.inputs import ScenarioError
from experiments.parsers import PARSE_MONTHS, read_option
from viz.components import model_lock, wait_drawn

#: Play's speeds, months per second; the last draws as fast as the page can
SPEEDS = (1, 2, 4, 8, 15, 30)
#: how often a fast-forward redraws the page and its progress bar (seconds)
PROGRESS_EVERY_S = 0.5
#: longest Play waits for the browser to draw a month before it goes on (a closed or hidden page)
DRAWN_WAIT_S = 3.0
#: the month "to the end" runs to, when the scenario says nothing else (ten years, as the packaged scenarios)
END_MONTH = 120


def step_once(model, render_lock: threading.Lock | None = None, go_on: Callable[[], bool] = lambda: True) -> bool:
    """One month of the model (under its lock, see :func:`viz.components.model_lock`), then redraw.

    With ``render_lock`` (the page's render context's), the month runs only after a render in
    progress (a click's) has finished, and only if ``go_on()`` still says so then: a Pause click
    is seen before the next month, and a click's render never sees a month arrive in every pass
    (reacton would give up: "too many renders"). Returns whether a month ran.
    """
    with render_lock or contextlib.nullcontext():
        if not go_on():
            return False
        with model_lock(model):
            model.step()
    force_update()
    return True


def play_months(model, playing: solara.Reactive[bool], speed: Callable[[], float],
                render_lock: threading.Lock | None = None, drawn: Callable[[int], bool] = lambda month: True) -> None:
    """Step the model while ``playing`` is set, at about ``speed()`` months a second, redrawing each month.

    The next month starts only once ``drawn(month)`` says the browser has drawn this one (it waits
    for the page's acknowledgement): the server never runs ahead of what the researcher sees, so a
    Pause clicked on the page arrives before the next month starts and only the month in progress
    can still appear.
    """
    while model.running:
        start = time.perf_counter()
        if not step_once(model, render_lock, lambda: playing.value):
            return
        drawn(model.steps)
        time.sleep(max(0.01, 1.0 / speed() - (time.perf_counter() - start)))


def fast_forward(model, months: int, running: solara.Reactive[bool], progress: solara.Reactive[float]) -> int:
    """Step the model ``months`` times (until ``running`` is cleared), redrawing every half second; months run."""
    last_draw, done = time.perf_counter(), 0
    for done in range(1, months + 1):
        if not running.value:
            done -= 1
            break
        with model_lock(model):
            model.step()
        if time.perf_counter() - last_draw > PROGRESS_EVERY_S:
            progress.set(100.0 * done / months)
            force_update()
            last_draw = time.perf_counter()
    progress.set(100.0)
    force_update()
    return done


@solara.component
def RunControls(model: solara.Reactive, reset: Callable[[], None], pending: int = 0) -> None:
    """Reset, Step, Play/Pause, speed, and run N months / to the end with progress.

    The card stays at the top of the sidebar when it scrolls, with the count of ``pending``
    parameter changes that wait for Reset.
    """
    playing = solara.use_reactive(False)
    forwarding = solara.use_reactive(False)
    progress = solara.use_reactive(0.0)
    speed = solara.use_reactive(8)
    months = solara.use_reactive("12")
    problem = solara.use_reactive("")
    target, set_target = solara.use_state(0)
    render_lock = reacton.core.get_render_context().thread_lock

    def play_task() -> None:
        if playing.value:
            play_months(model.value, playing, lambda: speed.value, render_lock,
                        lambda month: wait_drawn(model.value, month, DRAWN_WAIT_S))
            playing.set(False)

    def forward_task() -> None:
        if target > 0:
            fast_forward(model.value, target, forwarding, progress)
            forwarding.set(False)
            set_target(0)

    solara.lab.use_task(play_task, dependencies=[playing.value], prefer_threaded=True)
    solara.lab.use_task(forward_task, dependencies=[target], prefer_threaded=True)

    def run(n: int) -> None:
        if n > 0:
            progress.set(0.0)
            forwarding.set(True)
            set_target(n)

    def run_typed() -> None:
        try:
            n = read_option("--months", PARSE_MONTHS, months.value)
        except ScenarioError as err:
            problem.set(str(err))
            return
        problem.set("")
        run(n)

    busy = playing.value or forwarding.value
    with solara.Card("Run", classes=["ruralsim-run"]):
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=lambda: (playing.set(False), reset()),
                          disabled=forwarding.value)
            solara.Button("❚❚ Pause" if playing.value else "▶ Play", color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=forwarding.value)
            solara.Button("Step", color="primary", on_click=lambda: step_once(model.value), disabled=busy)
        if pending:
            solara.Warning(f"{pending} change(s) not applied yet: press Reset.", dense=True,
                           classes=["ruralsim-pending-run"])
        solara.HTML(tag="div", unsafe_innerHTML=f"Play speed: <b>{speed.value} months/s</b>"
                    + (" (as fast as the page draws)" if speed.value == SPEEDS[-1] else ""),
                    classes=["ruralsim-speed-value"], style={"font-size": "13px", "margin-top": "8px"})
        with solara.Div(classes=["ruralsim-speed"], style={"margin-bottom": "18px"}):
            solara.SliderValue("", value=speed, values=list(SPEEDS))
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("months", value=months, style={"max-width": "80px"}, classes=["ruralsim-months"])
            solara.Button("Run", on_click=run_typed, disabled=busy, outlined=True, classes=["ruralsim-run-months"])
            solara.Button(f"to month {END_MONTH}", on_click=lambda: run(END_MONTH - model.value.steps),
                          disabled=busy, outlined=True,
                          classes=["ruralsim-run-to-end"])
        if problem.value:
            solara.Error(problem.value, dense=True, classes=["ruralsim-run-message"])
        if forwarding.value:
            with solara.Row(style={"align-items": "center"}):
                solara.ProgressLinear(value=progress.value, classes=["ruralsim-progress"])
                solara.Button("Stop", on_click=lambda: forwarding.set(False), text=True)
