"""One input boundary for the values other tools hand over: numpy scalars and whole floats in, meaningless values out.

The EMA Workbench, SALib, pandas rows, ``np.arange`` and ``mesa.batch_run`` give ``np.int64``,
``np.float64``, ``np.True_`` and whole floats such as ``40.0``; each is the value it stands for.
Text, true/false as a number, a fraction for a whole number, NaN and infinity stay refused by name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample
from testworlds import same_bits

from abm.core.checks import ScenarioError, seed_value
from abm.core.params import Parameters
from abm.io.scenario import Scenario, load_scenario
from abm.model import RuralEconomy
from experiments.experiment import parse_experiment

BASE = load_scenario()


@pytest.mark.parametrize(("name", "given", "expected"), [
    ("households_per_village", np.int64(125), 125),
    ("households_per_village", np.int32(60), 60),
    ("households_per_village", np.uint16(40), 40),
    ("households_per_village", np.float64(40.0), 40),
    ("households_per_village", 40.0, 40),
    ("commission", np.float64(0.1), 0.1),
    ("commission", np.int64(0), 0.0),
    ("pairing", np.True_, True),
    ("trust_mechanism", np.str_("dual"), "dual"),
])
def test_numpy_scalars_and_whole_floats_are_the_values_they_stand_for(name, given, expected) -> None:
    """Each value validates to the Python value of the declared type (an int stays an int, not 40.0)."""
    value = getattr(BASE.with_overrides({name: given}).parameters, name)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("name", "given", "words"), [
    ("households_per_village", "40", ["'40' (str)", "valid integer", "int from 5 to 500"]),
    ("households_per_village", 40.5, ["40.5: not a whole number"]),
    ("households_per_village", np.float64(40.5), ["40.5", "not a whole number"]),
    ("households_per_village", True, ["True (bool)"]),
    ("commission", np.True_, ["True (bool)", "valid number"]),
    ("commission", "0.1", ["'0.1' (str)"]),
    ("commission", np.nan, ["nan: not a finite number", "float from 0.0 to 0.5"]),
    ("commission", np.float32("nan"), ["not a finite number"]),
    ("commission", np.inf, ["inf: not a finite number"]),
    ("farmers", np.float64("-inf"), ["-inf: not a finite number"]),
    ("pairing", np.int64(1), ["1 (int)", "valid boolean"]),
])
def test_meaningless_values_are_refused_by_name(name, given, words) -> None:
    """Text, bools as numbers, fractions, NaN and infinity name the parameter, the value and what is allowed."""
    with pytest.raises(ScenarioError) as err:
        BASE.with_overrides({name: given})
    message = str(err.value)
    assert f"parameters.{name}" in message and all(w in message for w in words), message


def test_a_pandas_row_of_mixed_columns_validates() -> None:
    """``iterrows`` turns an int column into floats (125.0) beside real floats: each row is a valid scenario."""
    design = pd.DataFrame({"households_per_village": [25, 40], "commission": [0.05, 0.12], "pairing": [True, False]})
    for _, row in design[["households_per_village", "commission"]].iterrows():
        assert isinstance(row.households_per_village, float)
        p = BASE.with_overrides(row.to_dict()).parameters
        assert p.households_per_village == int(row.households_per_village) and p.commission == row.commission
    for row in design.itertuples(index=False):
        assert BASE.with_overrides(row._asdict()).parameters.pairing is bool(row.pairing)


def test_a_salib_sample_validates_once_whole_parameters_are_rounded() -> None:
    """SALib samples floats: rounded, a whole-number column is accepted; unrounded, it is refused by name."""
    problem = {"num_vars": 2, "names": ["households_per_village", "commission"], "bounds": [[20, 60], [0.02, 0.2]]}
    sample = sobol_sample.sample(problem, 8, calc_second_order=False, seed=3)
    rounded = sample.copy()
    rounded[:, 0] = np.rint(rounded[:, 0])
    for row in rounded:
        p = BASE.with_overrides(dict(zip(problem["names"], row, strict=True))).parameters
        assert p.households_per_village == int(row[0]) and p.commission == row[1]
    fractional = next(row for row in sample if not float(row[0]).is_integer())
    with pytest.raises(ScenarioError, match="households_per_village = .*not a whole number"):
        BASE.with_overrides(dict(zip(problem["names"], fractional, strict=True)))


def test_np_arange_values_build_models_and_scenarios() -> None:
    """``np.arange`` values build parameters, a scenario's months and seed, and an experiment's counts."""
    sizes = [Parameters(households_per_village=v).households_per_village for v in np.arange(40, 60, 10)]
    assert sizes == [40, 50] and all(type(s) is int for s in sizes)
    scenario = Scenario(months=np.int64(24), seed=np.uint32(7))
    assert (scenario.months, scenario.seed) == (24, 7) and type(scenario.seed) is int
    experiment = parse_experiment({"arms": {"a": {}}, "replicates": np.int64(3), "root_seed": np.float64(5.0),
                                   "months": np.int16(12)}, "test")
    assert (experiment.replicates, experiment.root_seed, experiment.months) == (3, 5, 12)


@pytest.mark.parametrize("given", [np.int64(3), np.uint8(3), np.float64(3.0), 3.0])
def test_a_numpy_or_whole_float_seed_is_that_seed(given) -> None:
    """A model seeded with ``np.int64(3)`` (or 3.0) runs exactly as one seeded with 3."""
    assert seed_value(given) == 3 and type(seed_value(given)) is int
    a, b = RuralEconomy(seed=3, farmers=500), RuralEconomy(seed=given, farmers=500)
    a.step()
    b.step()
    assert list(a.metrics) == list(b.metrics) and a.rng.random() == b.rng.random()
    assert same_bits(np.array(list(a.metrics.values())), np.array(list(b.metrics.values())))


@pytest.mark.parametrize(("given", "words"), [
    ("3", "'3' (str): not a seed"), (True, "True (bool): not a seed"), (-1, "-1 (int): not a seed"),
    (3.5, "not a whole number"), (np.nan, "not a finite number"), (2**63, "not a seed"),
])
def test_a_meaningless_seed_is_refused_by_name(given, words) -> None:
    """Seeds are whole numbers from 0 to 2**63 - 1; the message names the argument and what is allowed."""
    with pytest.raises(ScenarioError, match="seed = ") as err:
        RuralEconomy(seed=given, farmers=500)
    assert words in str(err.value) and "a whole number from 0 to 2**63 - 1" in str(err.value)
