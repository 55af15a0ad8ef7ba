"""Scenario files (TOML or YAML): loading, validation and clear messages for user mistakes."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from abm.core.params import REGIONS, Parameters, declarations, regional_parameters
from abm.core.checks import (SCENARIO_FIELDS_ALLOWED, ScenarioError, allowed_values, format_validation_error,
                             reject_non_finite, validate_parameters)
from abm.core.values import Whole
from abm.io.inputs import parse_text, read_table

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
