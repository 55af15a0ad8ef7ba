"""Random scenario dictionaries (wrong types, extra keys, extreme numbers) either load or raise ScenarioError."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.core.params import declarations
from abm.io.inputs import parse_text
from abm.io.scenario import Scenario, ScenarioError, parse_scenario

NAMES = [d["name"] for d in declarations()]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["dual", "magic", "0.1", "12", "true", ""]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                              max_size=3), max_leaves=6)
PARAMETERS = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=8), VALUES, max_size=6)
SCENARIOS = st.fixed_dictionaries({}, optional={
    "name": VALUES, "description": VALUES, "months": VALUES, "seed": VALUES,
    "parameters": PARAMETERS | VALUES, "extra": VALUES,
})


def _load(data) -> None:
    """Load ``data``: a valid Scenario comes back, or the project's own error; nothing else may escape."""
    try:
        scenario = parse_scenario(data, "fuzz")
    except ScenarioError as err:
        assert str(err).startswith("fuzz: ")
        return
    assert isinstance(scenario, Scenario)
    assert 1 <= scenario.months <= 1200 and scenario.seed >= 0


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS)
def test_random_scenario_dicts_load_or_raise_scenario_error(data):
    """Any dictionary gives a valid scenario or a ScenarioError, never another exception."""
    _load(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCENARIOS)
def test_random_scenarios_written_as_yaml_load_or_raise_scenario_error(data):
    """The same dictionaries written as YAML text go through the file parser with the same outcome."""
    text = yaml.safe_dump(data)
    try:
        parsed = parse_text(text, ".yaml", "fuzz")
    except ScenarioError:
        return
    _load(parsed)
