"""The analysis notebooks run top to bottom at a tiny size, and are stored without outputs.

Each notebook's first code cell is tagged ``parameters`` and holds its size (households, months,
replicates, ...). The test inserts a cell after it that sets tiny values, as papermill does, and runs
the notebook with nbclient in a temporary folder, so its results never land in the repository.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["quickstart", "trust", "subsidies", "eastwest", "sensitivity", "policy_design"]
#: tiny sizes for every notebook (a name is only set where the parameters cell defines it)
TINY = {"FARMERS": 1500, "MONTHS": 24, "REPLICATES": 2, "WORKERS": 2}
#: per-notebook changes to TINY
EXTRA = {"sensitivity": {"REPLICATES": 1, "SOBOL_N": 4, "MORRIS_R": 2}}


def read(name: str) -> nbformat.NotebookNode:
    """A stored notebook."""
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def parameters_cell(nb: nbformat.NotebookNode) -> tuple[int, set[str]]:
    """Index of the cell tagged ``parameters`` (the first code cell) and the names it assigns."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    tagged = [i for i in code if "parameters" in nb.cells[i].metadata.get("tags", [])]
    assert tagged == code[:1], "the first code cell, and only it, must be tagged 'parameters'"
    tree = ast.parse(nb.cells[tagged[0]].source)
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
             if isinstance(t, ast.Name)}
    return tagged[0], names


def with_parameters(nb: nbformat.NotebookNode, values: dict) -> nbformat.NotebookNode:
    """Insert a cell after the parameters cell that overrides the names it defines."""
    index, names = parameters_cell(nb)
    source = "\n".join(f"{k} = {v!r}" for k, v in values.items() if k in names)
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)
    return nb


def test_there_are_six_notebooks() -> None:
    """Every analysis notebook is in notebooks/."""
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    """No outputs or execution counts are committed, and the size is in a parameters cell."""
    nb = read(name)
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}.ipynb cell {k} has outputs"
    _, names = parameters_cell(nb)
    assert "FARMERS" in names and "MONTHS" in names


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_at_a_tiny_size(name: str, tmp_path: Path) -> None:
    """The notebook runs without a cell error, writing its results under a temporary folder."""
    nb = with_parameters(read(name), TINY | EXTRA.get(name, {}))
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert list(tmp_path.rglob("*.png")), "the notebook saves its figures"
