"""The money and goods ledgers balance every month, over random valid parameters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.core.ledger import LedgerError
from abm.core.params import Parameters
from abm.model import RuralEconomy


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cold=st.floats(0.0, 1.0), g5=st.floats(0.0, 1.0), commission=st.floats(0.0, 0.5),
    fund=st.floats(0.0, 0.2), pairing=st.booleans(),
    mechanism=st.sampled_from(["acquaintance", "reputation", "dual", "blockchain"]),
    budget=st.floats(0.0, 5e6), discrimination=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**31),
)
def test_ledger_balances_every_month(cold, g5, commission, fund, pairing, mechanism, budget, discrimination, seed):
    """Any valid world keeps its books: the model checks them each month and raises if they fail."""
    p = Parameters(farmers=600, households_per_village=20, cold_chain_west=cold, g5_east=g5, commission=commission,
                   fund_rate=fund, pairing=pairing, trust_mechanism=mechanism, budget_training=budget,
                   budget_cold_chain=budget, budget_broadband=budget, budget_returnee=budget, budget_brand=budget,
                   budget_logistics=budget, budget_talent=budget, price_discrimination=discrimination)
    m = RuralEconomy(p, seed=seed)
    cash0 = m.farmers.cash.sum()
    for _ in range(14):
        m.step()
    journal = m.money.frame()
    # Double entry: the farmers' account in the journal explains their cash exactly.
    into = journal.loc[journal.destination == "farmers", "amount"].sum()
    out = journal.loc[journal.source == "farmers", "amount"].sum()
    assert np.isclose(cash0 + into - out, m.farmers.cash.sum(), rtol=1e-9)
    goods = m.goods.frame(("fruit", "vegetables", "grain", "tea", "chili"))
    lhs = goods.harvested
    rhs = goods[["home", "delivered_online", "delivered_offline", "lost", "stock_change"]].sum(axis=1)
    assert np.allclose(lhs, rhs, atol=1e-2 + 1e-6 * lhs.max())
    spent = sum(m.government.spent_total.values())
    assert spent <= 2 * budget * 7 + 1e-6  # two budget years, seven instruments


def test_government_never_exceeds_budget():
    """Each instrument spends at most its yearly budget, year by year."""
    budget = 400_000.0
    p = Parameters(farmers=1500, households_per_village=25, **{f"budget_{i}": budget for i in
                   ("cold_chain", "logistics", "broadband", "training", "talent", "returnee", "brand")})
    m = RuralEconomy(p, seed=3)
    for _ in range(12):
        m.step()
    for name, spent in m.government.spent_total.items():
        assert spent <= budget + 1e-6, name
    assert m.government.spent_total["training"] > 0.5 * budget


@pytest.mark.parametrize(("field", "factor", "message"), [
    ("purchases", 1.001, "online purchases"), ("purchased_kg", 0.999, "online purchases"),
    ("logistics_subsidy", 1.001, "logistics subsidy granted")])
def test_books_check_raises_when_purchases_deliveries_or_subsidies_disagree(field, factor, message):
    """A month whose purchases, deliveries or granted subsidy disagree with the books stops the run.

    Buyers paying (receiving) other than the sales booked (kg delivered), or shippers granting a logistics
    subsidy other than the one booked.
    """
    m = RuralEconomy(Parameters(farmers=600, households_per_village=20, budget_logistics=3000.0), seed=2)
    check = m._check_books
    for _ in range(6):
        m.step()
    m._check_books = lambda flows: check(replace(flows, **{field: getattr(flows, field) * factor}))
    with pytest.raises(LedgerError, match=message):
        for _ in range(6):
            m.step()
