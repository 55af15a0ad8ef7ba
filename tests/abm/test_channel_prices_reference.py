"""The compiled channel-price loops compute their plain-numpy equations in abm/channels/reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.channels import prices as kernel
from abm.channels import reference

HOUSEHOLDS = 8
VILLAGES = 25
N = HOUSEHOLDS * VILLAGES
SEEDS = [0, 1, 2]


def _columns(seed: int) -> tuple:
    """Random households and villages in the kernels' argument order, rows first (some villages closed)."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(N, 90, replace=False))
    return (rows, HOUSEHOLDS, rng.random(N).astype(np.float32), rng.random(N) < 0.4, rng.random(N) < 0.15,
            rng.uniform(20, 200, N), 35.0, rng.uniform(1, 4, VILLAGES), rng.uniform(1, 8, VILLAGES),
            rng.uniform(1, 8, VILLAGES), rng.uniform(1, 8, VILLAGES), rng.random(VILLAGES) < 0.7,
            rng.random(VILLAGES) < 0.5, rng.random(VILLAGES) < 0.3, rng.random(VILLAGES) < 0.4)


@pytest.mark.parametrize("seed", SEEDS)
def test_net_prices_are_their_equation(seed):
    columns = _columns(seed)
    assert same_bits(kernel._net_prices(*columns), reference.net_prices(*columns))


@pytest.mark.parametrize("seed", SEEDS)
def test_online_gain_and_effort_are_their_equation(seed):
    columns = _columns(seed)
    got = kernel._online_gain_and_effort(*columns)
    assert same_bits(got, reference.online_gain_and_effort(*columns))
    assert np.isneginf(got[0]).any() and np.isfinite(got[0]).any()  # some have no channel, some have one
    assert (got[1] == 0).any() and (got[1] > 0).any()  # some sell best through their cooperative, some on their own
