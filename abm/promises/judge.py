"""Promises judged over the harvest cycle: a committed household weighs a year's realised gain against its promise.

Every month with produce, a household enrolled in the network adds what it gained over the bulk
trader (yuan: realised gain per kg times kg offered, the unsold online kg counted at the trader's
price as income counts them; nothing where it sold offline) and what its
promise said it would gain on the same kg. Once a harvest cycle (``horizon`` months, counted from
its own enrolment) it reviews the cycle: a gain below ``tolerance`` times the promised gain is a
broken promise, and ``patience`` broken promises in a row make it defect (:mod:`abm.translation.transitions`).
A glut month weighs in the year's sums by its kilograms alone, so it cannot break a promise by
itself. The promise itself has memory: it moves ``adaptation`` of the way to what is realised
each month (aspiration adaptation). See docs/ODD.md, "Translation".
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.stages import ENROLLED

HARVEST_CYCLE = 12  # months between two reviews: every crop's calendar repeats yearly


def realised_gain_per_kg(n: int, sellers: np.ndarray, seller_net: np.ndarray, seller_offer: np.ndarray,
                         seller_shipped: np.ndarray, offline_price: np.ndarray) -> np.ndarray:
    """What selling online added per kg offered over selling it all to the trader, per household (0 off the sellers).

    The kg offered online and not shipped went to the trader the same month at the bulk price, as in
    income, so the gain is ``(online net - shipped kg x bulk price) / kg offered``.
    """
    gain = np.zeros(n)
    households = n // offline_price.size
    kg = np.maximum(seller_offer, np.float32(1e-9)).astype(np.float64)
    bulk = offline_price[sellers // households]
    gain[sellers] = (seller_net - seller_shipped * bulk) / kg
    return gain


@njit(cache=True, nogil=True)
def judge_promises(sellers: np.ndarray, seller_net: np.ndarray, seller_offer: np.ndarray, seller_shipped: np.ndarray,
                   offline_price: np.ndarray, offer: np.ndarray, stage: np.ndarray, link_since: np.ndarray,
                   promise_per_kg: np.ndarray, gain: np.ndarray, promised: np.ndarray, broken: np.ndarray, month: int, tolerance: float,
                   materiality: float, adaptation: float, horizon: int) -> None:
    """One month of the promise accounts of every committed household, in place (see the module docstring).

    The realised gain per kg is :func:`realised_gain_per_kg` (``sellers`` sorted; 0 for the others).
    With produce (``offer > 0``): ``gain += realised x offer``, ``promised += promise x offer``
    (a NaN promise, an incumbent's before its first judged month, is first set to the realised
    gain), then ``promise += adaptation x (realised - promise)`` in float32. On the household's
    review month (``month - link_since`` a positive multiple of ``horizon``) the cycle closes:
    ``broken`` counts one more where the promise was positive, ``gain < tolerance x promised`` and the shortfall
    ``promised - gain`` exceeds ``materiality`` yuan (a promise of a few yuan is no promise), and is
    reset otherwise; both sums restart at 0.
    """
    households = stage.size // offline_price.size
    k = 0
    for i in range(stage.size):
        realised = 0.0
        if k < sellers.size and sellers[k] == i:
            kg = np.float64(max(seller_offer[k], np.float32(1e-9)))
            realised = (seller_net[k] - seller_shipped[k] * offline_price[i // households]) / kg
            k += 1
        if stage[i] < ENROLLED:
            continue
        if offer[i] > 0:
            kg = np.float64(offer[i])
            promise = promise_per_kg[i]
            if np.isnan(promise):
                promise = np.float32(realised)
            gain[i] += realised * kg
            promised[i] += np.float64(promise) * kg
            promise_per_kg[i] = np.float32(promise + adaptation * (realised - np.float64(promise)))
        age = month - link_since[i]
        if age > 0 and age % horizon == 0:
            fails = promised[i] > 0 and gain[i] < tolerance * promised[i] and promised[i] - gain[i] > materiality
            broken[i] = broken[i] + 1 if fails else 0
            gain[i] = 0.0
            promised[i] = 0.0


def judge_promises_numpy(sellers: np.ndarray, seller_net: np.ndarray, seller_offer: np.ndarray,
                         seller_shipped: np.ndarray, offline_price: np.ndarray, offer: np.ndarray, stage: np.ndarray,
                         link_since: np.ndarray,
                         promise_per_kg: np.ndarray, gain: np.ndarray, promised: np.ndarray, broken: np.ndarray,
                         month: int, tolerance: float, materiality: float, adaptation: float, horizon: int) -> None:
    """The plain numpy reference of :func:`judge_promises` (whole-array steps, the same arithmetic)."""
    realised = realised_gain_per_kg(stage.size, sellers, seller_net, seller_offer, seller_shipped, offline_price)
    committed = stage >= ENROLLED
    selling = committed & (offer > 0)
    promise = np.where(np.isnan(promise_per_kg), realised.astype(np.float32), promise_per_kg)
    kg = offer.astype(np.float64)
    gain[selling] += realised[selling] * kg[selling]
    promised[selling] += promise[selling].astype(np.float64) * kg[selling]
    moved = (promise + adaptation * (realised - promise.astype(np.float64))).astype(np.float32)
    promise_per_kg[selling] = moved[selling]
    age = month - link_since.astype(np.int64)
    review = committed & (age > 0) & (age % horizon == 0)
    fails = review & (promised > 0) & (gain < tolerance * promised) & (promised - gain > materiality)
    broken[review] = np.where(fails[review], broken[review] + 1, 0).astype(broken.dtype)
    gain[review] = 0.0
    promised[review] = 0.0
