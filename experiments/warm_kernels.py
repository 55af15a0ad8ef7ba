"""Imported by the local engine's fork server: one tiny run loads the default model's compiled kernels.

Numba loads a kernel's cached machine code the first time the kernel is called in a process, about
a second in all for the model, which is four small runs' worth. The fork server
(:mod:`experiments.pool`) imports this module once, before it forks any worker, so every worker
starts with the kernels in memory. The tiny world runs thirteen months (a year end included, where
the yearly kernels run) and is thrown away: it draws only from its own seeded generator and writes
nothing, so no other run's result depends on it (a worker's runs are the same as in a fresh process;
the engine-equivalence tests check it). Kernels of mechanisms the default scenario leaves off are
loaded by the first run that uses them, as before. The imports are frozen before the tiny run (so
that its collections do not walk them) and its own garbage collected after it.
"""

from __future__ import annotations

import gc

from abm.core.params import Parameters
from abm.io.scenario import Scenario
from abm.io.simulate import run
from experiments.pool import resume_collector

#: the tiny world: eight villages of 50 households, a year and a month
WARM_FARMERS, WARM_MONTHS = 400, 13


def warm() -> None:
    """Run the tiny world once (its result is discarded)."""
    scenario = Scenario(name="warm-up", months=WARM_MONTHS, seed=0, parameters=Parameters(farmers=WARM_FARMERS))
    run(scenario, progress=False)


resume_collector()  # the imports frozen, so that the collections during the tiny run do not walk them
warm()
gc.collect()  # the tiny run's own garbage, before any worker inherits it
