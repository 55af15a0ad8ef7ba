"""What each conclusion rests on: the committed drivers analyses (docs/drivers/SUITE) as the blocks the documents carry.

``ruralsim drivers SUITE`` writes ``conclusions.csv`` (:func:`experiments.drivers_report.conclusion_table`);
``ruralsim docs`` copies it into the suite's report (``docs/suites/SUITE/report.md``), the README's
experiment summary and the ODD (the parameters that decide a conclusion), so each conclusion is quoted
with what it rests on: "holds across the ranges screened" or "depends on X: flips when X > v".
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from abm.core.params import Parameters
from experiments.reports import RESTS_ON_BEGIN, RESTS_ON_END, fmt, markdown_table

BEGIN = "<!-- drivers:begin (generated from docs/drivers by `ruralsim docs`; do not edit) -->"
END = "<!-- drivers:end -->"
DECISIVE_BEGIN = "<!-- decisive-parameters:begin (generated from docs/drivers by `ruralsim docs`; do not edit) -->"
DECISIVE_END = "<!-- decisive-parameters:end -->"
SUITE_BLOCK = (RESTS_ON_BEGIN, RESTS_ON_END)
#: a driver in ``top_drivers``: ``name (mu*)``
DRIVER = re.compile(r"([a-z_0-9]+) \(")
#: the change of sign a ``depends`` verdict states
CHANGE = re.compile(r"(?:flips|vanishes|appears) when \S+ [<>] \S+")
PARAMETERS = set(Parameters.model_fields)
KINDS = {"holds": "holds across the ranges screened",
         "combinations": "holds along its top driver, not across combinations of assumptions",
         "no single driver": "no single driver; its sign differs at some design points",
         "zero": "zero at every design point"}


def conclusions(folder: Path) -> dict[str, pd.DataFrame]:
    """Each committed drivers analysis's ``conclusions.csv`` under ``folder`` (docs/drivers), by suite."""
    return {path.parent.name: pd.read_csv(path, keep_default_na=False, na_values=[""])
            for path in sorted(folder.glob("*/conclusions.csv"))}


def sign_change(verdict: str) -> str:
    """Where a ``depends`` verdict's sign changes, in a few words (``flips when X > v``)."""
    change = CHANGE.search(verdict)
    return change.group(0) if change else "changes sign"


def rests_on(row: Any) -> str:
    """A conclusion's sign in a few words: where it changes, or that it holds (``row``: one of conclusions.csv)."""
    if row.rests_on == "depends":
        return f"depends on {row.threshold_parameter}: {sign_change(row.verdict)}"
    return KINDS[row.rests_on]


def _rows(table: pd.DataFrame) -> pd.DataFrame:
    """A suite's conclusions as the documents show them."""
    effect = [fmt(r.effect) + ("" if math.isnan(r.ci_low) else f" [{fmt(r.ci_low)}, {fmt(r.ci_high)}]")
              for r in table.itertuples()]
    return pd.DataFrame({"conclusion": table.label, "effect at the defaults [95% CI]": effect,
                         "top drivers (mu*)": table.top_drivers,
                         "rests on": [rests_on(r) for r in table.itertuples()]})


def suite_block(tables: dict[str, pd.DataFrame], suite: str) -> str:
    """The block of a suite's report: its conclusions (``tables``: :func:`conclusions`), or where they come from."""
    if suite not in tables:
        return f"No drivers analysis of this suite is committed (`ruralsim drivers {suite}`)."
    return (f"From the drivers analysis (`docs/drivers/{suite}/report.md`): every assumption and calibrated parameter "
            "screened at once, the top drivers refined, the leading one swept.\n\n"
            + markdown_table(_rows(tables[suite])))


def summary_block(tables: dict[str, pd.DataFrame]) -> str:
    """The README's block: every suite's conclusions (``tables``: :func:`conclusions`) with what they rest on."""
    if not tables:
        return "No drivers analysis is committed yet (`ruralsim drivers trust|subsidies|eastwest`)."
    frames = [_rows(t).assign(suite=suite) for suite, t in tables.items()]
    both = pd.concat(frames, ignore_index=True)
    return markdown_table(both[["suite", *both.columns[:-1]]])


def decisive_block(tables: dict[str, pd.DataFrame]) -> str:
    """The ODD's block: the parameters among a conclusion's top drivers, what they decide and where a sign changes.

    A conclusion no parameter of the refinement moves names mechanism groups as its drivers; they are left out.
    """
    drives: dict[str, list[str]] = defaultdict(list)
    changes: dict[str, list[str]] = defaultdict(list)
    for suite, table in tables.items():
        for r in table.itertuples():
            for name in (n for n in DRIVER.findall(r.top_drivers) if n in PARAMETERS):  # not a mechanism group
                drives[name].append(f"{suite}: {r.conclusion}")
            if r.rests_on == "depends":
                changes[r.threshold_parameter].append(f"{suite}: {r.conclusion} {sign_change(r.verdict)}")
    if not drives and not changes:
        return "No drivers analysis is committed yet."
    table = pd.DataFrame([{"parameter": f"`{name}`", "a top-3 driver of": "; ".join(drives[name]) or "-",
                           "sign changes": "; ".join(changes[name]) or "-"} for name in sorted({*drives, *changes})])
    return markdown_table(table)

