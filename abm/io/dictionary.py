"""The data dictionary written into every Parquet file of a run, and read back by ``ruralsim describe``.

Each file carries two key-value metadata entries: ``ruralsim.run`` (scenario, parameters digest,
seed, months, package version, the table's name and the month convention) and
``ruralsim.columns`` (per column: unit, meaning, kind (flow, stock, rate, index, count, id or
category) and period). Series and regional columns are described by the outcome registry
(``abm.measure.outcomes``); the others by the tables' own declarations.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from abm.core.calendar import CALENDAR_COLUMNS, __doc__ as MONTH_CONVENTION
from abm.measure.outcomes import KEY_COLUMNS as OUTCOME_KEY_COLUMNS
from abm.measure.outcomes import OUTCOMES
from abm.observe.panel import HOUSEHOLD_COLUMNS, VILLAGE_COLUMNS

RUN_KEY, COLUMNS_KEY = b"ruralsim.run", b"ruralsim.columns"
_ID = {"unit": "", "kind": "id", "period": ""}
KEY_COLUMNS: dict[str, dict[str, str]] = {
    **{name: _ID | {"meaning": OUTCOME_KEY_COLUMNS[name]} for name in ("month", *CALENDAR_COLUMNS)},
    "region": {"unit": "", "kind": "category", "period": "", "meaning": "Region: west < centre < east."},
    "crop": {"unit": "", "kind": "category", "period": "", "meaning": "Crop (ordered as abm.core.crops.CROPS)."},
}
_LEDGER = {
    "source": _ID | {"kind": "category", "meaning": "Who pays (an account of the money ledger)."},
    "destination": _ID | {"kind": "category", "meaning": "Who is paid."},
    "kind": _ID | {"kind": "category", "meaning": "What the payment is for."},
    "amount": {"unit": "yuan", "kind": "flow", "period": "month", "meaning": "Money moved this month."},
}
_GOODS = {name: {"unit": "kg", "kind": "flow", "period": "month", "meaning": meaning} for name, meaning in {
    "harvested": "Harvested this month.", "home": "Kept for the household's own use.",
    "delivered_online": "Delivered to online buyers.", "delivered_offline": "Delivered to bulk traders.",
    "lost": "Lost in transit (online and offline).", "stock_change": "Added to storage (negative: sold from it).",
}.items()}
_NETWORK = {
    "source": _ID | {"meaning": "Node at one end of the link."}, "target": _ID | {"meaning": "Node at the other end."},
    "type": _ID | {"kind": "category", "meaning": "Kind of link (abm.observe.network)."},
    "age": {"unit": "months", "kind": "stock", "period": "month", "meaning": "Months since the link formed."},
    "node": _ID | {"meaning": "Node name: kind:id."}, "kind": _ID | {"kind": "category", "meaning": "Kind of node."},
    "stage": _ID | {"kind": "category", "meaning": "Translation stage of the actor (farmers and institutions)."},
    "branded": {"unit": "", "kind": "stock", "period": "", "meaning": "A cooperative with a registered brand."},
    "county": _ID | {"meaning": "County id (villages and cooperatives)."},
    "village": _ID | {"meaning": "Village id of a farmer (as in households.parquet)."},
    "income": {"unit": "yuan/year", "kind": "flow", "period": "year",
               "meaning": "A farmer's income_last_year (as in households.parquet)."},
    "new_farmer": {"unit": "", "kind": "stock", "period": "", "meaning": "A farmer who is a new farmer."},
}


def _snapshot_docs(columns) -> dict[str, dict[str, str]]:
    """Dictionary entries of the panel's or the village table's declared columns."""
    return {c.name: {"unit": c.unit, "meaning": c.meaning, "kind": c.kind, "period": c.period} for c in columns}


def _outcome_docs() -> dict[str, dict[str, str]]:
    """Dictionary entries of the series and regional outcomes, from the outcome registry."""
    return {o.name: {"unit": o.unit, "meaning": o.meaning, "kind": o.kind, "period": o.period}
            for o in OUTCOMES.values()}


def table_docs(table: str) -> dict[str, dict[str, str]]:
    """Every declared column of one output table."""
    own = {"households": lambda: _snapshot_docs(HOUSEHOLD_COLUMNS), "villages": lambda: _snapshot_docs(VILLAGE_COLUMNS),
           "ledger": lambda: _LEDGER, "goods": lambda: _GOODS, "network_edges": lambda: _NETWORK,
           "network_nodes": lambda: _NETWORK}.get(table, _outcome_docs)
    return KEY_COLUMNS | own()


def parameters_digest(parameters: dict[str, Any]) -> str:
    """A short digest of a run's parameters (equal parameters, equal digest)."""
    return hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:16]


def file_metadata(table: str, columns: list[str], manifest: dict[str, Any]) -> dict[bytes, bytes]:
    """Key-value metadata of one table's Parquet file: the run, and each column's unit, meaning and kind."""
    docs = table_docs(table)
    run = {"table": table, "scenario": manifest["scenario"], "seed": manifest["seed"], "months": manifest["months"],
           "parameters_digest": parameters_digest(manifest["parameters"]),
           "package_version": manifest["package_version"], "month_convention": " ".join(MONTH_CONVENTION.split())}
    missing = {"unit": "", "meaning": "(undeclared)", "kind": "", "period": ""}
    described = {name: docs.get(name, missing) for name in columns}
    return {RUN_KEY: json.dumps(run, sort_keys=True).encode(), COLUMNS_KEY: json.dumps(described).encode()}


def read_dictionary(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, str]], dict[str, str]]:
    """A Parquet file's run metadata, column dictionary and column storage types."""
    schema = pq.read_schema(path)
    meta = schema.metadata or {}
    run = json.loads(meta.get(RUN_KEY, b"{}"))
    columns = json.loads(meta.get(COLUMNS_KEY, b"{}"))
    return run, columns, {name: str(schema.field(name).type) for name in schema.names}



def describe_folder(folder: Path) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Each Parquet file of an output folder: a title (file, run) and rows (column, type, unit, kind, period, meaning).

    Raises:
        ScenarioError: When the folder has no Parquet file.
    """
    from abm.io.scenario import ScenarioError

    paths = sorted(Path(folder).glob("*.parquet"))
    if not paths:
        raise ScenarioError(f"describe {folder}: no Parquet files there (allowed: a run's output folder)")
    out = []
    for path in paths:
        run, columns, types = read_dictionary(path)
        about = ", ".join(f"{k} {run[k]}" for k in ("scenario", "seed", "months", "parameters_digest",
                                                    "package_version") if k in run)
        rows = [(name, types[name], *(columns.get(name, {}).get(k, "") for k in ("unit", "kind", "period", "meaning")))
                for name in types]
        out.append((f"{path.name}: {about}", rows))
    return out
