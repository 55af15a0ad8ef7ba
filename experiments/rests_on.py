"""What each conclusion rests on: the committed drivers analyses (docs/drivers/SUITE) as the blocks the documents carry.

``ruralsim drivers SUITE`` writes ``conclusions.csv`` (:func:`experiments.drivers_report.conclusion_table`);
``ruralsim docs`` copies it into the suite's report (``docs/suites/SUITE/report.md``), the README's
experiment summary and the ODD (the parameters that decide a conclusion), so each conclusion is quoted
with what it rests on: "holds across the ranges screened" or "depends on X: flips when X > v".
"""

from __future__ import annotations

import math
import re
from pathlib import Path

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


def rests_on(row: pd.Series) -> str:
    """A conclusion's sign in a few words: where it changes, or that it holds."""
    if row.rests_on == "depends":
        change = CHANGE.search(row.verdict)
        return f"depends on {row.threshold_parameter}: {change.group(0) if change else 'changes sign'}"
    return KINDS[row.rests_on]


def _rows(table: pd.DataFrame) -> pd.DataFrame:
    """A suite's conclusions as the documents show them."""
    effect = [fmt(r.effect) + ("" if math.isnan(r.ci_low) else f" [{fmt(r.ci_low)}, {fmt(r.ci_high)}]")
              for r in table.itertuples()]
    return pd.DataFrame({"conclusion": table.label, "effect at the defaults [95% CI]": effect,
                         "top drivers (mu*)": table.top_drivers,
                         "rests on": [rests_on(r) for _, r in table.iterrows()]})


def suite_block(folder: Path, suite: str) -> str:
    """The block of a suite's report: its conclusions, or where its analysis would come from."""
    tables = conclusions(folder)
    if suite not in tables:
        return f"No drivers analysis of this suite is committed (`ruralsim drivers {suite}`)."
    return (f"From the drivers analysis (`docs/drivers/{suite}/report.md`): every assumption and calibrated parameter "
            "screened at once, the top drivers refined, the leading one swept.\n\n"
            + markdown_table(_rows(tables[suite])))


def summary_block(folder: Path) -> str:
    """The README's block: every suite's conclusions with what they rest on."""
    tables = conclusions(folder)
    if not tables:
        return "No drivers analysis is committed yet (`ruralsim drivers trust|subsidies|eastwest`)."
    frames = [_rows(t).assign(suite=suite) for suite, t in tables.items()]
    both = pd.concat(frames, ignore_index=True)
    return markdown_table(both[["suite", *both.columns[:-1]]])


def decisive_block(folder: Path) -> str:
    """The ODD's block: the parameters among a conclusion's top drivers, what they decide and where a sign changes.

    A conclusion no parameter of the refinement moves names mechanism groups as its drivers; they are left out.
    """
    rows: dict[str, dict[str, list[str]]] = {}
    for suite, table in conclusions(folder).items():
        for r in table.itertuples():
            for name in (n for n in DRIVER.findall(r.top_drivers) if n in PARAMETERS):  # not a mechanism group
                rows.setdefault(name, {"drives": [], "changes": []})["drives"].append(f"{suite}: {r.conclusion}")
            if r.rests_on == "depends":
                change = rests_on(pd.Series(r._asdict())).split(": ", 1)[1]
                rows.setdefault(r.threshold_parameter, {"drives": [], "changes": []})["changes"].append(
                    f"{suite}: {r.conclusion} {change}")
    if not rows:
        return "No drivers analysis is committed yet."
    table = pd.DataFrame([{"parameter": f"`{name}`", "a top-3 driver of": "; ".join(v["drives"]) or "-",
                           "sign changes": "; ".join(v["changes"]) or "-"} for name, v in sorted(rows.items())])
    return markdown_table(table)

