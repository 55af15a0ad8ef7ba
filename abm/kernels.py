"""Compiled loops over households (numba), for sums whose order of additions is part of the results.

Each kernel does, element by element and in float64, exactly the arithmetic of the numpy expression
its docstring names, so replacing that expression changes no result bit; what it saves is the
temporaries and the passes numpy needs to express a gather, a mask or a running sum.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def nan_max(a: float, b: float) -> float:
    """``np.maximum`` of two floats: NaN if either is NaN."""
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@njit(cache=True, nogil=True)
def running_sum(values: np.ndarray) -> float:
    """The values added one after another to 0.0 in float64: ``np.cumsum(values, dtype=float64)[-1] + 0.0``.

    That is also ``bincount``'s order of additions within one bin, so where a bin's values are one
    run of an array this sums them as ``bincount`` would (0.0 for no values).
    """
    total = 0.0
    for x in values:
        total += x
    return total


@njit(cache=True, nogil=True)
def group_sums(groups: np.ndarray, columns: tuple, bins: int) -> np.ndarray:
    """Sums of each column by group, array (columns, bins): ``np.bincount(groups, weights=column, minlength=bins)``.

    One pass for all the columns (of one dtype), adding each bin's values to 0.0 in index order in
    float64, as ``bincount`` does.
    """
    out = np.zeros((len(columns), bins))
    for i in range(groups.size):
        g = groups[i]
        for c in range(len(columns)):
            out[c, g] += columns[c][i]
    return out
