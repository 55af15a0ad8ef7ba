"""Robust policy design: NSGA-II over mixed levers, every evaluation a cached run of the experiment runner.

Why pymoo: its NSGA-II takes real, integer and categorical variables together (``MixedVariableGA``
with NSGA-II's rank-and-crowding survival and mixed-variable mating), it has an ask-and-tell
interface so that the candidates of a generation go to our runner as one batch (local processes or
Dask, each run cached in ``OUT/runs``), and its hypervolume indicator tracks convergence. Platypus
has NSGA-II too, but evaluates through its own evaluators and mixes variable types less directly.

How a candidate is evaluated: its levers (budgets split from shares of the total, never above it)
are applied to the base scenario under each uncertain condition (a Latin hypercube over declared
ranges, or members of the calibration posterior, or both) and each paired replicate seed
(replicate k of every candidate uses the same seed, condition k the same parameters). Each objective is read at the horizon from
every run, averaged over seeds within a condition, and reduced over conditions by the stated
robustness measure: the mean; a percentile of the worse side; or regret, the largest shortfall
against the best candidate evaluated so far in each condition (then every earlier value is
recomputed, so the search compares like with like; constraints use the mean under regret).

Stopping: after ``[search] generations``, or earlier once the search has converged by the problem's
``[search] converge`` rule (hypervolume flat over the last K generations, :func:`converged`).

Resuming: NSGA-II is seeded, and a generation's candidates depend only on earlier results, which
the run store returns unchanged; so an interrupted optimisation, started again with the same file,
asks for the same candidates and finds their runs on disk: no finished evaluation is redone.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

import abm
from abm.io.dictionary import dictionary_metadata, parameter_docs
from abm.io.scenario import Scenario, ScenarioError, load_scenario
from abm.measure.outcomes import OUTCOMES
from experiments.design import ranges_for, replicate_seeds
from experiments.experiment import check_overrides
from experiments.policy.conditions import CONDITION_LABELS, condition_table, uncertain_factors
from experiments.policy.objectives import (
    candidate_table,
    front_hypervolumes,
    hypervolumes,
    objective_matrix,
    read_level,
    robust_values,
)
from experiments.policy.problem import Measured, Problem, lever_columns
from experiments.runner import (
    DEFAULT_MODEL,
    NOT_OUTCOMES,
    atomic_write,
    execute_pending,
    parameter_column,
    parquet_bytes,
    run_key,
)
from experiments.worker import Job

SHARE = "share_"  # prefix of the budget-share variables
SPENT = "spent_share"


def split_budget(total: float, shares: list[float], spent: float = 1.0) -> list[float]:
    """Whole-yuan budgets in proportion to ``shares`` (all zero: equal), summing to at most ``spent * total``."""
    weights = np.clip(np.asarray(shares, dtype=float), 0.0, None)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(weights), 1.0 / len(weights))
    budgets = [float(math.floor(total * min(max(spent, 0.0), 1.0) * w)) for w in weights]
    excess = sum(budgets) - total
    if excess > 0:  # float rounding of the products: take it off the largest
        budgets[int(np.argmax(budgets))] -= math.ceil(excess)
    return budgets


def search_space(problem: Problem) -> dict[str, Any]:
    """pymoo variables of the problem: one share per instrument (and the share spent), then the levers."""
    from pymoo.core.variable import Choice, Integer, Real  # start-up time: pymoo loads only for a search

    space: dict[str, Any] = {}
    if problem.budget is not None:
        space |= {SHARE + name: Real(bounds=(0.0, 1.0)) for name in problem.budget.instruments}
        if problem.budget.spend == "up_to":
            space[SPENT] = Real(bounds=(0.0, 1.0))
    integers = {r.name for r in ranges_for([n for n, s in problem.levers.items() if s.range]) if r.integer}
    for name, spec in problem.levers.items():
        if spec.values is not None:
            space[name] = Choice(options=list(spec.values))
        elif name in integers:
            space[name] = Integer(bounds=tuple(int(v) for v in spec.range))
        else:
            space[name] = Real(bounds=tuple(spec.range))
    return space


def decode(problem: Problem, x: dict[str, Any]) -> dict[str, Any]:
    """The parameter overrides of a candidate (budgets in yuan/year, the levers as chosen)."""
    out: dict[str, Any] = {}
    if problem.budget is not None:
        names = problem.budget.instruments
        budgets = split_budget(problem.budget.total, [x[SHARE + n] for n in names], x.get(SPENT, 1.0))
        out |= dict(zip(names, budgets, strict=True))
    for name in problem.levers:
        value = x[name]
        out[name] = value.item() if isinstance(value, np.generic) else value
    return out


def candidate_id(overrides: dict[str, Any]) -> str:
    """A short stable name of a candidate's overrides."""
    return hashlib.sha256(json.dumps(overrides, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass
class Evaluator:
    """Turns candidates into runs (through the runner's store) and runs into measured values."""

    problem: Problem
    out: Path
    engine: str = "local"
    workers: int | None = None
    address: str | None = None
    model: str = DEFAULT_MODEL
    progress: bool = True
    posterior_file: str | Path | None = None
    base: Scenario = field(init=False)
    conditions: pd.DataFrame = field(init=False)
    seeds: list[int] = field(init=False)
    rows: list[dict[str, Any]] = field(default_factory=list)
    executed: int = 0
    run_ids: set[str] = field(default_factory=set)
    _values: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.problem
        base = load_scenario(p.base)
        params = check_overrides(base.parameters, p.parameters, "parameters", p.name)
        self.base = base.model_copy(update={"parameters": params, "months": p.months, "name": p.name})
        self.conditions = condition_table(p, self.posterior_file)
        self.seeds = replicate_seeds(p.root_seed, p.replicates)

    def jobs(self, overrides: dict[str, Any], point: int) -> list[tuple[int, int, Job]]:
        """The (condition, replicate, job) of one set of overrides under every condition and seed."""
        out = []
        for k, condition in enumerate(self.conditions.to_dict("records")):
            values = {n: (v.item() if isinstance(v, np.generic) else v) for n, v in condition.items()
                      if n not in CONDITION_LABELS} | overrides
            params = check_overrides(self.base.parameters, values, "levers", self.problem.name)
            for r, seed in enumerate(self.seeds):
                scenario = self.base.model_copy(update={"parameters": params, "seed": seed})
                key = run_key(scenario, seed, self.problem.months, self.model)
                ids = self.run_columns(overrides, condition, k, r, scenario)
                out.append((k, r, Job(key, point, r, seed, self.problem.months, scenario, self.model, ids)))
        return out

    def evaluate(self, candidates: list[dict[str, Any]], generation: int) -> pd.DataFrame:
        """Run what is not on disk yet and return one row per candidate, condition and replicate."""
        decoded = [decode(self.problem, x) for x in candidates]
        planned = [self.jobs(o, i) for i, o in enumerate(decoded)]
        needs_base = any(m.change != "level" for m in self.problem.measured)
        reference = self.jobs({}, -1) if needs_base else []
        everything = [job for _, _, job in reference] + [job for jobs in planned for _, _, job in jobs]
        self.run_ids.update(job.run_id for job in everything)
        conditions = self.conditions.to_dict("records")
        self.executed += execute_pending(everything, self.out / "runs", None, self.engine, self.workers,
                                         self.address, self.progress)
        ref = {(k, r): self.read(job) for k, r, job in reference}
        rows = []
        for overrides, jobs in zip(decoded, planned, strict=True):
            for k, r, job in jobs:
                values = self.measure(self.read(job), ref.get((k, r)))
                rows.append({"generation": generation, "candidate": candidate_id(overrides), **overrides,
                             "condition": k, **conditions[k], "replicate": r,
                             "seed": job.seed, "run_id": job.run_id, **values})
        self.rows += rows
        return pd.DataFrame(rows)

    def run_columns(self, overrides: dict[str, Any], condition: dict[str, Any], k: int, r: int,
                    scenario: Scenario) -> dict[str, Any]:
        """The columns that name one run's rows in its file: candidate, condition, replicate and seed.

        Then the values of the levers and uncertain parameters it ran with (the reference run's levers
        are the base's), so every run file of an optimisation has the same columns.
        """
        p = scenario.parameters
        labels = {name: condition[name] for name in CONDITION_LABELS if name in condition}
        names = [*lever_columns(self.problem), *(n for n in condition if n not in CONDITION_LABELS)]
        return {"candidate": candidate_id(overrides), "condition": k, **labels, "replicate": r, "seed": scenario.seed,
                **{parameter_column(n): getattr(p, n) for n in dict.fromkeys(names)}}

    def read(self, job: Job) -> dict[str, float]:
        """The level of every measured outcome in one finished run (only their columns read; kept in memory).

        Raises:
            ScenarioError: If the run's model does not report a measured outcome.
        """
        if job.run_id not in self._values:
            run_file = pq.ParquetFile(self.out / "runs" / f"{job.run_id}.parquet")
            names = run_file.schema_arrow.names
            outcomes = list(dict.fromkeys(m.outcome for m in self.problem.measured))
            for outcome in outcomes:
                if outcome not in names:
                    allowed = ", ".join(c for c in names if c not in NOT_OUTCOMES)
                    raise ScenarioError(f"outcome {outcome!r}: not reported by the model; allowed: {allowed}")
            table = run_file.read(columns=["month", "region", *outcomes], use_threads=False).to_pandas()
            self._values[job.run_id] = {m.name: read_level(table, m) for m in self.problem.measured}
        return self._values[job.run_id]

    def measure(self, levels: dict[str, float], reference: dict[str, float] | None) -> dict[str, float]:
        """Each measured outcome as declared: its level, or its change against the run without levers."""
        out = {}
        for m in self.problem.measured:
            value, ref = levels[m.name], (reference or {}).get(m.name, np.nan)
            out[m.name] = {"level": value, "difference": value - ref,
                           "percent": 100.0 * (value - ref) / abs(ref) if ref else np.nan}[m.change]
        return out


def measured_doc(m: Measured, robust: str = "") -> dict[str, str]:
    """The dictionary entry of a measured column: the outcome's unit and kind, what is read, against what."""
    o = OUTCOMES.get(m.outcome)  # a model function of one's own (--model) may report undeclared outcomes
    where = f" in the {m.region}" if m.region else ""
    read = "in the horizon month" if m.statistic == "final" else "averaged over the horizon's last 12 months"
    change = {"level": "", "difference": "; the change against the same condition and seed without levers",
              "percent": "; the change against the same condition and seed without levers, in %"}[m.change]
    unit, kind, period, title = (o.unit, o.kind, o.period, o.title) if o else ("", "", "", m.outcome)
    return {"unit": "%" if m.change == "percent" else unit, "kind": kind, "period": period,
            "meaning": f"{title}{where}, {read}{change}{robust}."}


def table_metadata(problem: Problem, table: str, frame: pd.DataFrame) -> dict[bytes, bytes]:
    """The data dictionary of an optimisation table: measured columns as declared, levers and conditions as declared."""
    robust = "" if table == "evaluations" else f" ({problem.robustness.measure} over the conditions)"
    extra = {m.name: measured_doc(m, robust) for m in problem.measured}
    about = {"problem": problem.name, "base": problem.base, "months": problem.months,
             "replicates": problem.replicates, "root_seed": problem.root_seed, "package_version": abm.__version__}
    levers = {c: parameter_docs()[c] for c in lever_columns(problem) if c in parameter_docs()}
    return dictionary_metadata(table, list(frame.columns), about, extra | levers)


def planned_runs(problem: Problem) -> int:
    """The most runs a search can ask for: every candidate and the runs without levers, under every condition
    and seed (the estimate the output folder's free space is checked against)."""
    conditions = problem.uncertain.conditions if problem.uncertain is not None else 1
    candidates = problem.search.population * problem.search.generations + 1
    return candidates * conditions * problem.replicates


def save_archive(problem: Problem, out: Path, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Write every evaluation (candidate x condition x replicate) to ``OUT/evaluations.parquet``."""
    table = pd.DataFrame(rows)
    atomic_write(out / "evaluations.parquet", parquet_bytes(table, table_metadata(problem, "evaluations", table)))
    return table


@dataclass
class Optimisation:
    """What :func:`optimise` did and found."""

    out: Path
    evaluations: pd.DataFrame
    candidates: pd.DataFrame
    convergence: pd.DataFrame
    executed: int
    runs: int
    calls: list[dict[str, float]]
    converged: bool | None = None  # None: the problem has no convergence rule

    @property
    def seconds(self) -> float:
        """Wall time of this call."""
        return self.calls[-1]["seconds"]


def pymoo_problem(problem: Problem) -> Any:
    """A pymoo problem over the levers (evaluated outside pymoo, by the runner)."""
    from pymoo.core.problem import Problem as PymooProblem  # start-up time: pymoo loads only for a search

    constraints = sum((c.min is not None) + (c.max is not None) for c in problem.constraints)
    return PymooProblem(vars=search_space(problem), n_obj=len(problem.objectives), n_ieq_constr=constraints)


def _algorithm(problem: Problem, space: Any) -> Any:
    """NSGA-II for mixed variables: pymoo's mixed-variable GA with rank-and-crowding survival."""
    # start-up time: pymoo loads only for a search
    from pymoo.algorithms.moo.nsga2 import RankAndCrowdingSurvival
    from pymoo.core.mixed import MixedVariableGA

    algorithm = MixedVariableGA(pop_size=problem.search.population, survival=RankAndCrowdingSurvival())
    algorithm.setup(space, termination=("n_gen", problem.search.generations), seed=problem.search.seed,
                    verbose=False)
    return algorithm


def _tell(problem: Problem, space: Any, algorithm: Any, pop: Any, rows: pd.DataFrame, everything: pd.DataFrame):
    """Give pymoo the robust objectives of the new candidates (and, under regret, refresh the old ones)."""
    # start-up time: pymoo loads only for a search
    from pymoo.core.evaluator import Evaluator
    from pymoo.problems.static import StaticProblem

    robust = robust_values(problem, everything)
    ids = list(dict.fromkeys(rows.candidate))
    F, G = objective_matrix(problem, robust.loc[ids])
    index = {c: i for i, c in enumerate(ids)}
    order = [index[candidate_id(decode(problem, ind.X))] for ind in pop]
    Evaluator().eval(StaticProblem(space, F=F[order], G=G[order]), pop)
    if problem.robustness.measure == "regret" and algorithm.pop is not None and len(algorithm.pop):
        old = [candidate_id(decode(problem, ind.X)) for ind in algorithm.pop]
        algorithm.pop.set("F", objective_matrix(problem, robust.loc[old])[0])
    algorithm.tell(infills=pop)


def optimise(problem: Problem, out: str | Path, engine: str = "local", workers: int | None = None,
             address: str | None = None, model: str = DEFAULT_MODEL, progress: bool = True,
             source: str | None = None, posterior_file: str | Path | None = None) -> Optimisation:
    """Search for the robust Pareto set of a problem; resumable (every run is cached in ``OUT/runs``).

    Writes ``evaluations.parquet`` (every candidate x condition x replicate), ``candidates.parquet``
    (robust values per candidate, with ``pareto`` marking the non-dominated feasible ones),
    ``convergence.csv`` (hypervolume per generation) and a copy of the problem file to ``OUT``.
    ``posterior_file`` replaces the packaged ``seeds/posterior.parquet`` for ``[uncertain] posterior``.
    """
    start = time.perf_counter()
    out = Path(out)
    check_same_problem(out, problem)
    out.mkdir(parents=True, exist_ok=True)
    if source is not None:
        atomic_write(out / "problem.toml", source.encode())
    space = pymoo_problem(problem)
    algorithm = _algorithm(problem, space)
    evaluator = Evaluator(problem, out, engine, workers, address, model, progress, posterior_file)
    fronts = []
    generation = 0
    flat = False
    while algorithm.has_next() and not flat:
        pop = algorithm.ask()
        rows = evaluator.evaluate([dict(ind.X) for ind in pop], generation)
        everything = pd.DataFrame(evaluator.rows)
        _tell(problem, space, algorithm, pop, rows, everything)
        fronts.append([candidate_id(decode(problem, ind.X)) for ind in algorithm.opt])
        flat = converged(problem, everything, fronts)
        generation += 1
    evaluations = save_archive(problem, out, evaluator.rows)
    candidates = candidate_table(problem, evaluations)
    candidates_meta = table_metadata(problem, "candidates", candidates)
    atomic_write(out / "candidates.parquet", parquet_bytes(candidates, candidates_meta))
    convergence = hypervolumes(problem, candidates, fronts, evaluations)
    atomic_write(out / "convergence.csv", convergence.to_csv(index=False).encode())
    calls = _calls(out, evaluator.executed, time.perf_counter() - start)
    features = [*lever_columns(problem), *uncertain_factors(evaluator.conditions)]
    manifest = {"problem": problem.model_dump(mode="json"), "features": features, "model": model,
                "runs": len(evaluator.run_ids), "calls": calls}
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2, default=str).encode())
    rule = problem.search.converge
    return Optimisation(out, evaluations, candidates, convergence, evaluator.executed, len(evaluator.run_ids), calls,
                        None if rule is None else flat)


def converged(problem: Problem, evaluations: pd.DataFrame, fronts: list[list[str]]) -> bool:
    """Whether the search has converged by the problem's rule (never, without one).

    The last K + 1 fronts are measured in the normalisation of every candidate so far; converged
    when the newest front's hypervolume is at most ``tolerance`` (relative) above the oldest one's.
    """
    rule = problem.search.converge
    if rule is None or len(fronts) <= rule.generations:
        return False
    volumes = front_hypervolumes(problem, candidate_table(problem, evaluations), fronts[-rule.generations - 1:])
    return volumes[-1] - volumes[0] <= rule.tolerance * abs(volumes[-1])


def check_same_problem(out: Path, problem: Problem) -> None:
    """Refuse a folder that holds another problem's optimisation (its results would be replaced).

    Raises:
        ScenarioError: Naming the folder, the problem it holds and what is allowed.
    """
    path = out / "manifest.json"
    held = json.loads(path.read_text(encoding="utf-8")).get("problem", {}).get("name") if path.is_file() else None
    if held not in (None, problem.name):
        raise ScenarioError(f"--out = {out}: holds the optimisation of problem {held!r}, not {problem.name!r}; "
                            "allowed: that problem's folder (to resume or extend it) or a new folder")


def _calls(out: Path, executed: int, seconds: float) -> list[dict[str, float]]:
    """Every call on this folder so far (runs executed, seconds), from the manifest, with this one added."""
    path = out / "manifest.json"
    calls = json.loads(path.read_text()).get("calls", []) if path.is_file() else []
    return [*calls, {"executed": executed, "seconds": round(seconds, 1)}]
