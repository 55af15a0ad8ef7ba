"""Global sensitivity analysis (Sobol, Morris) with SALib, over declared parameters or any function.

The same plumbing serves the model and a test function::

    problem = problem_for(["commission", "trust_weight"])        # from the declarations
    table = evaluate(problem, my_function, "sobol", samples=1024)  # sample, evaluate, analyse

For the model, :func:`run_sensitivity` runs a ``sobol`` or ``morris`` experiment through the runner
(design points x replicates), takes the chosen outcome at the final month averaged over replicates,
and writes ``OUT/sensitivity_<outcome>.csv`` and ``.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from abm.io.scenario import ScenarioError
from experiments.analysis import final_month, load_results, outcome_names
from experiments.design import Range, ranges_for, salib_problem, scale, unit_design, unit_morris, unit_sobol
from experiments.experiment import Plan
from experiments.runner import DEFAULT_MODEL, atomic_write, run_experiment

METHODS = ("sobol", "morris")


def problem_for(names: list[str], ranges: dict[str, tuple[float, float]] | None = None,
                group_regions: bool = False) -> dict:
    """The SALib problem over declared numeric parameters, with optional ``{name: (lo, hi)}`` overrides.

    With ``group_regions`` the regions of a regional parameter vary as one SALib group (one index).
    """
    return salib_problem(ranges_for(names, ranges), group_regions)


def sample(problem: dict, method: str, samples: int, seed: int = 0, levels: int = 4) -> np.ndarray:
    """Sample a problem's inputs: a unit-cube design (over its groups, if any) mapped through its bounds."""
    ranges = [Range(name, lo, hi) for name, (lo, hi) in zip(problem["names"], problem["bounds"], strict=True)]
    groups = problem.get("groups")
    if method == "sobol":
        unit = unit_sobol(problem["num_vars"], samples, seed, groups)
    elif method == "morris":
        unit = unit_morris(problem["num_vars"], samples, seed, levels, groups)
    else:
        unit = unit_design(method, problem["num_vars"], samples, levels, seed)
    return scale(unit, ranges).to_numpy()


def factors(problem: dict) -> list[str]:
    """What a problem's indices are indexed by: its groups in first-seen order, else its parameters."""
    return list(dict.fromkeys(problem["groups"])) if problem.get("groups") else list(problem["names"])


def analyse(problem: dict, X: np.ndarray, Y: np.ndarray, method: str = "sobol", levels: int = 4,
            level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of output ``Y`` to the inputs ``X`` sampled for ``problem``.

    Args:
        problem: SALib problem (``num_vars``, ``names``, ``bounds``).
        X: The design, one row per evaluation (used by Morris to find each step's parameter).
        Y: One output per row of ``X``.
        method: ``"sobol"`` (first and total order, from a Sobol design) or ``"morris"``.
        levels: Morris grid levels used by the sample.
        level: Confidence level of the intervals.
        seed: Seed of the bootstrap resampling: the same seed (0 included) gives the same intervals on
            every call. SALib's own functions take 0 as no seed; this passes a seeded generator.

    Returns:
        One row per parameter (per group, see :func:`factors`): ``S1, S1_conf, ST, ST_conf`` (Sobol) or ``mu, mu_star,
        mu_star_conf, sigma`` (Morris); ``*_conf`` is the half-width of the interval.
    """
    Y = np.asarray(Y, dtype=float)
    rng = np.random.default_rng(seed)
    if method == "sobol":
        si = sobol_analyze.analyze(problem, Y, calc_second_order=False, conf_level=level, seed=rng)
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    elif method == "morris":
        si = morris_analyze.analyze(problem, np.asarray(X, dtype=float), Y, conf_level=level,
                                    num_levels=levels, seed=rng)
        keys = ["mu", "mu_star", "mu_star_conf", "sigma"]
    else:
        raise ScenarioError(f"method {method!r}: unknown; allowed: {', '.join(METHODS)}")
    return pd.DataFrame({"parameter": factors(problem), **{k: np.asarray(si[k], dtype=float) for k in keys}})


def evaluate(problem: dict, model: Callable[[np.ndarray], np.ndarray], method: str = "sobol",
             samples: int = 1024, seed: int = 0, levels: int = 4) -> pd.DataFrame:
    """Sample ``problem``, evaluate ``model`` on the design (rows in, outputs out) and analyse it.

    ``seed`` seeds both the design and the bootstrap, so a call gives the same table every time.
    """
    X = sample(problem, method, samples, seed, levels)
    return analyse(problem, X, model(X), method, levels, seed=seed)


def outcome_by_point(results: pd.DataFrame, outcome: str) -> np.ndarray:
    """An outcome at the final month, averaged over replicates, one value per design point in order."""
    if outcome not in results.columns:
        raise ScenarioError(f"outcome {outcome!r}: not in the results; allowed: " + ", ".join(outcome_names(results)))
    return final_month(results).groupby("point")[outcome].mean().sort_index().to_numpy()


def plot(table: pd.DataFrame, method: str, outcome: str) -> Figure:
    """Bar plot of the indices with their confidence intervals."""
    pairs = [("S1", "S1_conf"), ("ST", "ST_conf")] if method == "sobol" else [("mu_star", "mu_star_conf")]
    fig = Figure(figsize=(1.2 + 0.9 * len(table), 3.6), layout="constrained")
    ax = fig.subplots()
    x, width = np.arange(len(table)), 0.8 / len(pairs)
    for i, (key, conf) in enumerate(pairs):
        ax.bar(x + i * width, table[key], width, yerr=table[conf], capsize=3, label=key)
    ax.set_xticks(x + width * (len(pairs) - 1) / 2, table["parameter"], rotation=30, ha="right")
    ax.set_title(f"{method.capitalize()} sensitivity of {outcome} (final month)")
    ax.legend()
    return fig


def check_design(plan: Plan) -> None:
    """Refuse an experiment whose design is not sobol or morris (before any run)."""
    design = plan.experiment.design
    if design is None or design.kind not in METHODS:
        kind = "arms" if design is None else design.kind
        raise ScenarioError(f"{plan.origin}: design.kind = {kind!r}: no sensitivity indices from it; "
                            f"allowed: {', '.join(METHODS)}")


def run_sensitivity(plan: Plan, out: str | Path, outcome: str, engine: str = "local", workers: int | None = None,
                    address: str | None = None, model: str = DEFAULT_MODEL, progress: bool = True,
                    wait: bool = False) -> pd.DataFrame:
    """Run a sobol or morris experiment through the runner and analyse one outcome.

    Writes ``OUT/sensitivity_<outcome>.csv`` and ``OUT/sensitivity_<outcome>.png`` besides the runs.

    Raises:
        ScenarioError: If the experiment's design is not sobol or morris, or the outcome is unknown.
    """
    check_design(plan)
    design = plan.experiment.design
    run_experiment(plan, out, engine, workers, address, model, progress, wait)
    Y = outcome_by_point(load_results(out), outcome)
    problem = {"num_vars": len(design.parameters), "names": design.parameters,
               "bounds": [[0.0, 1.0]] * len(design.parameters)}
    table = analyse(problem, plan.unit, Y, design.kind, design.levels or 4, seed=plan.experiment.root_seed)
    out = Path(out)
    atomic_write(out / f"sensitivity_{outcome}.csv", table.to_csv(index=False).encode())
    plot(table, design.kind, outcome).savefig(out / f"sensitivity_{outcome}.png", dpi=120)
    return table
