"""Compiled loops over households (numba), for sums whose order of additions is part of the results.

Each kernel does, element by element and in float64, exactly the arithmetic of the numpy expression
its docstring names, so replacing that expression changes no result bit; what it saves is the
temporaries and the passes numpy needs to express a gather, a mask or a running sum.
"""

from __future__ import annotations

import numpy as np
from numba import njit


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
def pairwise_sum(values: np.ndarray) -> float:
    """``float(values.sum())`` of a contiguous 1-D float64 or float32 array, bit for bit (see :func:`spread_sum`)."""
    return spread_sum(values.size, np.arange(values.size), values)


@njit(cache=True, nogil=True)
def pairwise_sums_split(values: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """``(float(values[mask].sum()), float(values[~mask].sum()))`` bit for bit, for a float64 or float32 array."""
    chosen = np.empty(values.size, values.dtype)
    others = np.empty(values.size, values.dtype)
    n_chosen = 0
    n_others = 0
    for i in range(values.size):
        if mask[i]:
            chosen[n_chosen] = values[i]
            n_chosen += 1
        else:
            others[n_others] = values[i]
            n_others += 1
    return pairwise_sum(chosen[:n_chosen]), pairwise_sum(others[:n_others])


@njit(cache=True, nogil=True)
def running_sums_over_runs(columns: tuple, run_starts: np.ndarray, run_ends: np.ndarray,
                           cuts: np.ndarray) -> np.ndarray:
    """Array (column, group): for each column, :func:`running_sum` of ``np.concatenate`` of the runs
    ``column[run_starts[j]:run_ends[j]]`` for ``j`` in ``range(cuts[g], cuts[g + 1])``.

    The values are added in the runs' order one after another to 0.0 in float64, each column in its
    own accumulator: with one run per region that is ``bincount(region, weights=column)`` (less the
    final ``+ 0.0``). All columns advance together, so their additions overlap.
    """
    groups = cuts.size - 1
    out = np.zeros((len(columns), groups))
    totals = np.zeros(len(columns))
    for g in range(groups):
        totals[:] = 0.0
        for run in range(cuts[g], cuts[g + 1]):
            for i in range(run_starts[run], run_ends[run]):
                for k in range(len(columns)):
                    totals[k] += columns[k][i]
        out[:, g] = totals
    return out


# --- numpy's pairwise summation -----------------------------------------------------------------
# ``np.sum`` of a contiguous float64 array is ``0.0 + pairwise(values)``: blocks of up to 128 values
# are added with eight accumulators, longer runs are split in two halves (the first a multiple of 8
# long) and their sums added. The kernels below do exactly those additions.

PAIRWISE_BLOCK = 128


@njit(cache=True, nogil=True)
def _sparse_block_sums(positions: np.ndarray, columns: tuple, first: int, start: int, count: int,
                       lanes: np.ndarray, out: np.ndarray) -> int:
    """numpy's sum of a zero block ``[start, start + count)`` (``count <= 128``, ``start`` a multiple of 8)
    holding each column's values from ``first`` on that lie in it, written to ``out``; returns the first
    value past the block.

    numpy adds the first ``count - count % 8`` entries in eight lanes (entry ``i`` into lane ``i % 8``),
    the lanes as ``((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7))``, then the rest one by one (all of them
    one by one below 8 entries), in the values' dtype. Zero entries are left out: adding a zero changes
    no value, only a zero's sign, and ``np.sum`` starts from 0.0, so the sign of a zero part never shows
    in the total.
    """
    end = start + count
    k = first
    lanes[:, :] = 0.0
    out[:] = 0.0
    if count >= 8:
        while k < positions.size and positions[k] < end - count % 8:
            lane = positions[k] & 7
            for c in range(len(columns)):
                lanes[c, lane] += columns[c][k]
            k += 1
        for c in range(len(columns)):
            out[c] = (((lanes[c, 0] + lanes[c, 1]) + (lanes[c, 2] + lanes[c, 3]))
                      + ((lanes[c, 4] + lanes[c, 5]) + (lanes[c, 6] + lanes[c, 7])))
    while k < positions.size and positions[k] < end:
        for c in range(len(columns)):
            out[c] += columns[c][k]
        k += 1
    return k


@njit(cache=True, nogil=True)
def spread_sums(length: int, positions: np.ndarray, columns: tuple) -> np.ndarray:
    """``np.sum`` of each zero column of ``length`` entries holding a column's values at the sorted ``positions``.

    The columns have one dtype (float64, or float32: then the additions are in float32, as numpy's),
    and are summed together in one walk of the positions.

    numpy adds blocks of up to 128 entries and splits longer parts in two halves (the first a
    multiple of 8 long), adding the halves' sums; this walks the same tree (with a stack: numba's
    cache mishandles recursion), over the values alone (see :func:`_sparse_block_sums`).
    """
    width = len(columns)
    lanes = np.empty((width, 8), columns[0].dtype)
    # Pending parts of the column (start, count, halves done) and the sums of finished halves.
    starts = np.empty(64, np.int64)
    counts = np.empty(64, np.int64)
    stages = np.empty(64, np.int64)
    sums = np.empty((64, width), columns[0].dtype)
    depth = 0
    done = 0
    starts[0], counts[0], stages[0] = 0, length, 0
    next_value = 0  # the first value not yet added: the parts are visited in column order
    while depth >= 0:
        start, count = starts[depth], counts[depth]
        if stages[depth] == 0 and (next_value == positions.size or positions[next_value] >= start + count):
            sums[done] = 0.0  # an all-zero part
            done += 1
            depth -= 1
        elif count <= PAIRWISE_BLOCK:
            next_value = _sparse_block_sums(positions, columns, next_value, start, count, lanes, sums[done])
            done += 1
            depth -= 1
        elif stages[depth] < 2:
            half = count // 2
            half -= half % 8
            stages[depth] += 1
            if stages[depth] == 1:
                starts[depth + 1], counts[depth + 1] = start, half
            else:
                starts[depth + 1], counts[depth + 1] = start + half, count - half
            stages[depth + 1] = 0
            depth += 1
        else:
            done -= 1
            for c in range(width):
                sums[done - 1, c] = sums[done - 1, c] + sums[done, c]
            depth -= 1
    return 0.0 + sums[0].astype(np.float64)


@njit(cache=True, nogil=True)
def spread_sum(length: int, positions: np.ndarray, values: np.ndarray) -> float:
    """``np.sum`` of a zero column of ``length`` entries holding ``values`` at the sorted ``positions``."""
    return spread_sums(length, positions, (values,))[0]


@njit(cache=True, nogil=True)
def np_minimum(a: float, b: float) -> float:
    """``np.minimum(a, b)`` of two floats: the smaller, NaN if either is NaN."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


@njit(cache=True, nogil=True)
def np_maximum(a: float, b: float) -> float:
    """``np.maximum(a, b)`` of two floats: the larger, NaN if either is NaN."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b
