"""Helpers of the experiment-runner tests: small experiment files on the real model, the runner command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]

#: a tiny world, so that a run takes a fraction of a second
SMALL = """
name = "small"
base = "default"
months = 12
replicates = {replicates}
root_seed = 7
parameters = {{ farmers = 500 }}
outcomes = ["income_mean", "adoption", "gini", "consumer_trust"]

[arms.low]
commission = 0.03

[arms.high]
commission = 0.12
"""


def write(folder: Path, text: str, name: str = "experiment.toml") -> Path:
    """Write an experiment file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def runner_command(file: Path, out: Path, *args: str) -> list[str]:
    """The command line of ``ruralsim experiment`` run as a module (``python -m experiments.cli.app``)."""
    return [sys.executable, "-m", "experiments.cli.app", "experiment", str(file), "--out", str(out), *args]


def subprocess_env() -> dict[str, str]:
    """Environment of a child Python that imports this checkout (and these helpers' stand-in models)."""
    return os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)])}


#: the declared parameters in [0, 1] that carry ZDT1's three decision variables
ZDT1_LEVERS = ("trained_share", "coop_membership", "station_west")


def zdt1(scenario, seed: int, months: int, progress: bool = False) -> SimpleNamespace:
    """A stand-in model with the runner's signature: ZDT1's two objectives (f1, f2) as a one-row series.

    ZDT1 (Zitzler, Deb and Thiele 2000): f1 = x1, g = 1 + 9 mean(x2..xn), f2 = g (1 - sqrt(f1 / g));
    its Pareto front is f2 = 1 - sqrt(f1), reached where x2..xn = 0.
    """
    x = np.array([getattr(scenario.parameters, name) for name in ZDT1_LEVERS])
    g = 1.0 + 9.0 * x[1:].mean()
    f1, f2 = x[0], g * (1.0 - np.sqrt(x[0] / g))
    series = pd.DataFrame({"month": [0, months], "f1": [f1, f1], "f2": [f2, f2]})
    regions = pd.DataFrame({"month": pd.Series(dtype=int), "region": pd.Series(dtype=str)})
    return SimpleNamespace(series=series, regions=regions, manifest={"seed": seed, "months": months})


def zdt1_shifted(scenario, seed: int, months: int, progress: bool = False) -> SimpleNamespace:
    """ZDT1 with f2 raised by the run's ``imitation_rate``: an objective that depends on an uncertain parameter."""
    result = zdt1(scenario, seed, months)
    result.series["f2"] += scenario.parameters.imitation_rate
    return result


def loaded_kernels(_: object) -> tuple[bool, int]:
    """In a worker: whether the kernel warm-up module ran, and how many of the model's kernels are in memory."""
    import sys

    from numba.core.registry import CPUDispatcher

    modules = [m for name, m in list(sys.modules.items()) if name.startswith(("abm.", "agents."))]
    kernels = [v for m in modules for v in vars(m).values() if isinstance(v, CPUDispatcher) and v.signatures]
    return "experiments.warm_kernels" in sys.modules, len(kernels)


def collector_state(_: object) -> tuple[bool, bool]:
    """In a worker: whether the garbage collector is on, and whether the objects it inherited are frozen."""
    import gc

    return gc.isenabled(), gc.get_freeze_count() > 0


#: the planted driver of :func:`planted_driver`: the treatment effect on ``online_kg`` changes sign at this value
PLANTED_DRIVER, PLANTED_THRESHOLD = "imitation_rate", 0.2


def planted_driver(scenario, seed: int, months: int, progress: bool = False) -> SimpleNamespace:
    """A stand-in model whose treatment effect on one outcome flips sign past a known value of one parameter.

    The treatment is ``pairing``. ``online_kg`` = pairing x 10 (imitation_rate - 0.2) plus small terms in
    other parameters that do not depend on the treatment, plus noise drawn from the seed and the arm;
    ``market_reach`` = pairing x (1 + trust_weight / 10): positive over every range. So the pairing effect
    on online_kg has one driver, imitation_rate, and flips at 0.2; the one on market_reach never flips and
    is driven by trust_weight. ``newcomer_sales_ratio`` is 1 when treated and undefined (NaN) otherwise, as
    a ratio is in a run without newcomers.
    """
    p = scenario.parameters
    noise = np.random.default_rng([seed, int(p.pairing)]).normal(0.0, 0.05, months + 1)
    treated = float(p.pairing)
    online_kg = treated * 10 * (p.imitation_rate - PLANTED_THRESHOLD) + 0.5 * p.commission + p.coop_fee + noise
    reach = treated * (1 + p.trust_weight / 10) + 0.01 * p.residual_demand_elasticity + noise
    series = pd.DataFrame({"month": np.arange(months + 1), "online_kg": online_kg, "market_reach": reach,
                           "newcomer_sales_ratio": np.full(months + 1, 1.0 if p.pairing else np.nan)})
    regions = pd.DataFrame({"month": pd.Series(dtype=int), "region": pd.Series(dtype=str)})
    return SimpleNamespace(series=series, regions=regions, manifest={"seed": seed, "months": months})


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``ruralsim ARGS`` in this process through its entry point (the same exit codes and messages as the
    command line); return the exit code, stdout and stderr. Signal handlers are left to pytest."""
    from unittest import mock

    from click.testing import CliRunner

    from experiments.cli import app as cli

    with CliRunner().isolation() as (out, err, _), mock.patch.object(cli.interrupts, "install"):
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        return code, out.getvalue().decode(), err.getvalue().decode()
