"""``spread_sum`` adds exactly as ``np.sum`` does over the spread-out column."""

from __future__ import annotations

import numpy as np
import pytest

from abm.core.kernels import spread_sum

LENGTHS = [0, 1, 7, 8, 9, 127, 128, 129, 255, 257, 1000, 8193, 100_003]


@pytest.mark.parametrize("length", LENGTHS)
def test_spread_sum_is_numpys_sum_of_the_column(length: int) -> None:
    """Bit for bit, for none, few, many and all places filled, including negative zeros."""
    rng = np.random.default_rng(length)
    for filled in sorted({0, min(length, 3), length // 10, length // 2, length}):
        places = np.sort(rng.choice(length, filled, replace=False)).astype(np.int64)
        values = rng.standard_normal(filled) * 10.0 ** rng.integers(-6, 6, filled)
        for vals in (values, -np.abs(values), np.full(filled, -0.0)):
            column = np.zeros(length)
            column[places] = vals
            assert np.float64(spread_sum(length, places, vals)).tobytes() == np.sum(column).tobytes()
