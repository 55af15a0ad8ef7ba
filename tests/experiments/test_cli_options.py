"""The shared options: strict whole numbers, the overrides they carry into experiments, the household warning."""

from __future__ import annotations

import pytest
from exphelpers import SMALL, write

from abm.core.params import Parameters
from experiments.cli.options import OptionError, choice, whole
from experiments.experiment import household_warnings
from experiments.design import replicate_seeds
from experiments.experiment import load_experiment


def test_whole_numbers_are_read_strictly():
    """Digits pass; decimals, exponents, words and values out of range are refused with what is allowed."""
    parse = whole(1, 1200)
    assert parse("12") == 12 and parse(" 7 ") == 7
    for text in ("1.5", "1e3", "true", "", "0", "1201"):
        with pytest.raises(OptionError, match="allowed: a whole number from 1 to 1,200"):
            parse(text)
    with pytest.raises(OptionError, match="allowed: one of local, dask"):
        choice("local", "dask")("ray")


def test_experiment_options_override_replicates_seed_and_households(tmp_path):
    """--replicates, --root-seed and --farmers reach every point of an experiment."""
    plan = load_experiment(write(tmp_path, SMALL.format(replicates=3)), replicates=4, root_seed=9, farmers=1050)
    assert plan.seeds == replicate_seeds(9, 4)
    assert {s.parameters.farmers for s in plan.scenarios} == {1050}


def test_changed_household_count_is_stated_with_the_reason():
    """500 households at 50 a village become 400 on a 4 x 2 grid, and the warning says so; 1,000 fit exactly."""
    (line,) = household_warnings([Parameters(farmers=500), Parameters(farmers=500), Parameters(farmers=1000)])
    assert line.startswith("warning: farmers = 500 becomes 400 households") and "4 x 2 grid" in line
    assert household_warnings([Parameters(farmers=100, households_per_village=500)])[0].startswith(
        "warning: farmers = 100 becomes 1,500 households")
