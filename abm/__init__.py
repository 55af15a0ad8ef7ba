"""The world and the model: grid, parameters, market, logistics, ledger, translation, metrics."""

__version__ = "0.1.0"


def code_digest() -> str:
    """A hash of the model's source (``abm`` and ``agents``): runs made by other code never count as done."""
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("abm", "agents"):
        for path in sorted((root / package).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


#: the packages a run's numbers depend on (their versions go into every run's and experiment's manifest)
NUMERICAL_STACK = ("numpy", "numba", "llvmlite", "scipy", "pandas", "pyarrow", "mesa")


def stack_versions() -> dict[str, str]:
    """Python's and the numerical stack's versions, as installed (``constraints.txt`` pins the tested ones)."""
    import platform
    from importlib import metadata

    return {"python": platform.python_version(), **{name: metadata.version(name) for name in NUMERICAL_STACK}}
