"""The fast region and village sums give the same numbers as the plain versions."""

from __future__ import annotations

import numpy as np
import pytest

from agents.farmers import FarmerPopulation


def population(villages: int = 30, households: int = 8, sorted_regions: bool = True, seed: int = 0) -> FarmerPopulation:
    """A small population; regions in grid order (bands) or shuffled."""
    rng = np.random.default_rng(seed)
    region = np.sort(rng.integers(0, 3, villages)) if sorted_regions else rng.integers(0, 3, villages)
    crop = rng.integers(0, 3, villages)
    return FarmerPopulation(region.astype(np.int8), crop.astype(np.int8), households, np.full(3, 0.7), 0.2,
                            np.full(3, 0.3), np.full(villages, 0.3), rng, honesty_floor=0.7)


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
