"""Experiment suites: small plans scale budgets, and each suite's report runs end to end."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.analysis import load_results
from experiments.reports import _verdict, gain_per_yuan, predicted_sign, run_suite, suite_plan


def test_smaller_world_scales_every_budget_in_proportion():
    """A tenth of the households gets a tenth of each yuan-per-year budget, so per-household budgets hold."""
    full, small = suite_plan("subsidies"), suite_plan("subsidies", farmers=3000)
    for a, b in zip(full.scenarios, small.scenarios):
        assert b.parameters.farmers == 3000
        assert b.parameters.budget_training == pytest.approx(a.parameters.budget_training / 10)
        assert b.parameters.pairing_cost == pytest.approx(a.parameters.pairing_cost / 10)


def test_gain_per_yuan_is_cumulative_income_gain_over_cumulative_spending():
    """Paired by seed: (sum of income above the reference) / spending to date."""
    df = pd.DataFrame({
        "arm": ["ref", "ref", "x", "x"], "seed": [1, 1, 1, 1], "month": [1, 2, 1, 2], "replicate": 0,
        "income_total": [100.0, 100.0, 110.0, 130.0], "spent_to_date_total": [0.0, 0.0, 20.0, 40.0]})
    g = gain_per_yuan(df, "ref").set_index("month")["value"]
    assert g[1] == pytest.approx(10 / 20) and g[2] == pytest.approx(40 / 40)


def test_verdict_reads_the_interval():
    """An interval on the predicted side supports; on the other side contradicts; across zero does neither;
    below the minimum replicate count there is no verdict."""
    row = pd.Series
    assert _verdict(row({"mean": -1.0, "ci_low": -2.0, "ci_high": -0.5, "n": 5}), "platform_revenue",
                    "lowers") == "supported (n = 5)"
    assert _verdict(row({"mean": 1.0, "ci_low": 0.5, "ci_high": 2.0, "n": 8}), "platform_revenue",
                    "lowers").startswith("contradicted")
    assert _verdict(row({"mean": 0.1, "ci_low": -0.5, "ci_high": 0.7, "n": 5}), "platform_revenue",
                    "raises").startswith("not supported")
    assert _verdict(row({"mean": -1.0, "ci_low": -2.0, "ci_high": -0.5, "n": 2}), "platform_revenue",
                    "lowers") == "not enough replicates (n = 2; a verdict needs at least 5)"


def test_improves_and_worsens_read_the_declared_direction():
    """"Improves" is down for an outcome where lower is better (fraud) and up where higher is (income)."""
    assert predicted_sign("fraud_rate", "improves") == -1 and predicted_sign("fraud_rate", "worsens") == +1
    assert predicted_sign("income_mean", "improves") == +1 and predicted_sign("consumer_trust", "worsens") == -1
    with pytest.raises(ValueError, match="'platform_revenue' is declared neutral"):
        predicted_sign("platform_revenue", "improves")


@pytest.mark.parametrize("name, section", [("trust", "Hypotheses"), ("subsidies", "Cost-effectiveness ranking"),
                                           ("eastwest", "Theil decomposition"), ("programmes", "Outcomes by arm")])
def test_suite_report_runs_end_to_end(tmp_path, name, section):
    """A tiny suite runs through the runner and writes a report with its tables, figures and income effects."""
    report = run_suite(name, tmp_path, workers=1, replicates=2, farmers=1200, months=24)
    text = report.read_text()
    assert section in text and "95%" in text
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.split("## Income effects by region and income part")[1].splitlines()
            if line.startswith("| ") and " | 2 | " in line]
    assert len(rows) == 3 * (load_results(tmp_path).arm.nunique() - 1)  # every other arm, in every region
    for row in rows:  # the parts add up to the change of income per person
        assert float(row[3].split()[0]) == pytest.approx(sum(float(v) for v in row[4:8]), rel=0.01, abs=0.5)
        float(row[8].split()[0].replace(",", ""))  # the consumption saving beside it, a number with its interval
    assert "| consumption saving (not in income) |" in text
    for png in [line.split("(")[1].rstrip(")") for line in text.splitlines() if line.startswith("![")]:
        assert (tmp_path / png).stat().st_size > 10_000
