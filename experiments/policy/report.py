"""What a planner reads from an optimisation: the Pareto table with intervals, named solutions, figures, scenario files.

:func:`write_optimisation_report` writes ``report.md`` beside ``pareto.csv``, ``tradeoff.png`` (with one
objective ``objective.png``: there is no trade-off to draw), ``parallel.png``, ``budget_split.png`` (with a
budget), ``convergence.png`` and one scenario file per Pareto solution in ``solutions/``
(``ruralsim run OUT/solutions/compromise.toml``).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w
from matplotlib.ticker import MaxNLocator

from abm.core.params import Parameters
from experiments.analysis import describe
from experiments.figures import new_figure
from experiments.policy.conditions import condition_words
from experiments.policy.objectives import condition_means, objective_matrix
from experiments.policy.optimise import Optimisation
from experiments.policy.problem import Problem, lever_columns
from experiments.reports import ci_cell, fmt, markdown_table
from experiments.runner import atomic_write


def named_solutions(problem: Problem, pareto: pd.DataFrame) -> dict[str, str]:
    """The best Pareto candidate for each objective, and the compromise nearest the ideal point (normalised).

    With one objective the best candidate is the compromise too, so it is named once (``best_<objective>``).
    """
    F, _ = objective_matrix(problem, pareto.set_index("candidate"))
    names = {f"best_{m.name}": pareto.candidate.iloc[int(np.argmin(F[:, j]))] for j, m in enumerate(problem.objectives)}
    if len(problem.objectives) == 1:
        return names
    span = np.where(F.max(axis=0) > F.min(axis=0), F.max(axis=0) - F.min(axis=0), 1.0)
    distance = np.linalg.norm((F - F.min(axis=0)) / span, axis=1)
    return names | {"compromise": pareto.candidate.iloc[int(np.argmin(distance))]}


def intervals(problem: Problem, evaluations: pd.DataFrame) -> pd.DataFrame:
    """Per candidate and objective: mean and 95% interval over every paired run, and the range over conditions.

    The interval is a t interval over the runs; over posterior members it adds the spread between
    members (seed + parameter uncertainty, see :func:`experiments.posterior.describe_members`).
    """
    names = [m.name for m in problem.objectives]
    keys = ["candidate", *(["member"] if "member" in evaluations.columns else [])]
    long = evaluations.melt(id_vars=keys, value_vars=names, var_name="objective")
    table = describe(long, ["candidate", "objective"]).set_index(["candidate", "objective"])
    by_condition = condition_means(evaluations, names).stack().rename("value").reset_index()
    spread = by_condition.rename(columns={"level_2": "objective"}).groupby(["candidate", "objective"]).value
    return table.join(spread.min().rename("worst_low")).join(spread.max().rename("worst_high"))


def pareto_table(problem: Problem, result: Optimisation, named: dict[str, str]) -> pd.DataFrame:
    """The Pareto set for people: levers (budgets in thousand yuan/year), then each objective with intervals."""
    pareto = result.candidates[result.candidates.pareto]
    stats = intervals(problem, result.evaluations)
    label = {c: n for n, c in named.items()}
    rows = []
    for _, row in pareto.iterrows():
        out = {"solution": label.get(row.candidate, ""), "candidate": row.candidate}
        for lever in lever_columns(problem):
            value = row[lever]
            out[lever] = fmt(value / 1000) if lever.startswith("budget_") else (fmt(value) if isinstance(value, float)
                                                                                else str(value))
        for m in problem.objectives:
            s = stats.loc[(row.candidate, m.name)]
            out[f"{m.name} ({problem.robustness.measure})"] = fmt(row[m.name])
            out[f"{m.name} mean [95% CI]"] = ci_cell(s["mean"], s.ci_low, s.ci_high)
            out[f"{m.name} range over conditions"] = f"{fmt(s.worst_low)} to {fmt(s.worst_high)}"
        rows.append(out)
    first = problem.objectives[0].name
    return pd.DataFrame(rows).assign(_key=pareto[first].to_numpy()).sort_values("_key").drop(columns="_key")


def export_scenarios(problem: Problem, result: Optimisation, named: dict[str, str]) -> list[Path]:
    """Write every Pareto solution as a scenario file (the named ones under their names)."""
    folder = result.out / "solutions"
    folder.mkdir(exist_ok=True)
    defaults = Parameters().model_dump()
    label = {c: n for n, c in named.items()}
    paths = []
    for _, row in result.candidates[result.candidates.pareto].iterrows():
        name = label.get(row.candidate, f"pareto_{row.candidate}")
        params = {k: v for k, v in problem.parameters.items() if v != defaults.get(k)}
        params |= {k: _plain(row[k]) for k in lever_columns(problem)}
        scenario = {"name": name, "description": f"{problem.name}: {name}", "months": problem.months, "seed": 42,
                    "parameters": params}
        path = folder / f"{name}.toml"
        path.write_text(f"# Pareto solution {row.candidate} of problem {problem.name!r} (ruralsim optimise)\n"
                        + tomli_w.dumps(scenario), encoding="utf-8")
        paths.append(path)
    return paths


def _plain(value):
    """A Python scalar for the TOML writer."""
    return value.item() if isinstance(value, np.generic) else value


def plot_tradeoff(problem: Problem, result: Optimisation, named: dict[str, str], path: Path) -> None:
    """Each pair of objectives: every candidate (grey) and the Pareto set with 95% intervals of the mean."""
    pairs = list(itertools.combinations(problem.objectives, 2))
    fig = new_figure(width=5.5 * len(pairs), height=4.4, dpi=80)
    cand, stats = result.candidates, intervals(problem, result.evaluations)
    pareto = cand[cand.pareto]
    for k, (a, b) in enumerate(pairs):
        ax = fig.add_subplot(1, len(pairs), k + 1)
        ax.scatter(cand[a.name], cand[b.name], s=10, color="#bbbbbb", label="evaluated")
        sa = stats.xs(a.name, level="objective").loc[pareto.candidate]
        sb = stats.xs(b.name, level="objective").loc[pareto.candidate]
        ax.errorbar(pareto[a.name], pareto[b.name], fmt="o", color="#0072B2", ms=5, label="Pareto set", alpha=0.8,
                    xerr=(sa.ci_high - sa.ci_low) / 2, yerr=(sb.ci_high - sb.ci_low) / 2, elinewidth=0.8)
        for name, c in named.items():
            row = cand.set_index("candidate").loc[c]
            ax.annotate(name, (row[a.name], row[b.name]), fontsize=8, xytext=(4, 4), textcoords="offset points")
        ax.set_xlabel(f"{a.name} ({a.direction}, {problem.robustness.measure})", fontsize=9)
        ax.set_ylabel(f"{b.name} ({b.direction}, {problem.robustness.measure})", fontsize=9)
        ax.legend(fontsize=8)
    fig.savefig(path)


def plot_single_objective(problem: Problem, result: Optimisation, named: dict[str, str], path: Path) -> None:
    """One objective, no trade-off: every candidate's robust value by the generation that first asked for it,
    the best with the 95% interval of its mean."""
    m = problem.objectives[0]
    cand, stats = result.candidates, intervals(problem, result.evaluations).xs(m.name, level="objective")
    fig = new_figure(width=5.5, height=4.0, dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(cand.generation, cand[m.name], s=10, color="#bbbbbb", label="evaluated")
    for name, c in named.items():
        row, s = cand.set_index("candidate").loc[c], stats.loc[c]
        ax.errorbar([row.generation], [row[m.name]], yerr=[(s.ci_high - s.ci_low) / 2], fmt="o", color="#0072B2",
                    ms=6, elinewidth=0.8, label=name)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation first evaluated", fontsize=9)
    ax.set_ylabel(f"{m.name} ({m.direction}, {problem.robustness.measure})", fontsize=9)
    ax.legend(fontsize=8)
    fig.savefig(path)


def plot_parallel(problem: Problem, result: Optimisation, named: dict[str, str], path: Path) -> None:
    """Parallel coordinates of the Pareto set: levers and objectives, each scaled to its range in the set."""
    pareto = result.candidates[result.candidates.pareto]
    columns = [*lever_columns(problem), *(m.name for m in problem.objectives)]
    numeric = {c: pd.api.types.is_numeric_dtype(pareto[c]) and not pd.api.types.is_bool_dtype(pareto[c])
               for c in columns}
    values = pd.DataFrame({c: pareto[c].astype(float) if numeric[c] else pd.Categorical(pareto[c].astype(str)).codes
                           for c in columns}, index=pareto.index)
    span = (values.max() - values.min()).replace(0, 1.0)
    scaled = (values - values.min()) / span
    fig = new_figure(width=max(7.0, 1.1 * len(columns)), height=4.2, dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    label = {c: n for n, c in named.items()}
    for (_, row), cand in zip(scaled.iterrows(), pareto.candidate, strict=True):
        named_one = cand in label
        ax.plot(range(len(columns)), row.to_numpy(), color="#D55E00" if named_one else "#0072B2",
                alpha=0.9 if named_one else 0.35, lw=2 if named_one else 1, label=label.get(cand))
    ax.set_xticks(range(len(columns)), [c.removeprefix("budget_") for c in columns], rotation=30, ha="right",
                  fontsize=8)
    ax.set_ylabel("scaled to the Pareto set's range", fontsize=9)
    ax.set_title("Pareto set: levers and objectives", fontsize=10, loc="left")
    if label:
        ax.legend(fontsize=8, loc="upper right")
    fig.savefig(path)


def plot_budget_split(problem: Problem, result: Optimisation, named: dict[str, str], path: Path) -> None:
    """Stacked bars: how each named solution splits the budget across the instruments."""
    table = result.candidates.set_index("candidate").loc[list(named.values()), problem.budget.instruments] / 1e3
    fig = new_figure(width=9, height=1.2 + 0.6 * len(named), dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    left = np.zeros(len(table))
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    for k, name in enumerate(problem.budget.instruments):
        ax.barh(list(named), table[name], left=left, color=colours[k % 7], label=name.removeprefix("budget_"))
        left += table[name].to_numpy()
    ax.set_xlabel("thousand yuan per year", fontsize=9)
    ax.legend(fontsize=8, ncols=4, loc="upper center", bbox_to_anchor=(0.5, -0.35))
    fig.savefig(path)


def plot_convergence(result: Optimisation, path: Path) -> None:
    """Hypervolume of the front after each generation (normalised objectives, reference point 1.1)."""
    fig = new_figure(width=5.2, height=3.2, dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(result.convergence.generation, result.convergence.hypervolume, marker="o", color="#0072B2")
    ax.set_xlabel("generation", fontsize=9)
    ax.set_ylabel("hypervolume", fontsize=9)
    ax.set_title("convergence", fontsize=10, loc="left")
    fig.savefig(path)


def interval_words(problem: Problem) -> str:
    """What the intervals of the Pareto table cover."""
    if problem.uncertain is not None and (problem.uncertain.posterior or 0) > 1:
        return "seed + parameter uncertainty: the t interval of the runs widened by the spread between members"
    return "a t interval of the runs"


def search_words(problem: Problem) -> str:
    """The search's length: a fixed number of generations, or at most so many until converged."""
    rule = problem.search.converge
    if rule is None:
        return f"{problem.search.generations} generations"
    return (f"at most {problem.search.generations} generations, stopping once the hypervolume rises by at most "
            f"{rule.tolerance:.1%} over the last {rule.generations}")


def convergence_words(problem: Problem, result: Optimisation) -> str:
    """Whether the search converged by the problem's rule, after how many generations, runs and minutes."""
    rule, hv = problem.search.converge, result.convergence.hypervolume
    done = (f"{len(hv)} generations, {result.runs} runs, "
            f"{sum(c['seconds'] for c in result.calls) / 60:.1f} minutes over every call on this folder")
    if rule is None:
        return f"No convergence rule: the search ran its {done}."
    window = hv.iloc[-rule.generations - 1:]
    rise = (window.iloc[-1] - window.iloc[0]) / abs(window.iloc[-1]) if len(window) > rule.generations else np.nan
    verdict = "Converged" if result.converged else "Not converged (stopped at the generation limit)"
    change = "" if np.isnan(rise) else f"; over the last {rule.generations} generations it rose by {rise:.2%}"
    return f"{verdict} after {done}{change} (the rule: at most {rule.tolerance:.1%})."


def _problem_lines(problem: Problem, result: Optimisation, command: str) -> list[str]:
    """The report's opening: what was searched, under which conditions, how big and how long."""
    cand = result.candidates
    farmers = problem.parameters.get("farmers", Parameters().farmers)
    uncertain = problem.uncertain
    conditions = condition_words(uncertain)
    budget = (f" Budget: {fmt(problem.budget.total)} yuan/year split over {len(problem.budget.instruments)} "
              f"instruments ({'all spent' if problem.budget.spend == 'all' else 'up to all of it spent'}; every "
              "candidate's budgets are whole yuan summing to at most the total)." if problem.budget else "")
    measure = problem.robustness.measure
    robust = {"mean": "the mean over conditions",
              "percentile": f"the {fmt(problem.robustness.percentile)}th percentile of the worse side over conditions",
              "regret": "the largest regret over conditions against the best candidate evaluated in each"}[measure]
    objectives = "; ".join(f"{m.name}: {m.direction} {m.outcome}{' (' + m.region + ')' if m.region else ''}, "
                           f"{m.statistic}, {m.change}" for m in problem.objectives)
    constraints = "; ".join(f"{c.name} in [{fmt(c.min)}, {fmt(c.max)}]" for c in problem.constraints) or "none"
    return [f"# Policy design: {problem.name}", "", problem.description, "",
            f"{farmers:,} households, {problem.months} months (the horizon), {problem.replicates} paired replicate "
            f"seeds x {conditions}.{budget} Objectives: {objectives}. Constraints: {constraints}. Robustness: "
            f"{robust}. Search: NSGA-II (pymoo, mixed variables), population {problem.search.population}, "
            f"{search_words(problem)}, seed {problem.search.seed}.", "",
            f"{len(cand)} distinct candidates, {result.runs} runs (with the runs without levers). Time on this "
            f"machine, every call on this folder: " + "; ".join(f"{c['executed']} runs in {c['seconds'] / 60:.1f} min"
                                                               for c in result.calls)
            + f" (later calls find earlier runs in the run store). Command: `{command}`.", ""]


def write_optimisation_report(problem: Problem, result: Optimisation, command: str) -> Path:
    """Write ``report.md`` with the Pareto table, named solutions, figures and scenario files."""
    out = result.out
    pareto = result.candidates[result.candidates.pareto]
    lines = _problem_lines(problem, result, command)
    plot_convergence(result, out / "convergence.png")
    lines += ["## Convergence", "", "Hypervolume of each generation's front in objectives normalised over every "
              f"candidate (reference point 1.1 in each). {convergence_words(problem, result)}", "",
              "![convergence](convergence.png)", ""]
    if pareto.empty:
        lines += ["No feasible candidate: every candidate broke a constraint."]
        atomic_write(out / "report.md", ("\n".join(lines) + "\n").encode())
        return out / "report.md"
    named = named_solutions(problem, pareto)
    table = pareto_table(problem, result, named)
    atomic_write(out / "pareto.csv", table.to_csv(index=False).encode())
    lines += ["## Pareto set", "", f"{len(pareto)} non-dominated feasible candidates. Budgets in thousand "
              "yuan/year. Each objective: its robust value, the mean with a 95% interval over every run "
              f"(conditions x paired seeds; {interval_words(problem)}), and the range of the per-condition means.",
              "",
              markdown_table(table), ""]
    lines += _figure_lines(problem, result, named, out)
    lines += _named_lines(problem, result, named, out)
    paths = export_scenarios(problem, result, named)
    lines += ["## Scenario files", "", f"Every Pareto solution is a scenario file in `solutions/` ({len(paths)} "
              "files), e.g. `ruralsim run " + f"{out.name}/solutions/{list(named)[-1]}.toml`.", ""]
    atomic_write(out / "report.md", "\n".join(lines).encode())
    return out / "report.md"


def _figure_lines(problem: Problem, result: Optimisation, named: dict[str, str], out: Path) -> list[str]:
    """Draw the trade-offs between objectives (with one objective: its values instead) and the parallel
    coordinates; the report's lines showing them."""
    plot_parallel(problem, result, named, out / "parallel.png")
    if len(problem.objectives) == 1:
        plot_single_objective(problem, result, named, out / "objective.png")
        return ["## The objective", "", "One objective, so no trade-off between objectives: every candidate's "
                "robust value, the best with its 95% interval.", "", "![objective](objective.png)", "",
                "![parallel coordinates](parallel.png)", ""]
    plot_tradeoff(problem, result, named, out / "tradeoff.png")
    return ["## Trade-offs", "", "![trade-off](tradeoff.png)", "", "![parallel coordinates](parallel.png)", ""]


def _named_lines(problem: Problem, result: Optimisation, named: dict[str, str], out: Path) -> list[str]:
    """The named solutions' levers (and budget split, with a figure)."""
    table = result.candidates.set_index("candidate").loc[list(named.values())]
    shown = table[[*lever_columns(problem), *(m.name for m in problem.objectives)]].copy()
    shown.index = list(named)
    for c in problem.budget.instruments if problem.budget else []:
        shown[c] = (shown[c] / 1e3).round(1)
    lines = ["## Named solutions", "", "Budgets in thousand yuan/year; objectives as robust values.", "",
             markdown_table(shown.reset_index(names="solution").map(lambda v: fmt(v) if isinstance(v, float) else v)),
             ""]
    if problem.budget is not None:
        plot_budget_split(problem, result, named, out / "budget_split.png")
        lines += ["![budget split of the named solutions](budget_split.png)", ""]
    return lines
