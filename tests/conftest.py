"""Shared fixtures: small worlds with fixed seeds."""

from __future__ import annotations

import pytest

from abm.core.params import Parameters
from abm.io.scenario import Scenario


@pytest.fixture
def small() -> Scenario:
    """A teaching-size province: 1,200 households, two years."""
    return Scenario(name="small", months=24, seed=7, parameters=Parameters(farmers=1200, households_per_village=20))
