"""The month's phases pass state explicitly: measurement reads without writing, history is its own record."""

from __future__ import annotations

import numpy as np

from abm.core.params import Parameters
from abm.income.passage_points import village_passage_points
from abm.measure.measures import measure
from abm.model import RuralEconomy
from abm.translation.transitions import StabilityHistory, Tallies, tallies


def test_measure_is_pure_and_repeats_the_months_outcomes():
    """Measuring the same state again gives this month's outcomes and leaves farmers and history unchanged."""
    m = RuralEconomy(Parameters(farmers=800, households_per_village=20), seed=4)
    for _ in range(3):
        m.step()
    pv = m.province
    columns = {k: v.copy() for k, v in vars(pv.farmers).items() if isinstance(v, np.ndarray)}
    months_recorded = len(m.history.alive)
    census = tallies(pv.farmers, m.steps, *village_passage_points(pv))
    window = (m.history.alive[0], np.sum(m.history.defected[-12:], axis=0))
    model_level, rows = measure(pv, m.steps, m.carried.year_stats, census, window, None, m.market.audience_scale,
                                np.zeros(4))
    assert model_level["enrolled_share"] == m.metrics["enrolled_share"] and model_level["stability"] == m.metrics["stability"]
    assert [r["enrolled"] for r in rows] == [r["enrolled"] for r in m.region_rows]
    assert len(m.history.alive) == months_recorded
    assert all(np.array_equal(columns[k], v, equal_nan=True) for k, v in vars(pv.farmers).items() if k in columns)


def test_stability_history_looks_back_a_year_and_sums_a_years_defections():
    """After 14 months the year-ago count is month 1's, and recent defections are the last 12 months' sum."""
    history = StabilityHistory()
    zeros = np.zeros((5, 3))
    for month in range(15):
        stages = zeros.copy()
        stages[3] = month  # enrolled
        t = Tallies(stages, zeros[0], zeros[0], zeros[0])
        year_ago, recent = history.record(t, None if month == 0 else np.full(3, float(month)))
    assert year_ago.tolist() == [2.0, 2.0, 2.0]  # alive in month 14 - 12
    assert recent.tolist() == [float(sum(range(3, 15)))] * 3
