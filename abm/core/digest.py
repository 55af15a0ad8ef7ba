"""What a run's numbers depend on: the model's source and the numerical stack's versions.

A hash of the source makes runs made by other code never count as done; the versions go into every
run's and experiment's manifest.
"""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path

#: the packages whose every module, in every subfolder, is model code
MODEL_PACKAGES = ("abm", "agents")
#: the project root (the folder holding ``abm/`` and ``agents/``)
ROOT = Path(__file__).resolve().parents[2]
#: the packages a run's numbers depend on (their versions go into every run's and experiment's manifest)
NUMERICAL_STACK = ("numpy", "numba", "llvmlite", "scipy", "pandas", "pyarrow", "mesa")


def code_digest(root: Path = ROOT) -> str:
    """A 16-hex-digit hash of every ``.py`` file under ``abm/`` and ``agents/`` (paths and contents).

    Files are read recursively in sorted order of their path relative to ``root``, so a mechanism
    in any subfolder is covered and moving a file changes the digest.
    """
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stack_versions() -> dict[str, str]:
    """Python's and the numerical stack's versions, as installed (``constraints.txt`` pins the tested ones)."""
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in NUMERICAL_STACK}}
