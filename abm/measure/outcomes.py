"""The outcome registry: every column of a run's ``series`` and ``regions`` tables, declared once.

Each :class:`Outcome` says what the number is (unit, meaning), how it accrues (a monthly flow, a
stock at the month's end, a rate, an index or a count), over which period (the month, the last
complete year, or the run so far: a running total), whether the regional table has it, which way
is better, and which function computes it. Mesa's DataCollector reporters, the regional table,
experiment ``outcomes`` validation, report directions, plot labels and the ODD's outcome table are
all derived from this module (``ruralsim outcomes --json`` lists it).

Month 0 of every table is the initial state, before the first step: stocks and rates describe the
world as built, monthly flows are 0 (rates of a flow are NaN: nothing was there to measure).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from abm.core.calendar import CALENDAR_COLUMNS
from abm.core.declare import INSTRUMENTS
from abm.core.stages import CHANNELS, EXIT_REASONS, STAGES, TRANSITIONS
from agents.households import INCOME_PARTS

Kind = Literal["flow", "stock", "rate", "index", "count"]
Period = Literal["month", "year", "run"]

#: where the functions that compute the outcomes live (``computed_by`` names one of them)
YEAR = "abm.measure.measures.year_statistics"
STATE = "abm.measure.measures.state_outcomes"
FLOWS = "abm.measure.measures.flow_metrics"

#: identifier columns of the tables (not outcomes): name -> meaning
KEY_COLUMNS = {
    "month": "Months since the start; month 0 is the initial state, before the first step (flows are 0 there).",
    **CALENDAR_COLUMNS,
    "region": "west, centre or east (regional table only).",
}


@dataclass(frozen=True)
class Outcome:
    """One declared output: what it measures, in which unit, how it accrues, and which way is better.

    Attributes:
        name: Column name in ``series.parquet`` and/or ``regions.parquet``.
        unit: Unit of the values ("yuan/month", "share of households", ...).
        meaning: One line saying what the number is (also the plots' title).
        kind: ``flow`` (accrues over the period), ``stock`` (level at the month's end), ``rate`` (a share
            or ratio), ``index`` (a composite measure) or ``count``.
        period: ``month`` (this month, or the state at its end), ``year`` (the last complete year) or
            ``run`` (a running total since month 1).
        regional: The regional table has a column of it (one value per region).
        direction: +1 higher is better, -1 higher is worse, 0 neutral (a level, a cost, a count).
        series: The model-level series has a column of it.
        computed_by: Dotted path of the function computing it.
    """

    name: str
    unit: str
    meaning: str
    kind: Kind
    period: Period
    regional: bool
    direction: int
    series: bool = True
    computed_by: str = STATE

    @property
    def title(self) -> str:
        """A short title for plots: the meaning up to its first colon or parenthesis."""
        return re.split(r": | \(", self.meaning, maxsplit=1)[0].rstrip(".")

    @property
    def better(self) -> str:
        """Which way is better, in words: "higher", "lower" or "" (neutral)."""
        return {1: "higher", -1: "lower", 0: ""}[self.direction]

    @property
    def tables(self) -> str:
        """The tables with a column of it: "series", "regions" or "series + regions"."""
        return " + ".join(t for t, on in (("series", self.series), ("regions", self.regional)) if on)


#: the regional table's columns after month and region, in order (an outcome here is ``regional``)
REGION_COLUMNS = (
    "income_mean", "income_median", "income_per_person", *(f"income_{k}" for k in INCOME_PARTS), "income_farm", "adoption", "online_sales", *(f"sales_{c}" for c in CHANNELS), "fresh_loss",
    "cold_chain", "stability", "persistence", "fragile_share", "trained_share", "fraud_rate", *STAGES,
    *(f"flow_{t}" for t in TRANSITIONS), "new_farmers", "followers",
    "bulk_raw_share", "processed_share", "branded_share", "sell_through", "ecommerce_wages",
    "online_shops", "shop_sales", "shop_net", "consumption_saving", "consumption_saving_per_person",
)

_HH = "share of households"
_STAGE_MEANING = {
    "not_reached": "Households not yet reached by the network (translation stage 0).",
    "problematised": "Households who see online selling as a problem worth solving (stage 1).",
    "interested": "Households interested in a channel offered to them (stage 2).",
    "enrolled": "Households enrolled: selling online and judging the promised gain (stage 3).",
    "mobilised": "Households mobilised: speaking for the network and recruiting others (stage 4).",
}
_INSTRUMENT_MEANING = {
    "cold_chain": "cold-chain subsidies", "logistics": "logistics subsidies", "broadband": "broadband roll-out",
    "training": "e-commerce training", "talent": "talent-title allowances", "returnee": "returnee start-up support",
    "brand": "brand awards",
}
_FLOW_MEANING = {
    "problematised": "Households problematised this month.", "interested": "Households interested this month.",
    "enrolled": "Households enrolled this month.", "mobilised": "Households mobilised this month.",
    "defected": "Enrolled households who left the network this month (promises broken for their patience).",
    "lapsed": "Interested households who lost interest this month without enrolling (back to problematised).",
    "reenrolled": "Households enrolled this month who had defected before (a part of flow_enrolled).",
}

PART_MEANING = {
    "wages": "Wage income (local and migrant work)",
    "business": "Net business income (farm sales net of costs, e-commerce, non-farm household business)",
    "property": "Net property income (land rents, dividends)",
    "transfers": "Net transfer income (pensions, subsidies, remittances, allowances)",
}

#: said of every running total (period "run"); each such column's name says "to_date"
_TO_DATE = "(a running total, not a monthly flow: diff() gives the month's spending)."

# (name, unit, meaning, kind, period, direction[, computed_by]) in the order of the series columns.
_DECLARED: list[tuple[Any, ...]] = [
    ("income_mean", "yuan/year", "Mean household income of the last complete year (expected income before).",
     "flow", "year", +1, YEAR),
    ("income_median", "yuan/year", "Median household income of the last complete year (expected income before).",
     "flow", "year", +1, YEAR),
    ("gini", "index", "Gini coefficient of household income of the last complete year, negative incomes kept "
     "(expected income before; households.parquet income_last_year).",
     "index", "year", -1, YEAR),
    ("quintile_ratio", "ratio", "Mean income of the richest fifth of households over the poorest fifth's, last "
     "complete year (the yearbooks' quintile table).", "rate", "year", -1, YEAR),
    ("theil", "index", "Theil T of household income of the last complete year, incomes raised to at least 1 yuan.",
     "index", "year", -1, YEAR),
    ("theil_between", "index", "Between-region part of Theil T (between + within = total exactly).",
     "index", "year", -1, YEAR),
    ("theil_within", "index", "Within-region part of Theil T.", "index", "year", -1, YEAR),
    ("east_west_income_ratio", "ratio", "East's mean household income over the west's (last complete year).",
     "rate", "year", -1, YEAR),
    *((f"adoption_effect_{k}", "yuan/person/year", f"The survey's estimate of what adopting e-commerce did to "
       f"{'income' if k == 'income' else PART_MEANING[k].split(' (')[0].lower()}: this year's adopters against "
       "matched non-adopters of their region and crop, difference in differences from last year (0 in year 1).",
       "flow", "year", 0) for k in ("income", *INCOME_PARTS)),
    ("income_per_person", "yuan/person/year", "Disposable income per person as the household survey counts it "
     "(last complete year; expected before): household income over persons per household.", "flow", "year", +1),
    *((f"income_{k}", "yuan/person/year", f"{PART_MEANING[k]} per person (last complete year; expected before).",
       "flow", "year", 0) for k in INCOME_PARTS),
    ("income_farm", "yuan/person/year", "Of net business: net farm income per person, farm sales (bulk and online, "
     "less the e-commerce labour sellers hire) less production cost; NBS's net operating income of the primary "
     "industry (last complete year; expected before).", "flow", "year", 0),
    ("adoption", _HH, "Households that sold online this month: delivered kg to online buyers through a "
     "cooperative, their own shop or a livestream (0 in month 0).", "rate", "month", +1, FLOWS),
    ("own_online_sellers", _HH, "Households that sold online this month on their own shop or as hosts of their "
     "own livestream (not a host's followers; 0 in month 0).", "rate", "month", +1, FLOWS),
    ("enrolled_share", _HH, "Households enrolled or mobilised in the network.", "rate", "month", +1),
    ("trained_share", _HH, "Households with e-commerce training.", "rate", "month", +1),
    ("skill_mean", "index 0-1", "Mean e-commerce skill of the households.", "index", "month", +1),
    ("cold_chain", "share of route", "Mean cold-chain coverage of the villages' routes out.", "rate", "month", +1),
    ("g5_share", "share of villages", "Villages with 5G coverage.", "rate", "month", +1),
    ("broadband_share", "share of villages", "Villages with broadband.", "rate", "month", +1),
    ("consumer_trust", "index 0-1", "Consumers' trust in rural produce, averaged over segments and origins.",
     "index", "month", +1),
    ("new_farmers", "households", "New farmers (livestream hosts and returnees).", "count", "month", +1),
    ("returnees", "households", "Households a member came back to from migrant work: on government support, or to run "
     "an online shop.", "count", "month", +1),
    ("online_shops", "households", "Households running an online shop beyond their own produce (processed food, "
     "specialities, handicrafts, goods bought in) at the month's end.", "count", "month", +1, FLOWS),
    ("shop_sales", "yuan/month", "Sales of the households' online shops beyond their own produce this month.",
     "flow", "month", +1, FLOWS),
    ("shop_net", "yuan/month", "Net income of those shops this month (turnover less goods, parcels, hired help and "
     "start-up repayment).", "flow", "month", +1, FLOWS),
    ("consumption_saving", "yuan/month", "What households saved this month buying goods online rather than in the "
     "township (a welfare gain, not income).", "flow", "month", +1, FLOWS),
    ("consumption_saving_per_person", "yuan/person/year", "The month's consumption saving at a yearly rate, per "
     "person (a welfare gain beside income per person, not in it).", "flow", "month", +1, FLOWS),
    ("followers", "households", "Followers: households other than new farmers that sold on a host's livestream "
     "this month.", "count", "month", 0, FLOWS),
    ("audience_scale", "share of streamed demand", "Share of buyers' spending on streamed produce the livestream "
     "audience carried this month (1: not saturated).", "rate", "month", 0),
    ("coop_members", "households", "Cooperative members at the month's end.", "count", "month", +1),
    *((f"coop_left_{r}", "households/year", f"Members who left a cooperative at the December settlement for "
       f"{r} (0 in other months).", "flow", "month", -1) for r in EXIT_REASONS),
    ("coop_joined", "households/year", "Households who joined a cooperative at the December settlement (0 in "
     "other months).", "flow", "month", +1),
    ("income_total", "yuan/month", "Income of all households this month (0 in month 0).", "flow", "month", +1),
    ("stability", "index 0-1", "Network stability: link persistence x (1 - fragile share).", "index", "month", +1),
    ("persistence", "index 0-1", "Share of network links alive 12 months ago that are still alive.",
     "index", "month", +1),
    ("fragile_share", "share of links", "Fragile share of network links: enrolled actors reached by under two "
     "passage points or who defected in the last 12 months, over enrolled plus recent defectors.", "rate", "month", -1),
    ("fund_balance", "yuan", "Money in the east-west fund at the month's end.", "stock", "month", 0),
    ("fund_spent_to_date", "yuan", f"East-west fund spent from month 1 to this month {_TO_DATE}", "flow", "run", 0),
    ("pairing_spent_to_date", "yuan", f"Eastern partners' pairing spending from month 1 to this month {_TO_DATE}",
     "flow", "run", 0),
    ("branded_cooperatives", "cooperatives", "Cooperatives with a registered brand.", "count", "month", +1),
    *((s, "households", _STAGE_MEANING[s], "count", "month", 0) for s in STAGES),
    *((f"spent_to_date_{i}", "yuan", f"Government spending on {_INSTRUMENT_MEANING[i]} from month 1 to this month "
       f"{_TO_DATE}", "flow", "run", 0) for i in INSTRUMENTS),
    ("spent_to_date_total", "yuan", f"Government spending on all instruments from month 1 to this month {_TO_DATE}",
     "flow", "run", 0),
    ("online_sales", "yuan/month", "Online sales revenue of the households this month.", "flow", "month", +1, FLOWS),
    ("offline_sales", "yuan/month", "Offline sales revenue to bulk traders this month.",
     "flow", "month", 0, FLOWS),
    ("fresh_shipped", "kg/month", "Fresh produce shipped out of the fresh-crop villages this month.",
     "flow", "month", 0, FLOWS),
    ("fresh_lost", "kg/month", "Fresh produce lost in transit this month.", "flow", "month", -1, FLOWS),
    ("fresh_loss", "share of fresh kg", "Fresh produce lost in transit, over fresh kg shipped (NaN if none).",
     "rate", "month", -1, FLOWS),
    ("fresh_shipped_no_cold_chain", "kg/month", "Fresh kg shipped from villages under 0.1 cold-chain coverage.",
     "flow", "month", 0, FLOWS),
    ("fresh_lost_no_cold_chain", "kg/month", "Fresh kg lost in transit from villages under 0.1 cold-chain coverage.",
     "flow", "month", -1, FLOWS),
    ("fresh_shipped_cold_chain", "kg/month", "Fresh kg shipped online from villages with 0.8 cold-chain coverage "
     "or more.", "flow", "month", 0, FLOWS),
    ("fresh_lost_cold_chain", "kg/month", "Fresh kg lost online from villages with 0.8 cold-chain coverage or more.",
     "flow", "month", -1, FLOWS),
    ("branded_share", "share of kg sold", "Produce sold under a brand, over all kg sold.", "rate", "month", +1, FLOWS),
    ("processed_share", "share of kg sold", "Deep-processed produce, over all kg sold.", "rate", "month", +1, FLOWS),
    ("primary_share", "share of online kg", "Primary produce share of the kg delivered online (not deep-processed).",
     "rate", "month", 0, FLOWS),
    ("unbranded_price_ratio", "ratio", "Price per base-price kg of plain unverified groups over branded groups "
     "(NaN without both).", "rate", "month", 0, FLOWS),
    ("quality_premium", "share of price", "Price premium for claimed quality, weighted by kg sold online.",
     "rate", "month", +1, FLOWS),
    ("fraud_rate", "share of online kg", "Online kg delivered this month by sellers who misrepresented quality "
     "when they sold (the kg consumers learn from).", "rate", "month", -1, FLOWS),
    ("market_reach", "share of sales", "Online sales value bought outside the seller's home region.",
     "rate", "month", +1, FLOWS),
    ("west_online_share", "share of sales", "West's share of the province's online sales.", "rate", "month", +1, FLOWS),
    ("bulk_raw_share_west", "share of kg sold", "Western produce sold raw in bulk, over all western kg sold "
     "(NaN if none).", "rate", "month", -1, FLOWS),
    ("traced_share", "share of online kg", "Online kg delivered this month by sellers whose quality was verified "
     "(traceability) when they sold.",
     "rate", "month", +1, FLOWS),
    ("newcomer_sales_ratio", "ratio", "Online revenue per kg offered of sellers whose network link was under a "
     "year old when they sold, over sellers linked a year or more (below 1: a cold start; unlinked cooperative "
     "sellers in neither).", "rate", "month", +1, FLOWS),
    ("sell_through", "share of online kg", "Kg shipped to online buyers over kg offered online this month (the rest "
     "went to the trader; NaN if none offered). Plausibly 0.5-0.95: sellers post prices buyers take, down to the "
     "economic floor.", "rate", "month", +1, FLOWS),
    *((f"sell_through_{c}", "share of online kg", f"Sell-through on the {c.replace('_', ' ')} channel (NaN if "
       "none offered).", "rate", "month", +1, FLOWS) for c in CHANNELS[1:]),
    ("price_floor_share", "share of seller groups", "Seller groups with kg on offer whose online price sits at the "
     "economic floor (online nets what the trader pays), NaN with none.", "rate", "month", 0, FLOWS),
    ("demand_capture", "share of national spending", "Province's online sales over the national market's spending "
     "on its crops this month (the outside option's share included).", "rate", "month", +1, FLOWS),
    ("ecommerce_wages", "yuan/month", "Wages online sellers paid households of their villages for packing, service "
     "and delivery this month (e-commerce work).", "flow", "month", +1, FLOWS),
    ("ecommerce_jobs", "jobs", "Full-time jobs (22 days a month) hired by online sellers this month.",
     "count", "month", +1, FLOWS),
    ("wages_forgone", "yuan/month", "Wages sellers' households gave up this month to run their own online business.",
     "flow", "month", 0, FLOWS),
    ("platform_revenue", "yuan/month", "Platforms' revenue: commission and price discrimination, less the fund levy.",
     "flow", "month", 0, FLOWS),
    ("online_kg", "kg/month", "Produce delivered to online buyers this month.", "flow", "month", +1, FLOWS),
    ("online_kg_fresh", "kg/month", "Fresh produce delivered to online buyers this month.", "flow", "month", 0, FLOWS),
    ("online_kg_primary", "kg/month", "Primary produce delivered online this month (not deep-processed).",
     "flow", "month", 0, FLOWS),
    *((f"sales_{c}", "yuan/month", f"Sales revenue through the {c.replace('_', ' ')} channel this month.",
       "flow", "month", 0 if c == "offline" else +1, FLOWS) for c in CHANNELS),
    *((f"flow_{t}", "households/month", _FLOW_MEANING[t], "flow", "month", -1 if t == "defected" else 0, FLOWS)
      for t in TRANSITIONS),
]

#: outcomes of the regional table alone (no model-level column)
_REGIONAL_ONLY: list[tuple[Any, ...]] = [
    ("bulk_raw_share", "share of kg sold", "Produce sold raw in bulk, over all kg sold in the region (NaN if none).",
     "rate", "month", -1, FLOWS),
]


def _build() -> dict[str, Outcome]:
    """The registry: model-level outcomes in series order, then the regional-only ones."""
    declared = {}
    for entries, series in ((_DECLARED, True), (_REGIONAL_ONLY, False)):
        for name, unit, meaning, kind, period, direction, *by in entries:
            declared[name] = Outcome(name, unit, meaning, kind, period, name in REGION_COLUMNS, direction, series,
                                     *by)
    return declared


#: every column of ``series.parquet`` and ``regions.parquet`` except ``month`` and ``region``
OUTCOMES: dict[str, Outcome] = _build()


def outcome(name: str) -> Outcome:
    """The declaration of one outcome.

    Raises:
        KeyError: For an undeclared name, with the closest declared names.
    """
    try:
        return OUTCOMES[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(OUTCOMES), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown outcome {name!r}{hint} (see `ruralsim outcomes`)") from None


def series_outcome(name: str) -> str:
    """Check that ``name`` is a declared model-level (series) outcome and return it.

    Raises:
        ValueError: For an undeclared name (with the closest declared ones) or one in the regional table only.
    """
    try:
        declared = outcome(name)
    except KeyError as err:
        raise ValueError(f"{err.args[0]}; allowed: a series outcome") from None
    if not declared.series:
        raise ValueError("in the regional table only (regions.parquet keeps every regional outcome); "
                         "allowed: a series outcome (see `ruralsim outcomes`)")
    return name


def series_outcomes() -> list[Outcome]:
    """The model-level outcomes, in the order of the series table's columns."""
    return [o for o in OUTCOMES.values() if o.series]


def region_outcomes() -> list[Outcome]:
    """The regional outcomes, in the order of the regional table's columns."""
    return [OUTCOMES[name] for name in REGION_COLUMNS]


def as_records() -> list[dict[str, Any]]:
    """Every declaration as a plain dict (for ``ruralsim outcomes --json``)."""
    return [asdict(o) for o in OUTCOMES.values()]


def outcome_table() -> str:
    """Markdown table of every declared outcome (the ODD's outcome table)."""
    lines = ["| name | unit | kind | period | tables | better | meaning |", "|---|---|---|---|---|---|---|"]
    for o in OUTCOMES.values():
        lines.append(f"| `{o.name}` | {o.unit} | {o.kind} | {o.period} | {o.tables} | {o.better} | {o.meaning} |")
    return "\n".join(lines)


def check_declared(series_columns: list[str], region_columns: list[str]) -> None:
    """Fail unless the measured columns are exactly the declared ones (an output without a declaration).

    Raises:
        ValueError: Naming the undeclared and the declared-but-missing columns of each table.
    """
    for table, measured, declared in (("series", series_columns, [o.name for o in series_outcomes()]),
                                      ("regions", region_columns, ["month", "region", *REGION_COLUMNS])):
        undeclared = [c for c in measured if c not in declared]
        missing = [c for c in declared if c not in measured]
        if undeclared or missing:
            raise ValueError(f"{table} columns and abm/measure/outcomes.py disagree: undeclared {undeclared}, "
                             f"declared but not measured {missing}")
