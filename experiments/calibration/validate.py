"""Validation of the baseline against the stylized facts (``ruralsim validate``).

The default scenario runs over replicate seeds through the experiment runner (one arm, seeds from
``SeedSequence(root_seed).spawn(replicates)``, resumable: runs already on disk are reused). Every fact
of ``seeds/facts.csv`` with a measure is computed on every replicate; the table gives each fact's
mean, the 95% t confidence interval of the mean and whether the mean meets the fact (within its
tolerance; see :mod:`experiments.calibration.facts`). Facts are shown in separate groups by what they are
evidence of (:data:`EVIDENCE_TITLES`): independent facts, which nothing was set from, first;
calibration targets; imposed facts (inputs read back, or outputs the inputs were set to produce);
context facts, listed without a value. A policy lever that is off in the baseline is reported as such.

Outputs in ``out`` (default ``results/validate/``): the runner's ``runs/``, ``results.parquet`` and
``manifest.json``; ``facts.csv`` (the table), ``facts.md`` (the same in Markdown) and
``replicates.csv`` (every fact's value on every replicate).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from abm.io.scenario import ScenarioError
from experiments.analysis import mean_ci
from experiments.calibration.facts import EVIDENCE, GROWTH_YEARS, Fact, load_facts, measure_run
from experiments.experiment import Plan, household_warnings, parse_experiment, plan_experiment
from experiments.runner import make_jobs, run_experiment

#: root of the validation seeds (the calibration uses another, so validation is out of sample)
VALIDATION_ROOT_SEED = 12345
DEFAULT_OUT = Path("results/validate")
#: the fewest months the facts can be judged on: the growth window ends with year GROWTH_YEARS[1]
MIN_MONTHS = GROWTH_YEARS[1] * 12
#: the heading of each group of facts, by what they are evidence of (in :data:`experiments.facts.EVIDENCE` order)
EVIDENCE_TITLES = {
    "independent": "Independent facts: never used to set anything (the evidence for the mechanisms)",
    "calibrated": "Calibrated facts: targets the free parameters were fitted to (a check of the fit, not evidence)",
    "imposed": "Imposed facts: inputs read back, or outputs the inputs were set to produce (a check of the set-up)",
    "context": "Context facts: not compared (national scale, or no output of the model to compare)",
}


@dataclass
class LoadedRun:
    """A run read back from the runner's ``runs/<run_id>.parquet``: what the measures read."""

    series: pd.DataFrame
    regions: pd.DataFrame
    manifest: dict[str, Any]


def load_run(path: str | Path) -> LoadedRun:
    """Read one run file of the runner into series (the rows with no region), regions and manifest."""
    table = pq.read_table(path)
    meta = table.schema.metadata or {}
    manifest = json.loads(meta[b"model_manifest"]) if b"model_manifest" in meta else {}
    frame = table.to_pandas()
    series = frame[frame.region.isna()].drop(columns="region").reset_index(drop=True)
    rows = frame[frame.region.notna()]
    regions = rows[[c for c in rows.columns if c in ("month", "region") or rows[c].notna().any()]]
    return LoadedRun(series, regions.reset_index(drop=True), manifest)


def measure_plan(plan: Plan, out: Path, facts: list[Fact]) -> pd.DataFrame:
    """Every fact's value on every run of a finished plan: one row per run (point, arm, replicate, seed)."""
    arms = plan.points.set_index("point").arm
    rows = []
    for job in make_jobs(plan):
        run = load_run(Path(out) / "runs" / f"{job.run_id}.parquet")
        rows.append({"point": job.point, "arm": arms[job.point], "replicate": job.replicate, "seed": job.seed,
                     **measure_run(run, facts)})
    return pd.DataFrame(rows)


@dataclass
class Validation:
    """What :func:`validate` found: the fact table, the per-replicate values and where they were written."""

    table: pd.DataFrame
    replicates: pd.DataFrame
    out: Path
    failed_outputs: list[str]

    @property
    def passed(self) -> bool:
        """Whether every output fact is met."""
        return not self.failed_outputs


def figure(f: Fact) -> str:
    """The fact's figure as text: ``< 0.1``, ``> 0.7``, ``0.25``, an interval, or ``qualitative``."""
    if math.isnan(f.target) and not f.is_bound:
        return "qualitative"
    if f.low is not None and f.high is not None:
        return f"[{f.low:g}, {f.high:g}]"
    if f.high is not None:
        return f"<= {f.high:g}"
    if f.low is not None:
        return f">= {f.low:g}"
    return f"{f.target:g}"


def status(f: Fact, mean: float) -> str:
    """``ok``, ``MISS``, ``context`` (not measured) or ``off in baseline`` (a policy lever set to 0)."""
    if f.kind == "context":
        return "context"
    if f.kind == "policy" and mean == 0:
        return "off in baseline"
    return "ok" if f.within(mean) else "MISS"


def fact_stats(values: pd.DataFrame, f: Fact, level: float) -> dict[str, Any]:
    """Mean, interval, std and n of one fact over replicates; over posterior members, both intervals too.

    With a ``member`` column the interval combines parameter and seed uncertainty, ``seed_ci_*`` is the
    seed-only interval and ``members_within`` the share of members whose seed-mean meets the fact.
    """
    if "member" not in values or values.member.nunique() < 2:
        stats = mean_ci(values[f.id].astype(float).dropna(), level)
        return {k: stats[k] for k in ("mean", "ci_low", "ci_high", "std")} | {"n": int(stats["n"])}
    # scikit-learn (via the posterior's history matching): imported only when asked for
    from experiments.posterior import describe_members

    long = values[["member", f.id]].rename(columns={f.id: "value"}).astype({"value": float}).dropna()
    if long.empty:
        return {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "std": math.nan, "n": 0}
    stats = describe_members(long, [], level).iloc[0]
    met = long.groupby("member").value.mean().map(f.within).mean()
    return {k: stats[k] for k in ("mean", "ci_low", "ci_high", "std", "seed_ci_low", "seed_ci_high")} | {
        "n": int(stats["n"]), "members_within": float(met)}


def fact_table(facts: list[Fact], values: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per fact: figure, acceptance, mean and t confidence interval over replicates, status.

    Over posterior members (a ``member`` column) the interval is seed + parameter (see :func:`fact_stats`).

    Args:
        facts: The stylized facts.
        values: One row per replicate, one column per measured fact id.
        level: Confidence level of the interval of the mean.
    """
    rows = []
    for f in facts:
        lo, hi = f.acceptance()
        row: dict[str, Any] = {"id": f.id, "kind": f.kind, "figure": figure(f), "unit": f.unit,
                               "tolerance": f.tolerance, "accept_low": lo, "accept_high": hi}
        if f.measure and f.id in values:
            row |= fact_stats(values, f, level)
        else:
            row |= {"mean": math.nan, "ci_low": math.nan, "ci_high": math.nan, "std": math.nan, "n": 0}
        row["within"] = "-" if f.kind == "context" else ("yes" if f.within(row["mean"]) else "no")
        row["status"] = status(f, row["mean"])
        row |= {"evidence": f.evidence, "informs": "; ".join(f.informs), "level": f.level, "period": f.period,
                "measure": f.measure, "source": f.source, "statement": f.statement}
        rows.append(row)
    return pd.DataFrame(rows)


def failed_outputs(table: pd.DataFrame) -> list[str]:
    """Ids of the output facts whose mean misses the fact (what ``--strict`` fails on)."""
    return table.loc[(table.kind == "output") & (table.status != "ok"), "id"].tolist()


def _number(x: float) -> str:
    """Four significant digits, or a dash for NaN."""
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4g}"


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader needs, numbers as text: fact, kind, level, period, figure, mean, 95% interval(s), status."""
    shown = pd.DataFrame({
        "fact": table.id, "kind": table.kind, "level": table.level, "period": table.period, "figure": table.figure,
        "tol": table.tolerance.map(_number), "mean": table["mean"].map(_number),
        "95% CI": _intervals(table.ci_low, table.ci_high), "n": table.n, "status": table.status,
        "informs": table.informs.replace("", "-"), "source": table.source.str.replace(".txt", "", regex=False),
    })
    if "seed_ci_low" in table:
        at = list(shown.columns).index("95% CI")
        shown.insert(at, "95% seed+param", shown.pop("95% CI"))
        shown.insert(at + 1, "95% seed only", _intervals(table.seed_ci_low, table.seed_ci_high))
        shown.insert(at + 2, "members met", table.members_within.map(lambda s: "-" if math.isnan(s) else f"{s:.0%}"))
    return shown


def evidence_groups(table: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The fact table split by what the facts are evidence of, in :data:`EVIDENCE_TITLES` order (empty ones out)."""
    return [(EVIDENCE_TITLES[e], table[table.evidence == e]) for e in EVIDENCE if (table.evidence == e).any()]


def group_summary(table: pd.DataFrame) -> str:
    """One line per evidence group: how many of its compared facts are met (``independent: 2 of 3 met``)."""
    parts = []
    for e in EVIDENCE[:-1]:
        compared = table[(table.evidence == e) & (table.status.isin(["ok", "MISS"]))]
        if len(compared):
            parts.append(f"{e}: {int((compared.status == 'ok').sum())} of {len(compared)} met")
    return "; ".join(parts)


def _intervals(lows: pd.Series, highs: pd.Series) -> list[str]:
    """Intervals as text, a dash where there is none."""
    return [("-" if math.isnan(lo) else f"[{lo:.4g}, {hi:.4g}]") for lo, hi in zip(lows, highs, strict=True)]


def pipe_table(shown: pd.DataFrame) -> list[str]:
    """A displayed frame as the lines of a Markdown pipe table."""
    head = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    return [head, rule, *("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |"
                          for row in shown.itertuples(index=False))]


def markdown(table: pd.DataFrame, title: str) -> str:
    """The fact table as a Markdown document: one pipe table per evidence group, then the statements."""
    sections = []
    for heading, group in evidence_groups(table):
        sections += [f"## {heading}", "", *pipe_table(display_frame(group)), ""]
    notes = [f"- `{r.id}` ({r.unit}; {r.evidence}, {r.level}, {r.period}): {r.statement}. Measure "
             f"`{r.measure or '-'}`." for r in table.itertuples()]
    return "\n".join([f"# {title}", "", f"Met, by group: {group_summary(table)}.", "", *sections,
                      "A point fact is met when |mean - figure| <= tol; a bound when the mean lies within the "
                      "bound widened by tol. 95% CI: t interval of the mean over replicates. `informs`: the "
                      "parameters or fixed values an imposed fact was set by, or a calibrated fact pins most.",
                      "", "## The facts", "", *notes, ""])


def print_table(table: pd.DataFrame, title: str) -> None:
    """Print the fact table with rich, one table per evidence group, misses in red."""
    console = Console()
    console.print(title, markup=False)
    for heading, group in evidence_groups(table):
        shown = display_frame(group).drop(columns=["source"])
        t = Table(title=heading, title_justify="left")
        for c in shown.columns:
            t.add_column(c, justify="right" if c in ("tol", "mean", "95% CI", "n") else "left")
        for row in shown.itertuples(index=False):
            style = {"MISS": "red", "ok": "green"}.get(row.status)
            t.add_row(*(str(v) for v in row), style=style)
        console.print(t)
    console.print(f"met, by group: {group_summary(table)}", markup=False)


def baseline_plan(replicates: int, root_seed: int, months: int, farmers: int | None, scenario: str,
                  warn: Callable[[str], object] | None) -> Plan:
    """The validation's plan: the baseline of ``scenario`` at every replicate seed, its settings checked.

    Raises:
        ScenarioError: For too few replicates or too few months to judge the facts.
    """
    if replicates < 1:
        raise ScenarioError(f"--replicates = {replicates}: too few; allowed: a whole number, at least 1")
    if not MIN_MONTHS <= months <= 1200:
        raise ScenarioError(f"--months = {months}: too short to judge the facts (growth is measured over years "
                            f"{GROWTH_YEARS[0]}-{GROWTH_YEARS[1]}); allowed: {MIN_MONTHS} to 1200")
    experiment = parse_experiment({
        "name": "validate", "description": "The baseline against the stylized facts", "base": scenario,
        "months": months, "replicates": replicates, "root_seed": root_seed, "arms": {"baseline": {}},
        "parameters": {} if farmers is None else {"farmers": farmers}}, "validate")
    plan = plan_experiment(experiment, origin="validate")
    for line in household_warnings([s.parameters for s in plan.scenarios]) if warn else ():
        warn(line)
    return plan


def validate(replicates: int = 10, root_seed: int = VALIDATION_ROOT_SEED, months: int = 120,
             farmers: int | None = None, scenario: str = "default", out: str | Path = DEFAULT_OUT,
             engine: str = "local", workers: int | None = None, facts_file: str | Path | None = None,
             progress: bool = True, show: bool = True, posterior: int | None = None,
             posterior_file: str | Path | None = None, address: str | None = None,
             warn: Callable[[str], object] | None = None, wait: bool = False) -> Validation:
    """Run the baseline over replicate seeds through the runner and compare it with every stylized fact.

    Args:
        replicates: Replicate seeds (at least 2 for a confidence interval).
        root_seed: Root of the replicate seeds (``SeedSequence(root_seed).spawn(replicates)``).
        months: Months of each run.
        farmers: Households (default: the scenario's, 30,000 for the default province).
        scenario: Base scenario: a packaged name or a scenario file.
        out: Output folder.
        engine: The runner's engine, ``local`` or ``dask``.
        workers: Worker processes (default: all cores).
        facts_file: Facts file (default: the packaged ``seeds/facts.csv``).
        progress: Show the runner's progress bar.
        show: Print the table.
        posterior: Run over this many calibration-posterior members (each at every replicate seed), so the
            intervals combine parameter and seed uncertainty.
        posterior_file: The posterior ensemble (default: the packaged ``seeds/posterior.parquet``).
        address: A running Dask scheduler (dask engine).
        warn: Where to say that the household count was changed to fit whole villages.
        wait: If another process holds ``out``, wait for it (then reuse its runs) instead of refusing.

    Raises:
        ScenarioError: For settings that cannot validate, or an invalid scenario or facts file.
    """
    plan = baseline_plan(replicates, root_seed, months, farmers, scenario, warn)
    facts = load_facts(facts_file)
    if posterior is not None:
        from experiments.posterior import with_posterior  # scikit-learn: imported only when asked for

        plan = with_posterior(plan, posterior, posterior_file)
    out = Path(out)
    run_experiment(plan, out, engine=engine, workers=workers, address=address, progress=progress, wait=wait)
    values = measure_plan(plan, out, [f for f in facts if f.measure])
    if posterior is not None:
        values.insert(0, "member", values.point.map(plan.points.set_index("point").member))
    values = values.drop(columns=["point", "arm"])
    table = fact_table(facts, values)
    size = plan.base.parameters.farmers
    over = f"{posterior} posterior members x " if posterior is not None else ""
    title = (f"Baseline against the stylized facts: {over}{replicates} replicates, {size:,} households, "
             f"{months} months (root seed {root_seed})")
    values.to_csv(out / "replicates.csv", index=False)
    table.to_csv(out / "facts.csv", index=False)
    (out / "facts.md").write_text(markdown(table, title), encoding="utf-8")
    if show:
        print_table(table, title)
    return Validation(table, values, out, failed_outputs(table))


def validation_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The rows of a committed validation table (``ruralsim validate``'s ``facts.md``) by fact id.

    Numeric cells (mean, tol, n) are floats; the 95% interval is split into ``ci_low`` and ``ci_high``.
    """
    rows: dict[str, dict[str, Any]] = {}
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == "fact":
            header = cells
            continue
        row: dict[str, Any] = dict(zip(header, cells, strict=True))
        for column in ("mean", "tol", "n"):
            row[column] = _float(row.get(column, "-"))
        interval = next((v for k, v in row.items() if k.startswith("95%")), "-")
        low, _, high = interval.strip("[]").partition(", ")
        row["ci_low"], row["ci_high"] = _float(low), _float(high)
        rows[row["fact"]] = row
    return rows


def _float(text: str) -> float:
    """A table cell as a float (NaN for ``-``)."""
    try:
        return float(text)
    except ValueError:
        return math.nan
