"""Every fixed value of the model that is not a declared parameter, read from the modules that use it.

A re-implementer needs more than the declared parameters (:mod:`abm.core.params`): the crop table, the
consumer segments and shopping calendar, the trust mechanisms' constants, the development models,
the platforms and carriers, the talent titles, the households' wage earners and a few dozen numbers
written inline in the mechanisms. This module lists each of them
once, with its unit and meaning, and reads its value from the code itself: a module constant by
name, a mechanism object by building it (a trust mechanism, a development model), and a number
written inline by parsing the statement that holds it (:func:`inline`). The ODD's tables of fixed
values are generated from here (:func:`fixed_value_tables`; the tables by entity are built in
:mod:`abm.fixed_tables`), so a changed number changes the
document, and a moved or renamed statement fails loudly instead of leaving the document stale.

Nothing here changes the model: it only reads it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from abm.fixed_tables import TABLES
from agents.consumers import SHOPPING_CALENDAR

#: the repository root, against which ``where`` paths are written
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class FixedValue:
    """One fixed value: its key, value (read from the code), unit, meaning and where the code holds it."""

    key: str
    value: Any
    unit: str
    meaning: str
    where: str
    group: str


def module_path(module: str) -> str:
    """The file of an importable module, relative to the repository root (``abm/trust/mechanisms.py``)."""
    path = Path(inspect.getfile(importlib.import_module(module))).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=64)
def _parsed(module: str) -> tuple[str, ast.Module]:
    """A module's source and syntax tree (cached: the source does not change while the process runs)."""
    source = inspect.getsource(importlib.import_module(module))
    return source, ast.parse(source)


def _enclosing_names(tree: ast.Module) -> dict[ast.AST, str]:
    """The qualified name of the function or class enclosing every node ('' at module level)."""
    names: dict[ast.AST, str] = {}

    def visit(node: ast.AST, qualname: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = qualname
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                inner = f"{qualname}.{child.name}" if qualname else child.name
            names[child] = inner
            visit(child, inner)

    visit(tree, "")
    return names


def _numbers(node: ast.AST) -> list[float]:
    """The numeric literals of a statement in source order, signed, without subscript indices (``u[0]``)."""
    skip: set[int] = set()
    negative: set[int] = set()
    for parent in ast.walk(node):
        index = parent.slice if isinstance(parent, ast.Subscript) else None
        if isinstance(index, ast.Constant):  # an index such as u[0]
            skip.add(id(index))
        elif isinstance(index, ast.Tuple):  # u[2, c]
            skip.update(id(n) for n in index.elts if isinstance(n, ast.Constant))
        if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
            negative.add(id(parent.operand))
    found = [n for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) in (int, float)
             and id(n) not in skip]
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return [-n.value if id(n) in negative else n.value for n in found]


def _statement(module: str, anchor: str) -> tuple[ast.stmt, str]:
    """The innermost statement of ``module`` whose source holds ``anchor``, and its enclosing function's name.

    Raises:
        LookupError: If no statement, or more than one, holds the anchor.
    """
    source, tree = _parsed(module)
    names = _enclosing_names(tree)
    holding = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and anchor in (ast.get_source_segment(source, n)
                                                                                    or "")]
    innermost = [n for n in holding if not any(o is not n and _contains(n, o) for o in holding)]
    if len(innermost) != 1:
        raise LookupError(f"{module}: {len(innermost)} statements hold {anchor!r}; the fixed-value registry "
                          "(abm/fixed_values.py) must name exactly one")
    return innermost[0], names.get(innermost[0], "")


def _contains(outer: ast.AST, inner: ast.AST) -> bool:
    """Whether ``inner`` is a node strictly inside ``outer``."""
    return any(n is inner for n in ast.walk(outer)) and outer is not inner


def inline(module: str, anchor: str, index: int) -> tuple[float, str]:
    """The ``index``-th number written in the statement of ``module`` that holds ``anchor``, and where it is.

    Numbers are counted in source order, a minus sign included and subscript indices (``u[0]``) left
    out. Raises :class:`LookupError` when the statement is gone or holds fewer numbers: the registry
    then needs the new place, and the document cannot silently keep an old value.
    """
    statement, function = _statement(module, anchor)
    numbers = _numbers(statement)
    if index >= len(numbers):
        raise LookupError(f"{module}: the statement holding {anchor!r} has {len(numbers)} numbers, not {index + 1}")
    where = f"{module_path(module)}, `{function}`" if function else module_path(module)
    return numbers[index], where


def constant(module: str, name: str) -> tuple[Any, str]:
    """A module constant by name, and where it is (``abm/eastwest/fund.py, `FUND_RULES```)."""
    return getattr(importlib.import_module(module), name), f"{module_path(module)}, `{name}`"


# --- the registry ----------------------------------------------------------------------------------------------

Reader = Callable[[], tuple[Any, str]]

#: the scalar fixed values: (key, group, unit, meaning, reader). Keys of module constants are their names.
_SCALARS: list[tuple[str, str, str, str, Reader]] = [
    # initial state of the households
    ("schooling_senior_share", "initial state", "share of non-junior",
     "Of the households above junior schooling, the share with senior high (the rest college).",
     lambda: inline("agents.farmers", "self.schooling = np.where", 2)),
    ("skill_base", "initial state", "skill", "Initial skill before schooling, training and luck.",
     lambda: inline("agents.farmers", "self.skill = (0.15", 0)),
    ("skill_per_schooling", "initial state", "skill per level",
     "Initial skill added per schooling level (0 junior, 1 senior high, 2 college).",
     lambda: inline("agents.farmers", "self.skill = (0.15", 1)),
    ("skill_trained", "initial state", "skill", "Initial skill added by systematic training.",
     lambda: inline("agents.farmers", "self.skill = (0.15", 2)),
    ("skill_luck", "initial state", "skill", "Width of the uniform luck term of initial skill.",
     lambda: inline("agents.farmers", "self.skill = (0.15", 3)),
    ("quality_beta_a", "initial state", "Beta shape", "True quality of a household's produce ~ Beta(a, b): a.",
     lambda: inline("agents.farmers", "self.quality = rng.beta", 0)),
    ("quality_beta_b", "initial state", "Beta shape", "True quality ~ Beta(a, b): b.",
     lambda: inline("agents.farmers", "self.quality = rng.beta", 1)),
    ("productivity_sigma", "initial state", "log-sd",
     "Productivity ~ lognormal(0, sigma): a household's output factor.",
     lambda: inline("agents.farmers", "self.productivity = rng.lognormal", 1)),
    ("initial_reputation", "initial state", "rating 0-1",
     "A newcomer's rating before any sale; each month of sales on record moves it 20% of the way to 1.",
     lambda: inline("agents.farmers", "self.reputation = (1.0 - 0.5 * 0.8", 1)),
    ("incumbent_sales_months", "initial state", "months",
     "Months of sales on record of a cooperative member at the start (the cooperative's record of a year; a "
     "household online at the start has its link's age).",
     lambda: inline("agents.farmers", "self.sales_count = np.where", 0)),
    ("incumbent_link_min_age", "initial state", "months",
     "Households online at the start have links at least this old (minus sign: months before month 0).",
     lambda: inline("agents.farmers", "self.link_since = np.where", 0)),
    ("incumbent_link_age_span", "initial state", "months",
     "... and up to this many months older (uniform): links one to five years old.",
     lambda: inline("agents.farmers", "self.link_since = np.where", 1)),
    ("cold_chain_concentration", "initial state", "Beta concentration",
     "Village cold-chain coverage ~ Beta(mean x c, (1 - mean) x c) around the regional mean.",
     lambda: inline("abm.core.world", "conc = 4.0", 0)),
    ("remoteness_low", "initial state", "x regional remoteness",
     "Road km = km to the county hub + regional remoteness x U(low, high): low.",
     lambda: inline("abm.core.world", "rng.uniform(0.5, 1.5", 0)),
    ("remoteness_high", "initial state", "x regional remoteness", "... high.",
     lambda: inline("abm.core.world", "rng.uniform(0.5, 1.5", 1)),
    ("grid_aspect", "initial state", "width / height", "The village grid is about this much wider than high.",
     lambda: inline("abm.core.world", "width = max(3, round(math.sqrt", 1)),
    ("coop_processing_chance", "initial state", "probability",
     "Chance that a cooperative starts with processing capacity (coop_processing of its pooled kg).",
     lambda: inline("abm.build", "p.coop_processing if u[2, c] <", 0)),
    ("national_carrier_share", "initial state", "share of counties",
     "Counties whose home carrier is the national express (the rest: the regional carrier).",
     lambda: inline("abm.build", "national = model.rng.random(n_counties) <", 0)),
    ("regional_carrier_base_factor", "initial state", "x logistics_base",
     "The regional carrier's base price per kg relative to the national express's.",
     lambda: inline("abm.build", 'LogisticsProvider(model, "regional_carrier"', 0)),
    # harvest, channels and prices
    ("effort_skill_saving", "harvest and channels", "share of effort",
     "Share of the online effort cost a fully skilled household saves: effort x (1 - saving x skill).",
     lambda: inline("abm.channels.prices", "np.float32(effort_cost) * (np.float32(1) - skill", 1)),
    ("net_price_floor", "harvest and channels", "yuan/kg",
     "The channel logit takes the log of max(net price, floor): a channel netting nothing or less counts as this.",
     lambda: inline("abm.channels.choice", "sensitivity * np.log(np_maximum(net[row, k], 1e-3))", 0)),
    # market and demand
    ("CLEARING_STEPS", "market and demand", "steps",
     "Newton steps of each group's monthly clearing price index (enough to clear within 1%, tested).",
     lambda: constant("abm.market.clearing", "CLEARING_STEPS")),
    ("clearing_step_cap", "market and demand", "log price",
     "Each Newton step moves a group's log price index by at most this much.",
     lambda: inline("abm.market.clearing", "log_clear = np.maximum(log_clear + np.clip(step", 1)),
    ("FLOOR_TOLERANCE", "market and demand", "log price",
     "A posted log price index this close to the economic floor's counts as at the floor (price_floor_share).",
     lambda: constant("abm.market.clearing", "FLOOR_TOLERANCE")),
    ("POOLED_ROUNDING", "cooperatives", "share",
     "A cooperative's pooled payment this close (relative) to the trader's value counts as paying what the trader "
     "pays at the December settlement (members do not leave for a rounding error).",
     lambda: constant("agents.cooperative", "POOLED_ROUNDING")),
    ("EAST_SEGMENT", "market and demand", "segment index",
     "The consumer segment (index into west, centre, east urban) eastern partners' pairing purchases add to.",
     lambda: constant("abm.market.demand", "EAST_SEGMENT")),
    ("expectation_weight", "market and demand", "share",
     "Expected net price per kg moves this share of the way to the realised one each month it sells.",
     lambda: inline("abm.market.kernels", "out[g] = 0.5 * out[g] + 0.5 * net", 1)),
    # trust and fraud
    ("fraud_premium_floor", "trust and fraud", "share of price",
     "A seller misrepresents only where the premium share of its price exceeds this.",
     lambda: inline("agents.farmers", "lies[i] = (gain_share[i] > 0.01)", 0)),
    ("rating_learning", "trust and fraud", "share",
     "A seller's rating moves this share of the way to 1 (not caught) or 0 (caught) with each delivery.",
     lambda: inline("abm.income.kernels", "reputation[i] = np.float32(reputation[i] +", 0)),
    # translation and promises
    ("interessement_base", "translation and promises", "devices",
     "Interessement hazard = interessement_rate x (base + training + the village's weighted devices).",
     lambda: inline("abm.translation.transitions", "interest[v, trained_now] = 1 - np.exp(", 1)),
    ("enrolment_skill_offset", "translation and promises", "skill",
     "Enrolment hazard = enrolment_rate x (offset + skill).",
     lambda: inline("abm.translation.transitions", "r.enrolment * (0.5 + f.skill", 1)),
    ("fragile_points", "translation and promises", "passage points",
     "An enrolled household reached by fewer passage points than this is fragile.",
     lambda: inline("abm.translation.transitions", "fragile += enrolled & (points", 0)),
    ("persistence_window", "translation and promises", "months",
     "Link persistence compares links alive this many months ago; recent defectors are those of this window.",
     lambda: inline("abm.translation.transitions", "old += enrolled & (link_since[i] > NO_LINK)", 0)),
    ("HARVEST_CYCLE", "translation and promises", "months",
     "Months between two reviews of a committed household's promise (its enrolment anniversaries).",
     lambda: constant("abm.promises.judge", "HARVEST_CYCLE")),
    # logistics
    ("loss_cap", "logistics", "share of kg", "Most transit loss of any route.",
     lambda: inline("agents.logistics", "return np.minimum(0.9, perishability", 0)),
    ("loss_min_km", "logistics", "km", "Road km below which the loss no longer falls with distance.",
     lambda: inline("agents.logistics", "return np.minimum(0.9, perishability", 1)),
    # online shops
    ("shop_skill_offset", "online shops", "skill",
     "A shop's learnt turnover is business_turnover x (offset + skill): 1 for a household of skill 0.5.",
     lambda: inline("abm.enterprise.business", "learnt = p.business_turnover * (0.5 + skill", 0)),
    ("shop_opening_share", "online shops", "share of learnt turnover",
     "Share of its learnt turnover a shop forgoes at opening, closed at the learning rate: x (1 - share exp(-age / "
     "business_learning_months)).",
     lambda: inline("abm.enterprise.business", "return learnt * (1.0 - 0.5 * np.exp(", 1)),
    # cooperatives
    ("coop_capacity_step", "cooperatives", "share of pooled kg",
     "Processing capacity a cooperative's own line adds.",
     lambda: inline("abm.model", "coop.invest(self.money,", 0)),
    ("coop_capacity_cap", "cooperatives", "share of pooled kg", "Most processing capacity of a cooperative.",
     lambda: inline("agents.cooperative", "self.processing = min(0.5, self.processing + capacity_step)", 0)),
    ("coop_mobilised_members", "cooperatives", "members",
     "A branded cooperative with at least this many members selling through it is mobilised.",
     lambda: inline("agents.cooperative", "elif self.branded and active_members >=", 0)),
    # platforms
    ("platform_mobilised_floor", "platforms", "sellers",
     "A platform is mobilised with at least max(floor, households / divisor) sellers: floor.",
     lambda: inline("abm.model", "pl.update_stage(int(sellers[k]), threshold=", 0)),
    ("platform_mobilised_divisor", "platforms", "households per seller", "... divisor.",
     lambda: inline("abm.model", "pl.update_stage(int(sellers[k]), threshold=", 1)),
    # government and the east-west fund
    ("cold_chain_eligible_below", "government and fund", "coverage",
     "Villages below this cold-chain coverage can receive the cold-chain subsidy.",
     lambda: inline("agents.government", "ok = t.fresh & (t.cold_chain <", 0)),
    ("broadband_cost_share", "government and fund", "x g5_cost_per_village",
     "Cost of bringing broadband to a village, relative to 5G's.",
     lambda: inline("agents.government", "for layer, unit in ((t.broadband, cost_5g *", 0)),
    ("training_stage", "government and fund", "stage",
     "Trainees are raised to at least this translation stage (2: interested).",
     lambda: inline("agents.government", "f.stage[chosen] = np.maximum(f.stage[chosen],", 0)),
    ("returnee_skill", "government and fund", "skill", "Least skill of a supported returnee.",
     lambda: inline("agents.government", "f.skill[chosen] = np.maximum(f.skill[chosen], 0.8)", 0)),
    ("grant_processing_step", "government and fund", "share of pooled kg",
     "Processing capacity a grant (the fund's processing line) adds to a cooperative.",
     lambda: inline("agents.government", "coop.processing = min(0.5, coop.processing +", 1)),
    ("pairs_per_partner", "government and fund", "western counties",
     "Each eastern county partners at most this many western counties.",
     lambda: inline("abm.eastwest.fund", "paired[west[: east.size *", 0)),
    ("seed_new_farmer_skill", "government and fund", "skill",
     "Least skill of the new farmers the livestream development model seeds at the start.",
     lambda: inline("abm.development.strategies", "f.skill[seed] = np.maximum(f.skill[seed],", 0)),
    # measurement
    ("no_cold_chain_below", "measurement", "coverage",
     "Fresh-loss facts: a village 'without cold chain' has coverage below this.",
     lambda: inline("abm.measure.measures", "no_cc = np.repeat(v.fresh & (v.cold_chain <", 0)),
    ("cold_chain_from", "measurement", "coverage",
     "Fresh-loss facts: a village 'with cold chain' has coverage of at least this.",
     lambda: inline("abm.measure.measures", "with_cc_s = (v.fresh & (v.cold_chain >=", 0)),
    ("WORK_DAYS", "measurement", "days/month",
     "Working days in a month of a full-time job: e-commerce jobs are the days hired over this.",
     lambda: constant("abm.measure.measures", "WORK_DAYS")),
    ("INCOME_FLOOR", "measurement", "yuan/year", "Theil T is computed on incomes raised to at least this.",
     lambda: constant("abm.measure.inequality", "INCOME_FLOOR")),
    ("FIRST_YEAR", "measurement", "calendar year", "The calendar year of model year 1 (months 1-12).",
     lambda: constant("abm.core.calendar", "FIRST_YEAR")),
]

#: the households' income constants (agents/households.py), listed in the scalar table too
_HOUSEHOLD_CONSTANTS = (
    ("WAGE_EARNER_SHARES", "share of households",
     "Shares of households with 0, 1, 2 and 3 members in wage work (wage factor = earners x one wage draw "
     "per household, over the mean earners)."),
)


def _display(value: Any) -> str:
    """A value as the tables show it: numbers with :g, sequences as ``a / b / c``."""
    if isinstance(value, np.ndarray | list | tuple):
        return " / ".join(_display(v) for v in value)
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        whole = float(value) == int(value) and abs(value) >= 10_000
        return f"{float(value):,.0f}" if whole else f"{float(value):g}"
    return str(value)


@functools.lru_cache(maxsize=1)
def scalar_values() -> tuple[FixedValue, ...]:
    """Every scalar (or short-sequence) fixed value, read from the code now."""
    rows = []
    for key, group, unit, meaning, read in _SCALARS:
        value, where = read()
        rows.append(FixedValue(key, value, unit, meaning, where, group))
    for name, unit, meaning in _HOUSEHOLD_CONSTANTS:
        value, where = constant("agents.households", name)
        rows.append(FixedValue(name, value, unit, meaning, where, "households"))
    return tuple(rows)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown pipe table of displayed values."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_display(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def scalar_table() -> str:
    """The Markdown table of every scalar fixed value, by group: key, value, unit, meaning, where."""
    rows = [[f"`{v.key}`", v.group, v.value, v.unit, v.meaning, v.where] for v in scalar_values()]
    return markdown_table(["name", "group", "value", "unit", "meaning", "where in the code"], rows)


def fixed_value_tables() -> dict[str, str]:
    """Each generated table of fixed values by name (the ODD's ``fixed-values:NAME`` blocks)."""
    tables = {name: markdown_table(*build()) + f"\n\n(read from `{module_path(module)}`)"
              for name, (build, module) in TABLES.items()}
    return tables | {"scalars": scalar_table()}


# --- every value by key, for the figures the documents quote -----------------------------------------------------

@functools.lru_cache(maxsize=1)
def values_by_key() -> dict[str, Any]:
    """Every fixed value by key: the scalars, and each table's cells as ``table.row.column`` (lower case)."""
    out: dict[str, Any] = {v.key: v.value for v in scalar_values()}
    for name, (build, _) in TABLES.items():
        header, rows = build()
        for row in rows:
            for column, value in zip(header[1:], row[1:], strict=True):
                out[f"{name}.{row[0]}.{_slug(column)}"] = value
    out["SHOPPING_CALENDAR"] = tuple(float(v) for v in SHOPPING_CALENDAR)
    return out


def _slug(column: str) -> str:
    """A table column's key: its words before any parenthesis, joined by underscores."""
    words = column.split("(")[0].strip().lower().replace("/", " ").replace("-", " ").split()
    return "_".join(words)
