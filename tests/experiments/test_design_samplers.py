"""Samplers work in the unit cube and map through the declared ranges, integers rounded."""

from __future__ import annotations

import numpy as np

from experiments.design import Range, ranges_for, scale, unit_design


def test_sampler_sizes_and_unit_cube() -> None:
    """Each sampler gives its documented number of points, all inside the unit cube."""
    assert unit_design("full_factorial", 2, None, 3, 0).shape == (9, 2)
    assert unit_design("lhs", 3, 10, None, 0).shape == (10, 3)
    assert unit_design("sobol", 3, 16, None, 0).shape == (16 * 5, 3)
    assert unit_design("morris", 3, 4, 4, 0).shape == (4 * 4, 3)
    for kind, n in (("lhs", 50), ("sobol", 64), ("morris", 10)):
        unit = unit_design(kind, 3, n, None, 1)
        assert unit.min() >= 0.0 and unit.max() <= 1.0


def test_latin_hypercube_has_one_point_per_stratum() -> None:
    """A Latin hypercube puts exactly one point in each of the n strata of every axis."""
    unit = unit_design("lhs", 2, 20, None, 5)
    for j in range(2):
        assert sorted(np.floor(unit[:, j] * 20).astype(int)) == list(range(20))


def test_scaling_uses_declared_ranges_and_rounds_integers() -> None:
    """Unit points map to the declared min and max; integer parameters are rounded."""
    ranges = ranges_for(["commission", "county_size"])
    table = scale(np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]]), ranges)
    assert table.commission.tolist() == [0.0, 0.25, 0.5]
    assert table.county_size.tolist() == [2, 11, 20]
    assert table.county_size.dtype == np.int64


def test_range_overrides_replace_declared_bounds() -> None:
    """A range given in the experiment replaces the declared one."""
    (commission,) = ranges_for(["commission"], {"commission": (0.02, 0.1)})
    assert (commission.lo, commission.hi, commission.integer) == (0.02, 0.1, False)


def test_scaled_values_stay_inside_their_range_at_the_cube_edges() -> None:
    """The unit cube's edges map to the range's ends exactly, never one rounding step past them."""
    out = scale(np.array([[0.0], [0.5], [1.0]]), [Range("acquaintance_inside", 0.3, 0.9)])
    assert 0.3 + 1.0 * (0.9 - 0.3) > 0.9  # the rounding that would leave the declared range
    assert out["acquaintance_inside"].iloc[[0, -1]].tolist() == [0.3, 0.9]
