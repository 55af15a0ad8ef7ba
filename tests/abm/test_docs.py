"""The ODD's parameter table is generated from the declarations and must be current."""

from __future__ import annotations

from pathlib import Path

from abm.docs import BEGIN, END, OUTCOMES_BEGIN, OUTCOMES_END, parameter_table
from abm.outcomes import outcome_table
from abm.params import declarations

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def test_odd_parameter_table_is_current():
    """Regenerate with: python -c "from abm.docs import refresh_odd; refresh_odd(Path('docs/ODD.md'))"."""
    text = ODD.read_text(encoding="utf-8")
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == parameter_table(), "docs/ODD.md parameter table is stale: run refresh_odd"


def test_every_parameter_has_unit_source_and_meaning():
    """Each declaration carries a unit, a source and a one-line meaning."""
    for d in declarations():
        assert d["unit"] and d["source"] and d["description"], d["name"]


def test_odd_outcome_table_is_current():
    """The ODD's outcome table is the one generated from abm/outcomes.py (regenerate with refresh_odd)."""
    text = ODD.read_text(encoding="utf-8")
    table = text.split(OUTCOMES_BEGIN, 1)[1].split(OUTCOMES_END, 1)[0].strip()
    assert table == outcome_table(), "docs/ODD.md outcome table is stale: run refresh_odd"
