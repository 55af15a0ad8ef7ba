"""Province-scale speed and memory of the full model, against two yardsticks (issue 12).

Usage (2-3 minutes on a 2-core machine)::

    .venv/bin/python benchmarks/province_scale.py [--sizes 10000 100000 1000000] [--months 24] [--warmup 3]

For each size, in a fresh subprocess (so peak memory is per size), it builds the full model (every
mechanism on: ``benchmarks/full_model.py``; data collection on) and steps it ``--months`` months,
timing every step after ``--warmup`` months. The phases of the monthly step are timed from outside
by wrapping the model's phase methods (the model is not edited). Yardsticks from the same run:

* Mesa's Boltzmann wealth model written the ordinary way (one ``mesa.Agent`` each,
  ``model.agents.shuffle_do("step")``) at the same sizes; above ``--boltzmann-full`` agents it runs
  only ``--boltzmann-big-steps`` steps (said so in the table);
* the memory-bandwidth floor of the farmer columns: K = number of per-farmer numpy arrays on
  ``FarmerPopulation`` (introspected), floor = N x K x 16 bytes / bandwidth, the bandwidth measured
  here by timing a large numpy copy.

Prints the tables and writes ``benchmarks/province_scale.md`` and ``benchmarks/province_scale.csv``.
``--profile N`` instead runs cProfile over the timed steps at N households and prints the top functions;
``--profile N --lines`` times every source line of ``abm/`` and ``agents/`` (inclusive) instead.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import functools
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPORT = HERE / "province_scale.md"
CSV = HERE / "province_scale.csv"

#: the phases of RuralEconomy.step, in order, as (label, owner, method name)
PHASES = (
    ("open_year", "government", "open_year"),
    ("shocks", "model", "_apply_shocks"),
    ("harvest", "model", "_harvest"),
    ("choose_channels", "model", "_choose_channels"),
    ("market.clear", "market", "clear"),
    ("settle", "model", "_settle"),
    ("learn", "model", "_learn"),
    ("translate", "model", "_translate"),
    ("policy", "model", "_policy"),
    ("close_year", "abm.model", "close_year"),
    ("measure", "model", "_measure"),
    ("check_books", "model", "_check_books"),
    ("close_month", "money", "close_month"),
    ("collect", "model", "_collect"),
)
#: glibc malloc settings that keep freed memory for reuse instead of returning it to the kernel, so a
#: fresh 8 MB temporary array does not page-fault its way in again (set before the interpreter starts)
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(2**32), "MALLOC_TRIM_THRESHOLD_": str(2**32),
                "MALLOC_TOP_PAD_": str(2**28)}
#: targets of issue 12 on a 2-core machine: households -> (seconds per step, seconds to set up, bytes)
TARGETS = {100_000: (0.025, 5.0, 1e9), 1_000_000: (0.300, None, 4e9)}


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far.

    Linux's VmHWM belongs to this program's memory map; ``getrusage``'s ``ru_maxrss`` survives
    ``exec`` and would report the parent's peak when that was higher, so it is only the fallback.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes() -> int:
    """Resident set size of this process now."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- the model ------------------------------------------------------------------------------------

def farmer_columns(farmers) -> dict[str, np.ndarray]:
    """The per-farmer numpy arrays of a FarmerPopulation (every array attribute of length n)."""
    return {k: v for k, v in vars(farmers).items()
            if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == farmers.n}


def instrument(model) -> dict[str, float]:
    """Wrap the phase methods of one model instance with timers; return the accumulating totals."""
    totals = dict.fromkeys((label for label, _, _ in PHASES), 0.0)
    owners = {"model": model, "market": model.market, "government": model.government, "money": model.money,
              "abm.model": sys.modules["abm.model"]}  # a phase the step calls as a function of abm.model

    def timed(label, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[label] += time.perf_counter() - t0
        return wrapper

    for label, owner, name in PHASES:
        obj = owners[owner]
        setattr(obj, name, timed(label, getattr(obj, name)))  # an instance attribute shadows the method
    return totals


def run_model(n: int, months: int, warmup: int, seed: int) -> dict[str, object]:
    """Build and step the full model at ``n`` households; timings, memory and phase shares."""
    from full_model import full_parameters

    from abm.model import RuralEconomy

    gc.collect()
    rss0 = current_rss_bytes()
    t0 = time.perf_counter()
    model = RuralEconomy(parameters=full_parameters(n), seed=seed)
    setup = time.perf_counter() - t0
    rss_built = current_rss_bytes()
    totals = instrument(model)
    steps: list[float] = []
    cpu: list[float] = []
    phase_timed = dict.fromkeys(totals, 0.0)
    for month in range(months):
        before = dict(totals)
        c0 = time.process_time()
        t0 = time.perf_counter()
        model.step()
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        if month >= warmup:
            steps.append(dt)
            cpu.append(dc)
            for k in totals:
                phase_timed[k] += totals[k] - before[k]
    cols = farmer_columns(model.farmers)
    return {
        "n": int(model.farmers.n), "villages": int(model.geo.villages), "setup_s": setup,
        "steps": steps, "cpu": cpu, "phases": phase_timed, "K": len(cols),
        "column_bytes": int(sum(c.nbytes for c in cols.values())),
        "columns": {k: str(v.dtype) for k, v in cols.items()},
        "rss_base": rss0, "rss_built": rss_built, "rss_peak": peak_rss_bytes(),
    }


def profile_model(n: int, months: int, warmup: int, seed: int, top: int) -> str:
    """Profile the full model's timed steps at ``n`` households with cProfile: the top functions."""
    from full_model import full_parameters

    from abm.model import RuralEconomy

    model = RuralEconomy(parameters=full_parameters(n), seed=seed)
    for _ in range(warmup):
        model.step()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(months - warmup):
        model.step()
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


class LineTimer:
    """A small line profiler: inclusive wall time of every executed line of the model's own code.

    ``sys.settrace`` with a local tracer for frames whose file lies under the given folders; the
    time between two line events of a frame goes to the first line, so a line's time includes the
    calls it makes. The tracer costs about a microsecond a line, small against whole-array lines.
    """

    def __init__(self, roots: tuple[str, ...]) -> None:
        """Time the lines of files under ``roots``."""
        self.roots = roots
        self.times: dict[tuple[str, int], float] = {}
        self.hits: dict[tuple[str, int], int] = {}

    def _global(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename.startswith(self.roots):
            state = [frame.f_lineno, time.perf_counter()]

            def local(frame, event, arg):
                now = time.perf_counter()
                key = (frame.f_code.co_filename, state[0])
                self.times[key] = self.times.get(key, 0.0) + now - state[1]
                if event == "line":
                    self.hits[key] = self.hits.get(key, 0) + 1
                state[0] = frame.f_lineno
                state[1] = time.perf_counter()
                return local
            return local
        return None

    def __enter__(self):
        """Start tracing."""
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        """Stop tracing."""
        sys.settrace(None)

    def report(self, top: int, steps: int) -> str:
        """The ``top`` lines by time, as ms per step with the source line."""
        import linecache

        rows = sorted(self.times.items(), key=lambda kv: -kv[1])[:top]
        out = [f"{'ms/step':>8}  {'file:line':<32} source"]
        for (fn, line), t in rows:
            name = f"{Path(fn).parent.name}/{Path(fn).name}:{line}"
            out.append(f"{1000 * t / steps:8.2f}  {name:<32} {linecache.getline(fn, line).strip()[:110]}")
        return "\n".join(out)


def line_profile_model(n: int, months: int, warmup: int, seed: int, top: int) -> str:
    """Inclusive time per source line of the model's code over the timed steps at ``n`` households."""
    from full_model import full_parameters

    import abm
    import agents
    from abm.model import RuralEconomy

    model = RuralEconomy(parameters=full_parameters(n), seed=seed)
    for _ in range(warmup):
        model.step()
    roots = (str(Path(abm.__file__).parent), str(Path(agents.__file__).parent))
    with LineTimer(roots) as timer:
        for _ in range(months - warmup):
            model.step()
    return timer.report(top, months - warmup)


# --- yardsticks ------------------------------------------------------------------------------------

def run_boltzmann(n: int, steps: int, seed: int) -> dict[str, object]:
    """Mesa's Boltzmann wealth model, one Agent object per agent, ``shuffle_do("step")``."""
    import mesa

    class MoneyAgent(mesa.Agent):
        """An agent with one unit of wealth that gives a unit to a random other agent."""

        def __init__(self, model):
            super().__init__(model)
            self.wealth = 1

        def step(self):
            if self.wealth > 0:
                # model.agents[i] would copy the AgentSet into a list on every call (O(N) per agent),
                # so the partner is drawn from a list the model keeps, as Mesa's examples do.
                other = self.model.agent_list[self.random.randrange(self.model.num_agents)]
                other.wealth += 1
                self.wealth -= 1

    class MoneyModel(mesa.Model):
        """The Boltzmann wealth model."""

        def __init__(self, n_agents, seed):
            super().__init__(rng=seed)
            self.num_agents = n_agents
            MoneyAgent.create_agents(self, n_agents)
            self.agent_list = list(self.agents)

        def step(self):
            self.agents.shuffle_do("step")

    gc.collect()
    rss0 = current_rss_bytes()
    t0 = time.perf_counter()
    model = MoneyModel(n, seed)
    setup = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - t0)
    assert sum(a.wealth for a in model.agent_list) == n
    return {"n": n, "setup_s": setup, "steps": times, "rss_base": rss0, "rss_peak": peak_rss_bytes()}


def bandwidth_bytes_per_s(mb: int = 256, repeats: int = 7) -> float:
    """Memory bandwidth of one core: bytes read plus written per second by a large numpy copy (best of repeats)."""
    src = np.ones(mb * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = min(_timed_copy(dst, src) for _ in range(repeats))
    return 2 * src.nbytes / best


def _timed_copy(dst: np.ndarray, src: np.ndarray) -> float:
    t0 = time.perf_counter()
    np.copyto(dst, src)
    return time.perf_counter() - t0


# --- driver -----------------------------------------------------------------------------------------

def code_version() -> str:
    """The git commit of the code measured, marked ``-dirty`` when the working tree has changes."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                              cwd=HERE.parent, check=True, timeout=10)
        return f"commit {done.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        return "an unknown commit"


def in_subprocess(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one worker of this script in a fresh interpreter and return its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env=None if env is None else os.environ | env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt_n(n: int) -> str:
    """10,000 style."""
    return f"{n:,}"


def fmt_ms(s: float) -> str:
    """Milliseconds with sensible digits."""
    ms = 1000 * s
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def verdict(value: float, limit: float | None) -> str:
    """'ok' or 'MISSED' against a target (blank where there is none)."""
    if limit is None:
        return ""
    return " ok" if value <= limit else " MISSED"


def tables(results: list[dict], bolts: list[dict], bw: float, months: int, warmup: int,
           big_steps: int, full_limit: int, tuned: list[dict]) -> tuple[list[str], list[dict]]:
    """Markdown lines and CSV rows of the results."""
    md = ["| households | villages | set-up s | median ms/step | mean ms/step | CPU ms/step | farmer-steps/s "
          "| peak RSS MB | model RSS MB | Boltzmann ms/step | model / Boltzmann | K | floor ms | model / floor |",
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rows = []
    for r, b in zip(results, bolts, strict=True):
        n, med, mean = r["n"], statistics.median(r["steps"]), statistics.fmean(r["steps"])
        floor = n * r["K"] * 16 / bw
        b_med = statistics.median(b["steps"])
        b_note = "" if b["n"] <= full_limit else f" ({len(b['steps'])} steps)"
        target = TARGETS.get(r.get("requested", n), (None, None, None))
        cpu = statistics.median(r["cpu"])
        row = {"households": n, "villages": r["villages"], "setup_s": r["setup_s"], "median_step_s": med,
               "mean_step_s": mean, "max_step_s": max(r["steps"]), "median_cpu_step_s": cpu,
               "farmer_steps_per_s": n / med,
               "peak_rss_mb": r["rss_peak"] / 2**20, "model_rss_mb": (r["rss_peak"] - r["rss_base"]) / 2**20,
               "boltzmann_agents": b["n"], "boltzmann_step_s": b_med, "boltzmann_steps": len(b["steps"]),
               "boltzmann_setup_s": b["setup_s"], "boltzmann_peak_rss_mb": b["rss_peak"] / 2**20,
               "model_over_boltzmann": med / b_med, "K": r["K"], "column_mb": r["column_bytes"] / 2**20,
               "bandwidth_gb_s": bw / 1e9, "floor_s": floor, "model_over_floor": med / floor}
        row |= {f"share_{k}": v / max(sum(r["phases"].values()), 1e-12) for k, v in r["phases"].items()}
        rows.append(row)
        md.append(f"| {fmt_n(n)} | {fmt_n(r['villages'])} | {r['setup_s']:.2f}{verdict(r['setup_s'], target[1])} "
                  f"| {fmt_ms(med)}{verdict(med, target[0])} | {fmt_ms(mean)} | {fmt_ms(cpu)} | {n / med:,.0f} "
                  f"| {r['rss_peak'] / 2**20:,.0f}{verdict(r['rss_peak'], target[2])} "
                  f"| {(r['rss_peak'] - r['rss_base']) / 2**20:,.0f} | {fmt_ms(b_med)}{b_note} | {med / b_med:.3f} "
                  f"| {r['K']} | {fmt_ms(floor)} | {med / floor:.0f} |")
    md += ["", f"Timed: months {warmup + 1}-{months} of each run (the first {warmup} are warm-up); the median "
           "step is an ordinary month, the mean includes December (year close: sorts for Gini and medians); "
           "CPU is the median process CPU time of a step (less sensitive than wall time to other work on the machine). "
           f"Memory bandwidth measured here: {bw / 1e9:.1f} GB/s (read + write, numpy copy of 256 MiB); "
           "floor = N x K x 16 bytes / bandwidth, K = per-farmer numpy arrays on FarmerPopulation. "
           "Peak RSS is the whole process (Python, numpy, Mesa, pandas included); model RSS is the peak "
           "less the process's RSS just before the model was built. Targets (issue 12): 100k households "
           "<= 25 ms/step, set-up < 5 s, < 1 GB; 1M <= 300 ms/step, < 4 GB."]
    if any(b["n"] > full_limit for b in bolts):
        md.append(f"Boltzmann above {fmt_n(full_limit)} agents: only {big_steps} steps timed (median of those).")
    md += ["", "Share of the timed steps' time by phase of `RuralEconomy.step` (timed by wrapping the phase "
           "methods from outside):", ""]
    labels = [label for label, _, _ in PHASES]
    md.append("| phase | " + " | ".join(fmt_n(r["n"]) for r in results) + " |")
    md.append("|---|" + "---:|" * len(results))
    for label in labels:
        cells = []
        for r in results:
            total = sum(r["phases"].values())
            per = r["phases"][label] / len(r["steps"])
            cells.append(f"{100 * r['phases'][label] / total:.1f}% ({fmt_ms(per)} ms)")
        md.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for r in results:
        other = sum(r["steps"]) - sum(r["phases"].values())
        cells.append(f"{fmt_ms(other / len(r['steps']))} ms")
    md.append("| (outside the phases) | " + " | ".join(cells) + " |")
    if tuned:
        md += ["", "The same runs with glibc malloc keeping freed memory for reuse (`MALLOC_MMAP_THRESHOLD_` and "
               "`MALLOC_TRIM_THRESHOLD_` 4 GiB, `MALLOC_TOP_PAD_` 256 MiB in the environment; no code change): "
               "every temporary array of a million households is 4-8 MB, which glibc otherwise maps fresh from the "
               "kernel and page-faults in on each use; a ratio above 1.00x means the default allocator was "
               "faster.", "",
               "| households | median ms/step | CPU ms/step | peak RSS MB | vs default malloc: wall | CPU |",
               "|---:|---:|---:|---:|---:|---:|"]
        base = {r["n"]: r for r in results}
        for t in tuned:
            med, cpu = statistics.median(t["steps"]), statistics.median(t["cpu"])
            b = base[t["n"]]
            md.append(f"| {fmt_n(t['n'])} | {fmt_ms(med)} | {fmt_ms(cpu)} | {t['rss_peak'] / 2**20:,.0f} "
                      f"| {med / statistics.median(b['steps']):.2f}x | {cpu / statistics.median(b['cpu']):.2f}x |")
            rows[[r["n"] for r in results].index(t["n"])] |= {"tuned_malloc_median_step_s": med,
                                                             "tuned_malloc_peak_rss_mb": t["rss_peak"] / 2**20}
    if len(results) > 1:
        parts = []
        for a, z in zip(results, results[1:], strict=False):
            for key, label in (("steps", "wall"), ("cpu", "CPU")):
                grew = statistics.median(z[key]) / statistics.median(a[key])
                parts.append(f"{fmt_n(a['n'])} to {fmt_n(z['n'])} ({z['n'] / a['n']:.1f}x households): "
                             f"{label} step {grew:.1f}x")
        per = ", ".join(f"{fmt_n(r['n'])}: {1e6 * statistics.median(r['cpu']) / r['n']:.2f}" for r in results)
        md += ["", "Linearity (1.0x per 1.0x households is linear; less means fixed per-village or per-step costs "
               f"still weigh at the smaller size): {'; '.join(parts)}. CPU microseconds per household-step: {per}."]
    return md, rows


def main() -> None:
    """Run every size in its own process, the yardsticks, and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--months", type=int, default=24, help="months per run, warm-up included")
    parser.add_argument("--warmup", type=int, default=3, help="first months left out of the timing")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--boltzmann-steps", type=int, default=10, help="Boltzmann steps timed per size")
    parser.add_argument("--boltzmann-full", type=int, default=200_000,
                        help="above this many agents Boltzmann runs only --boltzmann-big-steps steps")
    parser.add_argument("--boltzmann-big-steps", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; do not write the report files")
    parser.add_argument("--malloc-from", type=int, default=100_000, metavar="N",
                        help="also run sizes >= N with glibc malloc tuned to keep freed memory (0: never)")
    parser.add_argument("--profile", type=int, default=None, metavar="N",
                        help="cProfile the full model at N households instead of benchmarking")
    parser.add_argument("--lines", action="store_true",
                        help="with --profile: time every source line of abm/ and agents/ instead of cProfile")
    parser.add_argument("--top", type=int, default=40, help="functions (or lines) listed by --profile")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, n = args.worker[0], int(args.worker[1])
        if kind == "model":
            out = run_model(n, args.months, args.warmup, args.seed)
        else:
            out = run_boltzmann(n, int(args.worker[2]), args.seed)
        print(json.dumps(out))
        return
    if args.profile:
        profiler = line_profile_model if args.lines else profile_model
        print(profiler(args.profile, args.months, args.warmup, args.seed, args.top))
        return

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    bw = bandwidth_bytes_per_s()
    print(f"memory bandwidth: {bw / 1e9:.1f} GB/s", flush=True)
    results, bolts = [], []
    for n in args.sizes:
        common = ["--months", str(args.months), "--warmup", str(args.warmup), "--seed", str(args.seed)]
        r = in_subprocess("model", str(n), *common)
        r["requested"] = n  # the model rounds to whole villages; targets are stated for the requested size
        print(f"model {n:>9,}: set-up {r['setup_s']:.2f} s, median step {1000 * statistics.median(r['steps']):.1f} ms "
              f"(CPU {1000 * statistics.median(r['cpu']):.1f} ms), "
              f"peak RSS {r['rss_peak'] / 2**20:,.0f} MB", flush=True)
        # Boltzmann with as many agents as the model has households (sizes round to whole villages).
        steps = args.boltzmann_steps if r["n"] <= args.boltzmann_full else args.boltzmann_big_steps
        b = in_subprocess("boltzmann", str(r["n"]), str(steps), "--seed", str(args.seed))
        print(f"Boltzmann {r['n']:>9,}: median step {1000 * statistics.median(b['steps']):.0f} ms "
              f"({len(b['steps'])} steps)", flush=True)
        results.append(r)
        bolts.append(b)
    tuned = []
    for n in args.sizes:
        if args.malloc_from and n >= args.malloc_from:
            t = in_subprocess("model", str(n), "--months", str(args.months), "--warmup", str(args.warmup),
                              "--seed", str(args.seed), env=TUNED_MALLOC)
            print(f"model {n:>9,} with tuned malloc: median step {1000 * statistics.median(t['steps']):.1f} ms "
                  f"(CPU {1000 * statistics.median(t['cpu']):.1f} ms)", flush=True)
            tuned.append(t)
    md, rows = tables(results, bolts, bw, args.months, args.warmup, args.boltzmann_big_steps, args.boltzmann_full,
                      tuned)
    import mesa

    head = ["# Province-scale benchmark (issue 12)", "",
            "Run it with `.venv/bin/python benchmarks/province_scale.py` (2-3 minutes; `--help` for sizes, months, "
            "profiling). This file: `" + " ".join([Path(sys.executable).name, *sys.argv]) + f"` at {code_version()} "
            f"on {date.today().isoformat()}: "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
            f"Mesa {mesa.__version__}, {platform.machine()}; whole run {time.perf_counter() - started:.0f} s; "
            f"1-minute load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
            f"(above {os.cpu_count()} means other work shared the cores and wall times are inflated; "
            "the CPU column is less affected). "
            "Full model: every government instrument funded, east-west fund 1%, pairing, blockchain trust "
            "with contract penalties, price discrimination, livestream development model "
            "(`benchmarks/full_model.py`), data collection on.", ""]
    text = "\n".join(head + md) + "\n"
    print()
    print(text)
    if not args.no_write:
        REPORT.write_text(text)
        with CSV.open("w", newline="") as fh:
            fields = list(dict.fromkeys(k for row in rows for k in row))
            writer = csv.DictWriter(fh, fieldnames=fields, restval="")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {REPORT.relative_to(HERE.parent)} and {CSV.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
