"""The data dictionary written into every Parquet file, and read back by ``ruralsim describe``.

Every table ruralsim writes (a run's, an experiment's ``results``, ``regions`` and ``runs/*``, an
optimisation's ``evaluations`` and ``candidates``) carries two key-value metadata entries:
``ruralsim.run`` (what made it: scenario or experiment, seeds, months, package version, the
table's name and the month convention) and ``ruralsim.columns`` (per column: unit, meaning, kind
(flow, stock, rate, index, count, id, category or parameter) and period). The same unit, meaning,
kind and period are also each Arrow *field*'s metadata, which polars, R's arrow and xarray users
read with the column itself (``pq.read_schema(path).field("income_mean").metadata``). Series and
regional columns are described by the outcome registry (``abm.measure.outcomes``), parameters by their
declarations (``abm.core.params``), identifiers here, and the others by the tables' own declarations.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abm.core.calendar import CALENDAR_COLUMNS
from abm.core.checks import ScenarioError
from abm.core.calendar import __doc__ as MONTH_CONVENTION
from abm.core.params import declarations
from abm.measure.outcomes import KEY_COLUMNS as OUTCOME_KEY_COLUMNS
from abm.measure.outcomes import OUTCOMES
from abm.observe.panel import HOUSEHOLD_COLUMNS, VILLAGE_COLUMNS

RUN_KEY, COLUMNS_KEY = b"ruralsim.run", b"ruralsim.columns"
_ID = {"unit": "", "kind": "id", "period": ""}
KEY_COLUMNS: dict[str, dict[str, str]] = {
    **{name: _ID | {"meaning": OUTCOME_KEY_COLUMNS[name]} for name in ("month", *CALENDAR_COLUMNS)},
    "region": {"unit": "", "kind": "category", "period": "",
               "meaning": "Region: west < centre < east (an experiment run file's province-wide rows have none)."},
    "crop": {"unit": "", "kind": "category", "period": "", "meaning": "Crop (ordered as abm.core.crops.CROPS)."},
}
#: the identifier columns of experiment and optimisation tables
ID_DOCS: dict[str, dict[str, str]] = {name: _ID | {"meaning": meaning} for name, meaning in {
    "run_id": "Run identifier: a hash of the run's scenario, seed, months, model, package version and source "
              "(its file is runs/<run_id>.parquet).",
    "point": "Arm or design point number, 0 first, in the experiment's order.",
    "replicate": "Replicate number k: the run uses the k-th seed of SeedSequence(root_seed), as every arm does.",
    "seed": "The run's seed (replicate k's seed: the same in every arm, so arms are paired).",
    "member": "Member of the calibration posterior (experiments run with --posterior).",
    "row": "Row of seeds/posterior.parquet the posterior member was drawn from.",
    "posterior_row": "Row of seeds/posterior.parquet the condition's posterior member was drawn from.",
    "generation": "Generation of the search that first evaluated the candidate (0 first).",
    "candidate": "Candidate policy: a digest of its lever values.",
    "condition": "Uncertain condition number (a hypercube point and/or a posterior member).",
}.items()} | {
    "arm": _ID | {"kind": "category", "meaning": "Arm name, or p<N> for design point N."},
    "feasible": _ID | {"kind": "stock", "meaning": "The candidate meets every constraint."},
    "pareto": _ID | {"kind": "stock",
                     "meaning": "The candidate is on the robust Pareto front (feasible, non-dominated)."},
}
FIELD_KEYS = ("unit", "kind", "period", "meaning")
_MISSING = {"unit": "", "meaning": "(undeclared)", "kind": "", "period": ""}
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


def parameter_docs() -> dict[str, dict[str, str]]:
    """Dictionary entries of the declared parameters (a varied parameter's column in experiment tables)."""
    return {d["name"]: {"unit": d["unit"], "kind": "parameter", "period": "", "meaning": d["description"]}
            for d in declarations()}


def column_docs(table: str, columns: list[str], extra: dict[str, dict[str, str]] | None = None
                ) -> dict[str, dict[str, str]]:
    """Each column's entry: ``extra`` first, then the table's own, identifiers, outcomes and parameters.

    A varied parameter whose name is also an outcome's is the column ``<name>_param``.
    """
    parameters = parameter_docs()
    known = parameters | _outcome_docs() | ID_DOCS | table_docs(table) | (extra or {})
    return {name: known.get(name) or parameters.get(name.removesuffix("_param"), _MISSING) for name in columns}


def dictionary_metadata(table: str, columns: list[str], about: dict[str, Any],
                        extra: dict[str, dict[str, str]] | None = None) -> dict[bytes, bytes]:
    """Key-value metadata of one table's Parquet file: what made it (``about``) and each column's dictionary entry."""
    run = {"table": table, **about, "month_convention": " ".join(MONTH_CONVENTION.split())}
    return {RUN_KEY: json.dumps(run, sort_keys=True, default=str).encode(),
            COLUMNS_KEY: json.dumps(column_docs(table, columns, extra)).encode()}


def run_about(manifest: dict[str, Any]) -> dict[str, Any]:
    """What made one run's table: scenario, seed, months, a digest of its parameters, the package version.

    A model function of one's own (``--model``) may report less; what it reports is kept.
    """
    about = {key: manifest[key] for key in ("scenario", "seed", "months", "package_version") if key in manifest}
    if "parameters" in manifest:
        about["parameters_digest"] = parameters_digest(manifest["parameters"])
    return about


def file_metadata(table: str, columns: list[str], manifest: dict[str, Any]) -> dict[bytes, bytes]:
    """Key-value metadata of one table of a run (:func:`dictionary_metadata` about its manifest)."""
    return dictionary_metadata(table, columns, run_about(manifest))


def described_table(frame: pd.DataFrame | pa.Table, meta: dict[bytes, bytes]) -> pa.Table:
    """A DataFrame (or Arrow table) as an Arrow table with ``meta`` on its schema and each column's entry on its field.

    Field metadata holds the entry's ``unit``, ``kind``, ``period`` and ``meaning`` (empty ones left out).
    """
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    docs = json.loads(meta.get(COLUMNS_KEY, b"{}"))
    fields = [f.with_metadata({k.encode(): str(v).encode() for k, v in docs.get(f.name, {}).items()
                               if k in FIELD_KEYS and v}) for f in table.schema]
    schema = pa.schema(fields, metadata={**(table.schema.metadata or {}), **meta})
    return pa.Table.from_arrays(table.columns, schema=schema)


def read_dictionary(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, str]], dict[str, str]]:
    """A Parquet file's run metadata, column dictionary and column storage types."""
    schema = pq.read_schema(path)
    meta = schema.metadata or {}
    run = json.loads(meta.get(RUN_KEY, b"{}"))
    columns = json.loads(meta.get(COLUMNS_KEY, b"{}"))
    return run, columns, {name: str(schema.field(name).type) for name in schema.names}



def describe_folder(folder: Path) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Each Parquet file of an output folder: a title and rows (column, type, unit, kind, period, meaning).

    A run's folder has its tables; an experiment's has ``results``, ``regions`` and one file per run
    in ``runs/`` (described once, by the first, with their count); an optimisation's has
    ``evaluations`` and ``candidates``.

    Raises:
        ScenarioError: When the folder has no Parquet file.
    """

    folder = Path(folder)
    paths = sorted(folder.glob("*.parquet"))
    runs = sorted((folder / "runs").glob("*.parquet"))
    if not paths and not runs:
        raise ScenarioError(f"describe {folder}: no Parquet files there; allowed: the folder of a run "
                            "(ruralsim run --out), an experiment or an optimisation")
    out = []
    for path in paths + runs[:1]:
        run, columns, types = read_dictionary(path)
        about = ", ".join(f"{k} {run[k]}" for k in _ABOUT if k in run)
        label = path.name if path.parent == folder else f"runs/{path.name} (one of {len(runs)} run files, alike)"
        rows = [(column, types[column], *(columns.get(column, {}).get(k, "") for k in _ENTRY)) for column in types]
        out.append((f"{label}: {about}" if about else label, rows))
    return out


def describe_lines(folder: Path, width: int = 80) -> list[str]:
    """:func:`describe_folder` as text no wider than ``width`` (what ``ruralsim describe`` prints).

    Per file a title, then per column its name, type, unit, kind and period on one line and its
    meaning indented below.
    """
    lines = []
    for title, rows in describe_folder(folder):
        lines += [*textwrap.wrap(title, width, subsequent_indent="  ", break_on_hyphens=False), ""]
        for column, dtype, unit, kind, period, meaning in rows:
            facts = ", ".join(x for x in (dtype, unit, kind, f"per {period}" if period else "") if x)
            lines += textwrap.wrap(f"{column}: {facts}", width, initial_indent="  ", subsequent_indent="      ",
                                   break_on_hyphens=False)
            lines += textwrap.wrap(meaning, width, initial_indent="      ", subsequent_indent="      ",
                                   break_on_hyphens=False)
        lines.append("")
    return lines


#: the dictionary entry's parts, in the order describe shows them
_ENTRY = ("unit", "kind", "period", "meaning")
#: what a file's title says about what made it, in this order
_ABOUT = ("experiment", "problem", "scenario", "base", "seed", "months", "replicates", "root_seed", "runs",
          "parameters_digest", "package_version")
