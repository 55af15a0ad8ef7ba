"""Write a run's outputs as Parquet files with a JSON manifest, each file written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from abm.simulate import RunResult

TABLES = ("series", "regions", "ledger", "goods")


def atomic_write(path: Path, write) -> None:
    """Write a file through ``write(tmp_path)`` then rename it into place, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame to Parquet atomically (no index, deterministic bytes for equal data)."""
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False, engine="pyarrow"))


def write_run(result: RunResult, out: Path) -> list[Path]:
    """Write ``series``, ``regions``, ``ledger`` and ``goods`` Parquet files and ``manifest.json`` to ``out``."""
    out = Path(out)
    paths = []
    for name in TABLES:
        path = out / f"{name}.parquet"
        write_parquet(getattr(result, name), path)
        paths.append(path)
    manifest = out / "manifest.json"
    text = json.dumps(result.manifest, indent=2, sort_keys=True, default=str)
    atomic_write(manifest, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    paths.append(manifest)
    return paths


def read_run(folder: str | Path) -> dict[str, pd.DataFrame | dict]:
    """Load a run folder written by :func:`write_run`: its four tables and the manifest."""
    folder = Path(folder)
    data: dict[str, pd.DataFrame | dict] = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
    data["manifest"] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data
