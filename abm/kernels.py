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


# --- numpy's pairwise summation -----------------------------------------------------------------
# ``np.sum`` of a contiguous float64 array is ``0.0 + pairwise(values)``: blocks of up to 128 values
# are added with eight accumulators, longer runs are split in two halves (the first a multiple of 8
# long) and their sums added. The kernels below do exactly those additions.

PAIRWISE_BLOCK = 128


@njit(cache=True, nogil=True)
def _block_sum(values: np.ndarray, start: int, count: int) -> float:
    """numpy's sum of ``values[start:start + count]`` for ``count <= 128``: eight accumulators, then the tail."""
    if count < 8:
        total = 0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    end = start + count
    i = start + 8
    while i < end - count % 8:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < end:
        total += values[i]
        i += 1
    return total


@njit(cache=True, nogil=True)
def spread_sum(length: int, positions: np.ndarray, values: np.ndarray) -> float:
    """``np.sum`` of a zero float64 column of ``length`` entries holding ``values`` at the sorted ``positions``.

    The same additions as numpy's pairwise sum, in the same tree (walked with a stack: numba's cache
    mishandles recursion), skipping the parts of the column that hold only zeros (their sum is 0.0).
    """
    block = np.empty(PAIRWISE_BLOCK)
    # Pending parts of the column (start, count, halves done) and the sums of finished halves.
    starts = np.empty(64, np.int64)
    counts = np.empty(64, np.int64)
    stages = np.empty(64, np.int64)
    sums = np.empty(64)
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
            block[:count] = 0.0
            while next_value < positions.size and positions[next_value] < start + count:
                block[positions[next_value] - start] = values[next_value]
                next_value += 1
            sums[done] = _block_sum(block, 0, count)
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
            sums[done - 1] = sums[done - 1] + sums[done]
            depth -= 1
    return 0.0 + sums[0]


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
