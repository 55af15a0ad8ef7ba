"""Confidence intervals and paired differences on samples whose answers are known."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.analysis import mean_ci, paired_differences, summarise


def test_t_interval_of_one_to_five() -> None:
    """Mean 3, sd sqrt(2.5), and 3 -/+ t(0.975, 4) sd / sqrt(5)."""
    ci = mean_ci(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0]))
    half = 2.7764451051977987 * (2.5 ** 0.5) / 5 ** 0.5  # t(0.975, 4) * s / sqrt(n)
    assert ci == pytest.approx({"mean": 3.0, "std": 2.5 ** 0.5, "n": 5, "ci_low": 3 - half, "ci_high": 3 + half})


def test_single_value_has_no_interval() -> None:
    """One value gives a mean but no standard deviation or interval; none gives a count of 0."""
    ci = mean_ci(pd.Series([4.0, None]))
    assert ci["mean"] == 4.0 and ci["n"] == 1 and pd.isna(ci["ci_low"]) and pd.isna(ci["std"])
    assert mean_ci([])["n"] == 0


def _results() -> pd.DataFrame:
    """Two arms, three paired replicates, two months; b - a = 1, 2, 3 at the last month."""
    rows = []
    for seed, base in zip((11, 22, 33), (10.0, 20.0, 30.0), strict=True):
        for month in (0, 1):
            rows.append({"arm": "a", "seed": seed, "month": month, "income": base})
            rows.append({"arm": "b", "seed": seed, "month": month, "income": base + month * seed / 11})
    return pd.DataFrame(rows)


def test_summary_per_arm_and_month() -> None:
    """Means, standard deviations and counts per arm and month are those of the replicates."""
    table = summarise(_results()).set_index(["arm", "month"])
    assert table.loc[("a", 1), "mean"] == pytest.approx(20.0)
    assert table.loc[("b", 1), "std"] == pytest.approx(pd.Series([11.0, 22.0, 33.0]).std())
    assert table.loc[("a", 1), "n"] == 3 and set(table.outcome) == {"income"}


def test_paired_differences_pair_by_seed() -> None:
    """Differences are taken within a seed: their spread, not the arms' spread, sets the interval."""
    diff = paired_differences(_results(), reference="a").set_index("month")
    half = 4.302652729749464 * 1.0 / 3 ** 0.5  # t(0.975, 2) * sd(1, 2, 3) / sqrt(3)
    assert diff.loc[1, ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx([2.0, 2 - half, 2 + half])
    assert diff.loc[0, "mean"] == 0.0 and diff.loc[0, "std"] == 0.0
    assert set(diff.arm) == {"b"} and set(diff.reference) == {"a"}


def test_paired_differences_per_region() -> None:
    """Regional tables pair by seed within each region."""
    regions = pd.concat([_results().assign(region=r) for r in ("west", "east")], ignore_index=True)
    diff = paired_differences(regions, reference="a", by=("month", "region"))
    assert len(diff) == 2 * 2 and set(diff.region) == {"west", "east"}
    assert diff[diff.month == 1]["mean"].tolist() == pytest.approx([2.0, 2.0])
