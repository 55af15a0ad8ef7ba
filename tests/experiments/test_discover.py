"""Scenario discovery: PRIM and CART find a planted box; the command reads a real experiment folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from exphelpers import ROOT

from abm.io.scenario import ScenarioError
from experiments.policy.discover import discover, results_table


def _planted(n: int = 1000, seed: int = 5) -> pd.DataFrame:
    """Four uniform factors and a categorical one; the outcome is low inside x0 > 0.6, x1 < 0.3, rule = 'a'."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.random((n, 4)), columns=["x0", "x1", "x2", "x3"])
    table["rule"] = rng.choice(["a", "b"], n)
    inside = (table.x0 > 0.6) & (table.x1 < 0.3) & (table.rule == "a")
    return table.assign(gain=np.where(inside, 1.0, 10.0) + rng.normal(0, 0.1, n))


def test_prim_and_cart_find_the_planted_box() -> None:
    """The chosen PRIM box restricts x0, x1 and rule near the planted limits and leaves x2, x3 free."""
    found, _ = discover(_planted(), ["x0", "x1", "x2", "x3", "rule"], "gain < 5", mass_min=0.02, min_coverage=0.8)
    box = found.box.set_index("feature")
    assert set(box.index[box.restricted]) == {"x0", "x1", "rule"}
    assert abs(float(box.at["x0", "low"]) - 0.6) < 0.05 and abs(float(box.at["x1", "high"]) - 0.3) < 0.05
    assert box.at["rule", "low"] == "a"
    chosen = found.trajectory.iloc[found.chosen]
    assert chosen.coverage >= 0.8 and chosen.density > 0.9
    top = set(found.scores.feature.iloc[:3])
    assert top == {"x0", "x1", "rule"}
    assert "x0 >" in found.rules or "x0 <=" in found.rules


def test_a_condition_that_never_holds_is_a_clear_error() -> None:
    """Discovery needs rows inside and outside the condition, and known columns."""
    with pytest.raises(ScenarioError, match="holds in 0 of"):
        discover(_planted(), ["x0"], "gain < -100")
    with pytest.raises(ScenarioError, match="allowed: a comparison"):
        discover(_planted(), ["x0"], "gian < 5")


def test_discover_command_reads_an_optimisation_folder(tmp_path: Path) -> None:
    """`ruralsim discover` on an optimisation folder writes its report; a bad condition exits 2."""
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"fund_rate": rng.random(300) * 0.05, "demand_scale": 0.2 + rng.random(300) * 0.3})
    table["gain"] = 100 * table.fund_rate - 10 * (table.demand_scale < 0.3)
    table.to_parquet(tmp_path / "evaluations.parquet")
    (tmp_path / "manifest.json").write_text(json.dumps({"features": ["fund_rate", "demand_scale"]}))
    assert results_table(tmp_path)[1] == ["fund_rate", "demand_scale"]
    run = [sys.executable, "-m", "experiments.cli.app", "discover", str(tmp_path)]
    done = subprocess.run([*run, "--where", "gain < 0"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    box = pd.read_csv(tmp_path / "discovery" / "box.csv").set_index("feature")
    assert box.at["demand_scale", "restricted"] and float(box.at["demand_scale", "high"]) < 0.32
    bad = subprocess.run([*run, "--where", "gain <"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "--where" in bad.stderr
