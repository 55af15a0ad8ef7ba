"""Run each analysis notebook top to bottom at its stored size and write how long it took.

Usage::

    python benchmarks/notebook_times.py                    # all six, writes benchmarks/notebook_times.md
    python benchmarks/notebook_times.py sensitivity trust  # some of them (the table keeps the others' rows)

Each notebook runs with nbclient as ``jupyter execute`` runs it: nbclient's default (no per-cell
limit), and the per-cell limit nbmake and many CI set-ups use (:data:`CELL_LIMIT`) is checked from
the cells' own times. It runs in a fresh temporary folder, so its results (``results/<name>/``) start
empty and nothing lands in the repository: the times are those of a first run. The table gives each
notebook's wall-clock total, its longest cell and that cell's first line, and the CPU seconds of the
kernel and every process it started (sampled twice a second with psutil): on a shared machine the
wall clock grows with the load, the CPU seconds do not, and CPU seconds / cores is about the time
on an idle machine with that many cores.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TABLE = Path(__file__).with_suffix(".md")
NAMES = ["quickstart", "trust", "subsidies", "eastwest", "sensitivity", "policy_design"]
#: nbmake's default per-cell timeout (seconds), the strictest limit a notebook runner commonly applies
CELL_LIMIT = 300
HEADER = ("| notebook | total (s) | longest cell (s) | longest cell starts with | within the per-cell limit "
          "| CPU (s), all processes |")


class CpuSampler(threading.Thread):
    """Adds up the CPU seconds of this process's descendants (the kernel and its workers) while they live."""

    def __init__(self) -> None:
        """Sample until :meth:`stop`."""
        super().__init__(daemon=True)
        self.seconds: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        """Every half second, keep each descendant's latest user + system CPU time."""
        me = psutil.Process()
        while not self.done.wait(0.5):
            for process in me.children(recursive=True):
                try:
                    times = process.cpu_times()
                except psutil.Error:
                    continue
                self.seconds[process.pid] = times.user + times.system

    def stop(self) -> float:
        """Stop sampling; the CPU seconds seen."""
        self.done.set()
        self.join()
        return sum(self.seconds.values())


def run_notebook(name: str) -> tuple[float, float, str, float]:
    """Execute one notebook at its stored size in a temporary folder.

    Returns:
        Total wall seconds, the longest cell's seconds and first line, and the CPU seconds of all processes.
    """
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    sampler = CpuSampler()
    with tempfile.TemporaryDirectory() as folder:
        sampler.start()
        start = time.perf_counter()
        client = NotebookClient(nb, kernel_name="python3", record_timing=True, resources={"metadata": {"path": folder}})
        client.execute()
        total = time.perf_counter() - start
        cpu = sampler.stop()
    cells = [(cell_seconds(c), c.source.splitlines()[0] if c.source else "") for c in nb.cells if c.cell_type == "code"]
    longest, first_line = max(cells)
    return total, longest, first_line, cpu


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    """How long one executed cell ran, from the timing nbclient records."""
    timing = cell.metadata.get("execution", {})
    started, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not started or not ended:
        return 0.0
    return (datetime.fromisoformat(ended.rstrip("Z")) - datetime.fromisoformat(started.rstrip("Z"))).total_seconds()


def read_rows() -> dict[str, str]:
    """The table's existing rows, by notebook."""
    if not TABLE.exists():
        return {}
    rows = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if re.match(r"\| `\w+`", line)]
    return {re.match(r"\| `(\w+)`", row).group(1): row for row in rows}


def write_table(rows: dict[str, str]) -> None:
    """Write the table with the machine it ran on."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = ["# Notebooks at their stored size", "",
             f"`python benchmarks/notebook_times.py` on {os.cpu_count()} cores (load {load:.1f} when written), "
             f"{time.strftime('%Y-%m-%d')}: each notebook run top to bottom with nbclient in an empty folder "
             f"(a first run, no results on disk), with the per-cell limit of nbmake ({CELL_LIMIT} s) checked. "
             "Wall-clock seconds grow with the machine's load; CPU seconds (the kernel and its workers) do not: "
             "divided by the cores, they are about the time on an idle machine.", "",
             HEADER, "|---|---|---|---|---|---|", *(rows[name] for name in NAMES if name in rows)]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    """Run the chosen notebooks and update the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"notebooks to run (default: all): {', '.join(NAMES)}")
    names = parser.parse_args().names or NAMES
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        parser.error(f"unknown notebook {', '.join(unknown)}; allowed: {', '.join(NAMES)}")
    rows = read_rows()
    for name in names:
        total, longest, first_line, cpu = run_notebook(name)
        ok = "yes" if longest <= CELL_LIMIT else "no"
        rows[name] = f"| `{name}` | {total:.0f} | {longest:.0f} | `{first_line[:60]}` | {ok} | {cpu:.0f} |"
        print(rows[name], flush=True)
        write_table(rows)


if __name__ == "__main__":
    main()
