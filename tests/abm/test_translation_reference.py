"""The compiled translation passes compute their plain-numpy equations in abm/translation/reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.core.stages import CHANNELS, NO_LINK, STAGES
from abm.translation import reference
from abm.translation import transitions as kernel

HOUSEHOLDS = 30
VILLAGES = 30
N = HOUSEHOLDS * VILLAGES
SEEDS = [0, 1, 2]


def _households(rng: np.random.Generator) -> dict:
    """Random household columns of the types the population holds."""
    return {"stage": rng.integers(0, len(STAGES), N).astype(np.int8), "trained": rng.random(N) < 0.3,
            "skill": rng.random(N).astype(np.float32), "sales_count": rng.integers(0, 12, N).astype(np.float32),
            "shortfall": rng.choice(np.array([0, 0, 1, 2], np.int8), N), "member": rng.random(N) < 0.4,
            "passage_points": rng.integers(0, 4, N).astype(np.int8),
            "channel": rng.integers(0, len(CHANNELS), N).astype(np.int8),
            "link_since": np.where(rng.random(N) < 0.5, NO_LINK, rng.integers(-30, 30, N)).astype(np.int32)}


@pytest.mark.parametrize("seed", SEEDS)
def test_who_moves_is_its_equation(seed):
    rng = np.random.default_rng(seed)
    h = _households(rng)
    args = (h["stage"], h["trained"], h["skill"], h["sales_count"], h["shortfall"], h["passage_points"], HOUSEHOLDS,
            rng.random((4, N)), rng.random((VILLAGES, 4)) * 0.5, rng.random(VILLAGES) * 2, 0.2,
            rng.random(VILLAGES) < 0.6, rng.random(VILLAGES) < 0.5, 0.4, 2, 0.1)
    got = kernel._at_risk_and_drawn(*args)
    assert same_bits(got, reference.at_risk_and_drawn(*args))
    assert all(moved.size for moved in got)  # every kind of move happens in these worlds


@pytest.mark.parametrize("seed", SEEDS)
def test_region_tallies_are_their_equation(seed):
    rng = np.random.default_rng(seed)
    h = _households(rng)
    args = (h["stage"], h["trained"], h["member"], h["link_since"],
            np.repeat(np.arange(3), [10, 12, 8]).astype(np.int8), rng.integers(0, 3, VILLAGES).astype(np.int8),
            rng.random(VILLAGES) < 0.5, 20)
    got = kernel._region_tallies(*args)
    assert same_bits(got, reference.region_tallies(*args))
    assert got[:len(STAGES)].sum() == N
