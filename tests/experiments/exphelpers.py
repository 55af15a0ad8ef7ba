"""Helpers of the experiment-runner tests: small experiment files on the real model, the runner command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
    """Environment of a child Python that imports this checkout."""
    return os.environ | {"PYTHONPATH": str(ROOT)}
