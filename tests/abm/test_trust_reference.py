"""The compiled credibility loop computes its plain-numpy equation in abm/trust/reference.py, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.trust import mechanisms as kernel
from abm.trust import reference

GROUPS = 60


@pytest.mark.parametrize("uses_ratings", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_credibility_is_its_equation(seed, uses_ratings):
    rng = np.random.default_rng(seed)
    rating, traced = rng.random(GROUPS), np.where(rng.random(GROUPS) < 0.5, 0.0, rng.random(GROUPS))
    origin, channel = rng.integers(0, 3, GROUPS).astype(np.int8), np.tile(np.arange(3), GROUPS // 3)
    args = (rating, traced, origin, channel, 0.6, 0.15, uses_ratings)
    got = kernel._credibility(*args)
    assert same_bits(got, reference.credibility(*args))
    assert (got[:, channel == kernel.GROUP_COOP] >= kernel.COOP_OUTSIDE_CREDIBILITY).all()
