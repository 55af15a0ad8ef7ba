"""The translation detail of the default scenario averaged over seeds: the figures the README quotes.

Usage::

    python benchmarks/baseline_detail.py [--farmers 30000] [--seeds 10] [--workers 2]

Runs the default scenario (120 months) for seeds 1..N in worker processes and writes
``benchmarks/baseline_detail.md``: the three tables of ``ruralsim run --detail`` (the decade year by
year, defections by calendar month, each region in years 1, 5 and 10), each cell the mean over seeds.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from abm.io.detail import defection_profile, regional, yearly
from abm.io.scenario import load_scenario
from abm.io.simulate import run

OUT = Path(__file__).with_name("baseline_detail.md")


def detail_of_seed(farmers: int, seed: int) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The three detail tables of one default run."""
    result = run(load_scenario().with_overrides({"farmers": farmers}), seed=seed, months=120)
    return yearly(result), defection_profile(result), regional(result)


def mean_over_seeds(frames: list) -> pd.DataFrame | pd.Series:
    """Cell-by-cell mean of equally shaped tables."""
    return pd.concat(frames).groupby(level=list(range(frames[0].index.nlevels)), sort=False).mean()


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table with three significant digits (counts of 100 and more as integers)."""
    def cell(v: float) -> str:
        return "-" if pd.isna(v) else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")
    def label(c) -> str:
        return " ".join(str(x) for x in c) if isinstance(c, tuple) else str(c)
    lines = ["| | " + " | ".join(label(c) for c in frame.columns) + " |", "|---" * (len(frame.columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(cell(v) for v in row) + " |" for name, row in frame.iterrows()]
    return "\n".join(lines)


def main() -> None:
    """Run the seeds and write the averaged tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--farmers", type=int, default=30_000)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = list(range(1, args.seeds + 1))
    with ProcessPoolExecutor(args.workers) as pool:
        tables = list(pool.map(detail_of_seed, [args.farmers] * len(seeds), seeds))
    years, profile, regions = (mean_over_seeds([t[k] for t in tables]) for k in range(3))
    OUT.write_text(
        f"# The default scenario's translation detail\n\nDefault scenario, {args.farmers:,} households, 120 months, "
        f"mean over seeds {seeds[0]}-{seeds[-1]} (`python benchmarks/baseline_detail.py --farmers {args.farmers} "
        f"--seeds {args.seeds}`). Shares are fractions.\n\n## The decade, year by year\n\n{markdown(years.T)}\n\n"
        f"## Defections by calendar month (share of the run's)\n\n{markdown(profile.to_frame('share').T)}\n\n"
        f"## Regions in years 1, 5 and 10\n\n{markdown(regions.T)}\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
