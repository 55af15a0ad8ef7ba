"""Do the calibration facts depend on the number of households? A table over world sizes.

Usage::

    python benchmarks/calibration_world_size.py [--sizes 3000 7500 15000 30000] [--seeds 6] [--workers 2]

Runs the default scenario (120 months) at each size over the same seeds through the experiment
runner (resumable, ``results/world_size/``) and writes ``benchmarks/calibration_world_size.md``: each
calibration fact's mean and standard deviation over seeds per size, and the shift of the mean from
the largest size in tolerances and in standard errors of the difference. The calibration world must be one where
the shares no longer move with size and the seed noise is small against the facts' tolerances.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.calibration.calibrate import CALIBRATION_ROOT_SEED
from experiments.calibration.facts import load_facts
from experiments.calibration.validate import measure_plan
from experiments.experiment import parse_experiment, plan_experiment
from experiments.runner import run_experiment


def main() -> None:
    """Run the sizes and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 7500, 15000, 30000])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("results/world_size"))
    args = parser.parse_args()
    facts = [f for f in load_facts() if f.calibration_target]
    experiment = parse_experiment({"name": "world_size", "months": 120, "replicates": args.seeds,
                                   "root_seed": CALIBRATION_ROOT_SEED,
                                   "arms": {str(n): {"farmers": n} for n in args.sizes}}, "world_size")
    plan = plan_experiment(experiment, "world_size")
    run_experiment(plan, args.out, workers=args.workers)
    values = measure_plan(plan, args.out, facts)
    stats = values.groupby("arm", sort=False)[[f.id for f in facts]].agg(["mean", "std"])
    largest = str(max(args.sizes))
    lines = ["# Calibration facts by world size", "",
             f"Default scenario, 120 months, {args.seeds} seeds (the same at every size), "
             "`python benchmarks/calibration_world_size.py`. Cells: mean (sd over seeds); shift of each smaller "
             f"size from {largest}: difference of means in tolerances (and in standard errors of the difference).",
             "",
             "| fact | tolerance | " + " | ".join(f"{n} households" for n in args.sizes) + " | shift |",
             "|---|---|" + "---|" * (len(args.sizes) + 1)]
    for f in facts:
        cells = [f"{stats.loc[str(n), (f.id, 'mean')]:.4g} ({stats.loc[str(n), (f.id, 'std')]:.2g})"
                 for n in args.sizes]
        shifts = []
        for n in args.sizes[:-1]:
            diff = stats.loc[str(n), (f.id, "mean")] - stats.loc[largest, (f.id, "mean")]
            se = np.hypot(stats.loc[str(n), (f.id, "std")], stats.loc[largest, (f.id, "std")]) / np.sqrt(args.seeds)
            shifts.append(f"{diff / f.tolerance:+.2f} ({diff / se:+.1f})")
        lines.append(f"| {f.id} | {f.tolerance:g} | " + " | ".join(cells) + " | " + ", ".join(shifts) + " |")
    path = Path(__file__).with_name("calibration_world_size.md")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(pd.DataFrame(stats).round(4).to_string())
    print(f"table: {path}")


if __name__ == "__main__":
    main()
