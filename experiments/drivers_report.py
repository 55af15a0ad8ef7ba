"""The drivers report: per conclusion, the ranked assumptions that move it, and whether and where it flips.

:func:`write_report` writes ``OUT/report.md`` with one figure per conclusion (``drivers_<name>.png``:
the mechanism groups of the screening, the parameters of the refinement, the sweep of the top driver
with its threshold), ``OUT/drivers.csv`` (every Morris index of both stages, ranked per conclusion) and
``OUT/effects.parquet`` (every conclusion's effect at every point of every stage).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from abm.core.params import GROUPS
from experiments.drivers_design import UNSCREENED_GROUPS, Threshold, moving
from experiments.reports import fmt, markdown_table
from experiments.runner import atomic_write, parquet_bytes

if TYPE_CHECKING:  # the analysis (experiments.drivers) calls this module; the report only names its records
    from experiments.drivers import Analysis, Findings

#: drivers listed per conclusion in the summary
SUMMARY_DRIVERS = 3
SIGN_WORDS = {1: "positive", 0: "zero", -1: "negative"}


def ranking(findings: Findings) -> pd.DataFrame:
    """Every Morris index of both stages with its factor's range, ranked by mu* within conclusion and stage."""
    by_name = {a.name: a for a in findings.assumptions}
    frames = []
    for stage, table in (("screening", findings.screening), ("refinement", findings.refinement)):
        if table.empty:
            continue
        t = table.assign(stage=stage)
        t["rank"] = t.groupby("conclusion").mu_star.rank(ascending=False, method="first").astype(int)
        if stage == "refinement":
            t["group"] = t.parameter.map(lambda n: by_name[n].group)
            t["low"] = t.parameter.map(lambda n: by_name[n].range.lo)
            t["high"] = t.parameter.map(lambda n: by_name[n].range.hi)
            t["range"] = t.parameter.map(lambda n: by_name[n].kind)
        else:
            t["group"] = t.parameter
        frames.append(t)
    columns = ["conclusion", "stage", "rank", "parameter", "group", "mu_star", "mu_star_conf", "mu", "sigma", "noise",
               "low", "high", "range"]
    table = pd.concat(frames, ignore_index=True).reindex(columns=columns) if frames else pd.DataFrame(columns=columns)
    return table.sort_values(["conclusion", "stage", "rank"], kind="stable", ignore_index=True)


def default_interval(findings: Findings, name: str) -> tuple[float, float, float, int]:
    """A conclusion's mean effect at the defaults, its 95% t interval (NaN with one seed) and seed count."""
    row = findings.default[findings.default.conclusion == name].iloc[0]
    half = stats.t.ppf(0.975, row.n - 1) * row.se if row.n > 1 else np.nan
    return row["mean"], row["mean"] - half, row["mean"] + half, int(row.n)


def _default_sign(findings: Findings, name: str) -> float:
    """The sign of a conclusion's effect at the defaults."""
    return np.sign(findings.default.loc[findings.default.conclusion == name, "mean"].iloc[0])


def opposite_points(findings: Findings, name: str) -> tuple[int, int]:
    """Design points (screening and refinement) where the effect's sign differs from the one at the defaults."""
    sign = _default_sign(findings, name)
    means = pd.concat([findings.screening_effects, findings.refinement_effects])
    means = means[means.conclusion == name]["mean"].dropna()
    return int((np.sign(means) != sign).sum()), len(means)


def _change(threshold: Threshold, default: float) -> str:
    """How a conclusion's sign changes at a threshold, seen from the default value."""
    below, above = SIGN_WORDS[threshold.sign_low], SIGN_WORDS[threshold.sign_high]
    beyond, near = ((threshold.sign_high, threshold.sign_low) if default <= threshold.value
                    else (threshold.sign_low, threshold.sign_high))
    side = ">" if default <= threshold.value else "<"
    verb = "vanishes" if beyond == 0 else "appears" if near == 0 else "flips"
    return (f"{verb} when {threshold.parameter} {side} {fmt(threshold.value)} "
            f"({below} below, {above} above; bracket [{fmt(threshold.low)}, {fmt(threshold.high)}], "
            f"default {fmt(default)})")


class Verdict(NamedTuple):
    """What a conclusion's sign rests on: a kind (:data:`VERDICTS`) and the sentence a reader can quote."""

    kind: str
    text: str


def verdict(analysis: Analysis, findings: Findings, name: str) -> Verdict:
    """What a reader can say of a conclusion's sign: where it flips, or that it holds, and over what."""
    opposite, points = opposite_points(findings, name)
    at = f"{opposite} of {points} design points" if points else "no design point (undefined)"
    sweep = findings.sweeps.get(name)
    if name in findings.thresholds:
        threshold = findings.thresholds[name]
        default = float(getattr(analysis.plan.base.parameters, threshold.parameter))
        more = f"; the sweep crossed zero {threshold.crossings} times" if threshold.crossings > 1 else ""
        kind = next(a.kind for a in findings.assumptions if a.name == threshold.parameter)
        declared = {"declared": f" ({threshold.parameter} has no plausible range and a default of 0: it was swept "
                                "over its declared range, and the threshold may lie outside what is plausible)",
                    "assumed": f" ({threshold.parameter} is an assumption without a plausible range: it was swept "
                               "over half to one and a half times its default)"}.get(kind, "")
        return Verdict("depends", f"depends on {threshold.parameter}: {_change(threshold, default)}, the other "
                                  f"parameters at their defaults{more}{declared}; the sign differs from the defaults' "
                                  f"at {at}")
    if sweep is None and opposite == 0 and _default_sign(findings, name) == 0:
        return Verdict("zero", f"zero at the defaults and at all {points} design points: no screened assumption "
                               "moves it")
    if sweep is None:
        return Verdict("no single driver", "no single driver stands out (no parameter of the refinement moves it "
                                           f"beyond seed noise); the sign differs from the defaults' at {at}")
    if opposite == 0:
        return Verdict("holds", f"holds across the plausible ranges screened: the same sign at all {points} design "
                                f"points and along {sweep[0]}")
    return Verdict("combinations", f"holds along {sweep[0]} alone, but the sign differs from the defaults' at {at}: "
                                   "it depends on combinations of assumptions")


def top_drivers(table: pd.DataFrame, name: str) -> str:
    """The conclusion's strongest parameters (refinement) or else groups (screening) that move it, with mu*."""
    rows = moving(table[(table.conclusion == name) & (table.stage == "refinement")])
    if rows.empty:
        rows = moving(table[(table.conclusion == name) & (table.stage == "screening")])
    rows = rows.nsmallest(SUMMARY_DRIVERS, "rank")
    return ", ".join(f"{r.parameter} ({fmt(r.mu_star)})" for r in rows.itertuples()) or "-"


def summary(analysis: Analysis, findings: Findings, table: pd.DataFrame) -> list[str]:
    """The summary table: per conclusion, its effect at the defaults, its top drivers and its sign."""
    rows = []
    for name, c in analysis.conclusions.items():
        mean, lo, hi, _ = default_interval(findings, name)
        interval = f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]" if not math.isnan(lo) else fmt(mean)
        rows.append({"conclusion": f"{c.label or name} (`{name}`)", "effect at the defaults [95% CI]": interval,
                     "top drivers (mu*)": top_drivers(table, name), "sign": verdict(analysis, findings, name).text})
    return ["## Summary", "", markdown_table(pd.DataFrame(rows)), ""]


def statistic_words(analysis: Analysis, name: str) -> str:
    """What a conclusion's number is, in words."""
    c = analysis.conclusions[name]
    reference = analysis.experiment.reference_of(c)
    until = min(c.until or analysis.months, analysis.months)
    if c.statistic == "gain_per_yuan":
        return (f"{c.arm}'s cumulative household income above {reference} to month {until}, per yuan it spent "
                "(paired by seed)")
    return f"{c.arm} minus {reference}, {c.outcome}, mean of months {max(until - 12, 0) + 1}-{until} (paired by seed)"


def index_table(table: pd.DataFrame, name: str, stage: str, rows: int = 8) -> str:
    """The largest Morris indices of one conclusion at one stage, as Markdown."""
    t = table[(table.conclusion == name) & (table.stage == stage)].nsmallest(rows, "rank")
    if t.empty:
        return "(not defined at every point: no indices)"
    out = pd.DataFrame({"rank": t["rank"], "factor": t.parameter, "mu*": t.mu_star.map(fmt),
                        "95% CI of mu*": t.mu_star_conf.map(lambda v: f"± {fmt(v)}"), "mu": t.mu.map(fmt)})
    if stage == "refinement":
        out["group"] = t.group
        out["range"] = [f"{fmt(lo)}-{fmt(hi)} ({kind})" for lo, hi, kind in zip(t.low, t.high, t["range"], strict=True)]
    else:
        out["sigma"] = t.sigma.map(fmt)
    return markdown_table(out)


def section(analysis: Analysis, findings: Findings, table: pd.DataFrame, name: str) -> list[str]:
    """One conclusion's section: its statistic, effect, indices, sign and figure."""
    c = analysis.conclusions[name]
    mean, lo, hi, n = default_interval(findings, name)
    noise = table.loc[table.conclusion == name, "noise"]
    floor = (f" Seed noise alone would give mu* of about {fmt(noise.iloc[0])}: smaller indices cannot be told "
             "from it." if len(noise) and not pd.isna(noise.iloc[0]) else "")
    interval = f" [{fmt(lo)}, {fmt(hi)}]" if not math.isnan(lo) else ""
    lines = [f"## {c.label or name} (`{name}`)", "", f"{statistic_words(analysis, name)}. At the defaults: "
             f"{fmt(mean)}{interval} (n = {n}).{floor}", "", "Mechanism groups (screening):", "",
             index_table(table, name, "screening"), "", "Parameters of the top groups (refinement):", "",
             index_table(table, name, "refinement"), "", f"**Sign:** {verdict(analysis, findings, name).text}.", ""]
    if figure(analysis, findings, table, name):
        lines += [f"![drivers of {name}](drivers_{name}.png)", ""]
    return lines


def figure(analysis: Analysis, findings: Findings, table: pd.DataFrame, name: str) -> bool:
    """Draw a conclusion's figure: groups, parameters and the sweep; False where nothing could be drawn."""
    sweep = findings.sweeps.get(name)
    if sweep is None and table[table.conclusion == name].empty:
        return False
    fig = Figure(figsize=(14, 4.2), dpi=80, layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, stage, title in ((axes[0], "screening", "mechanism groups (screening)"),
                             (axes[1], "refinement", "parameters (refinement)")):
        t = table[(table.conclusion == name) & (table.stage == stage)].nsmallest(10, "rank")[::-1]
        below = np.minimum(t.mu_star_conf, t.mu_star)  # mu* is never negative: the interval is clipped at 0
        ax.barh(t.parameter, t.mu_star, xerr=[below, t.mu_star_conf], color="#0072B2", alpha=0.8, capsize=2)
        if len(t) and not pd.isna(t.noise.iloc[0]):
            ax.axvline(t.noise.iloc[0], color="grey", ls=":", label="seed-noise floor")
            ax.legend(fontsize=8, loc="lower right")
        ax.set_xlabel("mu*: change of the effect over the factor's range", fontsize=9)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(labelsize=8)
    if sweep is not None:
        _sweep_panel(axes[2], analysis, findings, name)
    fig.suptitle(f"{name}: {statistic_words(analysis, name)}", fontsize=10)
    fig.savefig(analysis.out / f"drivers_{name}.png")
    return True


def _sweep_panel(ax, analysis: Analysis, findings: Findings, name: str) -> None:
    """The effect along the top driver with its seed interval, zero, the default and the threshold."""
    parameter, rows = findings.sweeps[name]
    half = np.where(rows.n > 1, stats.t.ppf(0.975, np.maximum(rows.n - 1, 1)) * rows.se.fillna(0), 0.0)
    ax.plot(rows.value, rows["mean"], "o-", color="#D55E00", label="effect (mean over seeds)")
    ax.fill_between(rows.value, rows["mean"] - half, rows["mean"] + half, color="#D55E00", alpha=0.2, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    default = float(getattr(analysis.plan.base.parameters, parameter))
    ax.axvline(default, color="grey", ls="--", label="default")
    ax.plot([default], [default_interval(findings, name)[0]], "*", color="black", ms=10, label="effect at the defaults")
    if name in findings.thresholds:
        ax.axvline(findings.thresholds[name].value, color="#009E73", lw=2,
                   label=f"sign change at {fmt(findings.thresholds[name].value)}")
    ax.set_xlabel(f"{parameter} (others at defaults)", fontsize=9)
    ax.set_title("sweep of the top driver", fontsize=10, loc="left")
    ax.legend(fontsize=8)
    ax.tick_params(labelsize=8)


def cost_lines(analysis: Analysis) -> list[str]:
    """What the analysis cost: runs per stage and the minutes measured, on how many workers."""
    cost = {stage: analysis.cost[stage] for stage in analysis.stages}
    runs = sum(int(c["runs"]) for c in cost.values())
    executed = sum(int(c["executed"]) for c in cost.values())
    seconds = sum(c["seconds"] for c in cost.values())
    counts = {c.get("workers", analysis.runner.workers) for c in cost.values()}
    workers = " or ".join(str(w or "all cores") for w in sorted(counts, key=str))
    per_stage = ", ".join(f"{stage} {int(c['runs'])}" for stage, c in cost.items())
    per_run = f"; {seconds / executed:.2f} s of wall time a run, all workers together" if executed else ""
    return ["## Cost", "", f"{runs:,} runs ({per_stage}). The runs this folder executed ({executed:,}) took "
            f"{seconds / 60:.1f} minutes on {workers} worker(s), engine {analysis.runner.engine}{per_run}; runs found "
            "finished (a resumed analysis) cost nothing.", ""]


def method_lines(analysis: Analysis, findings: Findings) -> list[str]:
    """How the analysis was done: sizes, what is screened and over which ranges, what is not and why."""
    s = analysis.size
    groups = list(dict.fromkeys(a.group for a in findings.assumptions))
    declared = [a.name for a in findings.assumptions if a.kind == "declared"]
    p = analysis.plan.base.parameters
    refined_groups = ", ".join(dict.fromkeys(a.group for a in findings.assumptions if a.name in findings.refined))
    return [
        "## Method", "",
        f"{p.farmers:,} households, {analysis.months} months, {s.replicates} paired seed(s) at every point (replicate "
        "k of every arm and point shares one seed). Screening: SALib's Morris method, "
        f"{findings.trajectories[0]} trajectories over {len(groups)} mechanism groups of {len(findings.assumptions)} "
        "parameters (every assumption and calibrated parameter the experiment does not set), one factor per group. "
        f"Refinement: {findings.trajectories[1]} trajectories over the {len(findings.refined)} members of the "
        f"groups that move the conclusions most ({refined_groups}: up to {s.top_groups} per conclusion, strongest "
        f"first, while at most {s.max_factors} parameters vary). Sweeps: each conclusion's top "
        f"driver at {s.levels} values over its range, the others at their defaults; where the sign changes, "
        f"{s.bisections} bisections of the bracket nearest the default. mu* is the mean absolute elementary effect in "
        "the effect's own units per full range of a factor; mu its signed mean (meaningless for a group whose "
        "members pull apart).", "",
        "Groups screened: " + "; ".join(f"**{g}** ({GROUPS[g]})" for g in groups) + ". Not screened: "
        + "; ".join(f"{g} ({why})" for g, why in UNSCREENED_GROUPS.items())
        + "; parameters with a source (inputs set from the stylized facts and statistics); and the fixed values "
          "that are not parameters (the ODD's tables of fixed values).", "",
        "Ranges: the plausible range where a parameter declares one (the calibrated parameters); an assumption "
        "without one from half to one and a half times its default, cut to its declared range (the rule of the "
        "Morris screening: what the code accepts, e.g. income 0-20,000 yuan, is far wider than anyone assumes); "
        "a default of 0 over its declared range, where a flip may lie outside what anyone believes: "
        f"{', '.join(declared) or 'none'}.", ""]


def conclusion_table(analysis: Analysis, findings: Findings, table: pd.DataFrame) -> pd.DataFrame:
    """One row per conclusion: its effect at the defaults with its 95% interval, top drivers and what its sign rests on.

    ``rests_on`` is the verdict's kind (``holds``, ``depends``, ``combinations``, ``no single driver``, ``zero``);
    ``threshold_parameter`` and ``threshold`` say where a ``depends`` flips. The suites' reports, the README
    and the ODD quote this table (``ruralsim docs``).
    """
    rows = []
    for name, c in analysis.conclusions.items():
        mean, lo, hi, seeds = default_interval(findings, name)
        threshold = findings.thresholds.get(name)
        v = verdict(analysis, findings, name)
        rows.append({"conclusion": name, "label": c.label or name, "effect": mean, "ci_low": lo, "ci_high": hi,
                     "seeds": seeds, "top_drivers": top_drivers(table, name), "rests_on": v.kind,
                     "threshold_parameter": threshold.parameter if threshold else "",
                     "threshold": threshold.value if threshold else math.nan, "verdict": v.text})
    return pd.DataFrame(rows)


def write_tables(analysis: Analysis, findings: Findings, table: pd.DataFrame) -> None:
    """Write ``drivers.csv`` (the indices), ``conclusions.csv`` and ``effects.parquet`` (every point's effects)."""
    atomic_write(analysis.out / "drivers.csv", table.to_csv(index=False).encode())
    atomic_write(analysis.out / "conclusions.csv",
                 conclusion_table(analysis, findings, table).to_csv(index=False).encode())
    frames = [findings.default.assign(stage="default"), findings.screening_effects.assign(stage="screening"),
              findings.refinement_effects.assign(stage="refinement")]
    for parameter, rows in findings.sweeps.values():
        frames.append(rows.assign(stage=f"sweep-{parameter}", parameter=parameter))
    atomic_write(analysis.out / "effects.parquet", parquet_bytes(pd.concat(frames, ignore_index=True)))


def write_report(analysis: Analysis, findings: Findings) -> Path:
    """Write ``report.md``, its figures, ``drivers.csv`` and ``effects.parquet``; returns the report's path."""
    table = ranking(findings)
    write_tables(analysis, findings, table)
    e = analysis.experiment
    lines = [f"# Which assumptions decide the conclusions of {e.name}", "", e.description, "",
             "For each conclusion: the assumptions that move it most (Morris mu*: how much the effect changes over a "
             "factor's range), and whether a value within the ranges flips its sign, and where. Written by "
             "`ruralsim drivers` (experiments/drivers.py).", ""]
    lines += summary(analysis, findings, table)
    for name in analysis.conclusions:
        lines += section(analysis, findings, table, name)
    lines += method_lines(analysis, findings) + cost_lines(analysis)
    path = analysis.out / "report.md"
    atomic_write(path, "\n".join(lines).encode())
    return path
