"""The experiment page: pick a results folder written by the runner and compare its arms.

It reads what :mod:`experiments.runner` writes (``results.parquet``, ``regions.parquet``,
``manifest.json``) through :mod:`experiments.analysis`: the chosen outcome's mean and 95% confidence
band per arm over months, and the final-month summary table with paired differences to the
reference arm.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path

import pandas as pd
import solara
from scipy import stats

from abm.core.params import REGIONS
from abm.io.scenario import ScenarioError
from experiments import figures
from experiments.analysis import (compact_summary, load_results, outcome_names, paired_differences, summarise,
                                  summary_table)
from viz import charts
from viz.components import EChart
from viz.experiment_launch import LaunchCard
from viz.labels import number


#: environment variable naming the folder searched for results (default ``results`` in the working folder)
RESULTS_ENV = "RURALSIM_RESULTS"
#: fewest replicates for which the page's bands are worth reading: the 95% t quantile is 12.7 at 2
#: replicates, 4.3 at 3, 2.8 at 5 (close to its limit 1.96); below 5 the page warns (see docs in viz/README.md)
MIN_REPLICATES = 5
#: most parameters the reference arm's legend label lists
LABEL_PARAMETERS = 3
PROVINCE = "province"
#: what the figure shows: each arm's mean, or each arm's paired difference to the reference arm
LEVELS, DIFFERENCES = "arm means", "difference to the reference arm (paired)"


def results_root() -> Path:
    """Where the page looks for experiment folders: ``$RURALSIM_RESULTS``, else ``./results``."""
    return Path(os.environ.get(RESULTS_ENV, "results"))


def find_result_folders(root: str | Path, depth: int = 3) -> list[Path]:
    """Folders under ``root`` (itself included, up to ``depth`` levels) holding a runner's ``results.parquet``.

    Newest first.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found = [root] if (root / "results.parquet").is_file() else []
    for level in range(1, depth + 1):
        found += [p.parent for p in root.glob("/".join(["*"] * level) + "/results.parquet")
                  if "runs" not in p.parent.parts[len(root.parts):]]
    return sorted(set(found), key=lambda p: (p / "results.parquet").stat().st_mtime, reverse=True)


def read_manifest(folder: str | Path) -> dict:
    """The runner's manifest of an experiment folder (empty when there is none)."""
    path = Path(folder) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def reference_arm(folder: str | Path, arms: list[str]) -> str | None:
    """The experiment's reference arm (from its manifest), else its first arm."""
    ref = (read_manifest(folder).get("experiment") or {}).get("reference")
    return ref if ref in arms else (arms[0] if arms else None)


def outcome_bands(folder: str | Path, outcome: str, scope: str = PROVINCE, reference: str | None = None
                  ) -> pd.DataFrame:
    """Mean and 95% CI of one outcome per arm and month, province-wide or in one region.

    With ``reference``, the paired difference of each other arm to it instead (by replicate seed).
    """
    if scope == PROVINCE:
        df = load_results(folder)
    else:
        df = load_results(folder, regions=True)
        df = df[df["region"] == scope]
    if reference is not None:
        return paired_differences(df, reference, outcomes=[outcome])
    return summarise(df, outcomes=[outcome])


def arm_labels(df: pd.DataFrame, reference: str | None = None) -> dict[str, str]:
    """Each arm's name with the parameters the experiment varies, for legends: ``high (commission 0.12)``.

    The runner writes the varied parameters as the columns between ``seed`` and ``month``. An arm
    lists those where it differs from the reference arm; the reference lists all of them when there
    are at most :data:`LABEL_PARAMETERS` (else its name alone).
    """
    columns = list(df.columns)
    varied = columns[columns.index("seed") + 1:columns.index("month")] if "seed" in columns else []
    rows = {str(row["arm"]): row for _, row in df.drop_duplicates("arm").iterrows()}
    base = rows.get(reference)
    labels = {}
    for arm, row in rows.items():
        names = [n for n in varied if base is None or arm != reference and row[n] != base[n]]
        if arm == reference and len(varied) <= LABEL_PARAMETERS:
            names = varied
        values = [f"{n.removesuffix('_param').replace('_', ' ')} {_shown(row[n])}" for n in names]
        labels[arm] = f"{arm} ({', '.join(values)})" if values else arm
    return labels


def _shown(value) -> str:
    """A parameter value in a legend: numbers in the page's format, anything else as text."""
    return number(value) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def regional_outcomes(folder: str | Path) -> list[str]:
    """Outcomes the experiment also recorded by region (empty without ``regions.parquet``)."""
    path = Path(folder) / "regions.parquet"
    if not path.is_file():
        return []
    columns = pd.read_parquet(path).columns
    return [c for c in columns[list(columns).index("region") + 1:]]


def describe(folder: str | Path, df: pd.DataFrame) -> str:
    """An HTML paragraph on an experiment: name, description, arms, replicates, months."""
    exp = read_manifest(folder).get("experiment") or {}
    arms = list(dict.fromkeys(df["arm"]))
    reps = df.groupby("arm")["seed"].nunique()
    text = f"<b>{escape(str(exp.get('name') or Path(folder).name))}</b>"
    if exp.get("description"):
        text += f": {escape(str(exp['description']))}"
    return (f"<p style='margin:4px 0'>{text}<br>{len(arms)} arms x {int(reps.max())} replicates, months 0-"
            f"{int(df['month'].max())}.</p>")


def band_option(folder: str, outcome: str, scope: str, arms: list[str], reference: str | None, show: str,
                labels: dict[str, str]) -> tuple[dict, int]:
    """The ECharts option of the bands figure and the fewest replicates behind any of its bands."""
    where = "" if scope == PROVINCE else f" ({scope})"
    title, unit = figures.outcome_label(outcome)
    if show == DIFFERENCES and reference is not None:
        summary = outcome_bands(folder, outcome, scope, reference)
        others = [a for a in arms if a != reference]
        option = charts.bands(summary, others, labels, f"{title}{where}: arm minus {reference} (paired)", unit)
        for item in option["series"][:1]:
            item["markLine"] = {"silent": True, "symbol": "none", "data": [{"yAxis": 0}],
                                "lineStyle": {"color": figures.ALL_COLOUR, "width": 1, "type": "solid"}}
    else:
        summary = outcome_bands(folder, outcome, scope)
        option = charts.bands(summary, arms, labels, title + where, unit, reference)
    shown = summary[summary["arm"].isin(arms)]
    return option, int(shown["n"].min()) if len(shown) else 0


def replicate_note(replicates: int) -> tuple[str, str | None]:
    """What the page says of its bands: their replicate count, and a warning below :data:`MIN_REPLICATES`."""
    text = (f"Bands: 95% t confidence interval of the mean over {replicates} replicate"
            f"{'s' if replicates != 1 else ''} per arm and month.")
    if replicates >= MIN_REPLICATES:
        return text, None
    return text, (f"Only {replicates} replicates (fewer than {MIN_REPLICATES}): the t quantile is "
                  f"{stats.t.ppf(0.975, max(replicates - 1, 1)):.1f}, so the bands are wide and can leave the "
                  f"outcome's range (a share below 0); run more replicates before reading them.")


@solara.component
def BandsFigure(folder: str, outcome: str, scope: str, arms: list[str], reference: str | None, show: str,
                labels: dict[str, str]) -> None:
    """Outcome over time with confidence bands, one line per arm (or per arm's difference to the reference)."""
    option, replicates = solara.use_memo(lambda: band_option(folder, outcome, scope, arms, reference, show, labels),
                                         [folder, outcome, scope, tuple(arms), reference, show])
    text, warning = replicate_note(replicates)
    solara.Text(text, classes=["ruralsim-band-replicates"], style={"font-size": "13px"})
    if warning:
        solara.Warning(warning, dense=True, classes=["ruralsim-band-warning"])
    rows = charts.legend_rows(option["legend"].get("data", []), 900.0)
    with solara.Div(classes=["ruralsim-bands"], style={"width": "100%"}):
        EChart("bands", option, height=380 + 22 * rows)


def format_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The final-month table for display: :func:`compact_summary` with means to four significant digits."""
    out = compact_summary(table)
    out["mean"] = [("-" if pd.isna(v) else f"{v:.4g}") for v in out["mean"]]
    return out


@solara.component
def SummaryTable(folder: str, reference: str | None) -> None:
    """The final-month table: mean, 95% CI, and the paired difference to the reference arm."""
    table = solara.use_memo(lambda: format_summary(summary_table(folder, reference)), [folder, reference])
    solara.HTML(tag="p", unsafe_innerHTML=f"<b>Final month</b>: mean and 95% CI per arm; diff: arm minus "
                f"<code>{escape(str(reference))}</code>, paired by replicate seed", style={"margin": "12px 0 4px 0"})
    with solara.Div(classes=["ruralsim-summary-table"]):
        solara.DataFrame(table, items_per_page=50)


@solara.component
def ExperimentView() -> None:
    """Pick a results folder, an outcome, a region and arms; show bands and the summary table."""
    root, set_root = solara.use_state(str(results_root()))
    refresh, set_refresh = solara.use_state(0)
    folders = solara.use_memo(lambda: [str(p) for p in find_result_folders(root)], [root, refresh])
    folder, set_folder = solara.use_state(None)
    if folder not in folders:
        folder = folders[0] if folders else None

    def launched(out: str) -> None:
        set_refresh(lambda count: count + 1)
        set_folder(out)

    with solara.Column(style={"padding": "12px", "max-width": "1400px"}):
        solara.HTML(tag="h2", unsafe_innerHTML="Experiment results", style={"margin": "4px 0 8px 0"})
        LaunchCard(root, launched)
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("results folder to search", value=root, on_value=set_root, continuous_update=False,
                             style={"min-width": "360px"})
            solara.Button("Rescan", on_click=lambda: set_refresh(refresh + 1), outlined=True)
        if not folders:
            solara.Info(f"No experiment results under {root!r}. Run one with `ruralsim experiment FILE` "
                        f"(it writes results/<name>/results.parquet), or set {RESULTS_ENV}.")
            return
        solara.Select("experiment", values=folders, value=folder, on_value=set_folder)
        ExperimentDetail(folder)


def _load(folder: str) -> tuple[pd.DataFrame | None, str | None]:
    """An experiment's results, or the reason they cannot be read."""
    try:
        return load_results(folder), None
    except (ScenarioError, OSError, ValueError) as err:
        return None, f"{folder}: {err}"


@solara.component
def ExperimentDetail(folder: str) -> None:
    """The controls, figure and table of one experiment folder."""
    df, error = solara.use_memo(lambda: _load(folder), [folder])
    outcome, set_outcome = solara.use_state(None)
    scope, set_scope = solara.use_state(PROVINCE)
    show, set_show = solara.use_state(LEVELS)
    arms, set_arms = solara.use_state([])
    regional = solara.use_memo(lambda: regional_outcomes(folder), [folder])
    if error is not None:
        solara.Error(error)
        return
    outcomes = outcome_names(df)
    if not outcomes:
        solara.Warning(f"{folder}: the results table has no outcome columns.")
        return
    all_arms = list(dict.fromkeys(df["arm"].astype(str)))
    reference = reference_arm(folder, all_arms)
    outcome = outcome if outcome in outcomes else outcomes[0]
    arms = [a for a in arms if a in all_arms] or all_arms
    scopes = [PROVINCE, *REGIONS] if outcome in regional else [PROVINCE]
    scope = scope if scope in scopes else PROVINCE

    solara.HTML(tag="div", unsafe_innerHTML=describe(folder, df), classes=["ruralsim-experiment-description"])
    labels = {f"{figures.outcome_label(name)[0]} [{name}, {figures.axis_label(name)}]": name for name in outcomes}
    chosen = next(text for text, name in labels.items() if name == outcome)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Select("outcome", values=list(labels), value=chosen, on_value=lambda t: set_outcome(labels[t]),
                      style={"min-width": "420px"}, classes=["ruralsim-outcome"])
        solara.Select("where", values=scopes, value=scope, on_value=set_scope, style={"max-width": "160px"})
        solara.SelectMultiple("arms", values=arms, all_values=all_arms, on_value=set_arms,
                              style={"min-width": "260px"})
        solara.ToggleButtonsSingle(value=show, values=[LEVELS, DIFFERENCES], on_value=set_show,
                                   classes=["ruralsim-show"])
    BandsFigure(folder, outcome, scope, arms, reference, show, arm_labels(df, reference))
    SummaryTable(folder, reference)
