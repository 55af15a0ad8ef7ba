"""The calibration record: ``seeds/calibration.toml`` (method, waves, diagnostics, default values) and
``seeds/posterior.parquet`` (the posterior ensemble: parameter sets with weights).

``[values]`` of the TOML file are the model's defaults (read by :mod:`abm.core.params` at import): the
default member of the posterior (``best``: the checked member whose simulated facts fit best;
``median``: the posterior member nearest the weighted median of every parameter), or the previous
record's values (``keep``; a parameter the previous record did not calibrate has no value to keep and takes
its weighted posterior median), as ``[record] default_member`` says.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from abm.io import docs
from experiments.calibration.calibrate import Calibration, model_version, record_path
from experiments.history_matching import CUTOFF, TOLERANCE_SIGMAS, weighted_quantiles
from experiments.runner import atomic_write, parquet_bytes

#: how the model's defaults may be chosen from the posterior
DEFAULT_MEMBERS = ("best", "median", "keep")
#: share of a parameter's plausible range its 90% posterior interval spans: below PINNED it is pinned,
#: above LOOSE the facts leave it loose
PINNED, LOOSE = 0.5, 0.8

METHOD = ("History matching in waves (Latin hypercube, then Sobol draws of the non-implausible region; "
          "scikit-learn Gaussian-process emulators per fact; implausibility cut-off {cutoff}), then a tempered "
          "sequential Monte Carlo sample of the posterior on the last wave's emulators (from the region's draws, "
          "with differential-evolution Metropolis moves), then a check of posterior members by model runs")
WHY = ("Sequential Monte Carlo on the emulators, not ABC-SMC on the model or importance weights alone: ABC-SMC "
       "(pyabc) needs thousands of model runs per generation, beyond an hour on 2 cores, while the emulators "
       "cost a millisecond a point; weighting the region's draws at once left an effective sample of 18 of "
       "2,000, because the region is a thin 0.05% of the box that its draws cover unevenly. Tempering from the "
       "draws' own density to the posterior, with moves that follow the particles' shape, corrects that "
       "unevenness; history matching first rules out the space of negligible likelihood, so the particles "
       "start where the weight is.")
IMPLAUSIBILITY = ("I_f = d_f / sqrt(emulator variance + variance of one run over seeds + (tolerance / {sigmas})^2), "
                  "d_f the distance from the figure (outside the bound, for a bound); ruled out where max_f I_f > "
                  "{cutoff}; likelihood: Gaussian in the same terms (flat inside a bound), prior uniform on the "
                  "plausible box")


def posterior_frame(cal: Calibration) -> pd.DataFrame:
    """The posterior ensemble: one row a parameter set (``row``), its weight, values and emulated facts."""
    post = cal.match.posterior
    values = cal.space.lo + post.x * (cal.space.hi - cal.space.lo)
    frame = pd.DataFrame(values, columns=list(cal.space.names))
    for j, f in enumerate(cal.facts):
        frame[f"{f.id}_emulated"] = post.mean[:, j]
        frame[f"{f.id}_emulated_sd"] = post.sd[:, j]
    return frame.assign(weight=post.weights).rename_axis("row").reset_index()


def parameter_summary(cal: Calibration, frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per parameter: weighted 5/50/95% quantiles, the 90% interval's share of the plausible range, a verdict."""
    names = list(cal.space.names)
    q = weighted_quantiles(frame[names].to_numpy(float), frame.weight.to_numpy(float), [0.05, 0.5, 0.95])
    out = {}
    for j, n in enumerate(names):
        share = float((q[2, j] - q[0, j]) / (cal.space.hi[j] - cal.space.lo[j]))
        verdict = "pinned" if share < PINNED else ("loose" if share > LOOSE else "partly pinned")
        out[n] = {"q05": _sig(q[0, j]), "q50": _sig(q[1, j]), "q95": _sig(q[2, j]),
                  "share_of_range": round(share, 3), "verdict": verdict}
    return out


def default_values(cal: Calibration, frame: pd.DataFrame, choice: str, previous: dict[str, Any],
                   calibrated_before: Collection[str] | None = None) -> tuple[dict, str]:
    """The model's default values and the sentence saying which they are.

    ``calibrated_before``: the parameters the previous record calibrated (default: all of this one's); under
    ``keep`` the others take their weighted posterior median, since a value set before they were calibrated
    is no calibrated value to keep.
    """
    names = list(cal.space.names)
    if choice == "keep":
        new = [n for n in names if calibrated_before is not None and n not in calibrated_before]
        why = "keep: the previous record's values, not a member of this posterior"
        if not new:
            return dict(previous), why
        summary = parameter_summary(cal, frame)
        why += f"; first calibrated here, at their weighted posterior medians: {', '.join(new)}"
        return {**previous, **{n: summary[n]["q50"] for n in new}}, why
    if choice == "best":
        best = cal.check.sort_values("score", kind="stable").iloc[0]
        row = int(best.row)
        why = f"best: posterior row {row}, the checked member whose simulated facts fit best (score {best.score:.3g})"
    elif choice == "median":
        median = np.array([s["q50"] for s in parameter_summary(cal, frame).values()])
        units = (frame[names].to_numpy(float) - cal.space.lo) / (cal.space.hi - cal.space.lo)
        row = int(np.argmin(np.sum((units - (median - cal.space.lo) / (cal.space.hi - cal.space.lo)) ** 2, axis=1)))
        why = f"median: posterior row {row}, the member nearest the weighted median of every parameter"
    else:
        raise ValueError(f"default member {choice!r}; allowed: {', '.join(DEFAULT_MEMBERS)}")
    values = {**previous, **{n: _sig(frame.at[row, n]) for n in names}}
    return values, why


def _sig(x: float, digits: int = 5) -> float:
    """Round to significant digits (readable records)."""
    return float(f"{float(x):.{digits}g}")


def wave_tables(cal: Calibration) -> dict[str, Any]:
    """Per wave: points, filled points, the region's share of the box, seconds and each emulator's diagnostics."""
    names = list(cal.space.names)
    waves = {}
    for w in cal.match.waves:
        emulators = {}
        for em, v in zip(w.emulators, w.seed_var, strict=True):
            order = np.argsort(em.length_scales(), kind="stable")[:3]
            emulators[em.fact] = {"training_points": em.n, "q2": _finite(em.q2), "within_3sd": _finite(em.coverage),
                                  "seed_sd": _sig(math.sqrt(v)), "shortest_length_scales": [names[i] for i in order]}
        waves[f"wave{w.index}"] = {"points": len(w.x), "filled_from_outside": w.filled,
                                   "nonimplausible_share": _sig(w.nroy_fraction, 4), "seconds": round(w.seconds, 1),
                                   "emulators": emulators}
    return waves


def _finite(x: float) -> float:
    """A number rounded for the record (NaN kept as NaN, which TOML spells ``nan``)."""
    return round(float(x), 4) if math.isfinite(x) else float("nan")


def record_tables(cal: Calibration, frame: pd.DataFrame, choice: str, previous: dict[str, Any],
                  command: str, date: str | None = None,
                  calibrated_before: Collection[str] | None = None) -> dict[str, Any]:
    """The content of ``seeds/calibration.toml``."""
    s = cal.settings
    values, which = default_values(cal, frame, choice, previous, calibrated_before)
    check = cal.check
    within = check[[c for c in check.columns if c.endswith("_within_3sd")]].to_numpy(bool)
    record = {
        "command": command, "method": METHOD.format(cutoff=CUTOFF), "why": WHY,
        "implausibility": IMPLAUSIBILITY.format(sigmas=TOLERANCE_SIGMAS, cutoff=CUTOFF),
        "facts": [f.id for f in cal.facts], "parameters": list(cal.space.names), "fixed": cal.fixed,
        "seeds": cal.seeds, "root_seed": s.root_seed, "farmers": s.farmers, "months": s.months, "wave_count": s.waves,
        "points_per_wave": s.points, "checked_members": len(check), "runs": cal.runs,
        "seconds": round(cal.seconds, 1), "date": date or dt.date.today().isoformat(), "machine": cal.machine,
        "model": cal.model, "posterior_file": "posterior.parquet", "posterior_rows": len(frame),
        "posterior_proposals": cal.match.posterior.proposals,
        "effective_sample_size": round(cal.match.posterior.ess, 1),
        "smc_ess_by_step": [round(e, 1) for e in cal.match.posterior.ess_by_step],
        "smc_acceptance": [round(a, 3) for a in cal.match.posterior.acceptance],
        "check_within_3sd": round(float(within.mean()), 3), "default_member": which,
    }
    return {"record": record | {
        "ranges": {n: [float(lo), float(hi)] for n, lo, hi in zip(cal.space.names, cal.space.lo, cal.space.hi)},
        "waves": wave_tables(cal), "posterior": parameter_summary(cal, frame),
        "check": {f.id: {"target": f.target, "low": f.low, "high": f.high, "tolerance": f.tolerance,
                         "simulated": [_sig(v) for v in check[f.id]]} for f in cal.facts}
                 | {"rows": check.row.tolist(), "score": [_sig(v) for v in check.score]},
    }, "values": values}


def _drop_none(value: Any) -> Any:
    """Remove None values from nested tables (TOML has no null)."""
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def write_record(cal: Calibration, folder: str | Path | None = None, choice: str = "best", command: str = "",
                 date: str | None = None) -> Path:
    """Write ``calibration.toml`` and ``posterior.parquet`` (default folder: the packaged ``seeds/``).

    Returns:
        The TOML file's path.
    """
    path = Path(folder) / "calibration.toml" if folder is not None else record_path()
    old = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    previous = old.get("values", {})
    if choice == "keep" and not previous:
        raise ValueError(f"--default-member keep: {path} has no values to keep")
    frame = posterior_frame(cal)
    tables = record_tables(cal, frame, choice, previous, command, date,
                           old.get("record", {}).get("parameters"))
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"command": command, "record": "calibration.toml", "model": cal.model}
    atomic_write(path.with_name("posterior.parquet"), parquet_bytes(frame, meta))
    text = HEADER + tomli_w.dumps(_drop_none(tables))
    atomic_write(path, text.encode("utf-8"))
    if path.resolve() == record_path().resolve() and choice != "keep":
        _refresh_odd()
    return path


HEADER = """# Calibration record of the free parameters (source "seeds/calibration.toml" in abm/core/params.py).
# Written by `ruralsim calibrate` (experiments/calibration/calibrate.py); the model's defaults read [values] from here, and
# `--posterior N` options read the ensemble in posterior.parquet beside it. [record.waves.*]: each wave's design,
# emulator validation and the non-implausible share of the plausible box; [record.posterior.*]: each parameter's
# 90% posterior interval and how tightly the facts pin it; [record.check]: posterior members run by the model.

"""


def _refresh_odd() -> None:
    """Regenerate the documents (ODD tables and figures, TRACE) the new record changes (source checkouts only)."""

    odd = Path(docs.__file__).resolve().parents[2] / "docs" / "ODD.md"
    if odd.is_file():
        code = "from experiments.documents import refresh_documents; refresh_documents()"
        subprocess.run([sys.executable, "-c", code], check=True, env=os.environ)
