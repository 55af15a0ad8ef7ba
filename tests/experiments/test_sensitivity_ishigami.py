"""Sobol and Morris plumbing checked against analytic results, then run on the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exphelpers import write

from experiments.experiment import load_experiment
from experiments.sensitivity import evaluate, problem_for, run_sensitivity

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function, whose Sobol indices are known analytically."""
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def test_sobol_indices_of_ishigami_match_analytic_values() -> None:
    """First and total Sobol indices of Ishigami are within 0.01 of the analytic values."""
    table = evaluate(ISHIGAMI, ishigami, "sobol", samples=8192, seed=1)
    assert table.S1.to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.01)
    assert table.ST.to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.01)
    assert (table.S1_conf < 0.05).all() and (table.ST_conf < 0.05).all()


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_the_helpers_are_seeded_by_default(method: str) -> None:
    """The same call gives the same indices and intervals (seed 0, the default, included); another seed differs."""
    first, again = (evaluate(ISHIGAMI, ishigami, method, samples=64) for _ in range(2))
    pd.testing.assert_frame_equal(first, again)
    other = evaluate(ISHIGAMI, ishigami, method, samples=64, seed=9)
    conf = "S1_conf" if method == "sobol" else "mu_star_conf"
    assert not np.array_equal(first[conf], other[conf])


def test_morris_ranks_linear_effects_by_slope() -> None:
    """Morris mu* of a linear function is each slope times its range; sigma is zero."""
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1], [0, 2], [0, 1]]}
    table = evaluate(problem, lambda X: 5 * X[:, 0] + 1 * X[:, 1] + 0 * X[:, 2], "morris", samples=20)
    # elementary effects are per unit of each range: 5 * 1, 1 * 2, 0
    assert table.mu_star.to_numpy() == pytest.approx([5.0, 2.0, 0.0])
    assert table.sigma.to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_problem_ranges_come_from_the_declarations() -> None:
    """The SALib problem takes declared bounds unless overridden."""
    problem = problem_for(["commission", "county_size"], {"commission": (0.01, 0.2)})
    assert problem["bounds"] == [[0.01, 0.2], [2.0, 20.0]]


def test_a_regional_parameter_is_one_sobol_group_of_its_regions() -> None:
    """Grouped by region, g5's three fields get one index, which carries what they do together."""
    names = ["g5_west", "g5_centre", "g5_east", "commission"]
    problem = problem_for(names, group_regions=True)
    assert problem["groups"] == ["g5", "g5", "g5", "commission"]
    table = evaluate(problem, lambda X: X[:, 0] * X[:, 1] + X[:, 2] + 0.1 * X[:, 3], "sobol", samples=1024, seed=2)
    assert list(table.parameter) == ["g5", "commission"]
    # variance: g5's terms 7/144 + 1/12 against commission's 0.01/12, so g5 holds about 99% of it
    assert table.S1.to_numpy() == pytest.approx([0.994, 0.006], abs=0.02)
    assert table.ST.to_numpy() == pytest.approx([0.994, 0.006], abs=0.02)


def test_morris_on_the_model_writes_table_and_plot(tmp_path: Path) -> None:
    """A Morris experiment on the model runs through the runner and writes the CSV and the PNG."""
    file = write(tmp_path, """
base = "default"
months = 12
replicates = 2
parameters = { farmers = 500 }
[design]
kind = "morris"
parameters = ["commission", "initial_trust"]
samples = 2
""")
    table = run_sensitivity(load_experiment(file), tmp_path / "out", "income_mean", workers=1, progress=False)
    assert list(table.parameter) == ["commission", "initial_trust"]
    assert np.isfinite(table.mu_star).all()
    assert (tmp_path / "out" / "sensitivity_income_mean.png").stat().st_size > 1000
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "sensitivity_income_mean.csv"), table)
    results = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert results.point.nunique() == 2 * 3 and results.replicate.nunique() == 2
