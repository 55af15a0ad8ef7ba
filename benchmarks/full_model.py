"""The "every mechanism on" parameter set the province-scale benchmark and its identity check use.

Every government instrument has a budget (scaled with the number of households, so a bigger
province is the same policy at a bigger scale), the east-west fund levies 1%, pairing is on,
trust runs on blockchain traceability with contract penalties, platforms price-discriminate, and
the livestream development model seeds new farmers.
"""

from __future__ import annotations

from abm.core.params import Parameters

#: yearly budget of each instrument, yuan per household of the province (at least MIN_BUDGET)
BUDGET_PER_HOUSEHOLD = {"cold_chain": 100.0, "logistics": 20.0, "broadband": 50.0, "training": 30.0,
                        "talent": 10.0, "returnee": 20.0, "brand": 10.0}
#: a floor on each yearly budget, so that a small province can still afford a unit of every instrument
#: every month (a 5G mast, a brand award, a returnee start-up)
MIN_BUDGET = 4_000_000.0


def full_parameters(farmers: int) -> Parameters:
    """Parameters for ``farmers`` households with every mechanism of the model switched on."""
    budgets = {f"budget_{k}": max(v * farmers, MIN_BUDGET) for k, v in BUDGET_PER_HOUSEHOLD.items()}
    return Parameters(farmers=farmers, fund_rate=0.01, pairing=True, trust_mechanism="blockchain",
                      fraud_penalty=1.0, price_discrimination=0.05, development_model="livestream",
                      **budgets)
