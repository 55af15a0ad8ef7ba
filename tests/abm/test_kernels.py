"""The compiled pairwise sums in abm/core/kernels.py give ``np.sum``'s bits, on many lengths and signed zeros."""

import numpy as np
import pytest

from abm.core.kernels import pairwise_sum, pairwise_sums_split, running_sums_over_runs

LENGTHS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 136, 255, 256, 257, 1000, 1025, 8193, 100003]


def _bits(x: float) -> bytes:
    return np.float64(x).tobytes()


def _column(rng: np.random.Generator, n: int, kind: str, dtype=np.float64) -> np.ndarray:
    x = (rng.standard_normal(n) * 10.0 ** rng.uniform(-8, 8, n)).astype(dtype)
    if kind == "signed zeros":
        x[rng.random(n) < 0.5] = -0.0
    elif kind == "negative zeros":
        x[:] = -0.0
    elif kind == "sparse":
        x[rng.random(n) < 0.8] = 0.0
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["random", "signed zeros", "negative zeros", "sparse"])
def test_pairwise_sum_is_numpy_sum(dtype, kind):
    rng = np.random.default_rng(1)
    for n in LENGTHS:
        x = _column(rng, n, kind, dtype)
        assert _bits(pairwise_sum(x)) == _bits(float(x.sum())), n


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pairwise_sums_split(dtype):
    rng = np.random.default_rng(3)
    for n in LENGTHS:
        x = _column(rng, n, "signed zeros", dtype)
        mask = rng.random(n) < 0.4
        chosen, others = pairwise_sums_split(x, mask)
        assert _bits(chosen) == _bits(float(x[mask].sum())) and _bits(others) == _bits(float(x[~mask].sum())), n


def test_running_sums_over_runs_is_bincount():
    rng = np.random.default_rng(4)
    n = 10_000
    group = np.sort(rng.integers(0, 3, n))
    columns = (_column(rng, n, "signed zeros"), _column(rng, n, "sparse"))
    bounds = np.searchsorted(group, np.arange(4))
    got = running_sums_over_runs(columns, bounds[:-1], bounds[1:], np.arange(4)) + 0.0
    for k, values in enumerate(columns):
        assert got[k].tobytes() == np.bincount(group, weights=values, minlength=3).tobytes()
