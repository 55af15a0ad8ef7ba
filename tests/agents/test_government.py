"""Each subsidy instrument works through its mechanism, on a small world, within its budget."""

from __future__ import annotations

import numpy as np

from abm.core.ledger import MoneyLedger
from abm.core.params import Parameters
from abm.model import RuralEconomy
from agents.government import TITLES, build_cold_chain, train


def _model(**kw) -> RuralEconomy:
    return RuralEconomy(Parameters(farmers=2000, households_per_village=20, **kw), seed=9)


def test_cold_chain_subsidy_builds_capacity_that_lowers_loss_where_it_reaches():
    """Subsidised villages get full coverage, and their fresh produce loses less in transit."""
    m = _model(cold_chain_west=0.05, cold_chain_centre=0.05, cold_chain_east=0.05)
    t = m.policy_targets()
    v = m.province.villages
    before = v.cold_chain.copy()
    ledger = MoneyLedger()
    spent = build_cold_chain(t, 2_000_000.0, 0.4, 400_000.0, ledger, "government")
    reached = v.cold_chain > before
    assert reached.any() and (~reached).any() and spent <= 2_000_000.0
    assert np.allclose(v.cold_chain[reached], 1.0) and v.fresh[reached].all()
    assert np.isclose(ledger.balance["logistics"], -(spent / 0.4) + spent)  # the provider pays the other 60%
    sellers = np.arange(m.farmers.n)
    q = m.market.quote(m.province, 1, sellers, sellers // m.farmers.households * 3 + 1,
                       m.province.terms.annual_marketable)
    loss = q.loss.reshape(-1, 3)[:, 1]
    fresh = v.fresh
    assert loss[reached & fresh].mean() < 0.5 * loss[~reached & fresh].mean()


def test_training_raises_skill_of_the_trained_only():
    """A certified trainee gains the declared skill; nobody else changes."""
    m = _model()
    f = m.farmers
    f.stage[:] = 2
    skill = f.skill.copy()
    untrained = ~f.trained
    spent = train(m.policy_targets(), 30_000.0, 3000.0, 0.25, MoneyLedger(), "government")
    changed = f.skill != skill
    assert spent == 30_000.0 and changed.sum() == 10 and untrained[changed].all()
    assert np.allclose(f.skill[changed], np.minimum(1.0, skill[changed] + 0.25))


def test_allowance_paid_only_to_title_holders_meeting_thresholds():
    """Titles go to new farmers over the sales and households-lifted thresholds; allowances follow titles."""
    m = _model(budget_talent=1e6)
    g = m.government
    g.open_year(m.money)
    n = 6
    sales = np.array([6e6, 6e6, 2.5e6, 6e5, 6e5, 4e5])
    lifted = np.array([12, 5, 11, 3, 2, 50])
    new_farmer = np.array([True, True, True, True, True, True])
    g.award_titles(sales, lifted, new_farmer)
    assert g.titles.tolist() == [3, 1, 2, 1, 0, 0]  # senior, junior (too few lifted for more), middle, junior
    pay = g.allowances(n, 0, m.money)
    assert pay.tolist() == [TITLES[0][2], TITLES[2][2], TITLES[1][2], TITLES[2][2], 0.0, 0.0]
    g.award_titles(sales, lifted, np.zeros(n, bool))
    assert not g.allowances(n, 0, m.money).any()


def test_instruments_change_what_their_mechanism_says_in_a_run():
    """Over two years: broadband adds covered villages, training adds trained farmers, returnees add new farmers."""
    base = _model()
    arms = {k: _model(**{f"budget_{k}": 600_000.0}) for k in ("broadband", "training", "returnee")}
    for m in (base, *arms.values()):
        for _ in range(24):
            m.step()
    covered = arms["broadband"].metrics["g5_share"] + arms["broadband"].metrics["broadband_share"]
    assert covered > base.metrics["g5_share"] + base.metrics["broadband_share"]
    assert arms["training"].metrics["trained_share"] > base.metrics["trained_share"] + 0.05
    assert arms["returnee"].farmers.returnee.sum() >= 20  # a returnee a month at 50k yuan each
    assert arms["returnee"].metrics["new_farmers"] > base.metrics["new_farmers"]
