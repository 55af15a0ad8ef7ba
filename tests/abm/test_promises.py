"""Promises are judged over a harvest cycle: a glut month is not a broken promise, a short year is."""

from __future__ import annotations

import numpy as np

from abm.core.stages import ENROLLED
from abm.model import RuralEconomy
from abm.promises.judge import HARVEST_CYCLE, judge_promises, judge_promises_numpy, realised_gain_per_kg


def _accounts(n: int) -> tuple[np.ndarray, ...]:
    """Enrolled households linked at month 0, promised 1 yuan/kg, with empty cycles."""
    return (np.full(n, ENROLLED, np.int8), np.zeros(n, np.int32), np.ones(n, np.float32), np.zeros(n), np.zeros(n),
            np.zeros(n, np.int8))


def _year(realised_by_month: np.ndarray, patience_cycles: int = 1) -> np.ndarray:
    """Broken promises after ``patience_cycles`` years of the given monthly gains over the bulk price (yuan/kg).

    The households of one village (bulk price 2 yuan/kg) sell their 10 kg online every month.
    """
    n = realised_by_month.shape[1]
    stage, link, promise, gain, promised, broken = _accounts(n)
    offer = np.full(n, 10.0, np.float32)
    sellers, bulk = np.arange(n), np.array([2.0])
    for month in range(1, HARVEST_CYCLE * patience_cycles + 1):
        net = (realised_by_month[(month - 1) % HARVEST_CYCLE] + bulk[0]) * 10.0
        judge_promises(sellers, net, offer, offer.astype(np.float64), bulk, offer, stage, link, promise, gain,
                       promised, broken, month, 0.5, 0.0, 0.0, HARVEST_CYCLE)
    return broken


def test_a_glut_month_alone_does_not_break_a_promise():
    """A month selling at a loss (a glut) among eleven that keep the promise leaves the year's promise kept."""
    kept = np.ones((HARVEST_CYCLE, 1))
    glut = kept.copy()
    glut[8] = -2.0  # September: online sales at a loss to the bulk price
    assert _year(glut).tolist() == [0]
    assert _year(kept).tolist() == [0]


def test_half_sold_online_at_a_premium_is_a_gain_not_a_loss():
    """Of 100 kg offered online 50 sell at 5 yuan net a kg, the other 50 go to the trader at 2: a gain of 1.5 a kg.

    The unsold half earns the trader's price in income the same month, so the promise accounts count it too
    (judged on online net alone it would read 2.5 - 2 = 0.5 yuan/kg, and judged on nothing for it a loss).
    """
    gain = realised_gain_per_kg(4, np.array([1, 3]), np.array([250.0, 400.0]), np.array([100.0, 100.0], np.float32),
                                np.array([50.0, 100.0]), np.array([2.0, 2.0]))
    assert gain.tolist() == [0.0, 1.5, 0.0, 2.0]
    stage, link, promise, acc_gain, promised, broken = _accounts(1)
    judge_promises(np.array([0]), np.array([250.0]), np.array([100.0], np.float32), np.array([50.0]), np.array([2.0]),
                   np.array([100.0], np.float32), stage, link, promise, acc_gain, promised, broken, 1, 0.5, 0.0, 0.0,
                   HARVEST_CYCLE)
    assert acc_gain.tolist() == [150.0]


def test_a_year_short_of_its_promise_is_broken_each_cycle():
    """A year whose gain is under half the promise counts once per harvest cycle, not once per month."""
    short = np.full((HARVEST_CYCLE, 1), 0.3)
    assert _year(short, 1).tolist() == [1]
    assert _year(short, 2).tolist() == [2]


def test_compiled_judgement_matches_numpy_reference():
    """The numba kernel and its numpy reference give the same accounts, promises and broken counts."""
    rng = np.random.default_rng(3)
    n, villages = 400, 20
    sellers = np.flatnonzero(rng.random(n) < 0.4)
    net = rng.normal(2.0, 3.0, sellers.size)
    seller_offer = (rng.random(sellers.size) * 40).astype(np.float32)
    shipped = seller_offer * rng.random(sellers.size)
    bulk = rng.random(villages) * 3
    offer = np.where(rng.random(n) < 0.3, 0.0, rng.random(n) * 50).astype(np.float32)
    offer[sellers] = seller_offer
    stage = rng.integers(0, 5, n).astype(np.int8)
    link = rng.integers(-40, 30, n).astype(np.int32)
    promise = np.where(rng.random(n) < 0.1, np.nan, rng.random(n) * 3).astype(np.float32)
    state = [link, promise, rng.random(n) * 100, rng.random(n) * 100, rng.integers(0, 3, n).astype(np.int8)]
    fast = [a.copy() for a in state]
    slow = [a.copy() for a in state]
    for judge, accounts in ((judge_promises, fast), (judge_promises_numpy, slow)):
        judge(sellers, net, seller_offer, shipped, bulk, offer, stage, *accounts, 36, 0.5, 100.0, 0.05, 12)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def test_households_short_of_their_promise_for_their_patience_defect():
    """Households promised far more than any sale pays defect at the second review; ones told to expect a loss stay."""
    m = RuralEconomy(farmers=1000, seed=4, defection_patience=2, interest_lapse_rate=0.0)
    f = m.farmers
    enrolled = np.flatnonzero(f.stage == ENROLLED)
    f.link_since[enrolled] = 0
    f.shortfall[enrolled] = 0
    f.promised[enrolled] = -1e6  # told to expect a large loss: never disappointed
    oversold = enrolled[::2]
    f.promised[oversold] = 1e6  # promised a million yuan per kg
    for month in range(1, 26):
        m.step()
        if month == 23:
            assert (f.stage[oversold] >= ENROLLED).all(), "no defection before the second review"
    assert (f.defected_at[oversold] == 2 * HARVEST_CYCLE).mean() > 0.95  # at the second review
    kept = np.setdiff1d(enrolled, oversold)
    assert (f.defected_at[kept] < 0).all()


def test_a_shortfall_of_a_few_yuan_is_no_broken_promise():
    """A household promised 0.01 yuan a kg on 6,000 kg (60 yuan a year) that gains nothing keeps its link; promised
    0.5 yuan a kg (3,000 yuan) and gaining nothing, it counts a broken promise (materiality 500 yuan a cycle).
    """
    broken = []
    for promise_per_kg in (0.01, 0.5):
        stage, link, promise, gain, promised, count = _accounts(1)
        promise[:] = promise_per_kg
        offer = np.array([500.0], np.float32)
        for month in range(1, HARVEST_CYCLE + 1):  # sells to the trader only: no online gain
            judge_promises(np.array([], np.int64), np.array([]), np.array([], np.float32), np.array([]),
                           np.array([2.0]), offer, stage, link, promise, gain, promised, count, month, 0.5, 500.0, 0.0,
                           HARVEST_CYCLE)
        broken.append(int(count[0]))
    assert broken == [0, 1]
