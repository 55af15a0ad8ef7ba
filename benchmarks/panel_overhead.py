"""Wall time the household panel adds to a run, and the size of every output file, at province scale.

Usage::

    python benchmarks/panel_overhead.py --farmers 100000 --months 120 --out benchmarks/panel_overhead.md

Runs the default scenario four ways with the same seed (so the same model): the model stepped
alone (``collect`` of the four series tables, no recorder), ``--panel none`` (the village table's
year-to-date sums only), the yearly panel, and the yearly panel with ``--network yearly``; writes
each run folder and prints a Markdown table of simulation and writing seconds and each file's
size (the GraphML files added up). The panel only reads the model's state.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from abm.io.output import write_run
from abm.io.scenario import load_scenario
from abm.io.simulate import collect, run
from abm.model import RuralEconomy


def bare_run(scenario, months: int):
    """The model stepped alone and collected, without any panel recorder."""
    model = RuralEconomy(scenario.parameters, seed=1)
    for _ in range(months):
        model.step()
    return collect(model, scenario, 1, months)


def timed_run(farmers: int, months: int, panel: str, network: str = "none") -> tuple[float, float, dict[str, int]]:
    """Simulate and write one run: seconds simulating, seconds writing, and file sizes in bytes."""
    scenario = load_scenario().with_overrides({"farmers": farmers})
    start = time.perf_counter()
    result = (bare_run(scenario, months) if panel == "bare"
              else run(scenario, seed=1, months=months, panel=panel, network=network))
    simulated = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        paths = write_run(result, Path(out))
        written = time.perf_counter() - start - simulated
        sizes: dict[str, int] = {}
        for p in paths:
            name = "network/month_*.graphml (all)" if p.suffix == ".graphml" else p.name
            sizes[name] = sizes.get(name, 0) + p.stat().st_size
    return simulated, written, sizes


def main() -> None:
    """Measure the four runs and print (and optionally save) the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--farmers", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    load = os.getloadavg()[0]
    timed_run(2000, 13, "yearly", "yearly")  # compile the kernels first
    runs = {"model alone": ("bare", "none"), "--panel none": ("none", "none"), "--panel yearly": ("yearly", "none"),
            "--panel yearly --network yearly": ("yearly", "yearly")}
    rows = {label: timed_run(args.farmers, args.months, *how) for label, how in runs.items()}
    sim0, write0, _ = rows["model alone"]
    sim1, write1, _ = rows["--panel yearly"]
    lines = [f"# Panel overhead: {args.farmers:,} households, {args.months} months, default scenario, seed 1", "",
             f"Load average before the runs: {load:.1f} on {os.cpu_count()} cores.", "",
             "| run | simulate (s) | write (s) | total (s) |", "|---|---|---|---|",
             *(f"| {label} | {s:.1f} | {w:.1f} | {s + w:.1f} |" for label, (s, w, _) in rows.items()),
             f"| yearly panel over model alone | {sim1 - sim0:+.1f} | {write1 - write0:+.1f} | "
             f"{(sim1 + write1) / (sim0 + write0) - 1:+.1%} |", "",
             "| file | size (MB) |", "|---|---|"]
    sizes = rows["--panel yearly --network yearly"][2]
    lines += [f"| {name} | {size / 1e6:.2f} |" for name, size in sorted(sizes.items())]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
