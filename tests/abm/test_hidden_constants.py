"""No hidden behavioural numbers: a number the model's code reads is a declared parameter, or says why not.

Every module-level constant in ``abm/`` and ``agents/`` whose value holds a float literal (or is a lone
whole number) and that some function or method there reads is listed here, found from the source's
syntax tree: either as structural (sizes, indices, dates, file limits, definitions of declared choices),
each with its reason, or as a table whose shape is kept while a declared parameter scales it
(:data:`TABLES`, each with that parameter and why), or on :data:`KNOWN`, the behavioural numbers issue 31
is to turn into declared parameters (:mod:`abm.core.params`). A new constant on none of the lists fails,
so no new behavioural number can hide in a module; a name on a list that no longer exists fails too, so
the lists only shrink.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from abm.core.params import Parameters

ROOT = Path(__file__).resolve().parents[2]
#: the packages whose code is the model
SCANNED = ("abm", "agents")

#: constants that are not behavioural, and why
STRUCTURAL = {
    "FIRST_YEAR": "the calendar year of model year 1: dates outputs, no actor reads it",
    "HARVEST_CYCLE": "months between two yearly reviews: every crop's calendar repeats yearly",
    "WEST": "the index of the western region in region arrays",
    "GROUP_COOP": "the index of the cooperative channel inside a seller group",
    "NO_LINK": "a sentinel month for a household with no live link to the network",
    "INCOME_FLOOR": "the floor the Theil index takes logarithms of (a measure, docs/ODD.md 7.9): no actor reads it",
    "MONTH_ZERO": "the measures' values at month 0, before any flow (a measure)",
    "PAIRWISE_BLOCK": "block size of the pairwise sum (numerics: results do not depend on it)",
    "MAX_FILE_BYTES": "input-file size limit",
    "MAX_DEPTH": "input-file nesting limit",
    "SPARE_BYTES": "disk space kept free when writing outputs",
    "FILE_MODE": "permissions of output files",
    "BYTES_PER_VALUE": "output-size estimate",
    "FILE_OVERHEAD": "output-size estimate",
    "GRAPHML_BYTES": "output-size estimate",
    "_CALENDAR": "output-size estimate: calendar columns per table",
    "FUND_RULES": "the meaning of the declared choice fund_rule (its declaration states the mixed split)",
    "EAST_SEGMENT": "the index of the consumer segment eastern partners' institutional purchases add to",
    "CLEARING_STEPS": "Newton steps of the monthly clearing price (numerics: enough to clear within 1%, tested)",
    "POOLED_ROUNDING": "numerical tolerance of 'the cooperative paid what the trader pays' (numerics)",
    "FLOOR_TOLERANCE": "numerical tolerance of 'a posted log price is at the floor' (numerics)",
    "WORK_DAYS": "working days of a full-time job, which turns hired days into jobs (a measure): no actor reads it",
    "DEFAULT_SEED": "the seed of a model built without one (a scenario's default seed): no actor reads it",
    "MAX_MONTHS": "the longest run a scenario declares, up to which a household panel's months are chosen (an output)",
}

#: tables whose shape is kept as written while one declared parameter scales them: name -> (parameter, why)
TABLES = {
    "PRICE_SENSITIVITY": ("residual_demand_elasticity",
                          "the segments' price-sensitivity multipliers (west 1.3, centre 1, east 0.8) multiply the "
                          "price coefficient the declared elasticity sets: an analysis varies how price-sensitive all "
                          "buyers are; the ordering (poorer western cities more sensitive) is kept"),
    "TASTE": ("brand_taste_weight",
              "the segments' taste for brands (west 0.6, centre 1, east 1.4) times the declared weight is a brand's "
              "utility: an analysis varies what a brand is worth to buyers; the ordering by city income is kept"),
    "TITLES": ("households_per_real_county",
               "source 000's talent titles: their sales thresholds scale to a model county by its households over "
               "the declared households of a real county; the households-lifted thresholds and the monthly "
               "allowances are the source's figures, not assumptions"),
}

#: behavioural numbers still hidden in modules: each is to become a declared parameter (issue 31)
KNOWN = dict.fromkeys((
    # markets and demand (agents/consumers.py, agents/platform.py): the split of the online budget between
    # the urban segments, the monthly shopping calendar (NBS 2024) and the platforms' terms
    "BUDGET_SHARE", "SHOPPING_CALENDAR", "PLATFORM_TERMS",
    # crops (abm/core/crops.py)
    "BASE_PRICE", "YIELD_KG", "PERISHABILITY", "HOME_SHARE", "REGION_CROP_MIX",
    # behaviour and institutions (abm/development/strategies.py, agents/households.py)
    "DEVELOPMENT_MODELS", "WAGE_EARNER_SHARES",
), "to declare in issue 31")


@dataclass(frozen=True)
class Constant:
    """A module-level numeric constant: its name, where it is defined and its source text."""

    name: str
    where: str
    value: str


def _model_files() -> list[Path]:
    return sorted(path for package in SCANNED for path in (ROOT / package).rglob("*.py"))


def _holds_float(node: ast.expr) -> bool:
    """Whether a value holds a float literal anywhere (``0.7``, ``(0.5, 2.0)``, ``np.array([5.0])``)."""
    return any(isinstance(n, ast.Constant) and type(n.value) is float for n in ast.walk(node))


def _is_number(node: ast.expr) -> bool:
    """A value holding a float literal, or a lone (possibly negated) whole number."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return (isinstance(node, ast.Constant) and type(node.value) is int) or _holds_float(node)


def _assigned(stmt: ast.stmt) -> list[tuple[str, ast.expr]]:
    """The (name, value) pairs a module-level assignment binds that may be numbers.

    ``A, B = 1.0, 2.0`` binds two; whole numbers bound together (``OFFLINE, COOP = 0, 1``) are codes, not numbers.
    """
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return [(stmt.target.id, stmt.value)]
    if not isinstance(stmt, ast.Assign):
        return []
    pairs = []
    for target in stmt.targets:
        if isinstance(target, ast.Name):
            pairs.append((target.id, stmt.value))
        elif isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple):
            pairs += [(t.id, v) for t, v in zip(target.elts, stmt.value.elts, strict=True)
                      if isinstance(t, ast.Name) and _holds_float(v)]
    return pairs


def module_constants() -> dict[str, Constant]:
    """Every module-level numeric constant of the scanned packages, by name."""
    found = {}
    for path in _model_files():
        text = path.read_text(encoding="utf-8")
        for stmt in ast.parse(text).body:
            for name, value in _assigned(stmt):
                if _is_number(value):
                    where = f"{path.relative_to(ROOT).as_posix()}:{stmt.lineno}"
                    found[name] = Constant(name, where, ast.get_source_segment(text, value) or "")
    return found


def names_read_by_code() -> set[str]:
    """Names that some function or method of the scanned packages reads (as a name or an attribute)."""
    read = set()
    for path in _model_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                        read.add(inner.id)
                    elif isinstance(inner, ast.Attribute):
                        read.add(inner.attr)
    return read


def read_constants() -> dict[str, Constant]:
    """The module-level numeric constants that the model's code reads."""
    read = names_read_by_code()
    return {name: c for name, c in module_constants().items() if name in read}


def test_the_scan_finds_constants_that_code_reads() -> None:
    """The scan sees a float, a tuple of floats, a lone whole number and a number inside a call, read by code."""
    found = read_constants()
    assert found["FLOOR_TOLERANCE"].value == "1e-9"
    assert found["FLOOR_TOLERANCE"].where.startswith("abm/market/clearing.py:")
    assert found["WAGE_EARNER_SHARES"].value == "(0.3, 0.35, 0.28, 0.07)"
    assert found["CLEARING_STEPS"].value == "4" and found["TASTE"].value == "np.array([0.6, 1.0, 1.4])"
    assert "_OTHER" not in found  # read only by another constant's definition, not by code
    assert "CROPS" not in found and "REPORTED_YEARS" not in found  # names and tuples of whole numbers


def test_no_new_hidden_behavioural_number() -> None:
    """Every read constant is structural, a table a parameter scales, or known to declare; none is new."""
    new = [c for name, c in read_constants().items() if name not in {*STRUCTURAL, *TABLES, *KNOWN}]
    assert not new, ("module-level numbers read by the model that no declaration covers: "
                     + "; ".join(f"{c.name} = {c.value} ({c.where})" for c in new)
                     + ". Declare each as a parameter in abm/core/params_*.py (unit, range, plausible range with its "
                       "reason, source), or add it to STRUCTURAL with the reason it changes no actor's behaviour")


def test_the_lists_name_only_constants_that_exist() -> None:
    """A constant declared as a parameter leaves the KNOWN list (the lists only shrink), and no name is on two."""
    found = read_constants()
    names = [*STRUCTURAL, *TABLES, *KNOWN]
    assert len(names) == len(set(names))
    stale = sorted(name for name in names if name not in found)
    assert not stale, f"no longer a module constant read by the model (remove from the lists): {', '.join(stale)}"


def test_every_kept_table_is_scaled_by_a_declared_parameter() -> None:
    """A table kept as its shape names the declared parameter that scales it, and why the shape is kept."""
    for name, (parameter, why) in TABLES.items():
        assert parameter in Parameters.model_fields, f"{name}: {parameter} is not a declared parameter"
        assert len(why) > 40, name
