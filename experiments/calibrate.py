"""Calibration of the free parameters to the output stylized facts (``ruralsim calibrate``).

The free parameters are those whose declared source is ``seeds/calibration.toml`` (declared with
``calibrated(...)`` in :mod:`abm.params`). They are fitted to the output facts of ``seeds/facts.csv``
marked ``calibration_target = yes``:

1. **Space-filling design.** A Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`) of
   ``points`` points over :data:`PLAUSIBLE`, ranges narrowed from the declared ones to what is
   plausible for a Chinese rural province (each with its reason).
2. **Local search.** Bounded Powell (default) or Nelder-Mead (:func:`scipy.optimize.minimize`) in
   the unit cube from the ``starts`` best design points (the current record's values are ranked
   with the design, so a recalibration can start from them), until the time budget is spent.
   Powell's line searches along each parameter suit this objective better than a simplex: the
   facts respond to few parameters each (the price spread to the brand multiplier, growth to the
   diffusion hazards), and in 15 dimensions a simplex stalls on the objective's roughness.

The objective is ``sum_f min(miss_f / tolerance_f, 100) ** 2`` over the target facts, where a fact's
miss is its distance from the figure (or outside its bound) and the simulated value is the mean
over ``seeds`` replicate seeds, the same seeds at every point (common random numbers make the
objective a deterministic function of the parameters, which a local search needs). Runs use the
default world (30,000 households, 120 months) and twelve seeds by default: a first fit of the
nested-logit demand on a 7,500-household world with two seeds met the growth facts in sample
(0.099) and missed them at the default world on validation seeds (0.078), the seeds' noise and the
world's size both showing. On 2 cores the default budget is an hour; on 16 cores eight minutes
gave the current record.

:func:`write_record` writes ``seeds/calibration.toml``: ``[record]`` (method, objective, facts,
seeds, world, date, final objective, per-fact fit) and ``[values]``, which the model's defaults read
at import. Validation (``ruralsim validate``) then runs the default province with other seeds.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from abm.params import CALIBRATION, declarations
from abm.scenario import ScenarioError, load_scenario
from experiments.design import replicate_seeds
from experiments.facts import GROWTH_YEARS, Fact, load_facts, measure_run

#: root of the calibration seeds (validation uses another root, so its check is out of sample)
CALIBRATION_ROOT_SEED = 2025
#: the largest tolerance-scaled miss one fact adds to the objective (a NaN counts as this)
MISS_CAP = 100.0

#: plausible ranges of the free parameters (narrowed from the declared ones) and why
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "coop_branded": (0.0, 0.3, "003: under 10% of produce is branded, so at most a third of cooperatives "
                               "start with a brand"),
    "coop_processing": (0.05, 0.4, "a processing line takes a minority of pooled kg; cooperatives invest up to 0.5"),
    "offline_price_ratio": (0.4, 0.8, "bulk traders pay 40-80% of the farm-gate wholesale price"),
    "online_markup": (1.2, 2.5, "online retail of unbranded produce at 1.2-2.5 times the farm-gate price"),
    "demand_scale": (0.3, 3.0, "urban online spending from a third to three times the produce on offer"),
    "outside_utility": (-1.0, 3.0, "supermarkets from slightly worse than to far better than rural online produce"),
    "initial_online_west": (0.01, 0.08, "a few per cent of western households online at the start"),
    "initial_online_centre": (0.02, 0.12, "central start between the west's and the east's"),
    "initial_online_east": (0.04, 0.25, "eastern households online at the start, up to a quarter"),
    "innovation_rate": (0.0002, 0.02, "Bass innovation of 0.2-24% a year"),
    "passage_point_rate": (0.0005, 0.08, "a passage point adds from almost nothing to about the imitation "
                                         "pull of a fully enrolled neighbourhood"),
    "imitation_rate": (0.005, 0.5, "Bass imitation at full exposure of 0.005-0.5 a month (slow diffusion "
                                   "of a maturing market included)"),
    "brand_multiplier": (1.2, 5.0, "003: branded produce sells at about three times unbranded (Luochuan "
                                   "apples); list prices up to 5x before the market's price index"),
    "quality_premium": (0.0, 1.0, "top trusted quality sells at up to twice the price"),
    "nest_dissimilarity": (0.1, 1.0, "from near-perfect substitutes within a crop (price wars, 001, 002) to "
                                     "every village's produce a product of its own"),
}


def free_parameters() -> list[str]:
    """Names of the parameters declared with the calibration record as their source, in declaration order."""
    return [d["name"] for d in declarations() if d["source"] == CALIBRATION]


def record_path() -> Path:
    """The packaged calibration record, ``seeds/calibration.toml``."""
    return Path(str(resources.files("seeds") / "calibration.toml"))


@dataclass(frozen=True)
class Space:
    """A box of parameters, mapped to and from the unit cube."""

    names: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def plausible(cls, names: Sequence[str] | None = None) -> Space:
        """The plausible box of the free parameters (:data:`PLAUSIBLE`), checked against the declarations.

        Raises:
            ScenarioError: If a free parameter has no plausible range, or a range leaves the declared one.
        """
        names = list(names or free_parameters())
        decl = {d["name"]: d for d in declarations()}
        missing = [n for n in names if n not in PLAUSIBLE]
        if missing:
            raise ScenarioError(f"no plausible range for free parameter(s) {', '.join(missing)}; "
                                "add them to experiments.calibrate.PLAUSIBLE")
        for n in names:
            lo, hi, _ = PLAUSIBLE[n]
            if not decl[n]["min"] <= lo < hi <= decl[n]["max"]:
                raise ScenarioError(f"plausible range of {n} [{lo}, {hi}] leaves the declared "
                                    f"[{decl[n]['min']}, {decl[n]['max']}]")
        return cls(tuple(names), np.array([PLAUSIBLE[n][0] for n in names]), np.array([PLAUSIBLE[n][1] for n in names]))

    def values(self, unit: np.ndarray) -> dict[str, float]:
        """Parameter values of one point of the unit cube (clipped into it)."""
        x = self.lo + np.clip(unit, 0.0, 1.0) * (self.hi - self.lo)
        return {n: float(v) for n, v in zip(self.names, x)}

    def unit(self, values: dict[str, float]) -> np.ndarray:
        """The unit-cube point of some parameter values."""
        return np.array([(values[n] - lo) / (hi - lo) for n, lo, hi in zip(self.names, self.lo, self.hi)])


# --- the objective ------------------------------------------------------------------------------

def objective(values: dict[str, float], facts: Sequence[Fact]) -> float:
    """Sum of squared tolerance-scaled misses of the target facts (each capped at :data:`MISS_CAP`)."""
    return float(sum(min(f.scaled_miss(values.get(f.id, math.nan)), MISS_CAP) ** 2 for f in facts))


def fit_table(values: dict[str, float], facts: Sequence[Fact]) -> list[dict[str, Any]]:
    """Per-fact fit: target, simulated value, miss in tolerances, and whether it is within tolerance."""
    rows = []
    for f in facts:
        v = values.get(f.id, math.nan)
        rows.append({"fact": f.id, "target": f.target, "low": f.low, "high": f.high, "tolerance": f.tolerance,
                     "value": v, "scaled_miss": f.scaled_miss(v), "within": f.within(v)})
    return rows


def simulate_facts(job: tuple[dict[str, Any], int, int, list[Fact]]) -> dict[str, float]:
    """Run the default scenario with some parameter overrides at one seed; return the facts' values.

    A module-level function of one picklable argument ``(overrides, seed, months, facts)``, for process pools.
    """
    from abm.simulate import run

    overrides, seed, months, facts = job
    scenario = load_scenario().with_overrides(overrides)
    return measure_run(run(scenario, seed=seed, months=months), facts)


class ModelObjective:
    """The calibration objective on the model: parameter points in, objectives out, runs in parallel.

    Every point runs at the same seeds (common random numbers); values are averaged over seeds
    before the misses are taken. Results are cached by point, and every evaluation is kept.
    """

    def __init__(self, space: Space, facts: Sequence[Fact], farmers: int, months: int, seeds: list[int],
                 workers: int = 1) -> None:
        """Set up the world size, seeds and the worker pool (``workers`` processes; 1: in process)."""
        self.space, self.facts, self.farmers, self.months, self.seeds = space, list(facts), farmers, months, seeds
        self.workers = workers
        self.pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
                     if workers > 1 else None)
        self.history: list[dict[str, Any]] = []
        self._cache: dict[bytes, dict[str, Any]] = {}

    def close(self) -> None:
        """Shut the worker pool down."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ModelObjective:
        """Use as a context manager that closes the pool."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the pool."""
        self.close()

    def _map(self, jobs: list) -> list[dict[str, float]]:
        """Run jobs in the pool (in order)."""
        if self.pool is None:
            return [simulate_facts(j) for j in jobs]
        return list(self.pool.map(simulate_facts, jobs))

    def evaluate(self, units: np.ndarray, stage: str = "") -> list[dict[str, Any]]:
        """Evaluate unit-cube points: seed-mean fact values and the objective of each."""
        units = np.atleast_2d(np.clip(units, 0.0, 1.0))
        keys = [np.round(u, 12).tobytes() for u in units]
        todo = [i for i, k in enumerate(keys) if k not in self._cache]
        jobs = [({"farmers": self.farmers, **self.space.values(units[i])}, s, self.months, self.facts)
                for i in todo for s in self.seeds]
        results = self._map(jobs)
        for j, i in enumerate(todo):
            per_seed = results[j * len(self.seeds):(j + 1) * len(self.seeds)]
            means = {fid: float(np.nanmean([r[fid] for r in per_seed])) if any(np.isfinite(r[fid]) for r in per_seed)
                     else math.nan for fid in per_seed[0]}
            entry = {"unit": units[i].copy(), "params": self.space.values(units[i]), "facts": means,
                     "objective": objective(means, self.facts), "stage": stage}
            self._cache[keys[i]] = entry
            self.history.append(entry)
        return [self._cache[k] for k in keys]

    def __call__(self, units: np.ndarray) -> np.ndarray:
        """Objective of each unit-cube point (rows)."""
        return np.array([e["objective"] for e in self.evaluate(units)])


# --- the search machinery (model-free, so it can be tested on a toy objective) -----------------

#: the local searches :func:`search` offers
LOCAL_METHODS = ("Powell", "Nelder-Mead")


class BudgetSpent(Exception):
    """Raised inside the local search when the time budget is spent."""


@dataclass
class SearchResult:
    """What :func:`search` found."""

    best: np.ndarray
    best_value: float
    design: np.ndarray
    design_values: np.ndarray
    starts: list[np.ndarray]
    local_evaluations: int
    stopped_by_budget: bool
    seconds: float
    trace: list[tuple[str, float]] = field(default_factory=list)


def search(batch_objective: Callable[[np.ndarray], np.ndarray], k: int, points: int = 64, starts: int = 2,
           max_local: int = 200, budget_seconds: float | None = None, seed: int = 0,
           simplex_step: float = 0.1, tolerance: float = 1e-4, include: np.ndarray | None = None,
           method: str = "Powell") -> SearchResult:
    """Minimise a function on the unit cube ``[0, 1]^k``: Latin hypercube, then a local search from the best points.

    Args:
        batch_objective: Maps an array of points (rows) to their objective values (evaluated together,
            so a design can run in parallel).
        k: Dimension.
        points: Size of the Latin hypercube.
        starts: Local searches, from the best design points in order.
        max_local: Largest number of objective evaluations of each local search.
        budget_seconds: Wall-clock budget of the whole search; what the design leaves is shared equally
            by the local searches, each stopping when its share is spent.
        seed: Seed of the Latin hypercube.
        simplex_step: Edge of Nelder-Mead's initial simplex and length of Powell's initial directions,
            in units of the cube.
        tolerance: ``xatol``/``fatol`` (Nelder-Mead) or ``xtol``/``ftol`` (Powell).
        include: Extra points (rows) evaluated and ranked with the design, e.g. the last calibration's
            values, so that a recalibration after a model change can start from them.
        method: ``"Powell"`` or ``"Nelder-Mead"``.
    """
    if method not in LOCAL_METHODS:
        raise ScenarioError(f"local search {method!r}; allowed: {', '.join(LOCAL_METHODS)}")
    start = time.perf_counter()
    design = qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(points)
    if include is not None:
        design = np.vstack([design, np.clip(np.atleast_2d(include), 0.0, 1.0)])
    values = np.asarray(batch_objective(design), dtype=float)
    order = np.argsort(values, kind="stable")
    best_x, best_f = design[order[0]].copy(), float(values[order[0]])
    trace = [("design", best_f)]
    begins = [design[i].copy() for i in order[:starts]]
    used, stopped = 0, False
    for i, x0 in enumerate(begins):
        state = {"n": 0}
        deadline = None
        if budget_seconds is not None:
            now = time.perf_counter()
            deadline = now + (budget_seconds - (now - start)) / (len(begins) - i)

        def f(x: np.ndarray) -> float:
            nonlocal best_x, best_f
            if deadline is not None and time.perf_counter() > deadline:
                raise BudgetSpent
            state["n"] += 1
            value = float(batch_objective(np.clip(x, 0.0, 1.0)[None, :])[0])
            if value < best_f:
                best_x, best_f = np.clip(x, 0.0, 1.0).copy(), value
            return value

        if method == "Nelder-Mead":
            simplex = np.vstack([x0] + [np.clip(x0 + simplex_step * np.eye(k)[j] * (1 if x0[j] < 0.5 else -1), 0, 1)
                                        for j in range(k)])
            options = {"initial_simplex": simplex, "maxfev": max_local, "xatol": tolerance, "fatol": tolerance,
                       "adaptive": k > 4}
        else:
            options = {"direc": simplex_step * np.eye(k), "maxfev": max_local, "xtol": tolerance, "ftol": tolerance}
        try:
            minimize(f, x0, method=method, bounds=[(0.0, 1.0)] * k, options=options)
        except BudgetSpent:
            stopped = True
        used += state["n"]
        trace.append(("local", best_f))
    return SearchResult(best_x, best_f, design, values, begins, used, stopped, time.perf_counter() - start, trace)


# --- the calibration and its record -------------------------------------------------------------

@dataclass
class Calibration:
    """The outcome of :func:`calibrate`: fitted values, their fit and how they were found."""

    values: dict[str, float]
    objective: float
    fit: list[dict[str, Any]]
    facts: list[str]
    seeds: list[int]
    farmers: int
    months: int
    workers: int
    points: int
    starts: int
    evaluations: int
    runs: int
    seconds: float
    stopped_by_budget: bool
    method: str
    model: str
    design_best: float
    near_optimal: dict[str, tuple[float, float]]
    start_values: dict[str, float]
    start_objective: float
    space: Space


def _significant(x: float, digits: int = 5) -> float:
    """Round to a number of significant digits (the record keeps readable values)."""
    return float(f"{x:.{digits}g}")


def calibrate(farmers: int = 30000, months: int = 120, seeds: int = 12, points: int = 24, starts: int = 1,
              budget_minutes: float = 60.0, root_seed: int = CALIBRATION_ROOT_SEED, workers: int | None = None,
              facts_file: str | Path | None = None, progress: Callable[[str], None] | None = None,
              method: str = "Powell") -> Calibration:
    """Fit the free parameters to the calibration-target facts.

    The defaults are the current record's settings: the default world, which ``validate`` checks (a fit
    on a smaller world with two seeds met the growth facts in sample and missed them at the default
    world), and twelve seeds.

    Args:
        farmers: Households of the calibration world.
        months: Months of each run (the growth facts need the years of their window).
        seeds: Replicate seeds per point (common random numbers), from ``SeedSequence(root_seed)``.
        points: Latin hypercube size.
        starts: Local searches from the best design points (the current record's values ranked with them).
        budget_minutes: Wall-clock budget; the local searches stop when it is spent.
        root_seed: Root of the calibration seeds.
        workers: Worker processes (default: all cores).
        facts_file: Facts file (default: the packaged ``seeds/facts.csv``).
        progress: Called with a line of text at each stage.
        method: Local search, ``"Powell"`` or ``"Nelder-Mead"``.

    Raises:
        ScenarioError: For settings that cannot calibrate (too few months, seeds or points).
    """
    if months < 12 * GROWTH_YEARS[1]:
        raise ScenarioError(f"--months {months}: the growth facts need at least {12 * GROWTH_YEARS[1]} months "
                            f"(years {GROWTH_YEARS[0]}-{GROWTH_YEARS[1]})")
    if seeds < 1 or points < 2 or starts < 0:
        raise ScenarioError("--seeds must be at least 1, --points at least 2 and --starts at least 0")
    if budget_minutes <= 0:
        raise ScenarioError(f"--budget-minutes {budget_minutes}: must be above 0")
    say = progress or (lambda _: None)
    facts = [f for f in load_facts(facts_file) if f.calibration_target]
    if not facts:
        raise ScenarioError("no fact is marked calibration_target = yes in the facts file")
    load_scenario().with_overrides({"farmers": farmers})  # validates the world size
    space = Space.plausible()
    seed_list = replicate_seeds(root_seed, seeds)
    version = model_version()
    workers = workers or os.cpu_count() or 1
    start = time.perf_counter()
    with ModelObjective(space, facts, farmers, months, seed_list, workers) as model:
        current = {n: float(getattr(load_scenario().parameters, n)) for n in space.names}
        budget = budget_minutes * 60

        def batch(units: np.ndarray) -> np.ndarray:
            stage = "design" if len(units) > 1 else "local"
            return np.array([e["objective"] for e in model.evaluate(units, stage)])

        result = search(batch, len(space.names), points, starts, max_local=10_000, budget_seconds=budget,
                        seed=root_seed, include=space.unit(current)[None, :], method=method)
        start_eval = model.evaluate(space.unit(current)[None, :])[0]
        say(f"start values (current record): objective {start_eval['objective']:.4g}; design of {points} points: "
            f"best {result.design_values[:points].min():.4g}; local search: {result.local_evaluations} "
            f"evaluations, best {result.best_value:.4g}")
        best = model.evaluate(result.best[None, :])[0]
        design_entries = [e for e in model.history if e["stage"] == "design"][:points]
    if start_eval["objective"] <= best["objective"]:
        best = start_eval  # never write a record worse than the current one
    design_entries.sort(key=lambda e: e["objective"])
    top = design_entries[:10]
    near = {n: (min(e["params"][n] for e in top), max(e["params"][n] for e in top)) for n in space.names}
    evaluations = len(model.history)
    return Calibration(
        values={n: _significant(v) for n, v in best["params"].items()}, objective=best["objective"],
        fit=fit_table(best["facts"], facts), facts=[f.id for f in facts], seeds=seed_list, farmers=farmers,
        months=months, workers=workers, points=points, starts=starts, evaluations=evaluations,
        runs=evaluations * len(seed_list),
        seconds=time.perf_counter() - start, stopped_by_budget=result.stopped_by_budget,
        method=method, model=version,
        design_best=float(result.design_values[:points].min()), near_optimal=near, start_values=current,
        start_objective=start_eval["objective"], space=space)


# --- a small TOML writer (the standard library reads TOML but does not write it) ----------------

def _toml_value(value: Any) -> str:
    """One TOML value: string, bool, int, float (NaN and infinity spelled out) or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def toml_text(tables: dict[str, dict[str, Any]], header: str = "") -> str:
    """TOML text of tables of scalars, lists and one level of sub-tables (``{"record.fit.x": {...}}`` style keys)."""
    lines = [header.rstrip(), ""] if header else []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        for key, value in table.items():
            if value is None:
                continue
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


HEADER = """# Calibration record of the free parameters (source "seeds/calibration.toml" in abm/params.py).
# Written by `ruralsim calibrate` (experiments/calibrate.py); the model's defaults read [values] from here.
# [record.fit.*]: the fit of each calibration-target fact at the fitted values, on the calibration world and seeds;
# [record.ranges]: the plausible range searched; [record.near_optimal]: the range of each parameter over the ten
# best design points (how tightly the facts pin it)."""

METHOD = ("Latin hypercube (scipy.stats.qmc.LatinHypercube) over plausible ranges, then bounded {local} "
          "(scipy.optimize.minimize) in the unit cube from the best design points and the previous record, "
          "time-boxed")
WHY = ("The objective is a simulation: no gradients, some roughness from discrete events (cooperatives "
       "branding, villages enrolling), a minute per few dozen runs. A space-filling design finds the basin "
       "in 15 dimensions without assuming smoothness and shows how tightly the facts pin each parameter; "
       "a derivative-free local search then refines it: Powell's line searches along each parameter, because "
       "each fact answers to few parameters (price spread: brand multiplier; growth: diffusion hazards), where a "
       "Nelder-Mead simplex stalled in 15 dimensions in trials (it left a one-parameter improvement untaken). "
       "Common random numbers make the objective deterministic in the parameters, as a local search needs.")
OBJECTIVE = ("sum over the target facts of min(miss / tolerance, 100)^2; miss = |value - figure| for a point "
             "fact, the distance outside [low, high] for a bound; value = mean over the seeds")


def model_version() -> str:
    """The package version and, in a git checkout, the model's commit (``+dirty``: abm/ or agents/ differ)."""
    import subprocess

    import abm

    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "abm", "agents"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return abm.__version__
    return f"{abm.__version__} (commit {commit}{'+dirty' if dirty else ''})"


def record_tables(cal: Calibration, date: str | None = None) -> dict[str, dict[str, Any]]:
    """The tables of ``seeds/calibration.toml`` for a calibration."""
    record = {
        "method": METHOD.format(local=cal.method), "why": WHY, "objective": OBJECTIVE, "facts": cal.facts,
        "seeds": cal.seeds,
        "root_seed_note": "seeds = SeedSequence(root).spawn(n) states, as the experiment runner's replicates",
        "farmers": cal.farmers, "months": cal.months, "workers": cal.workers, "design_points": cal.points,
        "local_starts": cal.starts,
        "evaluations": cal.evaluations, "runs": cal.runs, "seconds": round(cal.seconds, 1),
        "stopped_by_budget": cal.stopped_by_budget, "date": date or dt.date.today().isoformat(),
        "model": cal.model,
        "start_objective": round(cal.start_objective, 6), "design_best_objective": round(cal.design_best, 6),
        "final_objective": round(cal.objective, 6),
    }
    tables: dict[str, dict[str, Any]] = {"record": record}
    for row in cal.fit:
        tables[f"record.fit.{row['fact']}"] = {
            "target": row["target"], "low": row["low"], "high": row["high"], "tolerance": row["tolerance"],
            "value": round(row["value"], 6) if math.isfinite(row["value"]) else row["value"],
            "scaled_miss": round(row["scaled_miss"], 4), "within": row["within"]}
    space = cal.space
    tables["record.ranges"] = {n: [float(lo), float(hi)] for n, lo, hi in zip(space.names, space.lo, space.hi)}
    tables["record.near_optimal"] = {n: [_significant(lo, 4), _significant(hi, 4)]
                                     for n, (lo, hi) in cal.near_optimal.items()}
    tables["record.start_values"] = {n: _significant(v) for n, v in cal.start_values.items()}
    tables["values"] = dict(cal.values)
    return tables


def write_record(cal: Calibration, path: str | Path | None = None, date: str | None = None) -> Path:
    """Write the calibration record (default: the packaged ``seeds/calibration.toml``) and return its path."""
    path = Path(path) if path is not None else record_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = toml_text(record_tables(cal, date), HEADER)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    if path.resolve() == record_path().resolve():
        _refresh_odd()
    return path


def _refresh_odd() -> None:
    """Regenerate the ODD's parameter table, whose defaults the new record just changed (source checkouts only).

    A fresh interpreter reads the new defaults; this one imported the old ones.
    """
    import subprocess
    import sys

    from abm import docs

    odd = Path(docs.__file__).resolve().parents[1] / "docs" / "ODD.md"
    if odd.is_file():
        code = f"from pathlib import Path; from abm.docs import refresh_odd; refresh_odd(Path({str(odd)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True)
