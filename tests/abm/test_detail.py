"""The translation detail: the decade's flows add up to the monthly series, and `ruralsim run --detail` prints it."""

from __future__ import annotations

import functools

import numpy as np
from typer.testing import CliRunner

from abm.io.detail import defection_profile, regional, yearly
from abm.io.scenario import load_scenario
from abm.io.simulate import run
from experiments.cli.app import app
from testworlds import DIFFUSING


@functools.cache
def _result():
    return run(load_scenario("default").with_overrides({"farmers": 1500} | DIFFUSING), seed=3, months=60)


def test_yearly_flows_add_up_to_the_monthly_series():
    """Each year's defections are the sum of its months'; channel shares add to one; growth is year on year."""
    r = _result()
    y = yearly(r)
    s = r.series[r.series.month > 0]
    by_year = s.groupby((s.month - 1) // 12 + 1).flow_defected.sum()
    np.testing.assert_array_equal(y["defections"].to_numpy(), by_year.to_numpy())
    shares = y[["cooperative share", "platform shop share", "livestream share"]].sum(axis=1)
    np.testing.assert_allclose(shares.to_numpy(), 1.0)
    online = y["online households"].to_numpy()
    np.testing.assert_allclose(y["growth"].to_numpy()[1:], online[1:] / online[:-1] - 1)
    assert y["defections"].sum() > 0


def test_defection_profile_and_regional_funnel_are_shares():
    """The calendar profile sums to one over twelve months; each region's funnel sums to one in years 1 and 5."""
    r = _result()
    profile = defection_profile(r)
    assert len(profile) == 12 and abs(profile.sum() - 1) < 1e-12
    reg = regional(r)
    assert sorted(set(reg.index.get_level_values("year"))) == [1, 5]
    funnel = reg[["not_reached", "problematised", "interested", "enrolled", "mobilised"]].sum(axis=1)
    np.testing.assert_allclose(funnel.to_numpy(), 1.0)


def test_run_detail_prints_the_three_tables(tmp_path):
    """`ruralsim run --detail` prints the decade, the calendar profile and the regions after the summary."""
    out = CliRunner().invoke(app, ["run", "--months", "24", "--set", "farmers=500", "--detail", "--out",
                                   str(tmp_path / "run")], terminal_width=200)
    assert out.exit_code == 0, out.output
    for title in ("The decade, year by year", "Defections by calendar month", "Regions in years 1, 5 and 10"):
        assert title in out.output
