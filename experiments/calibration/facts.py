"""Stylized facts (``seeds/facts.csv``): reading and validating them, and measuring a run against them.

A fact is one row of ``seeds/facts.csv``: a statement from a source paper, its figure, and how the
model is checked against it. Its ``kind`` says what the model owes it:

- ``input``: the scenario sets it (an endowment); the measure reads it back from the run.
- ``output``: the model must produce it; the measure computes it from the run's series.
- ``policy``: the figure of a policy lever the experiments use; the measure reads the lever's value
  in the run (a lever that is off in the baseline is reported as such, not as a miss).
- ``context``: a figure the model cannot be compared with (national scale, or a pattern it has no
  output for); no measure, and the figure may be qualitative (no target).

What a fact is *evidence* of is its own column, so that fit is never sold as evidence:

- ``imposed``: an input reads it back, or the model was set so that it comes out (``informs`` names the
  parameters or fixed values that set it); meeting it shows the inputs are right, not the mechanisms.
- ``calibrated``: a target of the history matching (``ruralsim calibrate``); ``informs`` names the free
  parameters it pins most (the calibration record gives each emulator's ranking).
- ``independent``: never used to set anything (``informs`` is empty): the only facts that corroborate
  the mechanisms (pattern-oriented evidence).
- ``context``: not compared.

Every fact also says the ``level`` its pattern lives at (household, village, region, province; nation
for a context figure of the whole country) and the ``period`` it is compared over.

Acceptance. A *point* fact (``target`` with no ``low``/``high``) is met when
``|value - target| <= tolerance``. A *bound* fact (``low`` and/or ``high``, e.g. "under 10%" is
``high = 0.10``) is met when the value lies within ``[low - tolerance, high + tolerance]``; its miss
is the distance outside ``[low, high]``, so a value inside the bound misses by zero. The
calibration objective sums ``(miss / tolerance) ** 2`` over the calibration targets.

The measures, one function per ``measure`` named in the file, are :mod:`experiments.calibration.fact_measures`;
this module reads and validates the file and applies them to a run (their registry, the windows
and :func:`trend_growth` are importable from here as well). Sources are keys of
``seeds/references.toml`` (:mod:`experiments.references`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from abm.core.params import declarations
from abm.io.scenario import ScenarioError
from experiments.calibration.fact_measures import (
    GROWTH_YEARS,
    LAST_MONTHS,
    MEASURES,
    RunLike,
    trend_growth,
    yearly_totals,
)
from experiments.references import load_references

__all__ = ["COLUMNS", "EVIDENCE", "GROWTH_YEARS", "KINDS", "LAST_MONTHS", "LEVELS", "MEASURES", "SOURCES", "Fact",
           "RunLike", "facts_path", "load_facts", "measure_run", "parse_fact", "trend_growth", "yearly_totals"]

#: what the model owes a fact (see the module docstring)
KINDS = ("input", "output", "policy", "context")
#: what a fact is evidence of (see the module docstring), in the order reports group them
EVIDENCE = ("independent", "calibrated", "imposed", "context")
#: the level a fact's pattern lives at; ``nation`` only for context figures of the whole country
LEVELS = ("household", "village", "region", "province", "nation")
#: the columns of ``seeds/facts.csv``, in order
COLUMNS = ("id", "statement", "target", "low", "high", "unit", "source", "tolerance", "kind", "measure",
           "evidence", "informs", "level", "period")
#: the sources a fact may cite: the keys of ``seeds/references.toml``
SOURCES = tuple(load_references())


@dataclass(frozen=True)
class Fact:
    """One stylized fact: the figure, its acceptance interval and how the model is measured against it."""

    id: str
    statement: str
    target: float
    low: float | None
    high: float | None
    unit: str
    source: str
    tolerance: float
    kind: str
    measure: str
    evidence: str
    informs: tuple[str, ...] = ()
    level: str = "province"
    period: str = ""

    @property
    def calibration_target(self) -> bool:
        """Whether the calibration fits the model to this fact (evidence ``calibrated``)."""
        return self.evidence == "calibrated"

    @property
    def is_bound(self) -> bool:
        """Whether the fact is a bound ("under 10%") rather than a point figure ("about 25%")."""
        return self.low is not None or self.high is not None

    def miss(self, value: float) -> float:
        """Distance of ``value`` from the fact: outside ``[low, high]`` for a bound, from the target otherwise."""
        if value is None or not math.isfinite(value):
            return math.inf
        if not self.is_bound:
            return abs(value - self.target)
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return max(0.0, lo - value, value - hi)

    def scaled_miss(self, value: float) -> float:
        """The miss in units of the tolerance (0 inside; infinite for a miss with zero tolerance)."""
        miss = self.miss(value)
        if miss == 0.0:
            return 0.0
        return miss / self.tolerance if self.tolerance > 0 else math.inf

    def within(self, value: float) -> bool:
        """Whether ``value`` meets the fact: its miss is at most the tolerance."""
        return self.miss(value) <= self.tolerance + 1e-12

    def acceptance(self) -> tuple[float, float]:
        """The interval of values that meet the fact."""
        if not self.is_bound:
            return self.target - self.tolerance, self.target + self.tolerance
        lo = -math.inf if self.low is None else self.low - self.tolerance
        hi = math.inf if self.high is None else self.high + self.tolerance
        return lo, hi


def facts_path() -> Path:
    """Where the packaged facts file lives (``seeds/facts.csv``)."""
    return Path(str(resources.files("seeds") / "facts.csv"))


def _number(text: str, column: str, where: str, required: bool) -> float | None:
    """Parse an optional number cell."""
    text = text.strip()
    if not text:
        if required:
            raise ScenarioError(f"{where}: {column} is empty; allowed: a number")
        return None
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(f"{where}: {column} = {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{where}: {column} = {text!r} is not finite")
    return value


def parse_fact(row: dict[str, str], where: str) -> Fact:
    """Validate one row of the facts file.

    Raises:
        ScenarioError: Naming the row, the column and what is allowed.
    """
    missing = [c for c in COLUMNS if c not in row or row[c] is None]
    if missing:
        raise ScenarioError(f"{where}: missing column(s) {', '.join(missing)}; allowed: {', '.join(COLUMNS)}")
    kind = row["kind"].strip()
    if kind not in KINDS:
        raise ScenarioError(f"{where}: kind = {kind!r}; allowed: {', '.join(KINDS)}")
    name = row["measure"].strip()
    if kind == "context":
        if name:
            raise ScenarioError(f"{where}: a context fact has no measure (got {name!r})")
    elif name not in MEASURES:
        raise ScenarioError(f"{where}: measure = {name!r} is not a function of experiments.calibration.fact_measures; "
                            f"allowed: {', '.join(MEASURES)}")
    sources = [s.strip() for s in row["source"].split(";") if s.strip()]
    unknown = [s for s in sources if s not in SOURCES]
    if not sources or unknown:
        raise ScenarioError(f"{where}: source = {row['source']!r}; allowed: keys of seeds/references.toml "
                            f"({'; '.join(SOURCES)}), ';'-separated")
    low = _number(row["low"], "low", where, False)
    high = _number(row["high"], "high", where, False)
    if low is not None and high is not None and low > high:
        raise ScenarioError(f"{where}: low {low} > high {high}")
    tolerance = _number(row["tolerance"], "tolerance", where, True)
    if tolerance < 0:
        raise ScenarioError(f"{where}: tolerance = {tolerance} must be at least 0")
    evidence, informs = _evidence(row, kind, tolerance, where)
    level = row["level"].strip()
    if level not in LEVELS or (level == "nation" and kind != "context"):
        raise ScenarioError(f"{where}: level = {level!r}; allowed: {', '.join(LEVELS[:-1])} (and nation for a "
                            "context fact)")
    period = row["period"].strip()
    if not period:
        raise ScenarioError(f"{where}: period is empty; allowed: the years or months the fact is compared over")
    fid = row["id"].strip()
    if not fid.isidentifier():
        raise ScenarioError(f"{where}: id = {fid!r}; allowed: a name of letters, digits and underscores")
    target = _number(row["target"], "target", where, kind != "context")
    return Fact(fid, row["statement"].strip(), math.nan if target is None else target, low, high,
                row["unit"].strip(), "; ".join(sources), tolerance, kind, name, evidence, informs, level, period)


def _evidence(row: dict[str, str], kind: str, tolerance: float, where: str) -> tuple[str, tuple[str, ...]]:
    """Validate what a fact is evidence of and what it informs (see the module docstring).

    Inputs and policy levers are imposed, context facts context; an output is imposed (``informs``: what
    sets it), calibrated (``informs``: free parameters; a tolerance above 0, which scales the miss) or
    independent (``informs`` empty: nothing was set from it).

    Raises:
        ScenarioError: Naming the row, the column and what is allowed.
    """
    evidence = row["evidence"].strip()
    allowed = {"input": ("imposed",), "policy": ("imposed",), "context": ("context",),
               "output": ("imposed", "calibrated", "independent")}[kind]
    if evidence not in allowed:
        raise ScenarioError(f"{where}: evidence = {evidence!r} for a {kind} fact; allowed: {', '.join(allowed)}")
    informs = tuple(s.strip() for s in row["informs"].split(";") if s.strip())
    if evidence in ("imposed", "calibrated") and not informs:
        raise ScenarioError(f"{where}: an {evidence} fact names what it informs (';'-separated parameters or "
                            "fixed values of abm/fixed_values.py)")
    if evidence in ("independent", "context") and informs:
        raise ScenarioError(f"{where}: informs = {row['informs']!r}, but an {evidence} fact sets nothing; "
                            "allowed: empty")
    known = _settable_names(free_only=evidence == "calibrated")
    unknown = [name for name in informs if name not in known]
    if unknown:
        what = "free parameters (declared with a plausible range)" if evidence == "calibrated" else (
            "declared parameters (a regional one by its stem) or fixed values (abm/fixed_values.py)")
        raise ScenarioError(f"{where}: informs names {', '.join(unknown)}; allowed: {what}")
    if evidence == "calibrated" and tolerance == 0:
        raise ScenarioError(f"{where}: a calibration target needs a tolerance above 0 (it scales the miss)")
    return evidence, informs


def _settable_names(free_only: bool) -> set[str]:
    """Names an ``informs`` cell may use: parameters (and regional stems), or only the free ones, and fixed values."""
    decl = [d for d in declarations() if d["plausible"] is not None or not free_only]
    names = {d["name"] for d in decl} | {d["regional"] for d in decl if d["regional"]}
    if free_only:
        return names
    # start-up time: the fixed values are read from the mechanisms (the whole model) when a fact names one
    from abm.fixed_values import values_by_key

    return names | set(values_by_key())


def load_facts(path: str | Path | None = None) -> list[Fact]:
    """Read and validate the stylized facts (default: the packaged ``seeds/facts.csv``).

    Raises:
        ScenarioError: If the file is missing, a row is malformed or an id repeats.
    """
    path = Path(path) if path is not None else facts_path()
    if not path.is_file():
        raise ScenarioError(f"{path}: no such facts file")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise ScenarioError(f"{path}: columns {reader.fieldnames}; expected: {', '.join(COLUMNS)}")
            facts = [parse_fact(row, f"{path}, row {i}") for i, row in enumerate(reader, start=2)]
    except (UnicodeDecodeError, csv.Error, OSError) as err:
        raise ScenarioError(f"{path}: not a readable facts table ({err}); allowed: a UTF-8 CSV file with the "
                            f"columns {', '.join(COLUMNS)} (see seeds/facts.csv)") from None
    ids = [f.id for f in facts]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ScenarioError(f"{path}: repeated id(s) {', '.join(repeated)}")
    return facts


def measure_run(run: RunLike, facts: list[Fact]) -> dict[str, float]:
    """The simulated value of every measured fact in one run, by fact id."""
    return {f.id: float(MEASURES[f.measure](run)) for f in facts if f.measure}
