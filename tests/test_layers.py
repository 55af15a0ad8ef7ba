"""The layout's rules hold: imports run downhill (import-linter's contracts) and the code digest covers every model file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from abm.core.digest import MODEL_PACKAGES, ROOT, code_digest

CONFIG = ROOT / "pyproject.toml"


def test_every_import_linter_contract_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """`lint-imports` over pyproject.toml's contracts: layers, roles on declarations only, nothing imports viz."""
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == 0


def _model_subfolders() -> list[Path]:
    """Every folder of model code (``abm/``, ``agents/`` and each subfolder) that holds a module."""
    folders = {p.parent for package in MODEL_PACKAGES for p in (ROOT / package).rglob("*.py")}
    return sorted(f.relative_to(ROOT) for f in folders if "__pycache__" not in f.parts)


@pytest.fixture(scope="module")
def model_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of the model's packages (only the ``.py`` files), edited by the test, never the tree."""
    root = tmp_path_factory.mktemp("tree")
    for package in MODEL_PACKAGES:
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return root


def test_the_copy_has_the_same_digest(model_copy: Path) -> None:
    """The digest depends on the files only, not on where the tree lies."""
    assert code_digest(model_copy) == code_digest()


@pytest.mark.parametrize("folder", _model_subfolders(), ids=str)
def test_editing_one_file_in_any_model_folder_changes_the_digest(model_copy: Path, folder: Path) -> None:
    """A mechanism moved into a subfolder still invalidates cached runs when it changes."""
    target = sorted((model_copy / folder).glob("*.py"))[-1]
    before = code_digest(model_copy)
    original = target.read_bytes()
    target.write_bytes(original + b"\n# edited\n")
    try:
        assert code_digest(model_copy) != before
    finally:
        target.write_bytes(original)
    assert code_digest(model_copy) == before


def test_the_folders_checked_include_every_mechanism() -> None:
    """The parametrisation above is not vacuous: it covers the declarations, the mechanisms and the roles."""
    names = {str(f) for f in _model_subfolders()}
    assert {"abm", "abm/core", "abm/market", "abm/channels", "abm/income", "abm/io", "agents"} <= names
