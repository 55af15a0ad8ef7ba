"""The monthly step's own rules: when a scenario's shock is in force."""

from __future__ import annotations

from abm.model import RuralEconomy
from abm.core.params import Parameters


def test_shock_is_in_force_from_its_first_month_for_its_duration():
    """``shock_start = 6`` with 3 months raises the commission in months 6, 7 and 8, and in no other."""
    m = RuralEconomy(Parameters(farmers=600, households_per_village=20, shock="commission_hike", shock_start=6,
                                shock_months=3), seed=1)
    platform = m.province.institutions.platforms[0]
    hiked = []
    for _ in range(10):
        m.step()
        if platform.commission > platform.base_commission:
            hiked.append(m.steps)
    assert hiked == [6, 7, 8]
