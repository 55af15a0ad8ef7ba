"""The size of a run's outputs, estimated before the run from the declared tables, to check the free space.

Each table's rows times its declared columns times :data:`BYTES_PER_VALUE`, plus the data dictionary
every Parquet file carries (:data:`FILE_OVERHEAD`). Parquet with zstd writes about a quarter of
this (a 3,150-household, 24-month run: 0.6 MB written, 2.4 MB estimated), so the estimate errs
on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass

from abm.core.crops import CROPS
from abm.core.ledger import ACCOUNTS
from abm.core.params import REGIONS, Parameters
from abm.core.world import Geography
from abm.measure.outcomes import KEY_COLUMNS, OUTCOMES
from abm.observe.panel import HOUSEHOLD_COLUMNS, VILLAGE_COLUMNS

#: an uncompressed 8-byte number
BYTES_PER_VALUE = 8
#: key-value metadata (the data dictionary) and footer of one Parquet file
FILE_OVERHEAD = 150_000
#: the actor-network per village and year end: nodes and edges (measured: about 3 and 6), and GraphML bytes each
NETWORK_PER_VILLAGE = (4, 8)
GRAPHML_BYTES = 300
_CALENDAR = 2  # year and month_of_year, added after month in every written table


@dataclass(frozen=True)
class Estimate:
    """The bytes a piece of work writes, and its largest table in words (for messages)."""

    bytes: int
    largest: str

    def __add__(self, other: Estimate) -> Estimate:
        """Both pieces together; the larger one's description is kept."""
        return Estimate(self.bytes + other.bytes, max(self, other, key=lambda e: e.bytes).largest)


def table(name: str, rows: int, columns: int) -> Estimate:
    """One Parquet file of ``rows`` x ``columns`` values."""
    return Estimate(rows * columns * BYTES_PER_VALUE + FILE_OVERHEAD, f"{name}: {rows:,} rows x {columns} columns")


def series_columns() -> tuple[int, int]:
    """The declared columns of the model-level series and of the regional table (keys and calendar included)."""
    keys = len(KEY_COLUMNS)  # month, year, month_of_year and region
    return (keys - 1 + sum(o.series for o in OUTCOMES.values()), keys + sum(o.regional for o in OUTCOMES.values()))


def run_outputs(p: Parameters, months: int, panel_months: int, network: bool) -> Estimate:
    """What ``ruralsim run`` writes: series, regions, books, the household panel, villages and the network."""

    geo = Geography.from_params(p)
    years = months // 12
    series, regional = series_columns()
    total = (table("series", months + 1, series) + table("regions", len(REGIONS) * (months + 1), regional)
             + table("ledger", months * len(ACCOUNTS), 8) + table("goods", months * len(CROPS), 11)
             + table("households", geo.farmers * panel_months, len(HOUSEHOLD_COLUMNS) + _CALENDAR)
             + table("villages", geo.villages * (years + 1), len(VILLAGE_COLUMNS) + _CALENDAR))
    if network:
        nodes, edges = (k * geo.villages * years for k in NETWORK_PER_VILLAGE)
        total += table("network_nodes", nodes, 13) + table("network_edges", edges, 7)
        total += Estimate((nodes + edges) * GRAPHML_BYTES, f"network GraphML: {nodes + edges:,} nodes and edges")
    return total


def experiment_outputs(runs: int, months: int, kept_outcomes: int | None) -> Estimate:
    """What an experiment writes: one file per run (series and regions stacked), then the two tidy tables."""
    series, regional = series_columns()
    kept = kept_outcomes or series
    one_run = table("one run", (len(REGIONS) + 1) * (months + 1), series + regional)
    return Estimate(runs * one_run.bytes, f"{runs:,} runs of {one_run.largest.removeprefix('one run: ')}") + (
        table("results", runs * (months + 1), kept + 5) + table("regions", runs * len(REGIONS) * (months + 1), kept + 6))
