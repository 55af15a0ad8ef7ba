"""Runs over the calibration posterior (``--posterior N``) and intervals that carry its uncertainty.

``seeds/posterior.parquet`` (written by ``ruralsim calibrate``) holds weighted parameter sets. N
members are drawn from it by systematic resampling (fixed offsets, so the same N gives the same
members on every machine); an experiment over the posterior runs arms x members x replicates, member
m of every arm with the same parameters and replicate k with the same seed, so differences between
arms are paired by member and seed.

Intervals. For a quantity with member means ``m_i`` (N members, R seeds each, within-member variance
``w``), the seed-only interval is the t interval of the grand mean with the within-member variance
``w / (N R)``; the seed + parameter interval adds the variance between members beyond seed noise,
``p = max(0, var(m_i) - w / R)`` (a one-way random-effects decomposition), for the value at an
unknown member: half-widths ``t_{N-1} sqrt(p (1 + 1/N))`` and the seed-only one added in quadrature
(so it is never narrower than the seed-only interval). A conclusion's sign changes across the
posterior when some member's mean has the opposite sign of the grand mean.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from abm.core.params import declarations
from abm.io.scenario import ScenarioError
from experiments.experiment import Plan, check_overrides
from experiments.history_matching import systematic_resample


def posterior_path() -> Path:
    """The packaged posterior ensemble, ``seeds/posterior.parquet``."""
    return Path(str(resources.files("seeds") / "posterior.parquet"))


def posterior_members(n: int, path: str | Path | None = None) -> pd.DataFrame:
    """N members drawn by weight from the posterior file: ``member``, ``row`` and the parameter values.

    Raises:
        ScenarioError: If N is below 1 or the file is missing.
    """
    if n < 1:
        raise ScenarioError(f"--posterior {n}: allowed: a number of members of at least 1")
    path = Path(path) if path is not None else posterior_path()
    if not path.is_file():
        raise ScenarioError(f"{path}: no posterior; run `ruralsim calibrate` first")
    frame = pd.read_parquet(path)
    names = [d["name"] for d in declarations() if d["name"] in frame.columns]
    rows = systematic_resample(frame.weight.to_numpy(float), n)
    return frame.loc[rows, ["row", *names]].reset_index(drop=True).rename_axis("member").reset_index()


def with_posterior(plan: Plan, n: int, path: str | Path | None = None) -> Plan:
    """The plan over N posterior members: every arm x member, replicate seeds shared (paired by member and seed).

    A member's values apply to every free parameter the experiment does not set itself (in its
    ``parameters`` or an arm).

    Raises:
        ScenarioError: For a design experiment (posterior runs pair arms) or a bad N.
    """
    if plan.unit is not None or plan.experiment.design is not None:
        raise ScenarioError("--posterior: applies to experiments with arms, not designs")
    members = posterior_members(n, path)
    set_here = set(plan.varied) | set(plan.experiment.parameters)
    names = [c for c in members.columns if c not in ("member", "row") and c not in set_here]
    rows, scenarios = [], []
    for point, scenario in enumerate(plan.scenarios):
        info = plan.points.iloc[point].to_dict()
        for member in members.itertuples(index=False):
            values = {name: float(getattr(member, name)) for name in names}
            params = check_overrides(scenario.parameters, values, "posterior", plan.origin)
            scenarios.append(scenario.model_copy(update={"parameters": params}))
            rows.append({**info, "point": len(rows), "member": member.member, **values})
    return Plan(plan.experiment, plan.origin, plan.source, plan.base, pd.DataFrame(rows), None, scenarios, plan.seeds)


def describe_members(long: pd.DataFrame, by: list[str], level: float = 0.95) -> pd.DataFrame:
    """Group a long table's ``value`` by ``by`` over members and seeds: mean, both intervals, sign across members.

    Columns: ``mean``, ``std`` (of all values), ``n``, ``members``, ``ci_low``/``ci_high`` (seed +
    parameter), ``seed_ci_low``/``seed_ci_high`` (seed only), ``param_sd`` (between members beyond seed
    noise), ``sign_share`` (members whose mean has the grand mean's sign) and ``sign_changes``.
    """
    keys = by or ["_all"]
    long = long.assign(_all=0) if not by else long
    per = long.dropna(subset=["value"]).groupby([*keys, "member"], sort=False)["value"].agg(
        m="mean", w="var", r="count").reset_index()
    g = per.groupby(keys, sort=False).agg(mean=("m", "mean"), between=("m", "var"), within=("w", "mean"),
                                          members=("m", "count"), r=("r", "mean"), n=("r", "sum")).reset_index()
    spread = long.groupby(keys, sort=False)["value"].std().rename("std").reset_index()
    g = g.merge(spread, on=keys, how="left")
    within = g.within.fillna(0.0)
    seed_var = within / g.n
    param_var = np.maximum(0.0, g.between.fillna(0.0) - within / g.r)
    seed_half = stats.t.ppf(0.5 + level / 2, np.maximum(g.n - g.members, 1)) * np.sqrt(seed_var)
    param_half = stats.t.ppf(0.5 + level / 2, np.maximum(g.members - 1, 1)) * np.sqrt(param_var * (1 + 1 / g.members))
    half = np.hypot(param_half, seed_half)
    sign = per.merge(g[[*keys, "mean"]], on=keys)
    agree = (np.sign(sign.m) == np.sign(sign["mean"])).groupby([sign[k] for k in keys], sort=False).mean()
    g = g.merge(agree.rename("sign_share").reset_index(), on=keys, how="left")
    out = g.assign(ci_low=g["mean"] - half, ci_high=g["mean"] + half, seed_ci_low=g["mean"] - seed_half,
                   seed_ci_high=g["mean"] + seed_half, param_sd=np.sqrt(param_var), sign_changes=g.sign_share < 1)
    columns = [*by, "mean", "std", "n", "members", "ci_low", "ci_high", "seed_ci_low", "seed_ci_high", "param_sd",
               "sign_share", "sign_changes"]
    return out[columns]
