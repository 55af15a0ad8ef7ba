"""Which assumptions decide each conclusion: Morris screening by mechanism, refinement, sign-change thresholds.

``ruralsim drivers trust`` (a packaged suite, or any arms experiment file) answers, for every conclusion
the experiment declares (``[conclusions.NAME]``, :class:`experiments.experiment.ConclusionSpec`), what a
reviewer asks first of a policy model: which assumptions move it, by how much, and whether a value
within their plausible ranges flips its sign, and where. It runs five stages, each an experiment of
its own in ``OUT/<stage>/`` through the batch runner: replicate k of every arm and design point uses
one seed, so each effect is a paired difference and design points share common random numbers;
finished runs are cached, a killed analysis resumes, and ``--engine dask`` spreads the runs out.

1. ``default``: the arms the conclusions need, at the declared defaults (the effects as reported).
2. ``screening``: SALib's Morris method over every assumption and calibrated parameter at once
   (:func:`screened_parameters`), grouped by mechanism (the ``group`` of each declaration,
   :data:`abm.core.params.GROUPS`): one factor per group, so the design costs ``trajectories x (groups + 1)``
   points whatever the number of parameters. Unless given, trajectories are chosen so that the screening
   makes about :data:`SCREENING_RUNS` runs (the refinement about :data:`REFINEMENT_RUNS`) whatever the arms.
3. ``refinement``: Morris over the members of the groups that move the conclusions most (each
   conclusion's strongest groups, while the parameters stay few enough: :func:`chosen_groups`), one
   factor per parameter, the other parameters at their defaults.
4. ``sweep-<parameter>``: each conclusion's top driver at ``levels`` evenly spaced values over its range,
   the rest at the defaults.
5. ``bisect-<conclusion>``: where the sweep's effect changes sign between two neighbouring levels (the
   pair nearest the default), ``bisections`` halvings of that bracket give the threshold a reader can quote.

Ranges are a parameter's plausible range where its declaration gives one, else its declared range
(wider; the report says which each driver spans). Morris mu* is in the effect's own units: the mean
absolute change of the effect per full range of the factor (SALib's elementary effects in the unit cube).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.core.params import ASSUMPTION, CALIBRATION, declarations
from abm.io.folders import locked
from abm.io.scenario import ScenarioError
from experiments.analysis import load_results
from experiments.design import Range, scale, unit_morris
from experiments.experiment import DEFAULT_OUTCOMES, ConclusionSpec, Experiment, Plan, check_overrides
from experiments.runner import atomic_write, parquet_bytes, run_experiment
from experiments.sensitivity import analyse
from experiments.worker import DEFAULT_MODEL

#: mechanism groups never screened, and why (their parameters set the experiment, not an assumption of it)
UNSCREENED_GROUPS = {
    "scale": "the size of the world is the experiment's choice",
    "policy": "policy levers are what the experiments compare",
    "shock": "the optional shock is a scenario, off in the suites",
}
#: the sources whose parameters are screened: assumptions and calibrated (free) parameters
SCREENED_SOURCES = (ASSUMPTION, CALIBRATION)
#: Morris grid levels (SALib's default)
MORRIS_LEVELS = 4
#: months in a conclusion's window
WINDOW = 12


#: runs the screening and the refinement aim at when their trajectories are not given. With the sweeps and
#: bisections, a suite's analysis at 30,000 households and 120 months makes about 4,000-4,500 runs of about
#: 1.2-1.3 core-seconds each: some 45 minutes on 2 cores (README, "Which assumptions decide each conclusion")
SCREENING_RUNS, REFINEMENT_RUNS = 2000, 1600


@dataclass(frozen=True)
class Size:
    """How large an analysis is: the knobs that set its cost in runs.

    Attributes:
        trajectories: Morris trajectories of the screening (points: trajectories x (groups + 1)); None: as
            many as make about :data:`SCREENING_RUNS` runs, at least 2.
        refine_trajectories: Morris trajectories of the refinement (points: x (parameters + 1)); None: about
            :data:`REFINEMENT_RUNS` runs, at least 2.
        top_groups: Groups each conclusion may bring into the refinement.
        max_factors: Parameters the refinement varies at most (the first group chosen always comes).
        levels: Values of a sweep.
        bisections: Halvings of a sign change's bracket.
        replicates: Paired seeds at every point (2 or more give a seed-noise floor and intervals).
    """

    trajectories: int | None = None
    refine_trajectories: int | None = None
    top_groups: int = 2
    max_factors: int = 24
    levels: int = 7
    bisections: int = 4
    replicates: int = 2


#: the size of ``--quick``: a first look in minutes, or a test
QUICK = Size(trajectories=2, refine_trajectories=2, top_groups=1, max_factors=12, levels=5, bisections=3,
             replicates=1)


def trajectories_for(given: int | None, runs: int, factors: int, runs_per_point: int) -> int:
    """The trajectories given, else as many as make about ``runs`` runs (at least 2)."""
    return given if given is not None else max(2, round(runs / ((factors + 1) * runs_per_point)))


@dataclass(frozen=True)
class Assumption:
    """A screened parameter: its sampling range, mechanism group and where the range comes from."""

    range: Range
    group: str
    kind: str  # "plausible" or "declared"

    @property
    def name(self) -> str:
        """The parameter's name."""
        return self.range.name


@dataclass(frozen=True)
class Runner:
    """Where and how the stages' runs execute (see :func:`experiments.runner.run_experiment`)."""

    engine: str = "local"
    workers: int | None = None
    address: str | None = None
    model: str = DEFAULT_MODEL
    progress: bool = True
    wait: bool = False


@dataclass
class Analysis:
    """An analysis in progress: the experiment, its conclusions, where it writes, and what each stage cost.

    Attributes:
        plan: The experiment's plan (arms with their scenarios and the replicate seeds).
        conclusions: The conclusions analysed, by name.
        out: The output folder.
        size: The analysis's size.
        runner: How runs execute.
        cost: Per stage: its runs (files in its cache), those executed by this folder's invocations and their
            seconds (an invocation that finds every run done adds none); stages of earlier sizes included.
        stages: The stages this analysis ran (or found finished), in order.
    """

    plan: Plan
    conclusions: dict[str, ConclusionSpec]
    out: Path
    size: Size
    runner: Runner
    cost: dict[str, dict[str, float]] = field(default_factory=dict)
    stages: list[str] = field(default_factory=list)

    @property
    def experiment(self) -> Experiment:
        """The experiment as declared."""
        return self.plan.experiment

    @property
    def months(self) -> int:
        """Months of every run."""
        return self.plan.base.months


# --- what is screened ---------------------------------------------------------------------------------


def fixed_parameters(experiment: Experiment, arms: list[str]) -> set[str]:
    """Parameters the experiment sets for every run: its shared ones and those every analysed arm sets."""
    every_arm = set.intersection(*(set(experiment.arms[a]) for a in arms)) if arms else set()
    return set(experiment.parameters) | every_arm


def screened_parameters(fixed: set[str] = frozenset()) -> list[Assumption]:
    """Every numeric assumption and calibrated parameter outside :data:`UNSCREENED_GROUPS` and ``fixed``.

    The range is the plausible one where declared (calibrated parameters), else the declared one.
    """
    out = []
    for d in declarations():
        if (d["source"] not in SCREENED_SOURCES or d["group"] in UNSCREENED_GROUPS or d["name"] in fixed
                or d["type"] not in ("float", "int")):
            continue
        lo, hi, kind = (*d["plausible"][:2], "plausible") if d["plausible"] else (d["min"], d["max"], "declared")
        out.append(Assumption(Range(d["name"], float(lo), float(hi), d["type"] == "int"), d["group"], kind))
    return out


def default_conclusions(experiment: Experiment) -> dict[str, ConclusionSpec]:
    """The conclusions an experiment declares, else every other arm against the reference in every kept outcome."""
    if experiment.conclusions:
        return dict(experiment.conclusions)
    if not experiment.arms:
        raise ScenarioError("drivers: the experiment has a design, not arms; allowed: an experiment with arms "
                            "(its conclusions are paired differences between arms)")
    reference = experiment.reference or next(iter(experiment.arms))
    if len(experiment.arms) < 2:
        raise ScenarioError(f"drivers: the experiment has one arm ({reference}), so no difference to analyse; "
                            "allowed: an experiment with two or more arms")
    outcomes = experiment.outcomes or list(DEFAULT_OUTCOMES)
    return {f"{arm}_{o}": ConclusionSpec(label=f"{arm} minus {reference}: {o}", arm=arm, outcome=o)
            for arm in experiment.arms if arm != reference for o in outcomes}


def arms_of(experiment: Experiment, conclusions: dict[str, ConclusionSpec]) -> list[str]:
    """The arms some conclusion reads, in the experiment's order."""
    used = {a for c in conclusions.values() for a in (c.arm, experiment.reference_of(c))}
    return [a for a in experiment.arms if a in used]


def outcomes_of(conclusions: dict[str, ConclusionSpec]) -> list[str]:
    """The outcomes the conclusions read."""
    names = []
    for c in conclusions.values():
        names += ["income_total", "spent_to_date_total"] if c.statistic == "gain_per_yuan" else [c.outcome]
    return list(dict.fromkeys(names))


# --- running a stage ----------------------------------------------------------------------------------


def stage_plan(analysis: Analysis, stage: str, design: pd.DataFrame, arms: list[str]) -> Plan:
    """A plan of every design row (``sample``) x arm: the arm's scenario with the row's values.

    A parameter the arm itself sets keeps the arm's value (it is what defines the arm).
    """
    experiment = analysis.experiment.model_copy(update={
        "name": f"{analysis.experiment.name}-drivers-{stage}", "outcomes": outcomes_of(analysis.conclusions),
        "replicates": len(analysis.plan.seeds)})
    by_arm = dict(zip(analysis.plan.points.arm, analysis.plan.scenarios, strict=True))
    rows, scenarios = [], []
    for sample, values in enumerate(design.to_dict("records")):
        for arm in arms:
            own = {k: _python(v) for k, v in values.items() if k not in analysis.experiment.arms[arm]}
            params = check_overrides(by_arm[arm].parameters, own, stage, analysis.plan.origin)
            scenarios.append(by_arm[arm].model_copy(update={"parameters": params}))
            rows.append({"point": len(rows), "arm": arm, "sample": sample})
    return Plan(experiment, analysis.plan.origin, None, analysis.plan.base, pd.DataFrame(rows), None, scenarios,
                analysis.plan.seeds)


def _python(value: Any) -> Any:
    """A numpy scalar as the Python scalar pydantic expects."""
    return value.item() if isinstance(value, np.generic) else value


def run_stage(analysis: Analysis, stage: str, design: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Run a stage (skipping finished runs), keep its design beside it and record its cost; its results."""
    folder = analysis.out / stage
    r = analysis.runner
    report = run_experiment(stage_plan(analysis, stage, design, arms), folder, r.engine, r.workers, r.address,
                            r.model, r.progress, r.wait)
    atomic_write(folder / "design.parquet", parquet_bytes(design.rename_axis("sample").reset_index()))
    before = analysis.cost.get(stage, {"executed": 0, "seconds": 0.0})
    analysis.cost[stage] = {"runs": len(list((folder / "runs").glob("*.parquet"))),
                            "executed": before["executed"] + report.executed,
                            "seconds": before["seconds"] + (report.seconds if report.executed else 0.0)}
    analysis.stages += [stage] * (stage not in analysis.stages)
    return load_results(folder)


# --- effects ------------------------------------------------------------------------------------------


def window_means(results: pd.DataFrame, outcome: str, until: int) -> pd.DataFrame:
    """Each run's mean of an outcome over the 12 months up to ``until`` (month 0, the initial state, left out)."""
    rows = results[(results.month > max(until - WINDOW, 0)) & (results.month <= until)]
    return rows.groupby(["sample", "arm", "seed"], sort=False)[outcome].mean().unstack("arm")


def gain_per_yuan_at(results: pd.DataFrame, arm: str, reference: str, until: int) -> pd.Series:
    """The arm's cumulative household income above the reference per yuan spent, by sample and seed, at ``until``.

    NaN where the arm spent nothing (no recipient met the instrument's conditions).
    """
    rows = results[(results.month <= until) & results.arm.isin([arm, reference])]
    income = rows.pivot_table(index=["sample", "seed", "month"], columns="arm", values="income_total").sort_index()
    gained = (income[arm] - income[reference]).groupby(level=["sample", "seed"]).sum()
    spent = rows[(rows.arm == arm) & (rows.month == until)].set_index(["sample", "seed"]).spent_to_date_total
    return gained / spent.where(spent > 0)


def conclusion_values(results: pd.DataFrame, experiment: Experiment, conclusion: ConclusionSpec,
                      months: int) -> pd.Series:
    """A conclusion's value in every (sample, seed) of a stage's results: the paired statistic it names."""
    until = min(conclusion.until or months, months)
    reference = experiment.reference_of(conclusion)
    if conclusion.statistic == "gain_per_yuan":
        return gain_per_yuan_at(results, conclusion.arm, reference, until)
    means = window_means(results, conclusion.outcome, until)
    return means[conclusion.arm] - means[reference]


def effects(results: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """Every conclusion's mean over seeds at every sample of a stage: ``conclusion, sample, mean, se, n``."""
    frames = []
    for name, conclusion in analysis.conclusions.items():
        values = conclusion_values(results, analysis.experiment, conclusion, analysis.months).rename("value")
        per = values.groupby(level="sample").agg(mean="mean", sd="std", n="count")
        frames.append(per.assign(conclusion=name, se=per.sd / np.sqrt(per.n)).reset_index())
    return pd.concat(frames, ignore_index=True)[["conclusion", "sample", "mean", "se", "n"]]


# --- Morris stages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MorrisDesign:
    """A Morris design over some assumptions: unit-cube points, their values and the SALib problem."""

    assumptions: list[Assumption]
    unit: np.ndarray
    design: pd.DataFrame
    problem: dict


def morris_design(assumptions: list[Assumption], trajectories: int, seed: int, grouped: bool) -> MorrisDesign:
    """Sample Morris trajectories over the assumptions (one factor per mechanism group when ``grouped``)."""
    groups = [a.group for a in assumptions] if grouped else None
    unit = unit_morris(len(assumptions), trajectories, seed, MORRIS_LEVELS, groups)
    names = [a.name for a in assumptions]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    return MorrisDesign(assumptions, unit, scale(unit, [a.range for a in assumptions]),
                        problem | ({"groups": groups} if grouped else {}))


def complete_trajectories(Y: np.ndarray, factors: int) -> np.ndarray:
    """Which rows belong to a trajectory whose every point has a defined effect (Morris needs whole ones)."""
    whole = np.isfinite(Y).reshape(-1, factors + 1).all(axis=1)
    return np.repeat(whole, factors + 1)


def morris_tables(design: MorrisDesign, per_sample: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Morris indices of every conclusion, from its trajectories with a defined effect at every point.

    ``noise`` is the mu* seed noise alone would give: the mean absolute difference of two independent
    point means, per Morris step (``sqrt(2 mean(se^2)) sqrt(2/pi) / delta``; NaN with one replicate);
    ``trajectories`` how many trajectories the indices rest on (where an effect is undefined at some
    point, e.g. a ratio with no newcomers, its trajectory is left out).
    """
    delta = MORRIS_LEVELS / (2 * (MORRIS_LEVELS - 1))
    factors = len(dict.fromkeys(design.problem.get("groups") or design.problem["names"]))
    frames = []
    for name, rows in per_sample.groupby("conclusion", sort=False):
        Y = rows.sort_values("sample")["mean"].to_numpy()
        keep = complete_trajectories(Y, factors)
        if not keep.any():
            continue
        table = analyse(design.problem, design.unit[keep], Y[keep], "morris", MORRIS_LEVELS, seed=seed)
        se = rows.se.dropna()
        noise = np.sqrt(2 * np.mean(se**2)) * np.sqrt(2 / np.pi) / delta if len(se) else np.nan
        frames.append(table.assign(conclusion=name, noise=noise, trajectories=int(keep.sum()) // (factors + 1)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["parameter", "mu", "mu_star", "mu_star_conf", "sigma", "conclusion", "noise", "trajectories"])


def moving(table: pd.DataFrame) -> pd.DataFrame:
    """The factors that move a conclusion: mu* above zero and above its seed-noise floor."""
    return table[(table.mu_star > 0) & ~(table.mu_star <= table.noise)]


def chosen_groups(screening: pd.DataFrame, assumptions: list[Assumption], size: Size) -> list[str]:
    """The groups the refinement splits into their parameters.

    Candidates are each conclusion's ``top_groups`` strongest moving groups, taken rank by rank (every
    conclusion's strongest first), within a rank by mu* relative to the conclusion's strongest; a group
    joins while the parameters stay within ``max_factors`` (the first always joins).
    """
    members = pd.Series([a.group for a in assumptions]).value_counts()
    ranked = moving(screening).copy()
    by_conclusion = ranked.groupby("conclusion").mu_star
    ranked["rank"] = by_conclusion.rank(ascending=False, method="first")
    ranked["score"] = ranked.mu_star / by_conclusion.transform("max")
    candidates = ranked[ranked["rank"] <= size.top_groups].sort_values(["rank", "score"], ascending=[True, False])
    chosen: list[str] = []
    for group in dict.fromkeys(candidates.parameter):
        if not chosen or members[chosen].sum() + members[group] <= size.max_factors:
            chosen.append(group)
    return chosen


# --- sweeps and bisection -----------------------------------------------------------------------------


def sweep_values(assumption: Assumption, levels: int) -> np.ndarray:
    """Evenly spaced values over a parameter's range (whole numbers, without repeats, for an integer one)."""
    values = np.linspace(assumption.range.lo, assumption.range.hi, levels)
    return np.unique(np.rint(values).astype(int)) if assumption.range.integer else values


def sign_changes(values: np.ndarray, effects_: np.ndarray) -> list[tuple[float, float]]:
    """The brackets of neighbouring values between which the effect's sign (+, 0 or -) changes."""
    signs = np.sign(effects_)
    return [(values[i], values[i + 1]) for i in range(len(values) - 1) if signs[i] != signs[i + 1]]


def nearest_bracket(brackets: list[tuple[float, float]], default: float) -> tuple[float, float]:
    """The bracket nearest the default value (the threshold a reader of the default results meets first)."""
    return min(brackets, key=lambda b: 0.0 if b[0] <= default <= b[1] else min(abs(b[0] - default),
                                                                                 abs(b[1] - default)))


@dataclass(frozen=True)
class Threshold:
    """Where a conclusion's sign changes along one parameter, the others at their defaults.

    Attributes:
        parameter: The parameter.
        low: The bracket's low end after bisection.
        high: Its high end.
        sign_low: The effect's sign at ``low`` (+1, 0 or -1).
        sign_high: Its sign at ``high``.
        crossings: How many sign changes the sweep found over the whole range.
    """

    parameter: str
    low: float
    high: float
    sign_low: int
    sign_high: int
    crossings: int

    @property
    def value(self) -> float:
        """The threshold: the middle of the final bracket."""
        return (self.low + self.high) / 2


def bisect(analysis: Analysis, name: str, assumption: Assumption, bracket: tuple[float, float],
           crossings: int) -> Threshold:
    """Halve a sign change's bracket ``bisections`` times (each step runs the conclusion's two arms)."""
    conclusion = analysis.conclusions[name]
    arms = [a for a in analysis.experiment.arms if a in (conclusion.arm, analysis.experiment.reference_of(conclusion))]
    low, high = bracket
    sign_low, sign_high = (_sign_at(analysis, name, assumption, v, arms, f"bisect-{name}") for v in (low, high))
    for _ in range(analysis.size.bisections):
        if assumption.range.integer and high - low <= 1:
            break
        middle = (low + high) / 2
        middle = float(round(middle)) if assumption.range.integer else middle
        sign = _sign_at(analysis, name, assumption, middle, arms, f"bisect-{name}")
        low, high = (middle, high) if sign == sign_low else (low, middle)
        sign_high = sign_high if sign == sign_low else sign
    return Threshold(assumption.name, low, high, sign_low, sign_high, crossings)


def _sign_at(analysis: Analysis, name: str, assumption: Assumption, value: float, arms: list[str],
             stage: str) -> int:
    """The sign of a conclusion's mean effect with one parameter at ``value``, the rest at the defaults."""
    value = int(value) if assumption.range.integer else float(value)
    results = run_stage(analysis, stage, pd.DataFrame({assumption.name: [value]}), arms)
    row = effects(results, replace_conclusions(analysis, name))
    return int(np.sign(row["mean"].iloc[0]))


def replace_conclusions(analysis: Analysis, *names: str) -> Analysis:
    """The same analysis restricted to some conclusions (its cost record and stage list shared)."""
    return Analysis(analysis.plan, {n: analysis.conclusions[n] for n in names}, analysis.out, analysis.size,
                    analysis.runner, analysis.cost, analysis.stages)


# --- the whole analysis -------------------------------------------------------------------------------


@dataclass
class Findings:
    """What the stages found, for the report.

    Attributes:
        assumptions: The screened parameters.
        default: Effects at the defaults (one sample).
        screening: Morris indices by group; ``screening_effects`` the effects at its points.
        refinement: Morris indices by parameter; ``refinement_effects`` the effects at its points.
        refined: The parameters the refinement varied.
        trajectories: Morris trajectories of the screening and of the refinement.
        sweeps: Per conclusion: its top driver and the effects along it (``value, mean, se, n``).
        thresholds: Per conclusion whose sign changes along its top driver: where.
    """

    assumptions: list[Assumption]
    default: pd.DataFrame
    screening: pd.DataFrame
    screening_effects: pd.DataFrame
    refinement: pd.DataFrame
    refinement_effects: pd.DataFrame
    refined: list[str]
    trajectories: tuple[int, int]
    sweeps: dict[str, tuple[str, pd.DataFrame]]
    thresholds: dict[str, Threshold]


def screen(analysis: Analysis, assumptions: list[Assumption], arms: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The screening stage: grouped Morris over every assumption; its indices and its points' effects."""
    groups = len({a.group for a in assumptions})
    r = trajectories_for(analysis.size.trajectories, SCREENING_RUNS, groups, len(arms) * len(analysis.plan.seeds))
    design = morris_design(assumptions, r, analysis.experiment.root_seed, grouped=True)
    per_sample = effects(run_stage(analysis, "screening", design.design, arms), analysis)
    return morris_tables(design, per_sample, analysis.experiment.root_seed), per_sample


def refine(analysis: Analysis, members: list[Assumption], arms: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The refinement stage: Morris over the top groups' members one by one; its indices and effects."""
    r = trajectories_for(analysis.size.refine_trajectories, REFINEMENT_RUNS, len(members),
                         len(arms) * len(analysis.plan.seeds))
    design = morris_design(members, r, analysis.experiment.root_seed + 1, grouped=False)
    per_sample = effects(run_stage(analysis, "refinement", design.design, arms), analysis)
    return morris_tables(design, per_sample, analysis.experiment.root_seed), per_sample


def top_driver(refinement: pd.DataFrame, name: str) -> str | None:
    """A conclusion's top driver: the parameter with its largest mu* in the refinement, if any moves it."""
    rows = moving(refinement[refinement.conclusion == name])
    return rows.loc[rows.mu_star.idxmax(), "parameter"] if len(rows) else None


def sweep_all(analysis: Analysis, drivers: dict[str, str], by_name: dict[str, Assumption]
              ) -> dict[str, tuple[str, pd.DataFrame]]:
    """Sweep each distinct top driver once over the arms of the conclusions it drives."""
    sweeps = {}
    for parameter in dict.fromkeys(drivers.values()):
        names = [n for n, d in drivers.items() if d == parameter]
        sub = replace_conclusions(analysis, *names)
        values = sweep_values(by_name[parameter], analysis.size.levels)
        results = run_stage(sub, f"sweep-{parameter}", pd.DataFrame({parameter: values}),
                            arms_of(analysis.experiment, sub.conclusions))
        per_sample = effects(results, sub)
        for name in names:
            rows = per_sample[per_sample.conclusion == name].sort_values("sample")
            sweeps[name] = (parameter, rows.assign(value=values[rows["sample"].to_numpy()]).reset_index(drop=True))
    return sweeps


def find_thresholds(analysis: Analysis, sweeps: dict[str, tuple[str, pd.DataFrame]],
                    by_name: dict[str, Assumption]) -> dict[str, Threshold]:
    """Bisect, for every conclusion whose sign changes along its sweep, the bracket nearest the default."""
    defaults = analysis.plan.base.parameters
    thresholds = {}
    for name, (parameter, rows) in sweeps.items():
        brackets = sign_changes(rows.value.to_numpy(), rows["mean"].to_numpy())
        if brackets:
            bracket = nearest_bracket(brackets, float(getattr(defaults, parameter)))
            thresholds[name] = bisect(analysis, name, by_name[parameter], bracket, len(brackets))
    return thresholds


def analyse_drivers(analysis: Analysis) -> Findings:
    """Run the five stages (skipping finished runs) and return what they found."""
    arms = arms_of(analysis.experiment, analysis.conclusions)
    assumptions = screened_parameters(fixed_parameters(analysis.experiment, arms))
    by_name = {a.name: a for a in assumptions}
    default = effects(run_stage(analysis, "default", pd.DataFrame(index=[0]), arms), analysis)
    screening, screening_effects = screen(analysis, assumptions, arms)
    groups = chosen_groups(screening, assumptions, analysis.size)
    members = [a for a in assumptions if a.group in groups]
    refinement, refinement_effects = refine(analysis, members, arms) if members else (screening.iloc[:0],
                                                                                      default.iloc[:0])
    drivers = {name: top_driver(refinement, name) for name in analysis.conclusions}
    drivers = {name: d for name, d in drivers.items() if d is not None}
    sweeps = sweep_all(analysis, drivers, by_name)
    thresholds = find_thresholds(analysis, sweeps, by_name)
    groups_screened = len({a.group for a in assumptions})
    trajectories = (screening_effects["sample"].nunique() // (groups_screened + 1),
                    refinement_effects["sample"].nunique() // (len(members) + 1))
    return Findings(assumptions, default, screening, screening_effects, refinement, refinement_effects,
                    [a.name for a in members], trajectories, sweeps, thresholds)


def check_months(experiment: Experiment, months: int) -> None:
    """Refuse a run length shorter than a conclusion's window end (``until``).

    Raises:
        ScenarioError: Naming the conclusion, its month and what is allowed.
    """
    for name, c in experiment.conclusions.items():
        if c.until is not None and c.until > months:
            raise ScenarioError(f"--months = {months}: conclusion {name} reads month {c.until}; "
                                f"allowed: at least {c.until} months")


def check_folder(out: Path, name: str) -> None:
    """Refuse a folder that holds another experiment's drivers analysis (its results would be replaced).

    Raises:
        ScenarioError: Naming the folder, what it holds and what is allowed.
    """
    path = out / "drivers.json"
    if path.is_file():
        held = json.loads(path.read_text(encoding="utf-8")).get("experiment")
        if held != name:
            raise ScenarioError(f"--out = {out}: holds the drivers analysis of {held!r}, not {name!r}; "
                                "allowed: that experiment's folder (to resume it) or a new folder")


def run_drivers(plan: Plan, out: str | Path, size: Size = Size(), runner: Runner = Runner()) -> Path:
    """Analyse which assumptions decide each conclusion of an arms experiment; returns ``OUT/report.md``.

    Args:
        plan: The experiment (a packaged suite's plan or a loaded file); its replicates are replaced by
            ``size.replicates``.
        out: Output folder: a folder per stage, ``drivers.csv``, ``effects.parquet``, figures and ``report.md``.
        size: The analysis's size (:class:`Size`; :data:`QUICK` for a first look).
        runner: Engine, workers and the model function of the runs.

    Raises:
        ScenarioError: For an experiment without arms, a folder holding another analysis, or a window
            past the last month.
    """
    from experiments.design import replicate_seeds
    from experiments.drivers_report import write_report

    conclusions = default_conclusions(plan.experiment)
    check_months(plan.experiment, plan.base.months)
    plan = replace(plan, seeds=replicate_seeds(plan.experiment.root_seed, size.replicates))
    out = Path(out)
    with locked(out, runner.wait):
        check_folder(out, plan.experiment.name)
        cost_path = out / "cost.json"
        cost = json.loads(cost_path.read_text(encoding="utf-8")) if cost_path.is_file() else {}
        analysis = Analysis(plan, conclusions, out, size, runner, cost)
        atomic_write(out / "drivers.json", json.dumps({"experiment": plan.experiment.name,
                                                       "size": size.__dict__}, indent=2).encode())
        findings = analyse_drivers(analysis)
        atomic_write(cost_path, json.dumps(analysis.cost, indent=2).encode())
        return write_report(analysis, findings)
