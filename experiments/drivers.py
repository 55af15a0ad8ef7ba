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
   (:func:`experiments.drivers_design.screened_parameters`), grouped by mechanism (the ``group`` of each declaration,
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

Ranges are a parameter's plausible range where its declaration gives one, else half to one and a half
times its default within its declared range (:data:`experiments.drivers_design.ASSUMED_SPREAD`; a default
of 0: the declared range; the report says which each driver spans). Morris mu* is in the effect's own units: the mean
absolute change of the effect per full range of the factor (SALib's elementary effects in the unit cube).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abm.io.folders import locked
from abm.io.scenario import ScenarioError
from experiments.analysis import load_results
from experiments.design import replicate_seeds
from experiments.drivers_design import (
    QUICK,  # noqa: F401 (re-exported: the command line's --quick size)
    REFINEMENT_RUNS,
    SCREENING_RUNS,
    Assumption,
    Size,
    Threshold,
    chosen_groups,
    morris_design,
    morris_tables,
    moving,
    nearest_bracket,
    screened_parameters,
    sign_changes,
    sweep_values,
    trajectories_for,
)
from experiments.drivers_report import write_report
from experiments.experiment import DEFAULT_OUTCOMES, ConclusionSpec, Experiment, Plan, check_overrides
from experiments.runner import atomic_write, parquet_bytes, run_experiment
from experiments.worker import DEFAULT_MODEL

#: months in a conclusion's window
WINDOW = 12


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
                            "seconds": before["seconds"] + (report.seconds if report.executed else 0.0),
                            # the workers that executed its runs (a resumed call that finds them finished keeps them)
                            "workers": r.workers if report.executed else before.get("workers", r.workers)}
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


# --- sweeps and bisection -----------------------------------------------------------------------------


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
