"""The ODD's parameter table is generated from the declarations and must be current."""

from __future__ import annotations

from pathlib import Path

from abm.core.params import REGIONS, Parameters, declarations, regional_parameters
from abm.io.docs import BEGIN, END, OUTCOMES_BEGIN, OUTCOMES_END, parameter_table
from abm.measure.outcomes import outcome_table

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def test_odd_parameter_table_is_current():
    """Regenerate with: python -c "from abm.io.docs import refresh_odd; refresh_odd(Path('docs/ODD.md'))"."""
    text = ODD.read_text(encoding="utf-8")
    table = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert table == parameter_table(), "docs/ODD.md parameter table is stale: run refresh_odd"


def test_every_parameter_has_unit_source_and_meaning():
    """Each declaration carries a unit, a source and a one-line meaning."""
    for d in declarations():
        assert d["unit"] and d["source"] and d["description"], d["name"]


def test_odd_outcome_table_is_current():
    """The ODD's outcome table is the one generated from abm/measure/outcomes.py (regenerate with refresh_odd)."""
    text = ODD.read_text(encoding="utf-8")
    table = text.split(OUTCOMES_BEGIN, 1)[1].split(OUTCOMES_END, 1)[0].strip()
    assert table == outcome_table(), "docs/ODD.md outcome table is stale: run refresh_odd"


def test_every_regional_field_comes_from_one_regional_declaration():
    """A field named for a region belongs to a regional parameter whose three fields share unit, range and shape."""
    decl = {d["name"]: d for d in declarations()}
    fields = regional_parameters()
    for name, d in decl.items():
        if name.rsplit("_", 1)[-1] in REGIONS:
            assert fields[d["regional"]][REGIONS.index(d["region"])] == name
    for name, per_region in fields.items():
        rows = [decl[f] for f in per_region]
        assert per_region == tuple(f"{name}_{r}" for r in REGIONS)
        assert len({(r["unit"], r["min"], r["max"], r["regional_doc"]) for r in rows}) == 1, name


def test_a_regional_parameter_is_one_odd_row_with_a_default_per_region():
    """The ODD table shows g5 once, with the west, centre and east defaults in that order."""
    row = next(line for line in parameter_table().splitlines() if line.startswith("| `g5_"))
    defaults = " / ".join(str(Parameters.model_fields[f"g5_{r}"].default) for r in REGIONS)
    assert row.startswith("| `g5_{west,centre,east}` |") and f"| {defaults} |" in row
    assert "`g5_west`" not in parameter_table()
