"""Policy-design problem files: levers, a budget, objectives, constraints, uncertain conditions, robustness.

A problem file (TOML or YAML) declares what a planner may choose and what they want::

    name = "subsidy_mix"
    base = "default"              # a packaged scenario or a scenario file
    months = 120                  # the horizon every objective is read at
    replicates = 2                # paired seeds: replicate k of every candidate uses the same seed
    parameters = { farmers = 30000 }

    [budget]                      # the seven instruments as shares of one total (never exceeded)
    total = 3000000.0             # yuan/year at parameters.farmers households
    spend = "all"                 # all: the shares split the total; up_to: also a lever for the share spent

    [levers.fund_rate]            # any declared parameter: a range, or a list of values (categorical)
    range = [0.0, 0.05]
    [levers.trust_mechanism]
    values = ["reputation", "dual"]

    [[objectives]]
    outcome = "income_mean"       # a model outcome (series, or a regional one with region =)
    region = "west"
    direction = "max"
    change = "percent"            # level | difference | percent against the same run without levers

    [[constraints]]
    outcome = "theil"
    change = "difference"
    max = 0.0

    [uncertain]                   # conditions every candidate faces: declared ranges and/or posterior members
    conditions = 4                # Latin-hypercube points of the ranges
    ranges = { urban_budget = [80.0, 200.0] }
    # posterior = 4               # or: 4 calibration-posterior members (seeds/posterior.parquet), one a condition

    [robustness]
    measure = "percentile"        # mean | percentile | regret
    percentile = 10

    [search]                      # NSGA-II (pymoo), see experiments/policy/optimise.py
    population = 16
    generations = 8               # at most
    converge = { generations = 5, tolerance = 0.01 }   # optional: stop once hypervolume rose by at most 1%
                                  # over the last 5 generations (ConvergenceSpec)

    [quick]                       # the small size of --quick (tests): any of these
    farmers = 1000
    months = 24

:func:`load_problem` validates it (errors name the field, the value and what is allowed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from abm.core.params import declarations
from abm.io.inputs import format_table_errors
from abm.io.scenario import ScenarioError, read_table
from abm.measure.outcomes import OUTCOMES
from experiments.design import numeric_parameters, unknown_name_message

#: the seven instrument budgets of the government (yuan/year parameters)
INSTRUMENTS = ("budget_cold_chain", "budget_logistics", "budget_broadband", "budget_training", "budget_talent",
               "budget_returnee", "budget_brand")
#: parameters in yuan per year, scaled with the number of households by --quick
BUDGET_UNITS = ("yuan/year", "yuan/year per pair")


def known_outcomes() -> dict[str, bool]:
    """Every outcome the model reports (the outcome registry), mapped to whether the regional table has it."""
    return {name: o.regional for name, o in OUTCOMES.items()}


def _declared() -> dict[str, dict]:
    return {d["name"]: d for d in declarations()}


class LeverSpec(BaseModel):
    """One decision lever: a declared parameter over a range or a list of values."""

    model_config = ConfigDict(extra="forbid")

    range: tuple[float, float] | None = Field(None, description="[min, max] within the declared range.")
    values: list[Any] | None = Field(None, min_length=2, description="Categorical choices.")

    @model_validator(mode="after")
    def _one_kind(self) -> LeverSpec:
        if (self.range is None) == (self.values is None):
            raise ValueError("give either range = [min, max] or values = [...], not both or neither")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range {list(self.range)}: allowed: min < max")
        return self


class BudgetSpec(BaseModel):
    """Instrument budgets as shares of one total yearly budget."""

    model_config = ConfigDict(extra="forbid")

    total: float = Field(gt=0, le=1e10, description="Yearly budget in yuan at the problem's households.")
    instruments: list[str] = Field(default_factory=lambda: list(INSTRUMENTS), min_length=1)
    spend: Literal["all", "up_to"] = "all"

    @field_validator("instruments")
    @classmethod
    def _are_budgets(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in INSTRUMENTS:
                raise ValueError(unknown_name_message(name, list(INSTRUMENTS), "instrument")
                                 + f"; allowed: {', '.join(INSTRUMENTS)}")
        if len(set(names)) < len(names):
            raise ValueError("an instrument is named twice")
        return names


class Measured(BaseModel):
    """An outcome read at the horizon: which one, where, how, and against what."""

    model_config = ConfigDict(extra="forbid")

    outcome: str
    region: Literal["west", "centre", "east"] | None = None
    statistic: Literal["final", "last_year_mean"] = Field("final", description="Horizon month, or its last 12.")
    change: Literal["level", "difference", "percent"] = Field(
        "level", description="The value, or its change against the same condition and seed without levers.")
    name: str = ""

    @field_validator("outcome")
    @classmethod
    def _known(cls, name: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("outcomes")
        if known is not None and name not in known:
            raise ValueError(unknown_name_message(name, sorted(known), "outcome")
                             + "; allowed: the model's outcomes (series.parquet / regions.parquet columns)")
        return name

    @model_validator(mode="after")
    def _region_exists(self, info: ValidationInfo) -> Measured:
        known = (info.context or {}).get("outcomes")
        if self.region and known is not None and not known.get(self.outcome, True):
            raise ValueError(f"region {self.region!r}: {self.outcome} has no regional column; allowed: no region")
        if not self.name:
            suffix = {"level": "", "difference": "_change", "percent": "_pct_change"}[self.change]
            self.name = self.outcome + (f"_{self.region}" if self.region else "") + suffix
        return self


class ObjectiveSpec(Measured):
    """An objective: a measured outcome and whether higher or lower is better."""

    direction: Literal["max", "min"] | None = Field(None, description="Default: the outcome registry's.")

    @model_validator(mode="after")
    def _direction(self, info: ValidationInfo) -> ObjectiveSpec:
        if self.direction is None:
            known = (info.context or {}).get("outcomes") is not None

            sign = OUTCOMES[self.outcome].direction if known and self.outcome in OUTCOMES else 0
            if sign == 0:
                raise ValueError(f"{self.outcome}: no direction declared for it; allowed: direction = max or min")
            self.direction = "max" if sign > 0 else "min"
        return self


class ConstraintSpec(Measured):
    """A constraint on the robust value of a measured outcome."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _a_bound(self) -> ConstraintSpec:
        if self.min is None and self.max is None:
            raise ValueError("a constraint needs min, max or both")
        return self


class UncertainSpec(BaseModel):
    """Uncertain conditions every candidate is evaluated under: declared ranges, posterior members, or both.

    ``ranges`` are sampled by a Latin hypercube of ``conditions`` points; ``posterior = N`` draws N
    members of the calibration posterior (``seeds/posterior.parquet``, drawn by weight as ``--posterior``
    does), each member one condition. With both, condition k is member k with the k-th hypercube point
    in place of its values of the ranged parameters (see :func:`experiments.policy.conditions.condition_table`).
    """

    model_config = ConfigDict(extra="forbid")

    conditions: int | None = Field(None, ge=1, le=1000, description="Default 4; with posterior: its N.")
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    posterior: int | None = Field(None, ge=1, le=1000, description="Calibration-posterior members, one condition each.")
    seed: int = Field(0, ge=0)

    @field_validator("ranges")
    @classmethod
    def _numeric_within(cls, ranges: dict[str, tuple[float, float]]) -> dict:
        decl = numeric_parameters()
        for name, (lo, hi) in ranges.items():
            if name not in decl:
                raise ValueError(unknown_name_message(name, list(decl), "numeric parameter")
                                 + "; allowed: numeric declared parameters (see `ruralsim params`)")
            d = decl[name]
            if not d["min"] <= lo < hi <= d["max"]:
                raise ValueError(f"{name} = [{lo}, {hi}]: allowed: min < max within [{d['min']}, {d['max']}]")
        return ranges

    @model_validator(mode="after")
    def _conditions(self) -> UncertainSpec:
        if not self.ranges and self.posterior is None:
            raise ValueError("nothing uncertain: allowed: ranges = { NAME = [min, max] }, posterior = N, or both")
        if self.posterior is not None and self.conditions not in (None, self.posterior):
            raise ValueError(f"conditions = {self.conditions} with posterior = {self.posterior}: allowed: the same "
                             "number (one condition per member) or conditions left out")
        self.conditions = self.posterior or self.conditions or 4
        return self


class RobustnessSpec(BaseModel):
    """How a candidate's values over conditions become one number per objective."""

    model_config = ConfigDict(extra="forbid")

    measure: Literal["mean", "percentile", "regret"] = "mean"
    percentile: float = Field(10.0, gt=0, lt=100, description="Of the worse side (percentile measure).")


class ConvergenceSpec(BaseModel):
    """When a search has converged: its hypervolume flat over the last generations.

    After each generation, the fronts of the last ``generations + 1`` generations are measured in
    one normalisation (every candidate evaluated so far, reference point 1.1); the search stops
    once the newest front's hypervolume exceeds the oldest one's by at most ``tolerance`` of it.
    """

    model_config = ConfigDict(extra="forbid")

    generations: int = Field(5, ge=1, le=1000, description="K: the window of generations that must be flat.")
    tolerance: float = Field(0.01, ge=0.0, le=1.0, description="Largest relative rise over the window.")


class SearchSpec(BaseModel):
    """Size and seed of the NSGA-II search, and when it may stop early."""

    model_config = ConfigDict(extra="forbid")

    population: int = Field(16, ge=4, le=10_000)
    generations: int = Field(8, ge=1, le=10_000, description="The most generations (all of them without converge).")
    seed: int = Field(1, ge=0)
    converge: ConvergenceSpec | None = Field(None, description="Stop when hypervolume is flat (default: never).")


class QuickSpec(BaseModel):
    """The small size ``--quick`` switches to (tests and a first look)."""

    model_config = ConfigDict(extra="forbid")

    farmers: int | None = Field(None, ge=100)
    months: int | None = Field(None, ge=1, le=1200)
    replicates: int | None = Field(None, ge=1)
    conditions: int | None = Field(None, ge=1)
    population: int | None = Field(None, ge=4)
    generations: int | None = Field(None, ge=1)


class Problem(BaseModel):
    """The declarative content of a problem file."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    base: str = "default"
    months: int = Field(120, ge=1, le=1200, description="Horizon: months each run simulates.")
    replicates: int = Field(2, ge=1, le=1000)
    root_seed: int = Field(2026, ge=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    budget: BudgetSpec | None = None
    levers: dict[str, LeverSpec] = Field(default_factory=dict)
    objectives: list[ObjectiveSpec] = Field(min_length=1)
    constraints: list[ConstraintSpec] = Field(default_factory=list)
    uncertain: UncertainSpec | None = None
    robustness: RobustnessSpec = Field(default_factory=RobustnessSpec)
    search: SearchSpec = Field(default_factory=SearchSpec)
    quick: QuickSpec = Field(default_factory=QuickSpec)

    @field_validator("levers")
    @classmethod
    def _declared_levers(cls, levers: dict[str, LeverSpec], info: ValidationInfo) -> dict:
        decl = _declared()
        budgets = set(info.data["budget"].instruments) if info.data.get("budget") else set()
        for name, spec in levers.items():
            if name not in decl:
                raise ValueError(unknown_name_message(name, list(decl), "parameter")
                                 + "; allowed: declared parameters (see `ruralsim params`)")
            if name in budgets:
                raise ValueError(f"{name} is set by [budget]; allowed: a lever not among budget.instruments")
            _check_lever(name, spec, decl[name])
        return levers

    @model_validator(mode="after")
    def _something_to_choose(self) -> Problem:
        if not self.levers and self.budget is None:
            raise ValueError("nothing to decide: declare [levers.NAME] tables or a [budget]")
        names = [m.name for m in [*self.objectives, *self.constraints]]
        if len(set(o.name for o in self.objectives)) < len(self.objectives):
            raise ValueError(f"two objectives share a name ({', '.join(names)}); give each a distinct name =")
        return self

    @property
    def measured(self) -> list[Measured]:
        """Objectives and constraints, each read from every run."""
        return [*self.objectives, *self.constraints]


def lever_columns(problem: Problem) -> list[str]:
    """The parameter columns a candidate sets: the instrument budgets, then the levers."""
    return [*(problem.budget.instruments if problem.budget else []), *problem.levers]


def _check_lever(name: str, spec: LeverSpec, d: dict) -> None:
    """Check a lever's range or values against its declaration."""
    if spec.range is not None:
        if d["min"] is None:
            raise ValueError(f"{name}: a range needs a numeric parameter; allowed: values = {d['choices'] or [False, True]}")
        lo, hi = spec.range
        if not d["min"] <= lo < hi <= d["max"]:
            raise ValueError(f"{name} range [{lo}, {hi}]: allowed: within [{d['min']}, {d['max']}] {d['unit']}".rstrip())
    elif d["choices"] and any(v not in d["choices"] for v in spec.values):
        raise ValueError(f"{name} values {spec.values}: allowed: {', '.join(d['choices'])}")


def _allowed_keys(loc: tuple) -> list[str]:
    """The keys allowed in the table where an unknown key appeared."""
    table = {"budget": BudgetSpec, "levers": LeverSpec, "objectives": ObjectiveSpec, "constraints": ConstraintSpec,
             "uncertain": UncertainSpec, "robustness": RobustnessSpec, "search": SearchSpec, "quick": QuickSpec}
    model = table.get(str(loc[0]), Problem) if len(loc) > 1 else Problem
    if tuple(map(str, loc[:2])) == ("search", "converge") and len(loc) > 2:
        model = ConvergenceSpec
    return list(model.model_fields)


def parse_problem(data: Any, origin: str, outcomes: dict[str, bool] | None = None) -> Problem:
    """Validate a problem file's content; ``outcomes`` (name -> regional) checks the objective names.

    Raises:
        ScenarioError: With one line per mistake, naming the field, the value and what is allowed.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: a problem file must be a table of keys, got {type(data).__name__}")
    try:
        return Problem.model_validate(data, context={"outcomes": outcomes})
    except ValidationError as err:
        raise ScenarioError(format_table_errors(err, origin, "problem", _allowed_keys)) from None


def quick_size(data: dict[str, Any]) -> dict[str, Any]:
    """The problem at its ``[quick]`` size: fewer households (budgets scaled along), months, seeds, candidates."""
    quick = QuickSpec(**data.get("quick", {}))
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    params = data.setdefault("parameters", {})
    if quick.farmers is not None:
        scale = quick.farmers / params.get("farmers", _declared()["farmers"]["default"])
        params["farmers"] = quick.farmers
        money = {d["name"] for d in declarations() if d["unit"] in BUDGET_UNITS}
        for key in money:
            params[key] = params.get(key, _declared()[key]["default"]) * scale
        if "budget" in data:
            data["budget"]["total"] = data["budget"]["total"] * scale
    for key in ("months", "replicates"):
        if getattr(quick, key) is not None:
            data[key] = getattr(quick, key)
    for table, key in (("uncertain", "conditions"), ("search", "population"), ("search", "generations")):
        if getattr(quick, key) is not None and (table in data or table == "search"):
            data[table] = dict(data.get(table, {})) | {key: getattr(quick, key)}
    if quick.conditions is not None and "posterior" in data.get("uncertain", {}):
        data["uncertain"]["posterior"] = quick.conditions
    return data


def load_problem(path: str | Path, quick: bool = False, check_outcomes: bool = True) -> tuple[Problem, str]:
    """Load and validate a problem file; returns the problem and the file's text.

    Args:
        path: A TOML or YAML problem file.
        quick: Use the file's ``[quick]`` size.
        check_outcomes: Check objective names against the model's outcomes (off for other model functions).
    """
    p = Path(path)
    data = read_table(p)
    if quick and isinstance(data, dict):
        data = quick_size(data)
    problem = parse_problem(data, str(path), known_outcomes() if check_outcomes else None)
    if not problem.name:
        problem = problem.model_copy(update={"name": p.stem})
    return problem, p.read_text(encoding="utf-8")
