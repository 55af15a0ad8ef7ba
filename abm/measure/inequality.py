"""Inequality measures: the Gini coefficient, the top/bottom quintile ratio, and Theil T with its
between/within-region decomposition.

Rule for non-positive incomes (stated in the ODD): Gini uses the incomes as they are, negative
ones included (it can then exceed 1); Theil T needs a logarithm, so it is computed on incomes
raised to at least 1 yuan a year (:data:`INCOME_FLOOR`), a transformation a user can repeat on
``households.parquet``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INCOME_FLOOR = 1.0


def gini(income: np.ndarray) -> float:
    """Gini coefficient of a population's incomes, negative incomes kept (mean difference over twice the mean)."""
    y = np.sort(np.asarray(income, dtype=np.float64))
    n = y.size
    if n == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float((2.0 * np.sum(ranks * y) / (n * y.sum())) - (n + 1.0) / n)


def quintile_ratio(income: np.ndarray) -> float:
    """Mean income of the top fifth over that of the bottom fifth (households ranked by income, ties by order).

    NBS and provincial yearbooks publish rural income by quintile of households ranked by income
    per person; with one household size the ranking by household income is the same.
    """
    y = np.sort(np.asarray(income, dtype=np.float64))
    fifth = y.size // 5
    if fifth == 0:
        return float("nan")
    bottom = y[:fifth].mean()
    return float(y[-fifth:].mean() / bottom) if bottom > 0 else float("inf")


@dataclass(frozen=True)
class Theil:
    """Theil T and its exact split into between-group and within-group parts."""

    total: float
    between: float
    within: float


def theil(income: np.ndarray, group: np.ndarray, groups: int) -> Theil:
    """Theil T = (1/N) sum (y/mu) ln(y/mu) of the incomes raised to :data:`INCOME_FLOOR`, split by group.

    between = sum_g s_g ln(mu_g / mu) and within = sum_g s_g T_g, with s_g the group's income
    share; between + within equals the total exactly.
    """
    y = np.maximum(np.asarray(income, dtype=np.float64), INCOME_FLOOR)
    mu = y.mean()
    total = float(np.mean((y / mu) * np.log(y / mu)))
    count = np.bincount(group, minlength=groups).astype(np.float64)
    sums = np.bincount(group, weights=y, minlength=groups)
    present = count > 0
    mu_g = np.where(present, sums / np.maximum(count, 1), 1.0)
    share = sums / sums.sum()
    ylog = np.bincount(group, weights=y * np.log(y), minlength=groups)
    # T_g = mean_g[(y/mu_g) ln(y/mu_g)] = (sum y ln y) / (n_g mu_g) - ln mu_g
    t_g = np.where(present, ylog / np.maximum(sums, 1e-300) - np.log(mu_g), 0.0)
    between = float(np.sum(np.where(present, share * np.log(mu_g / mu), 0.0)))
    within = float(np.sum(share * t_g))
    return Theil(total, between, within)
