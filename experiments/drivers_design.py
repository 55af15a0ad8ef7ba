"""The drivers analysis' designs and how it reads them: what is screened, Morris designs and indices, sweeps.

Pure functions of declarations and result tables (no run is made here): the assumptions a drivers
analysis screens and their ranges, the analysis's size, SALib's Morris designs and indices with
their seed-noise floor, the groups the refinement splits, a sweep's values and the brackets where an
effect changes sign. :mod:`experiments.drivers` runs the stages these describe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.core.params import ASSUMPTION, CALIBRATION, declarations
from experiments.design import Range, scale, unit_morris
from experiments.sensitivity import analyse

#: mechanism groups never screened, and why (their parameters set the experiment, not an assumption of it)
UNSCREENED_GROUPS = {
    "scale": "the size of the world is the experiment's choice",
    "policy": "policy levers are what the experiments compare",
    "shock": "the optional shock is a scenario, off in the suites",
}
#: the sources whose parameters are screened: assumptions and calibrated (free) parameters
SCREENED_SOURCES = (ASSUMPTION, CALIBRATION)
#: Morris grid levels (SALib's default)
MORRIS_LEVELS = 4

#: runs the screening and the refinement aim at when their trajectories are not given. With the sweeps and
#: bisections, a suite's analysis at 30,000 households and 120 months makes about 4,000-4,500 runs of about
#: 1.2-1.3 core-seconds each: some 45 minutes on 2 cores (README, "Which assumptions decide each conclusion")
SCREENING_RUNS, REFINEMENT_RUNS = 2000, 1600


@dataclass(frozen=True)
class Size:
    """How large an analysis is: the knobs that set its cost in runs.

    Attributes:
        trajectories: Morris trajectories of the screening (points: trajectories x (groups + 1)); None: as
            many as make about :data:`SCREENING_RUNS` runs, at least 2.
        refine_trajectories: Morris trajectories of the refinement (points: x (parameters + 1)); None: about
            :data:`REFINEMENT_RUNS` runs, at least 2.
        top_groups: Groups each conclusion may bring into the refinement.
        max_factors: Parameters the refinement varies at most (the first group chosen always comes).
        levels: Values of a sweep.
        bisections: Halvings of a sign change's bracket.
        replicates: Paired seeds at every point (2 or more give a seed-noise floor and intervals).
    """

    trajectories: int | None = None
    refine_trajectories: int | None = None
    top_groups: int = 2
    max_factors: int = 24
    levels: int = 7
    bisections: int = 4
    replicates: int = 2


#: the size of ``--quick``: a first look in minutes, or a test
QUICK = Size(trajectories=2, refine_trajectories=2, top_groups=1, max_factors=12, levels=5, bisections=3,
             replicates=1)


def trajectories_for(given: int | None, runs: int, factors: int, runs_per_point: int) -> int:
    """The trajectories given, else as many as make about ``runs`` runs (at least 2)."""
    return given if given is not None else max(2, round(runs / ((factors + 1) * runs_per_point)))


@dataclass(frozen=True)
class Assumption:
    """A screened parameter: its sampling range, mechanism group and where the range comes from."""

    range: Range
    group: str
    kind: str  # "plausible" (declared), "assumed" (ASSUMED_SPREAD of the default) or "declared" (the declared range)

    @property
    def name(self) -> str:
        """The parameter's name."""
        return self.range.name


#: an assumption without a plausible range is screened from this multiple of its default to this one, cut to its
#: declared range (the rule of the Morris screening, experiments/suites/screening.toml): a declared range is what
#: the code accepts (income 0-20,000, a capex 0-100 M yuan), far wider than anyone assumes
ASSUMED_SPREAD = (0.5, 1.5)


def screening_range(d: dict) -> tuple[float, float, str]:
    """A declaration's screening range and its kind: plausible where declared, else the assumed spread of its default.

    A default of zero has no spread; it is screened over its declared range.
    """
    if d["plausible"]:
        return float(d["plausible"][0]), float(d["plausible"][1]), "plausible"
    if d["default"] == 0:
        return float(d["min"]), float(d["max"]), "declared"
    lo, hi = sorted(factor * d["default"] for factor in ASSUMED_SPREAD)
    return float(max(d["min"], lo)), float(min(d["max"], hi)), "assumed"


def screened_parameters(fixed: set[str] = frozenset()) -> list[Assumption]:
    """Every numeric assumption and calibrated parameter outside :data:`UNSCREENED_GROUPS` and ``fixed``, with its range."""
    out = []
    for d in declarations():
        if (d["source"] not in SCREENED_SOURCES or d["group"] in UNSCREENED_GROUPS or d["name"] in fixed
                or d["type"] not in ("float", "int")):
            continue
        lo, hi, kind = screening_range(d)
        out.append(Assumption(Range(d["name"], lo, hi, d["type"] == "int"), d["group"], kind))
    return out


# --- Morris stages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MorrisDesign:
    """A Morris design over some assumptions: unit-cube points, their values and the SALib problem."""

    assumptions: list[Assumption]
    unit: np.ndarray
    design: pd.DataFrame
    problem: dict


def morris_design(assumptions: list[Assumption], trajectories: int, seed: int, grouped: bool) -> MorrisDesign:
    """Sample Morris trajectories over the assumptions (one factor per mechanism group when ``grouped``)."""
    groups = [a.group for a in assumptions] if grouped else None
    unit = unit_morris(len(assumptions), trajectories, seed, MORRIS_LEVELS, groups)
    names = [a.name for a in assumptions]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    return MorrisDesign(assumptions, unit, scale(unit, [a.range for a in assumptions]),
                        problem | ({"groups": groups} if grouped else {}))


def complete_trajectories(Y: np.ndarray, factors: int) -> np.ndarray:
    """Which rows belong to a trajectory whose every point has a defined effect (Morris needs whole ones)."""
    whole = np.isfinite(Y).reshape(-1, factors + 1).all(axis=1)
    return np.repeat(whole, factors + 1)


def morris_tables(design: MorrisDesign, per_sample: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Morris indices of every conclusion, from its trajectories with a defined effect at every point.

    ``noise`` is the mu* seed noise alone would give: the mean absolute difference of two independent
    point means, per Morris step (``sqrt(2 mean(se^2)) sqrt(2/pi) / delta``; NaN with one replicate);
    ``trajectories`` how many trajectories the indices rest on (where an effect is undefined at some
    point, e.g. a ratio with no newcomers, its trajectory is left out).
    """
    delta = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
    factors = len(dict.fromkeys(design.problem.get("groups") or design.problem["names"]))
    frames = []
    for name, rows in per_sample.groupby("conclusion", sort=False):
        Y = rows.sort_values("sample")["mean"].to_numpy()
        keep = complete_trajectories(Y, factors)
        if not keep.any():
            continue
        table = analyse(design.problem, design.unit[keep], Y[keep], "morris", MORRIS_LEVELS, seed=seed)
        se = rows.se.dropna()
        noise = np.sqrt(2 * np.mean(se**2)) * np.sqrt(2 / np.pi) / delta if len(se) else np.nan
        frames.append(table.assign(conclusion=name, noise=noise, trajectories=int(keep.sum()) // (factors + 1)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["parameter", "mu", "mu_star", "mu_star_conf", "sigma", "conclusion", "noise", "trajectories"])


def moving(table: pd.DataFrame) -> pd.DataFrame:
    """The factors that move a conclusion: mu* above zero and above its seed-noise floor."""
    return table[(table.mu_star > 0) & ~(table.mu_star <= table.noise)]


def chosen_groups(screening: pd.DataFrame, assumptions: list[Assumption], size: Size) -> list[str]:
    """The groups the refinement splits into their parameters.

    Candidates are each conclusion's ``top_groups`` strongest moving groups, taken rank by rank (every
    conclusion's strongest first), within a rank by mu* relative to the conclusion's strongest; a group
    joins while the parameters stay within ``max_factors`` (the first always joins).
    """
    members = pd.Series([a.group for a in assumptions]).value_counts()
    ranked = moving(screening).copy()
    by_conclusion = ranked.groupby("conclusion").mu_star
    ranked["rank"] = by_conclusion.rank(ascending=False, method="first")
    ranked["score"] = ranked.mu_star / by_conclusion.transform("max")
    candidates = ranked[ranked["rank"] <= size.top_groups].sort_values(["rank", "score"], ascending=[True, False])
    chosen: list[str] = []
    for group in dict.fromkeys(candidates.parameter):
        if not chosen or members[chosen].sum() + members[group] <= size.max_factors:
            chosen.append(group)
    return chosen


# --- sweeps and sign changes ---------------------------------------------------------------------------


def sweep_values(assumption: Assumption, levels: int) -> np.ndarray:
    """Evenly spaced values over a parameter's range (whole numbers, without repeats, for an integer one)."""
    values = np.linspace(assumption.range.lo, assumption.range.hi, levels)
    return np.unique(np.rint(values).astype(int)) if assumption.range.integer else values


def sign_changes(values: np.ndarray, effects_: np.ndarray) -> list[tuple[float, float]]:
    """The brackets of neighbouring values between which the effect's sign (+, 0 or -) changes."""
    signs = np.sign(effects_)
    return [(values[i], values[i + 1]) for i in range(len(values) - 1) if signs[i] != signs[i + 1]]


def nearest_bracket(brackets: list[tuple[float, float]], default: float) -> tuple[float, float]:
    """The bracket nearest the default value (the threshold a reader of the default results meets first)."""
    return min(brackets, key=lambda b: 0.0 if b[0] <= default <= b[1] else min(abs(b[0] - default),
                                                                                 abs(b[1] - default)))


@dataclass(frozen=True)
class Threshold:
    """Where a conclusion's sign changes along one parameter, the others at their defaults.

    Attributes:
        parameter: The parameter.
        low: The bracket's low end after bisection.
        high: Its high end.
        sign_low: The effect's sign at ``low`` (+1, 0 or -1).
        sign_high: Its sign at ``high``.
        crossings: How many sign changes the sweep found over the whole range.
    """

    parameter: str
    low: float
    high: float
    sign_low: int
    sign_high: int
    crossings: int

    @property
    def value(self) -> float:
        """The threshold: the middle of the final bracket."""
        return (self.low + self.high) / 2
