"""Calibration with uncertainty: history matching on a toy simulator, parameter recovery on the model, the record."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.core.params import CALIBRATION, declarations
from abm.io.scenario import ScenarioError, load_scenario
from abm.io.simulate import run
from experiments.calibration.calibrate import Settings, Space, calibrate, free_parameters
from experiments.calibration.facts import COLUMNS, facts_path, load_facts, measure_run
from experiments.design import replicate_seeds
from experiments.calibration.record import parameter_summary, posterior_frame, write_record
from experiments.history_matching import (CUTOFF, Target, draw_region, history_match, kish_ess, systematic_resample,
                                          tempered_smc, weighted_quantiles)

TRUTH = np.array([0.3, 0.7, 0.5])


def toy(x: np.ndarray) -> np.ndarray:
    """Three outputs of three inputs: the first two pin inputs 0 and 1, input 2 is inert."""
    return np.column_stack([x[:, 0] + 0.5 * x[:, 1] ** 2, np.exp(x[:, 1]) + 0.2 * x[:, 0], 0.1 * x[:, 0] * x[:, 1]])


def noisy_toy(x: np.ndarray, wave: int) -> np.ndarray:
    """The toy outputs at three seeds with replicate noise of sd 0.02."""
    return toy(x)[:, None, :] + np.random.default_rng(wave).normal(0.0, 0.02, (len(x), 3, 3))


@pytest.fixture(scope="module")
def toy_match():
    z = toy(TRUTH[None])[0]
    targets = [Target("a", z[0], None, None, 0.02), Target("b", z[1], None, None, 0.02),
               Target("c", 0.0, None, 0.1, 0.01)]
    return history_match(noisy_toy, 3, targets, waves=3, points=30, seed=1, proposals=4096)


def test_history_matching_rules_out_space_and_its_posterior_covers_the_truth(toy_match) -> None:
    waves, post = toy_match.waves, toy_match.posterior
    assert [w.index for w in waves] == [1, 2, 3]
    assert all(0.0 < w.nroy_fraction < 0.2 for w in waves)  # most of the box is ruled out
    assert waves[0].seed_var[0] == pytest.approx(0.02 ** 2, rel=0.5)  # replicate noise estimated from the seeds
    first = waves[0].emulators[0]
    assert first.q2 > 0.9 and first.coverage > 0.9  # emulator validated by cross-validation
    q = weighted_quantiles(post.x, post.weights, [0.05, 0.95])
    assert np.all((q[0, :2] <= TRUTH[:2]) & (TRUTH[:2] <= q[1, :2]))
    assert q[1, 1] - q[0, 1] < 0.2  # the pinned input is pinned ...
    assert q[1, 2] - q[0, 2] > 0.7  # ... and the inert one stays loose
    assert post.ess > 100 and post.weights.sum() == pytest.approx(1.0)


def test_every_posterior_point_is_non_implausible_and_the_volume_estimate_is_right(toy_match) -> None:
    waves = toy_match.waves
    draws = draw_region(waves, 3, 2000, seed=7)
    worst = np.max([w.implausibility(draws.x) for w in waves], axis=0)
    assert draws.filled == 0 and np.all(worst <= CUTOFF)
    grid = np.random.default_rng(0).random((60_000, 3))  # plain Monte Carlo of the same region
    inside = np.all([w.implausibility(grid) <= CUTOFF for w in waves], axis=0).mean()
    assert draws.volume == pytest.approx(inside, rel=0.25)


def test_tempered_smc_recovers_a_narrow_posterior_that_uniform_draws_miss() -> None:
    k, rng = 10, np.random.default_rng(3)
    mu, sd = rng.uniform(0.3, 0.7, k), rng.uniform(0.01, 0.05, k)

    def log_lik(x: np.ndarray) -> np.ndarray:
        return -0.5 * np.sum(((x - mu) / sd) ** 2, axis=1)

    start = rng.random((3000, k))  # uniform draws: a handful would carry all the importance weight
    assert kish_ess(np.exp(log_lik(start) - log_lik(start).max())) < 5
    x, ess, accepted = tempered_smc(log_lik, lambda p: np.zeros(len(p)), start, np.random.default_rng(4))
    assert len(np.unique(x, axis=0)) > 0.9 * len(start) and min(accepted) > 0.05
    assert np.all(np.abs(x.mean(axis=0) - mu) < 0.2 * sd)
    assert np.all(np.abs(x.std(axis=0) / sd - 1.0) < 0.1)


def test_tempered_smc_corrects_uneven_draws_of_a_thin_curved_region() -> None:
    rng = np.random.default_rng(0)

    def log_lik(x: np.ndarray) -> np.ndarray:  # flat on a thin curved band (a region), zero outside
        return np.where(np.abs(x[:, 1] - 0.3 - 1.2 * (x[:, 0] - 0.5) ** 2) < 0.03, 0.0, -np.inf)

    def log_q(x: np.ndarray) -> np.ndarray:  # the draws' density: the left half 1/0.3 times as often
        return np.log(np.where(x[:, 0] < 0.5, 1.0, 0.3))

    band = rng.random((200_000, 4))
    band = band[np.isfinite(log_lik(band))]
    start = band[rng.random(len(band)) < np.exp(log_q(band))][:3000]
    assert start[:, 0].mean() < 0.4
    x, _, _ = tempered_smc(log_lik, log_q, start, np.random.default_rng(1))
    assert x[:, 0].mean() == pytest.approx(0.5, abs=0.03) and x[:, 0].std() == pytest.approx(12 ** -0.5, abs=0.02)


def test_systematic_resampling_follows_the_weights_without_random_numbers() -> None:
    rows = systematic_resample(np.array([0.1, 0.0, 0.6, 0.3]), 10)
    assert np.bincount(rows, minlength=4).tolist() == [1, 0, 6, 3]
    assert np.array_equal(rows, systematic_resample(np.array([0.1, 0.0, 0.6, 0.3]), 10))


def test_free_parameters_are_those_declared_with_a_plausible_range() -> None:
    decl = {d["name"]: d for d in declarations()}
    free = free_parameters()
    assert free == [n for n, d in decl.items() if d["source"] == CALIBRATION]
    for n in free:
        lo, hi, reason = decl[n]["plausible"]
        assert decl[n]["min"] <= lo < hi <= decl[n]["max"] and len(reason) > 10
    space = Space.plausible(["imitation_rate"])
    middle = sum(decl["imitation_rate"]["plausible"][:2]) / 2
    assert space.values(np.array([0.5]))["imitation_rate"] == pytest.approx(middle)
    with pytest.raises(ScenarioError, match="not free parameters.*allowed"):
        Space.plausible(["commission"])


# --- parameter recovery on the model ---------------------------------------------------------------

RECOVER = {"brand_multiplier": 3.0, "imitation_rate": 0.15}
FIXED = {"coop_branded": 1.0}  # every cooperative branded: a small world then has a price ratio
WORLD = Settings(farmers=1000, months=72, seeds=2, waves=2, points=12, check=2, proposals=1024)
TARGETS = {"unbranded_price_ratio": 0.03, "online_share_of_farm_sales": 0.03, "farm_produce_growth": 0.03}


def facts_at_truth(path: Path) -> Path:
    """A facts file whose calibration targets are the model's own values at :data:`RECOVER`, at the calibration's seeds.

    The same seeds the calibration runs (common random numbers): at 1,000 households two seeds estimate the
    replicate noise poorly, and targets from other seeds could sit outside every design point's reach.
    """
    facts = {f.id: f for f in load_facts()}
    scenario = load_scenario().with_overrides({"farmers": WORLD.farmers, **FIXED, **RECOVER})
    measured = [facts[i] for i in TARGETS]
    seeds = replicate_seeds(WORLD.root_seed, WORLD.seeds)
    values = [measure_run(run(scenario, seed=int(s), months=WORLD.months), measured) for s in seeds]
    with open(facts_path(), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["evidence"] == "calibrated" and row["id"] not in TARGETS:
            row |= {"evidence": "independent", "informs": ""}  # not fitted in this test
        if row["id"] in TARGETS:
            row |= {"target": f"{np.mean([v[row['id']] for v in values]):.6f}", "low": "", "high": "",
                    "tolerance": str(TARGETS[row["id"]])}
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("recovery")
    facts = facts_at_truth(folder / "facts.csv")
    return calibrate(WORLD, list(RECOVER), facts, folder / "work", workers=1, fixed=FIXED, progress=False), folder


def test_calibration_recovers_known_parameters_within_the_posterior_90_percent_interval(recovered) -> None:
    cal, _ = recovered
    summary = parameter_summary(cal, posterior_frame(cal))
    for name, truth in RECOVER.items():
        assert summary[name]["q05"] <= truth <= summary[name]["q95"], (name, summary[name])
    # With a market that clears (issue 29) the price index absorbs part of a brand's list premium, so the price
    # ratio no longer pins the brand multiplier in this small world (0.92 of its range): the recovery above is
    # what is tested; the real record says the same (seeds/calibration.toml, brand_multiplier "loose").
    assert cal.runs == WORLD.seeds * (WORLD.waves * WORLD.points + len(cal.check))


def test_the_record_and_posterior_file_round_trip_and_keep_values_when_asked(recovered, tmp_path: Path) -> None:
    cal, _ = recovered
    (tmp_path / "calibration.toml").write_text("[values]\nimitation_rate = 0.5\ncommission_like = 1.0\n")
    path = write_record(cal, tmp_path, "keep", command="test", date="2025-01-01")
    data = tomllib.loads(path.read_text())
    assert data["values"] == {"imitation_rate": 0.5, "commission_like": 1.0}
    assert data["record"]["default_member"].startswith("keep")
    assert set(data["record"]["waves"]) == {"wave1", "wave2"}
    assert 0 < data["record"]["waves"]["wave2"]["nonimplausible_share"] <= 1
    assert set(data["record"]["waves"]["wave1"]["emulators"]) == set(TARGETS)
    frame = pd.read_parquet(tmp_path / "posterior.parquet")
    assert frame.weight.sum() == pytest.approx(1.0) and set(RECOVER) <= set(frame.columns)
    # a parameter the previous record did not calibrate has no calibrated value to keep: its posterior median
    (tmp_path / "calibration.toml").write_text('[record]\nparameters = ["imitation_rate"]\n\n'
                                               '[values]\nimitation_rate = 0.5\nbrand_multiplier = 9.0\n')
    kept = tomllib.loads(write_record(cal, tmp_path, "keep", command="test").read_text())
    median = parameter_summary(cal, posterior_frame(cal))["brand_multiplier"]["q50"]
    assert kept["values"] == {"imitation_rate": 0.5, "brand_multiplier": median} and median != 9.0
    assert kept["record"]["default_member"].endswith("at their weighted posterior medians: brand_multiplier")
    best = write_record(cal, tmp_path, "best", command="test")
    row = int(cal.check.sort_values("score").iloc[0].row)
    chosen = tomllib.loads(best.read_text())["values"]["brand_multiplier"]
    assert chosen == pytest.approx(frame.brand_multiplier[row], rel=1e-4)
