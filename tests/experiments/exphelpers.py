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
    """The command line of the runner's module entry point."""
    return [sys.executable, "-m", "experiments.runner", str(file), "--out", str(out), *args]


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


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``ruralsim ARGS`` in this process through its entry point (the same exit codes and messages as the
    command line); return the exit code, stdout and stderr. Signal handlers are left to pytest."""
    from unittest import mock

    from click.testing import CliRunner

    from experiments import cli

    with CliRunner().isolation() as (out, err, _), mock.patch.object(cli.interrupts, "install"):
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        return code, out.getvalue().decode(), err.getvalue().decode()
