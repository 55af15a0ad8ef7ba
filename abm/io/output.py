"""Write a run's outputs as Parquet files with a JSON manifest, each file written atomically.

Every table gets ``year`` and ``month_of_year`` after ``month`` (:mod:`abm.core.calendar`), region and
crop as ordered categoricals, and the data dictionary as key-value and field metadata
(:mod:`abm.io.dictionary`). Every file is written with mode :data:`FILE_MODE`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow.parquet as pq

from abm.core.calendar import analysis_frame
from abm.io.dictionary import described_table, file_metadata

if TYPE_CHECKING:
    from abm.io.simulate import RunResult

TABLES = ("series", "regions", "ledger", "goods")
SNAPSHOT_TABLES = ("households", "villages", "network_nodes", "network_edges")
FILE_MODE = 0o644  # every output file: readable by all, written by its owner


def atomic_write(path: Path, write) -> None:
    """Write a file through ``write(tmp_path)`` then rename it into place, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_parquet(df: pd.DataFrame, path: Path, metadata: dict[bytes, bytes]) -> None:
    """Write a DataFrame to Parquet atomically with its data dictionary (no index, zstd, same data same bytes)."""
    table = described_table(df, metadata)
    atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_run(result: RunResult, out: Path) -> list[Path]:
    """Write every table of ``result`` (the panel and network ones where recorded) and ``manifest.json``."""
    # start-up time: NetworkX and the model's actors load where a run is written (the run loaded them), not with
    # this module, which the batch runner imports to plan
    from abm.observe.network import write_graphml

    out = Path(out)
    paths = []
    tables = {name: getattr(result, name) for name in (*TABLES, *SNAPSHOT_TABLES)}
    for name, df in tables.items():
        if df is None:
            continue
        path = out / f"{name}.parquet"
        frame = analysis_frame(df)
        write_parquet(frame, path, file_metadata(name, list(frame.columns), result.manifest))
        paths.append(path)
    for month, graph in (result.graphs or {}).items():
        path = out / "network" / f"month_{month:04d}.graphml"
        atomic_write(path, lambda tmp, g=graph: write_graphml(g, tmp))
        paths.append(path)
    manifest = out / "manifest.json"
    text = json.dumps(result.manifest, indent=2, sort_keys=True, default=str)
    atomic_write(manifest, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    paths.append(manifest)
    return paths


def read_run(folder: str | Path) -> dict[str, pd.DataFrame | dict]:
    """Load a run folder written by :func:`write_run`: its tables (those present) and the manifest."""
    folder = Path(folder)
    names = [n for n in (*TABLES, *SNAPSHOT_TABLES) if (folder / f"{n}.parquet").exists()]
    data: dict[str, pd.DataFrame | dict] = {name: pd.read_parquet(folder / f"{name}.parquet") for name in names}
    data["manifest"] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data
