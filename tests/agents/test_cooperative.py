"""Cooperatives keep members while they pay better than the trader and lose them for a named reason."""

from __future__ import annotations

import numpy as np

from abm.core.stages import EXIT_REASONS
from abm.model import RuralEconomy
from agents.cooperative import NO_REASON, NO_SALES, PooledYear, review_membership


def _year(paid_per_kg: float, fee_per_kg: float, unsold_share: float, trader: float = 2.0) -> PooledYear:
    """One cooperative's year: 100 kg pooled, a share unsold online (to the trader), the rest shipped at the given net price."""
    year = PooledYear(1)
    coop = np.zeros(1, np.int64)
    shipped = 100.0 * (1 - unsold_share)
    year.add(coop, np.array([100.0]), np.array([shipped]), np.array([shipped * paid_per_kg]), np.array([shipped * fee_per_kg]), np.array([trader]))
    return year


def test_each_reason_is_named_from_the_years_prices():
    """Below the trader even before the fee: price; only after it: fee; most kg unsold online: unsold; else none."""
    assert EXIT_REASONS[_year(1.5, 0.2, 0.0).reasons(0.5)[0]] == "price"
    assert EXIT_REASONS[_year(1.9, 0.2, 0.0).reasons(0.5)[0]] == "fee"
    assert EXIT_REASONS[_year(3.0, 0.2, 0.7).reasons(0.5)[0]] == "unsold"
    assert _year(3.0, 0.2, 0.2).reasons(0.5)[0] == NO_REASON
    assert PooledYear(1).reasons(0.5)[0] == NO_SALES


def test_members_stay_where_the_price_beats_the_trader_and_leave_where_it_does_not():
    """Members of a cooperative that paid less than the trader leave; those of one that paid more stay, and others join."""
    coop_of_household = np.array([0, 0, 0, 1, 1, 1, -1])
    member = np.array([True, True, False, True, True, False, False])
    reason = np.array([NO_REASON, EXIT_REASONS.index("price")])
    leave, join = review_membership(member, coop_of_household, reason, 1.0, 1.0, np.zeros(7, np.float32))
    assert leave.tolist() == [3, 4]
    assert join.tolist() == [2]


def _members_left(**overrides) -> dict[str, float]:
    """Members who left the small world's cooperatives over three December settlements, by reason."""
    m = RuralEconomy(farmers=3000, seed=2, coop_exit_rate=1.0, **overrides)
    assert np.count_nonzero(m.farmers.member) > 0
    left = dict.fromkeys(EXIT_REASONS, 0.0)
    for _ in range(36):
        m.step()
        for reason in EXIT_REASONS:
            left[reason] += m.metrics[f"coop_left_{reason}"]
    return left


def test_a_cooperative_paying_above_the_trader_keeps_its_members_in_the_model():
    """With a bulk price far below the online one no member leaves; where a 50% fee would eat the gain, none leaves for
    price or fee either: the cooperative's online price never goes below its floor, where net of its fee it pays what
    the trader would, and at the floor its produce goes unsold: members leave for unsold produce.
    """
    cheap_trader = _members_left(offline_price_ratio=0.2)
    assert cheap_trader["price"] == cheap_trader["fee"] == 0
    fee_eats_it = _members_left(offline_price_ratio=1.0, online_markup=1.0, brand_multiplier=1.0, coop_fee=0.5)
    assert fee_eats_it["price"] == fee_eats_it["fee"] == 0
    assert fee_eats_it["unsold"] > 0


def test_the_branded_share_of_cooperatives_at_the_start_is_the_declared_one_in_every_seed():
    """``coop_branded`` of the cooperatives start branded, as exactly as whole cooperatives allow, whatever the seed:
    which ones is drawn, how many is not (at random each, the branded share at the start varied several-fold).
    """
    for seed in range(6):
        m = RuralEconomy(farmers=30000, seed=seed, coop_branded=0.3)
        coops = m.cooperatives
        assert len(coops) >= 10
        assert sum(c.branded for c in coops) == round(0.3 * len(coops))
    firsts = {tuple(c.county for c in RuralEconomy(farmers=30000, seed=s, coop_branded=0.3).cooperatives if c.branded)
              for s in range(3)}
    assert len(firsts) > 1  # which cooperatives is drawn
