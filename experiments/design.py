"""Designs of experiments: samplers in the unit cube, parameter ranges, and replicate seeds.

Every sampler returns points in ``[0, 1]^k``; :func:`scale` maps them through each parameter's
range (integers rounded), so any design works with any numeric parameter, as in the EMA Workbench. SciPy and SALib are
imported by the samplers that need them, which keeps the runner's worker processes quick to start.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.core.params import numeric_declarations

#: the design kinds an experiment file may name
KINDS = ("full_factorial", "lhs", "sobol", "morris")


@dataclass(frozen=True)
class Range:
    """A numeric parameter's sampling range."""

    name: str
    lo: float
    hi: float
    integer: bool = False


def numeric_parameters() -> dict[str, dict]:
    """Return the declarations of the numeric parameters, keyed by name."""
    return {d["name"]: d for d in numeric_declarations()}


def unknown_name_message(name: str, known: list[str], what: str) -> str:
    """Describe an unknown name, suggesting the closest known ones."""
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown {what} {name!r}{hint}"


def ranges_for(names: list[str], overrides: dict[str, tuple[float, float]] | None = None) -> list[Range]:
    """Build the sampling ranges of ``names`` from the declarations, with optional overrides.

    Args:
        names: Numeric parameter names, in design column order.
        overrides: Optional ``{name: (lo, hi)}`` replacing the declared min and max.

    Raises:
        ValueError: If a name is not a numeric parameter.
    """
    decl = numeric_parameters()
    overrides = overrides or {}
    out = []
    for name in names:
        if name not in decl:
            raise ValueError(unknown_name_message(name, list(decl), "numeric parameter"))
        d = decl[name]
        lo, hi = overrides.get(name, (d["min"], d["max"]))
        out.append(Range(name, float(lo), float(hi), d["type"] == "int"))
    return out


def salib_problem(ranges: list[Range], group_regions: bool = False) -> dict:
    """Return the SALib problem (names and bounds) for some ranges.

    With ``group_regions`` the problem has SALib ``groups``: the regions of one regional parameter
    (``g5_west``, ``g5_centre``, ``g5_east``) form one group named for it, any other parameter its own.
    """
    problem = {"num_vars": len(ranges), "names": [r.name for r in ranges], "bounds": [[r.lo, r.hi] for r in ranges]}
    if group_regions:
        decl = numeric_parameters()
        problem["groups"] = [decl[r.name]["regional"] or r.name for r in ranges]
    return problem


def unit_problem(k: int, groups: list[str] | None = None) -> dict:
    """Return a SALib problem over the unit cube in ``k`` dimensions (with SALib ``groups`` when given)."""
    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    return problem | {"groups": groups} if groups else problem


def unit_full_factorial(k: int, levels: int) -> np.ndarray:
    """Every combination of ``levels`` evenly spaced levels in ``k`` dimensions."""
    grid = np.linspace(0.0, 1.0, levels)
    return np.array(list(itertools.product(grid, repeat=k)), dtype=float).reshape(levels**k, k)


def unit_lhs(k: int, samples: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``samples`` points in ``k`` dimensions."""
    from scipy.stats import qmc  # start-up time: SciPy's and SALib's samplers load only when a design is drawn

    return qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(samples)


def unit_sobol(k: int, samples: int, seed: int, groups: list[str] | None = None) -> np.ndarray:
    """Saltelli's Sobol design for first and total order: ``samples * (k + 2)`` points (k counts groups)."""
    # start-up time: SciPy's and SALib's samplers load only when a design is drawn
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(unit_problem(k, groups), samples, calc_second_order=False, seed=seed)


def unit_morris(k: int, samples: int, seed: int, levels: int = 4, groups: list[str] | None = None) -> np.ndarray:
    """Morris trajectories: ``samples * (k + 1)`` points on a grid of ``levels`` levels (k counts groups)."""
    # start-up time: SciPy's and SALib's samplers load only when a design is drawn
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(unit_problem(k, groups), samples, num_levels=levels, seed=seed)


def unit_design(kind: str, k: int, samples: int | None, levels: int | None, seed: int) -> np.ndarray:
    """Sample a design of the given kind in the unit cube.

    Args:
        kind: One of :data:`KINDS`.
        k: Number of parameters.
        samples: N for lhs (points), sobol (base samples) and morris (trajectories).
        levels: Levels per parameter for full_factorial (default 3) and morris (default 4).
        seed: Seed of the sampler.
    """
    if kind == "full_factorial":
        return unit_full_factorial(k, levels or 3)
    if kind == "lhs":
        return unit_lhs(k, samples, seed)
    if kind == "sobol":
        return unit_sobol(k, samples, seed)
    if kind == "morris":
        return unit_morris(k, samples, seed, levels or 4)
    raise ValueError(f"unknown design kind {kind!r}; allowed: {', '.join(KINDS)}")


def scale(unit: np.ndarray, ranges: list[Range]) -> pd.DataFrame:
    """Map unit-cube points through the parameter ranges, rounding integer parameters.

    A value is clipped to its range: ``lo + 1 x (hi - lo)`` can round one ulp past ``hi`` (0.3 + 0.6 is
    0.9000000000000001), which the parameter's declaration would reject.

    Returns:
        One column per parameter, holding Python-compatible ints or floats.
    """
    cols = {}
    for j, r in enumerate(ranges):
        values = np.clip(r.lo + unit[:, j] * (r.hi - r.lo), r.lo, r.hi)
        cols[r.name] = np.rint(values).astype(np.int64) if r.integer else values
    return pd.DataFrame(cols, index=pd.RangeIndex(len(unit)))


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of the replicates, shared by every arm and design point (common random numbers).

    Replicate ``k`` gets ``SeedSequence(root_seed).spawn(replicates)[k].generate_state(1)[0]``.
    """
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(child.generate_state(1)[0]) for child in children]
