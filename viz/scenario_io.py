"""Scenarios and downloads of the simulation page: the controls as a scenario file or an address, saved and loaded.

A scenario of the page is the runner's scenario format (:class:`abm.io.scenario.Scenario`: name,
seed, months, ``[parameters]``) holding every parameter that differs from the app's defaults, so
``ruralsim run FILE`` and the page build the same model. Saved scenarios go to
``<results>/scenarios/NAME.toml``; a scenario file can be uploaded too, checked as ``ruralsim run FILE``
checks one (:func:`state_from_upload`). The page's address carries the same values as a query
(``?preset=...&seed=7&farmers=60000``), read when a page opens. Downloads: the run's tables as
CSV or Parquet (series, regions, the money ledger, the household panel once it has a year end)
and its scenario file.
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import ipywidgets as widgets
import pandas as pd
import solara
import tomli_w
from mesa.visualization.utils import update_counter

from abm.io.inputs import table_from_bytes
from abm.io.scenario import ScenarioError, parse_overrides, parse_scenario
from viz.components import history
from viz.controller import END_MONTH
from viz.controls import DEFAULT_PRESET, DEFAULT_SEED, PRESETS, parse_seed, preset_values
from viz.experiments_view import results_root
from viz.panel import initial_state

#: what a saved scenario may be called (it becomes a file name)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Start:
    """What a page opens with: the panel's state, the seed text, and any problem with the address."""

    state: dict[str, Any]
    seed: str
    problem: str | None = None


def state_from_query(query: str) -> Start:
    """The panel's state and seed from a page address's query (``preset``, ``seed``, then parameters).

    An unknown name or preset leaves the defaults and says why (in :attr:`Start.problem`).
    """
    pairs = dict(parse_qsl(query.lstrip("?")))
    preset = pairs.pop("preset", DEFAULT_PRESET)
    seed = pairs.pop("seed", str(DEFAULT_SEED))
    if preset not in PRESETS:
        return Start(initial_state(), seed, f"preset {preset!r} in the address: not a preset of the page")
    state = initial_state(preset)
    try:
        values = parse_overrides([f"{k}={v}" for k, v in pairs.items()])
    except ScenarioError as err:
        return Start(state, seed, f"the address: {err}")
    return Start({**state, "values": {**state["values"], **values}}, seed)


def query_of(state: dict[str, Any], seed: str) -> str:
    """The address query that opens a page with these controls (only what differs from the preset)."""
    base = preset_values(state["preset"])
    changed = {k: v for k, v in state["values"].items() if base.get(k) != v}
    pairs = {"preset": state["preset"]} if state["preset"] != DEFAULT_PRESET else {}
    if str(seed) != str(DEFAULT_SEED):
        pairs["seed"] = str(seed)
    return urlencode(pairs | {k: str(v).lower() if isinstance(v, bool) else v for k, v in changed.items()})


def scenario_toml(state: dict[str, Any], seed: str, name: str = "page", months: int = END_MONTH) -> str:
    """The controls as a runner scenario file (TOML), validated first (raises ScenarioError when not allowed)."""
    values = {"name": name, "description": f"Saved from the browser page (preset: {state['preset']})",
              "months": months, "seed": parse_seed(seed), "parameters": dict(state["values"])}
    parse_scenario(values, "the page's controls")
    return tomli_w.dumps(values)


def state_from_toml(text: str, origin: str) -> tuple[dict[str, Any], str]:
    """The panel's state and seed from a scenario file's text (validated; raises ScenarioError)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{origin}: not TOML: {err}") from err
    return state_from_table(data, origin)


def state_from_upload(name: str, content: bytes) -> tuple[dict[str, Any], str]:
    """The panel's state and seed from an uploaded scenario file, checked as ``ruralsim run FILE`` checks a file
    (so a bad one is refused with the same message; raises ScenarioError)."""
    return state_from_table(table_from_bytes(content, name), name)


def state_from_table(data: dict[str, Any], origin: str) -> tuple[dict[str, Any], str]:
    """The panel's state and seed from a scenario's table (validated; raises ScenarioError)."""
    scenario = parse_scenario(data, origin)
    state = initial_state()
    given = data.get("parameters", {})
    return {**state, "values": {**state["values"], **given}}, str(scenario.seed)


def scenario_folder() -> Path:
    """Where the page saves scenarios: ``<results>/scenarios``."""
    return results_root() / "scenarios"


def save_scenario(state: dict[str, Any], seed: str, name: str) -> Path:
    """Write the controls to ``<results>/scenarios/NAME.toml``; never overwrites (raises ScenarioError)."""
    if not NAME.match(name):
        raise ScenarioError(f"scenario name {name!r}: allowed: letters, digits, '_', '-', '.' (up to 64)")
    path = scenario_folder() / f"{name}.toml"
    if path.exists():
        raise ScenarioError(f"{path}: exists already; pick another name")
    text = scenario_toml(state, seed, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scenario_download(state: dict[str, Any], seed: str, name: str) -> tuple[bytes | None, str]:
    """The controls' scenario file to download, or None and why not (a seed or name that is not allowed, with the
    command line's message): checked before the button is offered, so a click never ends in a server error."""
    try:
        return scenario_toml(state, seed, name).encode("utf-8"), ""
    except ScenarioError as err:
        return None, f"no scenario TOML to download: {err}"


def saved_scenarios() -> list[str]:
    """Names of the scenarios saved under the results folder, sorted."""
    folder = scenario_folder()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def table_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """A table as CSV or Parquet bytes."""
    if kind == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@solara.component
def ScenarioCard(state: solara.Reactive, seed: solara.Reactive, model) -> None:
    """Save, load, link and download the controls as a scenario; download the run's tables."""
    name = solara.use_reactive("my_scenario")
    message, set_message = solara.use_state("")
    saved_names, set_saved = solara.use_state(saved_scenarios())
    query = query_of(state.value, seed.value)
    scenario_file, download_problem = scenario_download(state.value, seed.value, name.value)

    def save() -> None:
        try:
            set_message(f"saved {save_scenario(state.value, seed.value, name.value)}")
            set_saved(saved_scenarios())
        except ScenarioError as err:
            set_message(str(err))

    def load(chosen: str) -> None:
        path = scenario_folder() / f"{chosen}.toml"
        try:
            new_state, new_seed = state_from_toml(path.read_text(encoding="utf-8"), str(path))
        except (ScenarioError, OSError) as err:
            set_message(str(err))
            return
        state.set(new_state)
        seed.set(new_seed)
        set_message(f"loaded {path}: press Reset to run it")

    def upload(files: tuple[dict[str, Any], ...]) -> None:
        if not files:
            return
        name = files[-1]["name"]
        try:
            new_state, new_seed = state_from_upload(name, bytes(files[-1]["content"]))
        except ScenarioError as err:
            set_message(str(err))
            return
        state.set(new_state)
        seed.set(new_seed)
        set_message(f"loaded {name}: press Reset to run it")

    with solara.Card("Scenario and downloads", classes=["ruralsim-scenario"]):
        solara.HTML(tag="div", unsafe_innerHTML=f"link to these controls: <a class='ruralsim-link' "
                    f"href='?{query}'>?{query or '(the defaults)'}</a>", style={"font-size": "12px",
                    "word-break": "break-all"})
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("name", value=name, style={"max-width": "150px"}, classes=["ruralsim-save-name"])
            solara.Button("Save", on_click=save, outlined=True, classes=["ruralsim-save"])
        if saved_names:
            solara.Select("load a saved scenario", values=saved_names, value=None, on_value=load,
                          classes=["ruralsim-load"])
        with solara.Div(classes=["ruralsim-upload"]):
            widgets.FileUpload.element(accept=".toml,.yaml,.yml", multiple=False, description="load a file",
                                       on_value=upload)
        if message:
            solara.Text(message, classes=["ruralsim-scenario-message"], style={"font-size": "12px"})
        if scenario_file is None:
            solara.Text(download_problem, classes=["ruralsim-download-problem"], style={"font-size": "12px"})
        else:
            solara.FileDownload(scenario_file, filename=f"{name.value}.toml", label="scenario TOML")
        RunDownloads(model)


def run_tables(model) -> dict[str, Callable[[], pd.DataFrame]]:
    """The run's tables the page offers, by file name: series, regions, the money ledger, the household panel.

    The household panel (a row per household at each year end, as ``ruralsim run --panel yearly``)
    is offered once it has a year end.
    """
    tables = {"series": lambda: history(model).series, "regions": lambda: history(model).regions,
              "ledger": model.money.frame}
    if model.household_panel is not None and model.household_panel.households:
        tables["households"] = model.household_panel.household_frame
    return tables


@solara.component
def RunDownloads(model) -> None:
    """Download buttons of the run's tables as CSV and Parquet (redrawn each month: the panel appears at month 12)."""
    update_counter.get()
    tables = run_tables(model)
    with solara.Div(classes=["ruralsim-run-downloads"],
                    style={"display": "flex", "flex-wrap": "wrap", "gap": "4px"}):
        for table, read in tables.items():
            for kind in ("csv", "parquet"):
                solara.FileDownload(lambda r=read, k=kind: table_bytes(r(), k), filename=f"{table}.{kind}",
                                    label=f"{table}.{kind}")
        if "households" not in tables:
            solara.Text("household panel: from the first year end (month 12)", style={"font-size": "12px"})
