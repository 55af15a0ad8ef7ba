"""Scenario files (TOML or YAML): loading, validation and clear messages for user mistakes."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from abm.inputs import ScenarioError, Whole, parse_text, read_table, reject_non_finite
from abm.params import REGIONS, Parameters, declarations, regional_parameters

__all__ = ["Scenario", "ScenarioError", "load_scenario", "parse_overrides", "parse_scenario", "read_table"]


class Scenario(BaseModel):
    """A named scenario: how long to run, which seed, and the parameter values."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("default", min_length=1, max_length=200, description="Scenario name.")
    description: str = Field("", max_length=10_000, description="What the scenario is for.")
    months: Whole = Field(120, ge=1, le=1200, description="Months to simulate.")
    seed: Whole = Field(42, ge=0, lt=2**63, description="Root seed of the model's random generator.")
    parameters: Parameters = Field(default_factory=Parameters)

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """Return a copy with some parameters replaced, validated like a file."""
        merged = self.parameters.model_dump() | overrides
        return self.model_copy(update={"parameters": validate_parameters(merged, origin="override")})


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


SCENARIO_FIELDS_ALLOWED = {
    "name": "text of 1 to 200 characters", "description": "text of at most 10,000 characters",
    "months": "a whole number from 1 to 1200", "seed": "a whole number from 0 to 2**63 - 1",
    "parameters": "a table of declared parameters (see `ruralsim params`)",
}


def format_validation_error(err: ValidationError, origin: str, prefix: str = "") -> str:
    """Turn pydantic's error into lines naming the field, the value given and what is allowed."""
    lines = [f"{origin}: invalid scenario"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
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
    return ", ".join(Scenario.model_fields)


def validate_parameters(values: dict[str, Any], origin: str) -> Parameters:
    """Validate a dict of parameter values strictly (no text or true/false read as numbers)."""
    reject_non_finite({"parameters": values}, origin, allowed_values)
    try:
        return Parameters.model_validate(values, strict=True)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, origin, prefix="parameters.")) from None


def parse_scenario(data: dict[str, Any], origin: str) -> Scenario:
    """Validate the parsed content of a scenario file."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: a scenario file must be a table of keys, got {type(data).__name__}")
    reject_non_finite(data, origin, allowed_values)
    try:
        return Scenario.model_validate(data, strict=True)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, origin)) from None


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load a scenario file, a packaged scenario by name, or the embedded default when None."""
    if path is None:
        path = "default"
    p = Path(path)
    if not p.exists() and p.suffix == "":
        packaged = resources.files("experiments") / "scenarios" / f"{p.name}.toml"
        if packaged.is_file():
            origin = f"{p.name}.toml"
            return parse_scenario(parse_text(packaged.read_text(encoding="utf-8"), ".toml", origin), origin)
        names = ", ".join(packaged_scenarios())
        raise ScenarioError(f"{path}: no such file or packaged scenario; packaged: {names}")
    return parse_scenario(read_table(p), str(p))


def packaged_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("experiments") / "scenarios"
    return sorted(f.name.removesuffix(".toml") for f in folder.iterdir() if f.name.endswith(".toml"))


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """Parse ``NAME=VALUE`` strings (values read as TOML literals, else as text).

    A regional parameter may be named ``STEM.REGION`` as well as ``STEM_REGION`` (``g5.west`` is ``g5_west``).
    """
    known = {d["name"] for d in declarations()}
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ScenarioError(f"--set {item!r}: expected NAME=VALUE")
        name, raw = (s.strip() for s in item.split("=", 1))
        stem, dot, region = name.rpartition(".")
        if dot and stem in regional_parameters() and region in REGIONS:
            name = regional_parameters()[stem][REGIONS.index(region)]
        if name not in known:
            raise ScenarioError(f"--set {name}: unknown parameter; see `ruralsim params` for the declared names")
        if name in out:
            raise ScenarioError(f"--set {name}: given twice; allowed: each parameter once")
        try:
            out[name] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            out[name] = raw
    return out
