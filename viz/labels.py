"""Names, units and number format of the page: one place that says how an outcome or value is shown.

Titles and units of outcomes come from the project's outcome registry (:mod:`abm.measure.outcomes`). Numbers have one format everywhere:
thousands separated, at most four significant digits, no exponent.
"""

from __future__ import annotations

import math

from experiments import figures


def outcome_title(name: str) -> str:
    """An outcome's title, from the outcome registry (the name in words when it is not registered)."""
    return figures.outcome_label(name)[0]


def outcome_unit(name: str) -> str:
    """An outcome's unit, from the outcome registry ("" when it has none)."""
    return figures.outcome_label(name)[1]


def number(value: float, digits: int = 4) -> str:
    """A number for people: ``31,355``, ``0.1234``, ``1.095M``, ``-5,271``; never an exponent.

    Whole and large numbers get thousands separators; others ``digits`` significant digits.
    """
    value = float(value)
    if not math.isfinite(value):
        return "-" if math.isnan(value) else ("∞" if value > 0 else "-∞")
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:,.{digits}g}M" if size < 1e9 else f"{value / 1e9:,.{digits}g}B"
    if size >= 1000 or value.is_integer():
        return f"{value:,.0f}"
    if size == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def with_unit(value: float, unit: str) -> str:
    """A value and its unit; shares of something as percentages (``16.8% of households``)."""
    if unit.startswith("share of ") and math.isfinite(float(value)):
        return f"{100 * float(value):.1f}% of {unit.removeprefix('share of ')}"
    return f"{number(value)} {unit}".strip()
