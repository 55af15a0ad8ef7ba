"""Fixtures for the experiment-runner tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from exphelpers import SMALL, write


@pytest.fixture
def small_experiment(tmp_path: Path) -> Path:
    """Two arms (commission 0.03 and 0.12) x 3 replicates, 500 farmers, 12 months."""
    return write(tmp_path, SMALL.format(replicates=3))
