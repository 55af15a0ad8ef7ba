"""Summaries of experiment results: means with t confidence intervals and paired arm differences.

In a notebook::

    from experiments.analysis import load_results, summarise, paired_differences, summary_table
    df = load_results("results/example")          # one tidy row per run and month
    summarise(df)                                  # per arm, month and outcome: mean, std, n, 95% CI
    paired_differences(df, reference="low")        # arm minus reference, paired by replicate seed
    regions = load_results("results/example", regions=True)
    summarise(regions, by=("arm", "month", "region"))
    summary_table("results/example")               # final month, with differences to the reference
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from abm.core.calendar import CALENDAR_COLUMNS
from abm.io.scenario import ScenarioError

STATS = ["mean", "std", "n", "ci_low", "ci_high"]


def load_results(folder: str | Path, regions: bool = False) -> pd.DataFrame:
    """Load an experiment's tidy results (``results.parquet``, or ``regions.parquet`` with ``regions``).

    Raises:
        ScenarioError: If the folder holds no consolidated results.
    """
    path = Path(folder) / ("regions.parquet" if regions else "results.parquet")
    if not path.is_file():
        raise ScenarioError(f"{folder}: no {path.name}; run the experiment first (`ruralsim experiment FILE`)")
    return pd.read_parquet(path)


def outcome_names(df: pd.DataFrame) -> list[str]:
    """The outcome columns of a results table (those after ``month``, except the calendar and ``region``)."""
    after = list(df.columns[df.columns.get_loc("month") + 1:])
    return [c for c in after if c not in ("region", *CALENDAR_COLUMNS)]


def mean_ci(values: pd.Series | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean, sample standard deviation, count and the t-distribution confidence interval of the mean.

    Missing values are left out; with no values the count is 0 and the rest NaN.
    """
    long = pd.DataFrame({"value": np.asarray(values, dtype=float), "g": 0}).dropna()
    if long.empty:
        return dict.fromkeys(STATS, np.nan) | {"n": 0}
    return describe(long, ["g"], level).iloc[0][STATS].to_dict()


def describe(long: pd.DataFrame, by: list[str], level: float = 0.95) -> pd.DataFrame:
    """Group a long table's ``value`` column and add mean, std, n and the t confidence interval.

    Groups of one value get a NaN standard deviation and interval. Over posterior members (a
    ``member`` column with several members, see :mod:`experiments.posterior`) the interval combines
    seed and parameter uncertainty, and the seed-only interval and the sign across members are added.
    """
    if "member" in long.columns and "member" not in by and long.member.nunique() > 1:
        # scikit-learn (via the posterior's history matching): imported only when asked for
        from experiments.posterior import describe_members

        return describe_members(long, by, level)
    out = long.groupby(by, sort=False)["value"].agg(mean="mean", std="std", n="count").reset_index()
    # Student's t quantile: the function scipy.stats.t.ppf calls, without importing scipy.stats (a second
    # of a short command's start-up)
    half = np.asarray(stdtrit(out.n - 1, 0.5 + level / 2)) * out["std"] / np.sqrt(out.n)
    return out.assign(ci_low=out["mean"] - half, ci_high=out["mean"] + half)


def _long(df: pd.DataFrame, outcomes: list[str] | None, keys: list[str]) -> pd.DataFrame:
    """Melt the outcome columns into ``outcome`` and ``value``."""
    return df.melt(id_vars=keys, value_vars=outcomes or outcome_names(df), var_name="outcome")


def summarise(df: pd.DataFrame, outcomes: list[str] | None = None, by: tuple[str, ...] = ("arm", "month"),
              level: float = 0.95) -> pd.DataFrame:
    """Mean, std, n and confidence interval of each outcome per group (default: arm and month).

    Args:
        df: Results from :func:`load_results`.
        outcomes: Outcomes to summarise (default: all).
        by: Grouping columns, e.g. ``("arm", "month", "region")`` for the regional table.
        level: Confidence level.
    """
    return describe(_long(df, outcomes, list(by)), [*by, "outcome"], level)


def final_month(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of the last simulated month."""
    return df[df.month == df.month.max()]


def paired_differences(df: pd.DataFrame, reference: str | None = None, outcomes: list[str] | None = None,
                       by: tuple[str, ...] = ("month",), level: float = 0.95) -> pd.DataFrame:
    """Each arm minus the reference arm, paired by replicate seed (and posterior member), per month and outcome.

    Over posterior members the intervals include calibration uncertainty (see :func:`describe`).

    Args:
        df: Results from :func:`load_results`.
        reference: The reference arm (default: the first arm).
        outcomes: Outcomes to compare (default: all).
        by: Grouping columns besides arm and outcome, e.g. ``("month", "region")`` for regions.
        level: Confidence level of the interval of the mean difference.
    """
    reference = reference or df.arm.iloc[0]
    if reference not in set(df.arm):
        raise ScenarioError(f"reference {reference!r}: not an arm; allowed: {', '.join(df.arm.unique())}")
    keys = [*by, *(["member"] if "member" in df.columns else []), "seed"]
    wide = _long(df, outcomes, ["arm", *keys]).pivot(index=["outcome", *keys], columns="arm", values="value")
    diffs = wide.drop(columns=reference).sub(wide[reference], axis=0)
    long = diffs.stack().rename("value").reset_index()
    return describe(long, ["arm", *by, "outcome"], level).assign(reference=reference)


def reference_arm(folder: Path) -> str | None:
    """The reference arm named in an experiment's manifest, if any."""
    path = folder / "manifest.json"
    return json.loads(path.read_text())["experiment"].get("reference") if path.is_file() else None


def summary_table(folder: str | Path, reference: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """Final-month mean and CI per arm and outcome, with the paired difference to the reference arm.

    Args:
        folder: An experiment's output folder.
        reference: Reference arm (default: the experiment's ``reference``, else its first arm).
        level: Confidence level.
    """
    df = final_month(load_results(folder))
    reference = reference or reference_arm(Path(folder)) or df.arm.iloc[0]
    table = summarise(df, level=level).drop(columns="month")
    diffs = paired_differences(df, reference, level=level)
    kept = ["mean", "ci_low", "ci_high", *[c for c in ("seed_ci_low", "seed_ci_high", "sign_share") if c in diffs]]
    diffs = diffs[["arm", "outcome", *kept]].rename(columns={c: "diff" if c == "mean" else f"diff_{c}" for c in kept})
    order = {name: i for i, name in enumerate(outcome_names(df))}
    table = table.merge(diffs, on=["arm", "outcome"], how="left")
    return table.sort_values("outcome", key=lambda s: s.map(order), kind="stable", ignore_index=True)


def _interval(lo: float, hi: float) -> str:
    """Format a confidence interval, or a dash where there is none."""
    return "-" if pd.isna(lo) else f"[{lo:.4g}, {hi:.4g}]"


def compact_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Condense :func:`summary_table` to outcome, arm, n, mean, CI, difference and its CI.

    Over posterior members the intervals are seed + parameter, and two columns give the difference's
    seed-only interval and the share of members agreeing on its sign.
    """
    compact = pd.DataFrame({
        "outcome": table.outcome, "arm": table.arm, "n": table.n, "mean": table["mean"],
        "95% CI": [_interval(lo, hi) for lo, hi in zip(table.ci_low, table.ci_high, strict=True)],
        "diff": [("-" if pd.isna(d) else f"{d:.4g}") for d in table["diff"]],
        "diff 95% CI": [_interval(lo, hi) for lo, hi in zip(table.diff_ci_low, table.diff_ci_high, strict=True)],
    })
    if "diff_sign_share" in table:
        compact["diff seed-only CI"] = [_interval(lo, hi) for lo, hi in
                                        zip(table.diff_seed_ci_low, table.diff_seed_ci_high, strict=True)]
        compact["sign agrees"] = ["-" if pd.isna(s) else f"{s:.0%}" for s in table.diff_sign_share]
    return compact
