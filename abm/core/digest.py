"""A hash of the model's source, so that runs made by other code never count as done."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: the packages whose every module, in every subfolder, is model code
MODEL_PACKAGES = ("abm", "agents")
#: the project root (the folder holding ``abm/`` and ``agents/``)
ROOT = Path(__file__).resolve().parents[2]


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
