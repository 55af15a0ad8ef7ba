"""Common random numbers: replicate k of every arm or design point runs with the same seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from exphelpers import write

from experiments.design import replicate_seeds
from experiments.experiment import load_experiment
from experiments.runner import make_jobs


def test_replicate_seeds_come_from_spawned_seed_sequences() -> None:
    """Seeds are the first words of SeedSequence(root).spawn(n), distinct, and follow the root."""
    children = np.random.SeedSequence(2024).spawn(4)
    assert replicate_seeds(2024, 4) == [int(c.generate_state(1)[0]) for c in children]
    assert len(set(replicate_seeds(2024, 50))) == 50
    assert replicate_seeds(2024, 4) != replicate_seeds(2025, 4)


def test_every_arm_uses_the_same_seed_per_replicate(small_experiment: Path) -> None:
    """Arms share seeds replicate by replicate; each job still has its own run id."""
    jobs = make_jobs(load_experiment(small_experiment))
    by_arm = {point: [j.seed for j in jobs if j.point == point] for point in {j.point for j in jobs}}
    assert by_arm[0] == by_arm[1] == replicate_seeds(7, 3)
    assert all(j.scenario.seed == j.seed for j in jobs)
    assert len({j.run_id for j in jobs}) == len(jobs)


def test_design_points_share_replicate_seeds(tmp_path: Path) -> None:
    """Design points share the replicate seeds too."""
    file = write(tmp_path, "replicates = 2\nroot_seed = 3\n[design]\nkind = 'lhs'\n"
                           "parameters = ['commission', 'initial_trust']\nsamples = 5\n")
    jobs = make_jobs(load_experiment(file))
    assert len(jobs) == 10
    assert {p: [j.seed for j in jobs if j.point == p] for p in range(5)} == {p: replicate_seeds(3, 2) for p in range(5)}


def test_run_ids_depend_on_parameters_seed_and_months(small_experiment: Path) -> None:
    """Run ids are stable across loads and change with the months."""
    plan = load_experiment(small_experiment)
    ids = [j.run_id for j in make_jobs(plan)]
    assert ids == [j.run_id for j in make_jobs(load_experiment(small_experiment))]
    longer = [j.run_id for j in make_jobs(load_experiment(small_experiment, months=13))]
    assert not set(ids) & set(longer)
