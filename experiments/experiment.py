"""Experiment files: a base scenario, named arms or a design, outcomes, replicates and seeds.

An experiment file (TOML or YAML) looks like::

    name = "commission"
    base = "default"            # a packaged scenario name or a scenario file
    months = 24                 # optional: overrides the scenario's months
    replicates = 3
    root_seed = 2024
    outcomes = ["income_mean", "adoption"]
    parameters = { farmers = 2000 }   # optional: set for every run

    [arms.low]
    commission = 0.03
    [arms.high]
    commission = 0.12

and, with arms, the conclusions the experiment draws (what ``ruralsim drivers`` screens)::

    [conclusions.high_income]
    label = "a higher commission lowers income"
    arm = "high"
    outcome = "income_mean"     # arm minus reference, paired by seed, mean of the last 12 months
    # reference = "low"         # default: the experiment's reference (else its first arm)
    # until = 24                # the 12 months up to this month instead of the run's last
    # statistic = "gain_per_yuan"  # cumulative income gain over the reference per yuan spent

or, instead of ``arms``, a design over declared parameters::

    [design]
    kind = "lhs"                # full_factorial | lhs | sobol | morris
    parameters = ["commission", "trust_weight"]
    ranges = { commission = [0.0, 0.2] }   # default: the declared min and max
    samples = 50                # N (lhs points, sobol base samples, morris trajectories)
    levels = 3                  # full_factorial levels per parameter (morris grid levels)
    values = { trust_mechanism = ["reputation", "dual"] }   # full_factorial only: explicit levels

:func:`load_experiment` validates it and returns a :class:`Plan`: one validated scenario per arm
or design point and the replicate seeds, which every point shares (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, ValidationError, ValidationInfo, field_validator,
                      model_validator)

from abm.core.params import Parameters, declarations
from abm.core.values import Whole
from abm.core.world import Geography
from abm.io.inputs import format_table_errors, reject_non_finite
from abm.io.scenario import Scenario, ScenarioError, allowed_values, format_validation_error, load_scenario, read_table
from abm.measure.outcomes import series_outcome
from experiments.design import numeric_parameters, ranges_for, replicate_seeds, scale, unit_design, unknown_name_message

#: the root seed of an experiment file that names none (replicate seeds come from it)
DEFAULT_ROOT_SEED = 12345
#: series columns kept when an experiment names no outcomes (those the model reports)
DEFAULT_OUTCOMES = (
    "income_mean", "income_median", "gini", "theil", "theil_between", "theil_within", "adoption",
    "fresh_loss", "online_sales", "consumer_trust", "fraud_rate", "stability", "branded_share",
    "processed_share",
)


class DesignSpec(BaseModel):
    """A design over declared parameters, sampled in the unit cube and mapped through ranges."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["full_factorial", "lhs", "sobol", "morris"]
    parameters: list[str] = Field(default_factory=list, description="Numeric parameters sampled over ranges.")
    ranges: dict[str, tuple[StrictFloat, StrictFloat]] = Field(default_factory=dict,
                                                                 description="[min, max] overrides.")
    values: dict[str, list[Any]] = Field(default_factory=dict, description="Explicit levels (full_factorial).")
    levels: Whole | None = Field(None, strict=True, ge=2, le=101, description="Levels per parameter.")
    samples: Whole | None = Field(None, strict=True, ge=1, le=1_000_000, validate_default=True, description="N.")

    @field_validator("parameters")
    @classmethod
    def _numeric_names(cls, names: list[str]) -> list[str]:
        known = list(numeric_parameters())
        choices = {d["name"]: d for d in declarations() if d["name"] not in known}
        for name in names:
            if name in choices:
                raise ValueError(f"{name} is a {choices[name]['type']} parameter, not a numeric range; allowed: "
                                 "numeric parameters here; vary it through design.values (full_factorial) or arms")
            if name not in known:
                raise ValueError(unknown_name_message(name, known, "numeric parameter")
                                 + "; allowed: numeric declared parameters (see `ruralsim params`)")
        if len(set(names)) < len(names):
            raise ValueError("a parameter is named twice")
        return names

    @field_validator("ranges")
    @classmethod
    def _within_declared(cls, ranges: dict[str, tuple[float, float]], info: ValidationInfo) -> dict:
        decl = numeric_parameters()
        if "parameters" not in info.data:
            return ranges  # design.parameters failed its own check (an unknown name), which says why
        for name, (lo, hi) in ranges.items():
            if name not in info.data["parameters"]:
                raise ValueError(f"{name!r} is not in design.parameters; allowed: names listed there")
            d = decl[name]
            if not d["min"] <= lo < hi <= d["max"]:
                raise ValueError(f"{name} = [{lo}, {hi}] is not a range within the declared one; allowed: "
                                 f"min < max within [{d['min']}, {d['max']}] {d['unit']}".rstrip())
        return ranges

    @field_validator("values")
    @classmethod
    def _explicit_levels(cls, values: dict[str, list[Any]], info: ValidationInfo) -> dict:
        if values and info.data.get("kind") != "full_factorial":
            raise ValueError("explicit values are only allowed in a full_factorial design")
        known = [d["name"] for d in declarations()]
        for name, levels in values.items():
            if name not in known:
                raise ValueError(unknown_name_message(name, known, "parameter")
                                 + "; allowed: declared parameters (see `ruralsim params`)")
            if name in info.data.get("parameters", []) or not levels:
                raise ValueError(f"{name}: give a non-empty list, and name it in parameters or values, not both")
        return values

    @field_validator("levels")
    @classmethod
    def _levels_for_kind(cls, levels: int | None, info: ValidationInfo) -> int | None:
        if levels is not None and info.data.get("kind") not in ("full_factorial", "morris"):
            raise ValueError("levels is only used by full_factorial and morris designs")
        return levels

    @field_validator("samples")
    @classmethod
    def _samples_for_kind(cls, samples: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")
        if kind == "full_factorial" and samples is not None:
            raise ValueError("a full_factorial design takes levels, not samples")
        if kind in ("lhs", "sobol", "morris") and samples is None:
            raise ValueError(f"design kind {kind} needs samples (N); allowed: a whole number >= 1")
        if kind == "sobol" and samples & (samples - 1):
            raise ValueError("a sobol design needs a power of two; allowed: 16, 32, 64, 128, 256, ...")
        return samples

    @model_validator(mode="after")
    def _something_varies(self) -> DesignSpec:
        if not self.parameters and not self.values:
            raise ValueError("nothing to vary: name parameters (numeric) or values (full_factorial)")
        return self


class ConclusionSpec(BaseModel):
    """A conclusion an arms experiment draws: one arm's paired difference to a reference in one outcome.

    ``difference`` is the arm's mean of ``outcome`` over the 12 months up to ``until`` (default the
    run's last month) minus the reference's, paired by seed; ``gain_per_yuan`` is the arm's cumulative
    household income above the reference up to ``until`` divided by its cumulative government spending
    (it reads ``income_total`` and ``spent_to_date_total``; ``outcome`` names the first).
    """

    model_config = ConfigDict(extra="forbid")

    label: str = Field("", description="The conclusion in words, e.g. the hypothesis it tests.")
    arm: str
    outcome: Annotated[str, AfterValidator(series_outcome)]
    reference: str | None = Field(None, description="Default: the experiment's reference arm, else its first arm.")
    statistic: Literal["difference", "gain_per_yuan"] = "difference"
    until: int | None = Field(None, strict=True, ge=1, le=1200, description="Last month of the 12-month window.")

    @model_validator(mode="after")
    def _gain_reads_income(self) -> ConclusionSpec:
        if self.statistic == "gain_per_yuan" and self.outcome != "income_total":
            raise ValueError("statistic gain_per_yuan reads income_total; allowed: outcome = \"income_total\"")
        return self


class Experiment(BaseModel):
    """The declarative content of an experiment file."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    base: str = Field("default", description="Packaged scenario name or scenario file.")
    months: Whole | None = Field(None, strict=True, ge=1, le=1200, description="Overrides the scenario's months.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Set for every run.")
    design: DesignSpec | None = None
    arms: dict[str, dict[str, Any]] = Field(default_factory=dict, validate_default=True)
    reference: str | None = Field(None, description="Reference arm of paired differences.")
    conclusions: dict[str, ConclusionSpec] = Field(default_factory=dict,
                                                   description="Conclusions drawn from the arms (ruralsim drivers).")
    outcomes: list[Annotated[str, AfterValidator(series_outcome)]] | None = Field(
        None, min_length=1, description="Series columns to keep.")
    replicates: Whole = Field(10, strict=True, ge=1, le=100_000)
    root_seed: Whole = Field(DEFAULT_ROOT_SEED, strict=True, ge=0, lt=2**63)

    @field_validator("arms")
    @classmethod
    def _arms_or_design(cls, arms: dict[str, dict[str, Any]], info: ValidationInfo) -> dict:
        has_design = info.data.get("design") is not None or "design" not in info.data
        if arms and has_design:
            raise ValueError("give either arms or a design, not both")
        if not arms and not has_design:
            raise ValueError("no arms and no design; allowed: arms (a table of overrides per arm name) or a design")
        return arms

    @field_validator("reference")
    @classmethod
    def _reference_is_arm(cls, reference: str | None, info: ValidationInfo) -> str | None:
        arms = info.data.get("arms") or {}
        if reference is not None and reference not in arms:
            raise ValueError(f"not an arm; allowed: {', '.join(arms) or 'an arm name (arms experiments only)'}")
        return reference

    @model_validator(mode="after")
    def _conclusions_name_arms_and_kept_outcomes(self) -> Experiment:
        arms = list(self.arms)
        for name, c in self.conclusions.items():
            for key, arm in (("arm", c.arm), ("reference", c.reference)):
                if arm is not None and arm not in arms:
                    raise ValueError(f"conclusions.{name}.{key} = {arm!r}: not an arm; allowed: "
                                     f"{', '.join(arms) or 'an arm name (arms experiments only)'}")
            needed = ["income_total", "spent_to_date_total"] if c.statistic == "gain_per_yuan" else [c.outcome]
            missing = [o for o in needed if self.outcomes is not None and o not in self.outcomes]
            if missing:
                raise ValueError(f"conclusions.{name} reads {', '.join(missing)}, which outcomes does not keep; "
                                 f"allowed: an outcome listed in outcomes ({', '.join(self.outcomes)})")
        return self

    def reference_of(self, conclusion: ConclusionSpec) -> str:
        """The reference arm of a conclusion: its own, else the experiment's, else the first arm."""
        return conclusion.reference or self.reference or next(iter(self.arms))


@dataclass(frozen=True)
class Plan:
    """A validated experiment: one scenario per arm or design point, and the replicate seeds.

    Attributes:
        experiment: The experiment as declared.
        origin: Where it came from (a path or a packaged name), for messages.
        source: The file's text, copied next to the results (None when built in code).
        base: The base scenario with the shared parameters and months applied.
        points: One row per arm or design point: ``point``, ``arm`` and the varied parameters.
        unit: Design points in the unit cube (lhs, sobol, morris), aligned with ``points``.
        scenarios: The validated scenario of each point (months applied, seed still the base's).
        seeds: Replicate seeds shared by every point.
    """

    experiment: Experiment
    origin: str
    source: str | None
    base: Scenario
    points: pd.DataFrame
    unit: np.ndarray | None
    scenarios: list[Scenario]
    seeds: list[int]

    @property
    def varied(self) -> list[str]:
        """Names of the parameters that differ between points."""
        return [c for c in self.points.columns if c not in ("point", "arm")]


def _allowed_keys(loc: tuple) -> list[str]:
    """The keys allowed in the table where an unknown key appeared."""
    nested = {"design": DesignSpec, "conclusions": ConclusionSpec}
    depth = 1 if loc[0] == "design" else 2
    return list((nested[loc[0]] if loc[0] in nested and len(loc) > depth else Experiment).model_fields)


def parse_experiment(data: Any, origin: str) -> Experiment:
    """Validate the parsed content of an experiment file.

    Raises:
        ScenarioError: With one line per mistake, naming the field, the value and what is allowed.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: an experiment file must be a table of keys, got {type(data).__name__}")
    reject_non_finite(data, origin, allowed_values)
    try:
        return Experiment.model_validate(data)  # numbers strict field by field (ranges may be lists or tuples)
    except ValidationError as err:
        raise ScenarioError(format_table_errors(err, origin, "experiment", _allowed_keys)) from None


def check_overrides(base: Parameters, values: dict[str, Any], where: str, origin: str) -> Parameters:
    """Apply parameter overrides to ``base``, with a clear error naming ``where`` they were given.

    Raises:
        ScenarioError: For an unknown parameter name or a value outside what is allowed.
    """
    known = [d["name"] for d in declarations()]
    for name in values:
        if name not in known:
            raise ScenarioError(f"{origin}: invalid experiment\n  {where}.{name}: "
                                f"{unknown_name_message(name, known, 'parameter')}; "
                                "allowed: declared parameters (see `ruralsim params`)")
    reject_non_finite(values, origin, allowed_values)
    try:
        return Parameters.model_validate(base.model_dump() | values, strict=True)
    except ValidationError as err:
        detail = format_validation_error(err, origin, prefix=f"{where}.").split("\n", 1)[1]
        raise ScenarioError(f"{origin}: invalid experiment\n{detail}") from None


def _base_scenario(experiment: Experiment, folder: Path | None, origin: str) -> Scenario:
    """Load the base scenario (relative paths first from the experiment file's folder)."""
    path = Path(experiment.base)
    if folder is not None and not path.is_absolute() and (folder / path).exists():
        path = folder / path
    try:
        base = load_scenario(path)
    except ScenarioError as err:
        raise ScenarioError(f"{origin}: invalid experiment\n  base = {experiment.base!r}: {err}") from None
    params = check_overrides(base.parameters, experiment.parameters, "parameters", origin)
    return base.model_copy(update={"parameters": params, "months": experiment.months or base.months})


def _design_points(design: DesignSpec, seed: int) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Sample the design and map it through the parameter ranges (unit points for lhs, sobol, morris)."""
    ranges = ranges_for(design.parameters, design.ranges)
    if design.kind == "full_factorial":
        grid = scale(unit_design("full_factorial", len(ranges), None, design.levels, seed), ranges)
        for name, levels in design.values.items():
            grid = grid.merge(pd.DataFrame({name: levels}), how="cross")
        return grid.drop_duplicates(ignore_index=True), None
    unit = unit_design(design.kind, len(ranges), design.samples, design.levels, seed)
    return scale(unit, ranges), unit


def _point_overrides(experiment: Experiment) -> tuple[list[tuple[str, str, dict[str, Any]]], np.ndarray | None]:
    """List each point's label, where its values were given (for messages) and its overrides."""
    if experiment.design is None:
        return [(name, f"arms.{name}", values) for name, values in experiment.arms.items()], None
    table, unit = _design_points(experiment.design, experiment.root_seed)
    rows = table.to_dict("records")
    return [(f"p{i}", "design", row) for i, row in enumerate(rows)], unit


def plan_experiment(experiment: Experiment, origin: str, folder: Path | None = None,
                    source: str | None = None) -> Plan:
    """Resolve an experiment into validated per-point scenarios and replicate seeds.

    Args:
        experiment: The validated experiment declaration.
        origin: Where it came from, used in error messages.
        folder: Folder that relative base-scenario paths are resolved against first.
        source: The file's text, kept so the runner can copy it next to the results.

    Raises:
        ScenarioError: If the base scenario or any point's parameters are invalid.
    """
    base = _base_scenario(experiment, folder, origin)
    overrides, unit = _point_overrides(experiment)
    scenarios = [base.model_copy(update={"parameters": check_overrides(base.parameters, values, where, origin)})
                 for _, where, values in overrides]
    varied = list(dict.fromkeys(name for *_, values in overrides for name in values))
    points = pd.DataFrame([{"point": i, "arm": label, **{n: getattr(s.parameters, n) for n in varied}}
                           for i, ((label, _, _), s) in enumerate(zip(overrides, scenarios, strict=True))])
    return Plan(experiment, origin, source, base, points, unit, scenarios,
                replicate_seeds(experiment.root_seed, experiment.replicates))


def packaged_suites() -> list[str]:
    """Names of the experiment files shipped with the package (``experiments/suites``)."""
    folder = resources.files("experiments") / "suites"
    return sorted(f.name.removesuffix(".toml") for f in folder.iterdir() if f.name.endswith(".toml"))


def with_farmers(data: dict[str, Any], farmers: int, origin: str) -> dict[str, Any]:
    """Set ``parameters.farmers`` for every run, refusing it where arms or the design already vary it."""
    design = data.get("design") if isinstance(data.get("design"), dict) else {}
    arms = data.get("arms") if isinstance(data.get("arms"), dict) else {}
    varied = [f"arms.{name}" for name, arm in arms.items() if isinstance(arm, dict) and "farmers" in arm]
    varied += ["design"] * ("farmers" in (design.get("parameters") or []) or "farmers" in (design.get("values") or {}))
    if varied:
        raise ScenarioError(f"--farmers = {farmers}: {origin} varies farmers ({', '.join(varied)}); "
                            "allowed: --farmers only for experiments that do not vary it")
    parameters = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    return data | {"parameters": parameters | {"farmers": farmers}}


def load_experiment(path: str | Path, months: int | None = None, *, replicates: int | None = None,
                    root_seed: int | None = None, farmers: int | None = None) -> Plan:
    """Load, validate and plan an experiment file or a packaged suite by name.

    Args:
        path: A TOML or YAML file, or the name of a packaged suite (e.g. ``"example"``).
        months: Optional override of the experiment's months.
        replicates: Optional override of its replicates.
        root_seed: Optional override of its root seed.
        farmers: Optional household count for every run (refused where the file varies it).

    Raises:
        ScenarioError: With a one-message explanation of what is wrong.
    """
    p = Path(path)
    if not p.exists() and p.suffix == "":
        packaged = resources.files("experiments") / "suites" / f"{p.name}.toml"
        if not packaged.is_file():
            raise ScenarioError(f"{path}: no such file or packaged suite; packaged: {', '.join(packaged_suites())}")
        p = Path(str(packaged))
    data = read_table(p)
    given = {"months": months, "replicates": replicates, "root_seed": root_seed}
    data = data | {key: value for key, value in given.items() if value is not None}
    if farmers is not None:
        data = with_farmers(data, farmers, str(path))
    experiment = parse_experiment(data, str(path))
    if not experiment.name:
        experiment = experiment.model_copy(update={"name": p.stem})
    return plan_experiment(experiment, str(path), p.parent, p.read_text(encoding="utf-8"))


def household_warnings(parameter_sets: list[Parameters]) -> list[str]:
    """Say, once per distinct size, where a household count is changed to fit whole villages on the grid."""
    notes = {}
    for p in parameter_sets:
        geo = Geography.from_params(p)
        if geo.farmers != p.farmers:
            notes[(p.farmers, p.households_per_village)] = (
                f"warning: farmers = {p.farmers:,} becomes {geo.farmers:,} households: the world is whole "
                f"villages of {p.households_per_village} households on a {geo.width} x {geo.height} grid "
                f"(about 3:2, at least 3 villages); ask for a multiple that fits to avoid this")
    return list(notes.values())
