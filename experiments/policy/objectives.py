"""A policy problem's objectives from its measured runs: robust values over the conditions, Pareto ranks, hypervolume.

The search (:mod:`experiments.policy.optimise`) and its report (:mod:`experiments.policy.report`) read the
same functions: a candidate's measured levels averaged over paired seeds per condition, made robust by the
problem's measure (a percentile or the regret), as pymoo's minimised objectives and constraints.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.policy.problem import Measured, Problem, lever_columns


def read_level(table: pd.DataFrame, m: Measured) -> float:
    """One outcome of one run at the horizon: the last month, or the mean of the last 12."""
    rows = table[table.region == m.region] if m.region else table[table.region.isna()]
    last = rows.month.max()
    window = rows[rows.month == last] if m.statistic == "final" else rows[rows.month > last - 12]
    return float(window[m.outcome].mean())


def condition_means(rows: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Each candidate's measured values averaged over the paired seeds, per condition."""
    return rows.groupby(["candidate", "condition"], sort=False)[names].mean()


def robust_values(problem: Problem, rows: pd.DataFrame) -> pd.DataFrame:
    """One robust value per candidate and measured outcome (the objectives as regrets under regret)."""
    by_condition = condition_means(rows, [m.name for m in problem.measured])
    measure, p = problem.robustness.measure, problem.robustness.percentile
    out = by_condition.groupby(level="candidate", sort=False).mean()
    for m in problem.objectives:
        wide = by_condition[m.name].unstack("condition")
        if measure == "percentile":
            q = p if m.direction == "max" else 100 - p
            out[m.name] = wide.apply(lambda row, q=q: np.nanpercentile(row, q), axis=1)
        elif measure == "regret":
            best = wide.max() if m.direction == "max" else wide.min()
            out[m.name] = (wide - best).abs().max(axis=1)
    if measure == "percentile":
        for c in problem.constraints:
            wide = by_condition[c.name].unstack("condition")
            q = 100 - p if c.max is not None else p
            out[c.name] = wide.apply(lambda row, q=q: np.nanpercentile(row, q), axis=1)
    return out


def objective_matrix(problem: Problem, robust: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """pymoo's F (every objective minimised) and G (<= 0 is feasible) from the robust values."""
    columns = []
    for m in problem.objectives:
        sign = 1.0 if problem.robustness.measure == "regret" or m.direction == "min" else -1.0
        columns.append(sign * robust[m.name].to_numpy())
    limits = []
    for c in problem.constraints:
        if c.max is not None:
            limits.append(robust[c.name].to_numpy() - c.max)
        if c.min is not None:
            limits.append(c.min - robust[c.name].to_numpy())
    F = np.nan_to_num(np.column_stack(columns), nan=1e12)
    G = np.nan_to_num(np.column_stack(limits), nan=1e12) if limits else np.zeros((len(robust), 0))
    return F, G


def candidate_table(problem: Problem, evaluations: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct candidate: its levers, first generation, robust values, feasibility and Pareto rank."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting  # start-up time: pymoo loads only for a search

    levers = [c for c in evaluations.columns if c in lever_columns(problem)]
    first = evaluations.groupby("candidate", sort=False)[["generation", *levers]].first()
    robust = robust_values(problem, evaluations).loc[first.index]
    F, G = objective_matrix(problem, robust)
    feasible = (G <= 0).all(axis=1)
    pareto = np.zeros(len(F), bool)
    if feasible.any():
        front = NonDominatedSorting().do(F[feasible], only_non_dominated_front=True)
        pareto[np.flatnonzero(feasible)[front]] = True
    table = first.join(robust).assign(feasible=feasible, pareto=pareto)
    return table.reset_index()


def hypervolumes(problem: Problem, candidates: pd.DataFrame, fronts: list[list[str]],
                 evaluations: pd.DataFrame) -> pd.DataFrame:
    """Hypervolume of each generation's front, in objectives normalised over every candidate (reference 1.1)."""
    first_seen = candidates.generation.value_counts().sort_index().cumsum()
    volumes = front_hypervolumes(problem, candidates, fronts)
    rows = [{"generation": g, "candidates_so_far": int(first_seen.get(g, 0)), "front_size": len(front),
             "hypervolume": volume} for g, (front, volume) in enumerate(zip(fronts, volumes, strict=True))]
    return pd.DataFrame(rows)


def front_hypervolumes(problem: Problem, candidates: pd.DataFrame, fronts: list[list[str]]) -> list[float]:
    """Hypervolume of each front (candidate ids), in objectives normalised over ``candidates`` (reference 1.1)."""
    from pymoo.indicators.hv import HV  # start-up time: pymoo loads only for a search

    table = candidates.set_index("candidate")
    F, _ = objective_matrix(problem, table)
    lo, hi = F.min(axis=0), F.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    indicator = HV(ref_point=np.full(F.shape[1], 1.1))
    position = {c: i for i, c in enumerate(table.index)}
    return [float(indicator((F[[position[c] for c in front]] - lo) / span)) for front in fronts]
