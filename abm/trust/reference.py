"""The credibility equation in plain numpy: what the kernel of :mod:`abm.trust.mechanisms` computes.

Read it to see the equation; the kernel computes the same numbers entry by entry in one compiled
pass (``tests/abm/test_trust_reference.py`` checks them bit for bit on random inputs).
"""

from __future__ import annotations

import numpy as np

from abm.trust.mechanisms import COOP_OUTSIDE_CREDIBILITY, GROUP_COOP


def credibility(rating: np.ndarray, traced: np.ndarray, origin: np.ndarray, channel: np.ndarray, inside: float,
                outside: float, uses_ratings: bool) -> np.ndarray:
    """Credibility of each seller group's claim to each urban segment: array (segment, group).

    Acquaintance trust (``inside`` in the origin region, ``outside`` elsewhere, where a cooperative
    lifts it to at least its floor), raised to the group's rating where the mechanism has ratings;
    the traced share of kg is fully credible.
    """
    same_region = np.arange(3)[:, None] == origin[None, :]
    base = np.where(same_region, inside, outside)
    base = np.where((channel == GROUP_COOP) & ~same_region, np.maximum(base, COOP_OUTSIDE_CREDIBILITY), base)
    if uses_ratings:
        base = np.maximum(base, rating)
    return traced + (1 - traced) * base
