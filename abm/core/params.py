"""Every model parameter, declared once: name, unit, range, default and source.

Scenario files, the CLI's ``--set``, the Solara sliders, the sensitivity-analysis problem and
the parameter table in ``docs/ODD.md`` are all derived from :class:`Parameters`, which assembles
the declarations of the ``params_*.py`` modules (world, market, behaviour, policy); how one is
declared is :mod:`abm.core.declare`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, ValidationInfo, field_validator

from abm.core.declare import (
    ASSUMPTION,
    CALIBRATION,
    DEVELOPMENT_MODELS,
    GROUPS,
    REGIONS,
    SHOCKS,
    TRUST_MECHANISMS,
    calibrated,
    param,
    regional,
)
from abm.core.params_behaviour import BehaviourParameters
from abm.core.params_livelihood import LivelihoodParameters
from abm.core.params_market import MarketParameters
from abm.core.params_policy import PolicyParameters
from abm.core.params_world import WorldParameters
from abm.core.values import plain_value

__all__ = ["ASSUMPTION", "CALIBRATION", "DEVELOPMENT_MODELS", "GROUPS", "REGIONS", "SHOCKS", "TRUST_MECHANISMS",
           "Parameters", "calibrated", "declarations", "in_region", "numeric_declarations", "param", "regional",
           "regional_parameters"]


# pydantic orders the fields from the last base to the first: world, market, behaviour, livelihoods, policy (the
# declaration order every derived table and design keeps)
class Parameters(PolicyParameters, LivelihoodParameters, BehaviourParameters, MarketParameters, WorldParameters):
    """The declared parameters of the rural e-commerce model (flat, so any can be swept)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_values(cls, value: Any, info: ValidationInfo) -> Any:
        """Take numpy's scalars and whole floats as what they stand for (``abm.core.values.plain_value``).

        The EMA Workbench, SALib, pandas rows and ``np.arange`` hand over ``np.int64(125)`` or
        ``40.0`` for a whole-number parameter; strings, bools as numbers and NaN are still refused.
        """
        return plain_value(value, whole=cls.model_fields[info.field_name].annotation is int)


def declarations() -> list[dict[str, Any]]:
    """Return every parameter's declaration as plain dicts (name, type, unit, range, default, source, plausible, group).

    A regional parameter's field also names its parameter (``regional``), its region and the meaning's template.
    """
    rows = []
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra or {}
        lo = hi = None
        for meta in field.metadata:
            lo = getattr(meta, "ge", lo)
            hi = getattr(meta, "le", hi)
        kind = type(field.default).__name__ if "choices" not in extra else "choice"
        rows.append({
            "name": name, "type": kind, "unit": extra.get("unit", ""), "min": lo, "max": hi,
            "default": field.default, "choices": extra.get("choices"), "source": extra.get("source", ""),
            "description": field.description or "", "plausible": extra.get("plausible"), "group": extra.get("group"),
            "regional": extra.get("regional"), "region": extra.get("region"),
            "regional_doc": extra.get("regional_doc"),
        })
    return rows


def regional_parameters() -> dict[str, tuple[str, ...]]:
    """Each regional parameter's name and its flat fields in :data:`REGIONS` order, in declaration order."""
    out: dict[str, list[str]] = {}
    for d in declarations():
        if d["regional"]:
            out.setdefault(d["regional"], []).append(d["name"])
    return {name: tuple(fields) for name, fields in out.items()}


def in_region(region: str, *names: str) -> tuple[str, ...]:
    """The flat field names of some regional parameters in one region (``in_region("west", "g5")``: ``g5_west``)."""
    fields = regional_parameters()
    return tuple(fields[name][REGIONS.index(region)] for name in names)


def numeric_declarations() -> list[dict[str, Any]]:
    """Return the declarations of the parameters that can be sampled over a numeric range."""
    return [d for d in declarations() if d["type"] in ("float", "int") and d["min"] is not None]
