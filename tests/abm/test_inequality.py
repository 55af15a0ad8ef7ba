"""Gini and Theil on hand-made populations."""

from __future__ import annotations

import numpy as np
import pytest

from abm.measure.inequality import gini, theil


def test_theil_parts_add_up_and_match_direct_computation():
    """Between + within equals the total, and each matches the textbook formula."""
    y = np.array([1000.0, 2000.0, 3000.0, 10000.0, 20000.0, 5000.0])
    g = np.array([0, 0, 1, 1, 2, 2])
    t = theil(y, g, 3)
    mu = y.mean()
    direct = np.mean(y / mu * np.log(y / mu))
    shares = np.array([y[g == k].sum() for k in range(3)]) / y.sum()
    means = np.array([y[g == k].mean() for k in range(3)])
    between = np.sum(shares * np.log(means / mu))
    within = sum(shares[k] * np.mean(y[g == k] / means[k] * np.log(y[g == k] / means[k])) for k in range(3))
    assert np.isclose(t.total, direct) and np.isclose(t.between, between) and np.isclose(t.within, within)
    assert np.isclose(t.between + t.within, t.total, rtol=1e-12)


def test_theil_is_zero_for_equal_incomes_and_gini_known_value():
    """Equal incomes give zero inequality; incomes 1, 2, 3, 4 give Gini 0.25 exactly."""
    assert abs(theil(np.full(4, 5.0), np.array([0, 1, 2, 0]), 3).total) < 1e-12
    assert np.isclose(gini(np.array([4.0, 1.0, 3.0, 2.0])), 0.25)


def test_quintile_ratio_is_the_top_fifths_mean_over_the_bottom_fifths():
    """Incomes 1..10: the bottom fifth (1, 2) averages 1.5, the top fifth (9, 10) 9.5."""
    from abm.measure.inequality import quintile_ratio
    assert quintile_ratio(np.arange(10.0, 0.0, -1.0)) == pytest.approx(9.5 / 1.5)
    assert quintile_ratio(np.full(50, 7.0)) == 1.0
