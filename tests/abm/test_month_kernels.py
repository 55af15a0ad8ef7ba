"""Each compiled kernel of the monthly step computes its plain-numpy equation in abm/income/reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.core.stages import CHANNELS, STAGES
from abm.income import kernels as kernel
from abm.income import reference

HOUSEHOLDS = 9
VILLAGES = 30
N = HOUSEHOLDS * VILLAGES
SEEDS = [0, 1, 2]


def _both(fn_kernel, fn_reference, make_args):
    """Run kernel and reference on separate copies of the same inputs; return (results, inputs) of each."""
    a, b = make_args(), make_args()
    return (fn_kernel(*a), a), (fn_reference(*b), b)


@pytest.mark.parametrize("seed", SEEDS)
def test_month_income_is_its_equation(seed):
    def args():
        rng = np.random.default_rng(seed)
        sellers = np.sort(rng.choice(N, 60, replace=False))
        return (rng.random(N) * 500, sellers, rng.normal(200, 300, 60), rng.random(N) * 900, rng.random(N) * 300,
                rng.random(N) * 50, rng.random(N) * 1e4, rng.random(N) * 1e4)
    (got, a), (want, b) = _both(kernel._month_income, reference.month_income, args)
    assert same_bits(got, want) and same_bits(tuple(a), tuple(b))  # cash and income so far changed alike


@pytest.mark.parametrize("seed", SEEDS)
def test_harvest_is_its_equation(seed):
    def args():
        rng = np.random.default_rng(seed)
        return (rng.random(VILLAGES) * 300, rng.lognormal(0, 0.3, N).astype(np.float32),
                rng.random(N).astype(np.float32) * 0.3, rng.random(N) < 0.5, 0.25,
                np.where(rng.random(N) < 0.5, -0.0, rng.random(N) * 100).astype(np.float32))
    (got, a), (want, b) = _both(kernel._harvest_households, reference.harvest_households, args)
    assert same_bits(got, want) and same_bits(a[-1], b[-1])  # the stock, updated in place


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_is_its_equation(seed):
    def args():
        rng = np.random.default_rng(seed)
        sellers = np.sort(rng.choice(N, 80, replace=False))
        return (sellers, np.where(rng.random(80) < 0.2, 0.0, rng.random(80) * 50), (rng.random(80) < 0.2) * 1.0,
                rng.random(N).astype(np.float32), rng.random(N).astype(np.float32),
                rng.integers(0, 20, N).astype(np.float32), 0.1)
    (_, a), (_, b) = _both(kernel._learn_sellers, reference.learn_sellers, args)
    for k, name in enumerate(["skill", "reputation", "sales_count"], start=3):
        assert same_bits(a[k], b[k]), name
    assert not same_bits(a[3], args()[3])  # skills did move


@pytest.mark.parametrize("seed", SEEDS)
def test_village_counts_and_passage_points_are_their_equations(seed):
    rng = np.random.default_rng(seed)
    stage = rng.integers(0, len(STAGES), N).astype(np.int8)
    new_farmer, member = rng.random(N) < 0.1, rng.random(N) < 0.4
    assert same_bits(kernel._enrolled_and_new_farmers(stage, new_farmer, HOUSEHOLDS),
                 reference.enrolled_and_new_farmers(stage, new_farmer, HOUSEHOLDS))
    points, has_coop = rng.integers(0, 3, VILLAGES).astype(np.int8), rng.random(VILLAGES) < 0.5
    assert same_bits(kernel._household_passage_points(points, has_coop, member),
                 reference.household_passage_points(points, has_coop, member))
    channel = rng.integers(0, len(CHANNELS), N).astype(np.int8)
    platform_of = rng.choice(np.array([0, 2], np.int8), N)
    assert same_bits(kernel._cooperative_and_platform_sellers(member, channel, platform_of, HOUSEHOLDS, 3),
                 reference.cooperative_and_platform_sellers(member, channel, platform_of, HOUSEHOLDS, 3))
