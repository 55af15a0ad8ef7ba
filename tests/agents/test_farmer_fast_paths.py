"""The fast region and village sums and the channel choice give the same numbers as the plain versions."""

from __future__ import annotations

import numpy as np
import pytest

from abm.core.stages import ENROLLED
from agents.farmers import FarmerPopulation


def population(villages: int = 30, households: int = 8, sorted_regions: bool = True, seed: int = 0) -> FarmerPopulation:
    """A small population; regions in grid order (bands) or shuffled."""
    rng = np.random.default_rng(seed)
    region = np.sort(rng.integers(0, 3, villages)) if sorted_regions else rng.integers(0, 3, villages)
    crop = rng.integers(0, 3, villages)
    return FarmerPopulation(region.astype(np.int8), crop.astype(np.int8), households, np.full(3, 0.7), 0.2,
                            np.full(3, 0.3), np.full(villages, 0.3), rng)


def as_mask(open_bits: np.ndarray) -> np.ndarray:
    """Open-channel bits as an (n, 4) boolean mask, column ``k`` for channel ``k``."""
    return (open_bits[:, None] >> np.arange(4)) & 1 == 1


def reference_choice(f: FarmerPopulation, net, open_mask, sensitivity, inertia, draws) -> np.ndarray:
    """The logit choice as first written: full (n, 4) arrays and axis-1 reductions."""
    utility = sensitivity * np.log(np.maximum(net, 1e-3))
    utility[np.arange(f.n), f.channel] += inertia
    utility = np.where(open_mask, utility, -np.inf)
    utility -= utility.max(axis=1, keepdims=True)
    cum = np.cumsum(np.exp(utility), axis=1)
    return np.minimum((draws[:, None] * cum[:, -1:] > cum).sum(axis=1), 3).astype(np.int8)


@pytest.mark.parametrize("sorted_regions", [True, False])
def test_region_sums_equal_bincount(sorted_regions):
    """Region sums and counts are bit-identical to bincount, for sparse, dense, float32, -0.0 and NaN columns."""
    f = population(sorted_regions=sorted_regions)
    rng = np.random.default_rng(1)
    dense = rng.normal(size=f.n) * 1e3
    sparse = np.where(rng.random(f.n) < 0.1, dense, 0.0)
    odd = sparse.copy()
    odd[:5] = -0.0
    odd[7] = np.nan
    for values in (dense, sparse, dense.astype(np.float32), odd, rng.random(f.n) < 0.3):
        expected = np.bincount(f.region, weights=values, minlength=3)
        np.testing.assert_array_equal(f.region_sum(values), expected)
        assert np.array_equal(np.signbit(f.region_sum(values)), np.signbit(expected))
        where = rng.random(f.n) < 0.5
        np.testing.assert_array_equal(f.region_sum(values, where=where),
                                      np.bincount(f.region, weights=np.where(where, values, 0.0), minlength=3))
    mask = rng.random(f.n) < 0.4
    np.testing.assert_array_equal(f.region_count(mask), np.bincount(f.region, weights=mask, minlength=3))
    np.testing.assert_array_equal(f.region_households(), np.bincount(f.region, minlength=3).astype(float))


def test_village_sums_of_whole_numbers_are_exact():
    """Integer and boolean village sums equal the float64 sums."""
    f = population()
    rng = np.random.default_rng(2)
    for values in (rng.random(f.n) < 0.5, rng.integers(0, 5, f.n).astype(np.int8), rng.integers(-9, 9, f.n)):
        np.testing.assert_array_equal(f.village_sum(values),
                                      values.reshape(-1, f.households).sum(axis=1, dtype=np.float64))


@pytest.mark.parametrize("seed", range(5))
def test_channel_choice_equals_full_computation(seed):
    """Choosing only for households with a choice and produce picks the same channels as the full computation."""
    f = population(villages=200, seed=seed)
    rng = np.random.default_rng(seed)
    f.stage[rng.random(f.n) < 0.3] = ENROLLED
    f.channel = rng.integers(0, 4, f.n).astype(np.int8)
    net = rng.lognormal(0.0, 1.0, (f.n, 4))
    net[rng.random((f.n, 4)) < 0.05] = 0.0
    open_bits = f.open_channels(rng.random(200) < 0.8, rng.random(200) < 0.5, rng.random(200) < 0.9,
                                rng.random(200) < 0.3)
    open_bits[rng.random(f.n) < 0.01] &= 0b1110  # a few households without the offline channel
    draws = rng.random(f.n, dtype=np.float32)
    draws[:3] = 0.0
    offer = np.where(rng.random(f.n) < 0.3, 0.0, rng.random(f.n)).astype(np.float32)
    offer[3] = np.nan
    expected = reference_choice(f, net, as_mask(open_bits), 3.0, 0.5, draws)
    # Households without produce keep last month's channel while it is open, else sell offline.
    idle = ~(offer > 0)
    still_open = (open_bits >> f.channel) & 1 == 1
    expected[idle] = np.where(still_open, f.channel, 0)[idle]
    f.choose_channels(open_bits, offer, lambda rows: net[rows], 3.0, 0.5, draws)
    np.testing.assert_array_equal(f.channel, expected)


def test_open_channels_equal_repeated_village_masks():
    """The broadcast construction of the open-channel bits equals the repeat-and-stack masks."""
    f = population(villages=50)
    rng = np.random.default_rng(4)
    f.stage[rng.random(f.n) < 0.4] = ENROLLED
    f.new_farmer[rng.random(f.n) < 0.1] = True
    bb, g5, served, leader = (rng.random(50) < s for s in (0.8, 0.4, 0.9, 0.3))
    hh = f.households
    online = f.enrolled & np.repeat(served, hh)
    expected = np.stack([np.ones(f.n, bool), f.member & np.repeat(served, hh), online & np.repeat(bb, hh),
                         online & np.repeat(g5, hh) & (f.new_farmer | np.repeat(leader, hh))], axis=1)
    np.testing.assert_array_equal(as_mask(f.open_channels(bb, g5, served, leader)), expected)


@pytest.mark.parametrize("sorted_regions", [True, False])
def test_sums_over_subsets_equal_the_whole_column_sums(sorted_regions):
    """Region sums over given households or villages equal the sums of the column with zeros elsewhere."""
    f = population(sorted_regions=sorted_regions)
    rng = np.random.default_rng(3)
    values = rng.normal(size=f.n) * 1e3
    households = np.flatnonzero(rng.random(f.n) < 0.2)
    column = np.zeros(f.n)
    column[households] = values[households]
    np.testing.assert_array_equal(f.region_sum_at(households, values[households]), f.region_sum(column))
    np.testing.assert_array_equal(f.region_count_at(households), f.region_count(column != 0))
    villages = np.flatnonzero(rng.random(f.n // f.households) < 0.5)
    in_villages = np.repeat(np.isin(np.arange(f.n // f.households), villages), f.households)
    np.testing.assert_array_equal(f.region_sum_in_villages(values, villages), f.region_sum(values * in_villages))
