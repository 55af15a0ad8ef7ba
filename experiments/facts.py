"""Stylized facts (``seeds/facts.csv``): reading and validating them, and measuring a run against them.

A fact is one row of ``seeds/facts.csv``: a statement from a source paper, its figure, and how the
model is checked against it. Its ``kind`` says what the model owes it:

- ``input``: the scenario sets it (an endowment); the measure reads it back from the run.
- ``output``: the model must produce it; the measure computes it from the run's series.
- ``policy``: the figure of a policy lever the experiments use; the measure reads the lever's value
  in the run (a lever that is off in the baseline is reported as such, not as a miss).
- ``context``: a figure no province model can reproduce (national scale); no measure.

Acceptance. A *point* fact (``target`` with no ``low``/``high``) is met when
``|value - target| <= tolerance``. A *bound* fact (``low`` and/or ``high``, e.g. "under 10%" is
``high = 0.10``) is met when the value lies within ``[low - tolerance, high + tolerance]``; its miss
is the distance outside ``[low, high]``, so a value inside the bound misses by zero. The
calibration objective sums ``(miss / tolerance) ** 2`` over the calibration targets.

The measures, one function per ``measure`` named in the file, are :mod:`experiments.fact_measures`;
this module reads and validates the file and applies them to a run (their registry, the windows
and :func:`trend_growth` are importable from here as well).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from abm.scenario import ScenarioError
from experiments.fact_measures import GROWTH_YEARS, LAST_MONTHS, MEASURES, RunLike, trend_growth, yearly_totals

__all__ = ["COLUMNS", "GROWTH_YEARS", "KINDS", "LAST_MONTHS", "MEASURES", "SOURCES", "Fact", "RunLike", "facts_path",
           "load_facts", "measure_run", "parse_fact", "trend_growth", "yearly_totals"]

#: what the model owes a fact (see the module docstring)
KINDS = ("input", "output", "policy", "context")
#: the columns of ``seeds/facts.csv``, in order
COLUMNS = ("id", "statement", "target", "low", "high", "unit", "source", "tolerance", "kind", "measure",
           "calibration_target")
#: the source papers a fact may cite (MISSION.md)
SOURCES = ("000_9a8f51988e555b84.txt", "001_ff255768d815f055.txt", "002_d2a0d7a49f16f090.txt",
           "003_d59e74559908fb7a.txt", "004_26afaa9ec5ea077b.txt",
           # official statistics (MISSION.md, "Official statistics"), read in copies of the releases
           "NBS_yearly_releases", "NBS_2023_composition_secondary", "Rural_Green_Book_2021-22_secondary",
           "NBS_2016_agricultural_census", "MOFCOM_via_Xinhua", "MOFCOM_NBS_derived", "NBS_monthly_releases",
           "MARA_secondary", "SAMR_secondary", "Fujian_Statistical_Yearbook_2022_table_7-11")


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
    calibration_target: bool

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
        raise ScenarioError(f"{where}: measure = {name!r} is not a function of experiments.fact_measures; "
                            f"allowed: {', '.join(MEASURES)}")
    flag = row["calibration_target"].strip().lower()
    if flag not in ("yes", "no"):
        raise ScenarioError(f"{where}: calibration_target = {flag!r}; allowed: yes, no")
    if flag == "yes" and kind != "output":
        raise ScenarioError(f"{where}: only output facts can be calibration targets")
    sources = [s.strip() for s in row["source"].split(";") if s.strip()]
    unknown = [s for s in sources if s not in SOURCES]
    if not sources or unknown:
        raise ScenarioError(f"{where}: source = {row['source']!r}; allowed: {'; '.join(SOURCES)} (';'-separated)")
    low = _number(row["low"], "low", where, False)
    high = _number(row["high"], "high", where, False)
    if low is not None and high is not None and low > high:
        raise ScenarioError(f"{where}: low {low} > high {high}")
    tolerance = _number(row["tolerance"], "tolerance", where, True)
    if tolerance < 0:
        raise ScenarioError(f"{where}: tolerance = {tolerance} must be at least 0")
    if flag == "yes" and tolerance == 0:
        raise ScenarioError(f"{where}: a calibration target needs a tolerance above 0 (it scales the miss)")
    fid = row["id"].strip()
    if not fid.isidentifier():
        raise ScenarioError(f"{where}: id = {fid!r}; allowed: a name of letters, digits and underscores")
    return Fact(fid, row["statement"].strip(), _number(row["target"], "target", where, True), low, high,
                row["unit"].strip(), "; ".join(sources), tolerance, kind, name, flag == "yes")


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
