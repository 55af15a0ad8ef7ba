"""Checked parameter values: strict validation whose errors name the field, the value and what is allowed.

Below the model so that ``RuralEconomy(**overrides)`` validates its overrides exactly as a scenario
file is validated (:mod:`abm.io.scenario` reads the files and uses these checks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from abm.core.params import Parameters, declarations
from abm.core.values import whole_value


class ScenarioError(ValueError):
    """A scenario, experiment file, option or parameter override is invalid; the message says why."""


SCENARIO_FIELDS_ALLOWED = {
    "name": "text of 1 to 200 characters", "description": "text of at most 10,000 characters",
    "months": "a whole number from 1 to 1200", "seed": "a whole number from 0 to 2**63 - 1",
    "parameters": "a table of declared parameters (see `ruralsim params`)",
}


def allowed_values(name: str) -> str:
    """Describe what values parameter or scenario field ``name`` allows."""
    if name in SCENARIO_FIELDS_ALLOWED:
        return SCENARIO_FIELDS_ALLOWED[name]
    for d in declarations():
        if d["name"] == name:
            if d["choices"]:
                return "one of " + ", ".join(map(str, d["choices"]))
            if d["min"] is not None:
                return f"{d['type']} from {d['min']} to {d['max']} {d['unit']}".rstrip()
            return d["type"]
    return "a declared parameter (see `ruralsim params`)"


def non_finite(data: Any, where: str = "") -> list[tuple[str, float]]:
    """List ``(dotted.path, value)`` of every NaN or infinite number inside nested dicts and lists."""
    if isinstance(data, float) and not math.isfinite(data):
        return [(where, data)]
    if isinstance(data, dict):
        return [hit for k, v in data.items() for hit in non_finite(v, f"{where}.{k}" if where else str(k))]
    if isinstance(data, list | tuple):
        return [hit for i, v in enumerate(data) for hit in non_finite(v, f"{where}[{i}]")]
    return []


def reject_non_finite(data: Any, origin: str, allowed: Callable[[str], str] | None = None) -> None:
    """Raise :class:`ScenarioError` naming every NaN or infinity in ``data`` (``allowed(field)`` says what is)."""
    hits = non_finite(data)
    if hits:
        lines = [f"  {where} = {value}: not a finite number; allowed: "
                 f"{allowed(where.rsplit('.', 1)[-1]) if allowed else 'finite numbers (no nan or inf)'}"
                 for where, value in hits]
        raise ScenarioError("\n".join([f"{origin}: invalid input", *lines]))


def field_location(loc: Iterable[object]) -> str:
    """A field's dotted location (pydantic's ``loc``): plain keys as they are, odd ones (spaces, newlines) quoted,
    so that a message stays one line per field."""
    parts = [str(p) for p in loc]
    return ".".join(p if p and all(c.isalnum() or c in "_-" for c in p) else repr(p) for p in parts)


def format_validation_error(err: ValidationError, origin: str, prefix: str = "") -> str:
    """Turn pydantic's error into lines naming the field, the value given and what is allowed."""
    lines = [f"{origin}: invalid scenario"]
    for e in err.errors():
        loc = field_location(e["loc"])
        field = loc.split(".")[-1]
        value = e.get("input")
        if e["type"] == "extra_forbidden":
            lines.append(f"  {prefix}{loc}: unknown name (value {value!r}); allowed: {_allowed_names(prefix + loc)}")
        else:
            given = f"{value!r} ({type(value).__name__})" if e["type"].endswith("_type") else repr(value)
            message = e["msg"].removeprefix("Value error, ")
            lines.append(f"  {prefix}{loc} = {given}: {message}; allowed: {allowed_values(field)}")
    return "\n".join(lines)


def _allowed_names(loc: str) -> str:
    """List the names allowed where an unknown key appeared."""
    if loc.startswith("parameters."):
        return "declared parameters (see `ruralsim params`)"
    return ", ".join(SCENARIO_FIELDS_ALLOWED)


def validate_parameters(values: dict[str, Any], origin: str) -> Parameters:
    """Validate a dict of parameter values strictly (no text or true/false read as numbers)."""
    reject_non_finite({"parameters": values}, origin, allowed_values)
    try:
        return Parameters.model_validate(values, strict=True)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, origin, prefix="parameters.")) from None


def seed_value(value: Any, name: str = "seed") -> int:
    """A seed as a Python int: whole numbers of Python or numpy, and whole floats, from 0 to 2**63 - 1.

    Raises:
        ScenarioError: Naming ``name``, the value and what is allowed (text, bools, fractions, NaN,
            infinity and negative numbers are refused).
    """
    given = f"{value!r} ({type(value).__name__})"
    try:
        plain = whole_value(value)
    except ValueError as err:
        raise ScenarioError(f"{name} = {given}: {err}; allowed: {SCENARIO_FIELDS_ALLOWED['seed']}") from None
    if isinstance(plain, bool) or not isinstance(plain, int) or not 0 <= plain < 2**63:
        raise ScenarioError(f"{name} = {given}: not a seed; allowed: {SCENARIO_FIELDS_ALLOWED['seed']}")
    return plain
