"""Wall time the household panel adds to a run, and the size of every output file, at province scale.

Usage::

    python benchmarks/panel_overhead.py --farmers 100000 --months 120 --out benchmarks/panel_overhead.md

Runs the default scenario three ways with the same seed (so the same model): the model stepped
alone (``collect`` of the four series tables, no recorder), ``--panel none`` (the village table's
year-to-date sums only) and the yearly panel; writes each run folder and prints a Markdown table
of simulation and writing seconds and each file's size. The panel only reads the model's state.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from abm.model import RuralEconomy
from abm.output import write_run
from abm.scenario import load_scenario
from abm.simulate import collect, run


def bare_run(scenario, months: int):
    """The model stepped alone and collected, without any panel recorder."""
    model = RuralEconomy(scenario.parameters, seed=1)
    for _ in range(months):
        model.step()
    return collect(model, scenario, 1, months)


def timed_run(farmers: int, months: int, panel: str, out: Path) -> tuple[float, float, dict[str, int]]:
    """Simulate and write one run: seconds simulating, seconds writing, and file sizes in bytes."""
    scenario = load_scenario().with_overrides({"farmers": farmers})
    start = time.perf_counter()
    result = bare_run(scenario, months) if panel == "bare" else run(scenario, seed=1, months=months, panel=panel)
    simulated = time.perf_counter() - start
    paths = write_run(result, out)
    written = time.perf_counter() - start - simulated
    return simulated, written, {p.name: p.stat().st_size for p in paths}


def main() -> None:
    """Measure both runs and print (and optionally save) the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--farmers", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    timed_run(2000, 13, "yearly", Path(tempfile.mkdtemp()))  # compile the kernels first
    rows = {}
    for panel in ("bare", "none", "yearly"):
        rows[panel] = timed_run(args.farmers, args.months, panel, Path(tempfile.mkdtemp()))
    (sim0, write0, _), (sim1, write1, sizes) = rows["bare"], rows["yearly"]
    lines = [f"# Panel overhead: {args.farmers:,} households, {args.months} months, default scenario, seed 1", "",
             "| run | simulate (s) | write (s) | total (s) |", "|---|---|---|---|",
             f"| model alone | {sim0:.1f} | {write0:.1f} | {sim0 + write0:.1f} |",
             "| --panel none | {:.1f} | {:.1f} | {:.1f} |".format(*rows["none"][:2], sum(rows["none"][:2])),
             f"| --panel yearly | {sim1:.1f} | {write1:.1f} | {sim1 + write1:.1f} |",
             f"| yearly panel over model alone | {sim1 - sim0:+.1f} | {write1 - write0:+.1f} | "
             f"{(sim1 + write1) / (sim0 + write0) - 1:+.1%} |", "",
             "| file | size (MB) |", "|---|---|"]
    lines += [f"| {name} | {size / 1e6:.2f} |" for name, size in sorted(sizes.items())]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
