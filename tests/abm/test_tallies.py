"""The one-pass household tallies of the measures equal the counts taken one mask at a time."""

from __future__ import annotations

import numpy as np
import pytest

from abm.core.stages import ENROLLED, NO_LINK
from abm.translation.transitions import Tallies, stability, tallies
from agents.farmers import FarmerPopulation


@pytest.mark.parametrize("sorted_regions", [True, False])
def test_tallies_equal_the_mask_by_mask_counts(sorted_regions):
    """Stages, trained, old links and fragile actors by region, for banded and shuffled regions."""
    rng = np.random.default_rng(7)
    villages, households = 40, 6
    region = np.sort(rng.integers(0, 3, villages)) if sorted_regions else rng.integers(0, 3, villages)
    f = FarmerPopulation(region.astype(np.int8), rng.integers(0, 3, villages).astype(np.int8), households,
                         np.full(3, 0.7), 0.2, np.full(3, 0.3), np.full(villages, 0.4), rng)
    f.stage[:] = rng.integers(0, 5, f.n)
    f.link_since[:] = np.where(rng.random(f.n) < 0.2, NO_LINK, rng.integers(-30, 30, f.n))
    village_points = rng.integers(0, 3, villages).astype(np.int8)
    has_coop = rng.random(villages) < 0.5
    month = 20
    t = tallies(f, month, village_points, has_coop)

    def by_region(mask: np.ndarray) -> np.ndarray:
        return np.bincount(f.region, weights=mask, minlength=3)

    enrolled = f.stage >= ENROLLED
    points = np.repeat(village_points, households) + (f.member & np.repeat(has_coop, households))
    for s in range(5):
        np.testing.assert_array_equal(t.stages[s], by_region(f.stage == s))
    np.testing.assert_array_equal(t.trained, by_region(f.trained))
    np.testing.assert_array_equal(t.old_links, by_region(enrolled & (f.link_since > NO_LINK)
                                                         & (f.link_since <= month - 12)))
    np.testing.assert_array_equal(t.fragile, by_region(enrolled & (points < 2)))
    assert t.stages.sum() == f.n


def test_stability_from_tallies():
    """Persistence is capped at 1, and with no enrolled actors and no defectors nothing is fragile."""
    zero = np.zeros(3)
    t = Tallies(np.zeros((5, 3)), zero, np.array([5.0, 0.0, 2.0]), zero)
    stab, persistence, fragile = stability(t, np.array([4.0, 0.0, 4.0]), zero)
    np.testing.assert_array_equal(persistence, [1.0, 1.0, 0.5, 7 / 8])
    np.testing.assert_array_equal(fragile, [0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(stab, persistence)
