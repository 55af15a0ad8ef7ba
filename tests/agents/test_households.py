"""Households' off-farm income: wage earners and the spread of each part between households."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agents.households import WAGE_EARNER_SHARES, spread_factor, wage_factors


def test_a_household_without_wage_earners_earns_no_wages_and_the_mean_factor_is_one():
    """About 30% of households have no member in wage work; over all households the factor averages 1."""
    _, factors = wage_factors(np.random.default_rng(3), 200_000, 0.6, 1.0)
    assert np.mean(factors == 0) == pytest.approx(WAGE_EARNER_SHARES[0], abs=0.005)
    assert factors.mean() == pytest.approx(1.0, abs=0.01)


def test_spread_factors_have_mean_one_and_the_stated_log_spread():
    """A lognormal factor with sigma 1.0 keeps the part's mean and has that standard deviation of logs."""
    f = spread_factor(np.random.default_rng(4), 1.0, 200_000, 1.0)
    assert f.mean() == pytest.approx(1.0, abs=0.02)
    assert np.log(f).std() == pytest.approx(1.0, abs=0.01)


def test_capped_spread_factors_keep_mean_one_and_no_draw_beyond_the_cap():
    """Winsorised at the 99.9th percentile, a sigma-0.9 factor still averages 1 and never exceeds about 11."""
    f = spread_factor(np.random.default_rng(5), 0.9, 400_000, 0.999)
    assert f.mean() == pytest.approx(1.0, abs=0.01)
    cap = np.exp(-0.9 ** 2 / 2 + 0.9 * 3.090232)
    assert f.max() <= cap * 1.01 / 0.99 and f.max() > 0.9 * cap / 1.01
    assert np.mean(f >= f.max() * (1 - 1e-12)) == pytest.approx(0.001, rel=0.2)


def test_the_default_province_has_a_quintile_ratio_in_the_yearbooks_band():
    """Off-farm spreads and farm income together give a richest-to-poorest fifth ratio of 4.5-10 (seeds/facts.csv)."""
    from abm.model import RuralEconomy
    m = RuralEconomy(farmers=3000, seed=5)
    for _ in range(24):
        m.step()
    assert 4.5 <= m.metrics["quintile_ratio"] <= 10.0


def test_the_farm_part_is_net_business_less_non_farm_business_and_shops():
    """``farm_per_person``: a household's net business less twelve months of its non-farm business and its shop's net."""
    from abm.core.params import Parameters
    from agents.households import HouseholdIncome
    region = np.array([0, 0, 1, 2])
    hi = HouseholdIncome(Parameters(), region, np.random.default_rng(6))
    hi.open_year(1)
    income = 12.0 * hi.month.total() + np.array([3_000.0, 0.0, 5_000.0, 8_000.0])
    shop_net = np.array([1_000.0, 0.0, 0.0, 2_000.0])
    income += shop_net
    ys = hi.year_parts(income, 0.0, shop_net)
    np.testing.assert_allclose(ys["farm_per_person"] * hi.persons, [1_500.0, 5_000.0, 8_000.0])
    business = ys["income_parts"][1] * hi.persons
    np.testing.assert_allclose(business - ys["farm_per_person"] * hi.persons,
                               [np.mean(12.0 * hi.month.business[:2] + shop_net[:2]),
                                12.0 * hi.month.business[2], 12.0 * hi.month.business[3] + shop_net[3]])


def test_farm_prices_rising_with_the_index_raise_the_farm_part_and_leave_non_farm_business():
    """Paired seeds: prices 5% a year higher raise every region's farm income by year 3; off-farm business is the same."""
    from abm.model import RuralEconomy
    gains, others = [], []
    for seed in (1, 2, 3):
        runs = []
        for growth in (0.0, 0.05):
            m = RuralEconomy(farmers=1_500, seed=seed, farm_price_growth=growth)
            for _ in range(36):
                m.step()
            runs.append(pd.DataFrame(m.region_rows[-3:]).set_index("region"))
        gains.append(runs[1].income_farm - runs[0].income_farm)
        others.append((runs[1].income_business - runs[1].income_farm) - (runs[0].income_business - runs[0].income_farm))
    gain = pd.concat(gains, axis=1)
    assert (gain.mean(axis=1) - 3 * gain.std(axis=1) > 0).all(), gain
    assert (pd.concat(others, axis=1).abs().max(axis=1) < 0.25 * gain.min(axis=1)).all()
