"""Calibration with uncertainty (``ruralsim calibrate``): history matching in waves, then a posterior.

The free parameters are those declared with a plausible range (``param(..., plausible=(lo, hi,
reason))`` in :mod:`abm.core.params`, source ``seeds/calibration.toml``); the targets are the output facts
of ``seeds/facts.csv`` marked ``evidence = calibrated``. The method is
:mod:`experiments.history_matching`: waves of space-filling designs over the plausible box, every point
run through the experiment runner (:mod:`experiments.runner`: local processes or Dask, each run cached
in ``WORK/wave<w>/runs/``, so a killed calibration resumes where it stopped) at the same seeds, a
Gaussian-process emulator of each fact validated per wave, the implausibility cut-off ruling out
space, and a sequential Monte Carlo sample of the posterior in the region left. A check stage then
runs posterior members drawn by weight at the calibration seeds: it tests the emulators where it
matters and picks the default scenario's member. :mod:`experiments.calibration.record` writes the record.

Why sequential Monte Carlo on the emulators rather than ABC-SMC (pyabc) on the model: ABC-SMC needs
thousands of model runs per generation at a second or more each (beyond an hour on 2 cores), while
the emulators cost a millisecond a point. History matching first removes the space where the
likelihood is negligible, so the particles start in the region; tempering from the draws' density to
the posterior (:func:`experiments.history_matching.tempered_smc`) corrects how unevenly the draws
cover a thin region, which weighting them at once could not (an effective sample of 18 of 2,000).
"""

from __future__ import annotations

import math
import os
import platform
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import abm
from abm.core.params import CALIBRATION, declarations
from abm.io.scenario import ScenarioError, load_scenario
from experiments.calibration.facts import GROWTH_YEARS, Fact, load_facts
from experiments.calibration.validate import measure_plan
from experiments.design import replicate_seeds
from experiments.experiment import parse_experiment, plan_experiment
from experiments.history_matching import (
    TOLERANCE_SIGMAS,
    EmptyRegion,
    HistoryMatch,
    Target,
    Wave,
    history_match,
    systematic_resample,
)
from experiments.runner import run_experiment

#: root of the calibration seeds (validation uses another root, so its check is out of sample)
CALIBRATION_ROOT_SEED = 2025
#: the fewest design points a fact must be measured at (a finite value at some seed) to fit its emulator
MIN_MEASURED = 1
#: where the waves' runs are cached
DEFAULT_WORK = Path("results/calibrate")


@dataclass(frozen=True)
class Settings:
    """The size of a calibration: world, seeds, waves, design points, checked members, posterior draws."""

    farmers: int = 30_000
    months: int = 120
    seeds: int = 4
    waves: int = 4
    points: int = 64
    check: int = 10
    proposals: int = 8192
    root_seed: int = CALIBRATION_ROOT_SEED


#: the smoke mode (``--quick``): a small world, two short waves; minutes on 2 cores, for tests. 3,000 households:
#: at 1,500, on the calibrated defaults, no design point of the first wave sold branded produce online, so the
#: unbranded/branded price ratio could not be emulated
QUICK = Settings(farmers=3000, months=12 * GROWTH_YEARS[1], seeds=2, waves=2, points=16, check=3, proposals=2048)


def free_parameters() -> list[str]:
    """Names of the parameters declared with a plausible range, in declaration order.

    Raises:
        ScenarioError: If a parameter sourced from the calibration record has no plausible range, or one
            with a plausible range is not sourced from it.
    """
    decl = declarations()
    free = [d["name"] for d in decl if d["plausible"] is not None]
    sourced = [d["name"] for d in decl if d["source"] == CALIBRATION]
    if free != sourced:
        odd = sorted(set(free) ^ set(sourced))
        raise ScenarioError(f"parameter(s) {', '.join(odd)}: a free parameter has source {CALIBRATION!r} and "
                            "declares plausible=(lo, hi, reason) in abm/core/params_*.py; allowed: both or neither")
    return free


def model_version() -> str:
    """The package version and, in a git checkout, the model's commit (``+dirty``: abm/ or agents/ differ)."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "abm", "agents"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return abm.__version__
    return f"{abm.__version__} (commit {commit}{'+dirty' if dirty else ''})"


def record_path() -> Path:
    """The packaged calibration record, ``seeds/calibration.toml``."""
    return Path(str(resources.files("seeds") / "calibration.toml"))


@dataclass(frozen=True)
class Space:
    """A box of parameters (their plausible ranges), mapped to and from the unit cube."""

    names: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def plausible(cls, names: Sequence[str] | None = None) -> Space:
        """The plausible box of some free parameters (default: all), checked against the declared ranges.

        Raises:
            ScenarioError: If a name is not a free parameter, or a plausible range leaves the declared one.
        """
        free = free_parameters()
        names = list(names or free)
        decl = {d["name"]: d for d in declarations()}
        unknown = [n for n in names if n not in free]
        if unknown:
            raise ScenarioError(f"--parameters {', '.join(unknown)}: not free parameters; allowed: {', '.join(free)}")
        for n in names:
            lo, hi, _ = decl[n]["plausible"]
            if not decl[n]["min"] <= lo < hi <= decl[n]["max"]:
                raise ScenarioError(f"plausible range of {n} [{lo}, {hi}] leaves the declared "
                                    f"[{decl[n]['min']}, {decl[n]['max']}]")
        box = np.array([decl[n]["plausible"][:2] for n in names], dtype=float)
        return cls(tuple(names), box[:, 0], box[:, 1])

    def values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values of one point of the unit cube (clipped into it)."""
        x = self.lo + np.clip(unit, 0.0, 1.0) * (self.hi - self.lo)
        return {n: float(v) for n, v in zip(self.names, x, strict=True)}

    def unit(self, values: dict[str, float]) -> np.ndarray:
        """The unit-cube point of some parameter values."""
        return np.array([(values[n] - lo) / (hi - lo) for n, lo, hi in zip(self.names, self.lo, self.hi, strict=True)])


def target_of(fact: Fact) -> Target:
    """The history-matching target of a fact: its figure or bound, sd = tolerance / TOLERANCE_SIGMAS."""
    return Target(fact.id, fact.target, fact.low, fact.high, fact.tolerance / TOLERANCE_SIGMAS)


class ModelSimulator:
    """Runs design points of the unit cube through the experiment runner, every point at the same seeds."""

    def __init__(self, space: Space, facts: list[Fact], settings: Settings, work: Path, engine: str = "local",
                 workers: int | None = None, address: str | None = None, fixed: dict[str, Any] | None = None,
                 progress: bool = True) -> None:
        """Set up the world, seeds and where the runs are cached (``work/<label>/runs``)."""
        self.space, self.facts, self.settings, self.work = space, facts, settings, Path(work)
        self.engine, self.workers, self.address, self.progress = engine, workers, address, progress
        self.fixed = {"farmers": settings.farmers, **(fixed or {})}
        self.runs = 0

    def table(self, points: list[dict[str, float]], label: str) -> pd.DataFrame:
        """Run parameter sets (one arm each) at the calibration seeds; every fact's value on every run."""
        experiment = parse_experiment({
            "name": f"calibrate_{label}", "months": self.settings.months, "replicates": self.settings.seeds,
            "root_seed": self.settings.root_seed, "parameters": self.fixed,
            "arms": {f"{label}_{i}": values for i, values in enumerate(points)}}, "calibrate")
        plan = plan_experiment(experiment, "calibrate")
        run_experiment(plan, self.work / label, self.engine, self.workers, self.address, progress=self.progress)
        self.runs += len(points) * self.settings.seeds
        return measure_plan(plan, self.work / label, self.facts)

    def __call__(self, x: np.ndarray, wave: int) -> np.ndarray:
        """Fact values of unit-cube points at every seed, shape ``(points, seeds, facts)``."""
        table = self.table([self.space.values(u) for u in x], f"wave{wave}").sort_values(["point", "replicate"])
        values = table[[f.id for f in self.facts]].to_numpy(float).reshape(len(x), self.settings.seeds, len(self.facts))
        self.check_measured(values, wave)
        return values

    def check_measured(self, values: np.ndarray, wave: int) -> None:
        """Refuse a world in which a target fact is measured at no design point (its emulator would have no data).

        Raises:
            ScenarioError: Naming the facts, at how many points, the world's size and what is allowed.
        """
        measured = np.isfinite(values).any(axis=1).sum(axis=0)
        if (measured < MIN_MEASURED).any():
            facts = ", ".join(f"{f.id} ({n} of {len(values)} points)" for f, n in zip(self.facts, measured, strict=True)
                              if n < MIN_MEASURED)
            raise ScenarioError(f"--farmers = {self.settings.farmers}: wave {wave}: fact(s) {facts} measured at no "
                                "point, nothing to emulate: a world this small may have nothing to measure them on "
                                "(e.g. no branded produce sold); allowed: a larger world (--quick uses "
                                f"{QUICK.farmers:,} households), more --points, or --facts without those targets; the "
                                f"runs are kept in {self.work}")


@dataclass
class Calibration:
    """The outcome of :func:`calibrate`: the waves, the posterior, the checked members and how it ran."""

    settings: Settings
    space: Space
    facts: list[Fact]
    match: HistoryMatch
    check: pd.DataFrame
    seeds: list[int]
    runs: int
    seconds: float
    model: str
    machine: str
    fixed: dict[str, Any]


def check_members(match: HistoryMatch, simulator: ModelSimulator, n: int) -> pd.DataFrame:
    """Run ``n`` posterior members drawn by weight (distinct rows) and score them on the simulated facts.

    A member's score is the sum over facts of the squared standardised miss of its seed-mean, the
    standard deviation being the observation's and the seed-mean's together (the lower, the better).
    """
    post, last = match.posterior, match.waves[-1]
    rows = list(dict.fromkeys(systematic_resample(post.weights, n).tolist()))
    table = simulator.table([simulator.space.values(post.x[r]) for r in rows], "check")
    means = table.groupby("point", sort=True)[[f.id for f in simulator.facts]].mean().to_numpy(float)
    score = np.zeros(len(rows))
    out = pd.DataFrame({"row": rows})
    for j, t in enumerate(last.targets):
        sd = math.sqrt(t.sigma ** 2 + last.seed_var[j] / simulator.settings.seeds)
        z = t.distance(means[:, j]) / sd
        score += z ** 2
        out[t.id] = means[:, j]
        out[f"{t.id}_emulated"] = post.mean[rows, j]
        out[f"{t.id}_within_3sd"] = np.abs(means[:, j] - post.mean[rows, j]) <= 3 * np.sqrt(
            post.sd[rows, j] ** 2 + last.seed_var[j] / simulator.settings.seeds)
    return out.assign(score=score)


def machine() -> str:
    """The machine in words: platform, processor and core count."""
    return f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def check_calibration(s: Settings, names: Sequence[str] | None = None, facts_file: str | Path | None = None,
                      fixed: dict[str, Any] | None = None) -> tuple[list[Fact], Space]:
    """Check a calibration's settings, facts, parameters and world before any run; its targets and box.

    Raises:
        ScenarioError: Naming the setting, file or parameter and what is allowed.
    """
    if s.months < 12 * GROWTH_YEARS[1]:
        raise ScenarioError(f"--months {s.months}: the growth facts need at least {12 * GROWTH_YEARS[1]} months "
                            f"(years {GROWTH_YEARS[0]}-{GROWTH_YEARS[1]})")
    if s.seeds < 2 or s.points < 4 or s.waves < 1 or s.check < 1:
        raise ScenarioError("--seeds must be at least 2 (replicate noise), --points at least 4, --waves and "
                            "--check at least 1")
    facts = [f for f in load_facts(facts_file) if f.calibration_target]
    if not facts:
        raise ScenarioError(f"{facts_file or 'seeds/facts.csv'}: no fact is marked evidence = calibrated; "
                            "allowed: a facts file with at least one calibrated fact")
    load_scenario().with_overrides({"farmers": s.farmers, **(fixed or {})})  # validates the world
    return facts, Space.plausible(names)


def calibrate(settings: Settings = Settings(), names: Sequence[str] | None = None,
              facts_file: str | Path | None = None, work: str | Path = DEFAULT_WORK, engine: str = "local",
              workers: int | None = None, address: str | None = None, fixed: dict[str, Any] | None = None,
              report: Callable[[Wave], None] | None = None, progress: bool = True) -> Calibration:
    """History-match the free parameters to the calibration-target facts and weight the region left.

    Args:
        settings: World, seeds, waves, points, checked members, posterior draws.
        names: Parameters to calibrate (default: every free parameter); the others keep their defaults.
        facts_file: Facts file (default: the packaged ``seeds/facts.csv``).
        work: Folder of the waves' cached runs.
        engine: The runner's engine, ``local`` or ``dask``.
        workers: Worker processes (default: all cores).
        address: A running Dask scheduler's address.
        fixed: Parameters set for every run besides the world size.
        report: Called with each wave as it finishes (emulator diagnostics, region left).
        progress: Show the runner's progress bars.

    Raises:
        ScenarioError: For settings that cannot calibrate.
    """
    s = settings
    facts, space = check_calibration(s, names, facts_file, fixed)

    start = time.perf_counter()
    simulator = ModelSimulator(space, facts, s, Path(work), engine, workers, address, fixed, progress)
    try:
        match = history_match(simulator, len(space.names), [target_of(f) for f in facts], s.waves, s.points,
                              seed=s.root_seed, proposals=s.proposals, report=report)
    except EmptyRegion as e:
        raise ScenarioError(f"--farmers = {s.farmers}, --waves = {s.waves}, --points = {s.points}: no design point is "
                            f"consistent with every target fact ({e}); allowed: a larger world (seed noise shrinks "
                            "with size), more --points or --waves, or --facts with fewer targets; the runs are kept "
                            f"in {work}") from None
    check = check_members(match, simulator, s.check)
    return Calibration(s, space, facts, match, check, replicate_seeds(s.root_seed, s.seeds), simulator.runs,
                       time.perf_counter() - start, model_version(), machine(), dict(simulator.fixed))

