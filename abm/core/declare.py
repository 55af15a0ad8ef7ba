"""How a model parameter is declared: its unit, range, default, source and mechanism group.

The declarations themselves are in the ``abm/core/params_*.py`` modules, one per part of the
model, assembled into one :class:`abm.core.params.Parameters`. A regional parameter is one
declaration (:func:`regional`) of one flat field per region (``g5_west``, ``g5_centre``,
``g5_east``), so every consumer can treat it as one parameter or as three.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from pydantic import Field

REGIONS = ("west", "centre", "east")
CALIBRATION = "seeds/calibration.toml"
ASSUMPTION = "assumption"
_CALIBRATED: dict[str, Any] = tomllib.loads(
    (resources.files("seeds") / "calibration.toml").read_text(encoding="utf-8"))["values"]


def calibrated(name: str) -> Any:
    """The calibrated default of a free parameter, from the calibration record (`ruralsim calibrate`)."""
    return _CALIBRATED[name]


#: the mechanism each parameter belongs to (``group``), and what the mechanism is: the drivers analysis
#: (``ruralsim drivers``) screens the groups of behavioural assumptions together, one Morris factor each
GROUPS = {
    "scale": "size and layout of the world (households, villages, counties)",
    "geography": "distances: between villages and from county hubs to the trunk network",
    "endowments": "infrastructure and schooling at the start: cold chain, 5G, broadband, stations, training",
    "household_income": "household size and the income a household earns besides farming (its cap, the local day "
                        "wage), and its growth",
    "cooperatives": "where cooperatives exist, who joins and leaves, their brands, processing and fees",
    "prices": "what bulk traders and online buyers pay, brand, quality and processing premiums, production cost",
    "platforms": "platform commission, the reach of livestream sellers and the loyal buyers price "
                 "discrimination reaches",
    "logistics": "shipping cost by distance and weight, a bulk trader's haulage, the service stations' parcel saving, "
                 "cold-chain surcharge, transit loss",
    "demand": "urban online budget and its growth, delivery's weight, the outside option, substitution, residual "
              "price elasticity, the rest of the nation's supply, price adjustment",
    "trust": "how buyers' trust forms and what detection, penalties and traceability cost",
    "diffusion": "how households come to sell online: initial adopters and the translation hazards",
    "farmer_decisions": "channel choice, the cost of selling online, learning, and when actors defect",
    "livelihoods": "online shops beyond one's own produce, members coming back from migrant work to run them, "
                   "carriers' discount in busy villages, and what households save buying online",
    "instruments": "what each instrument costs and does per unit (capex, per-kg subsidy, training, awards, pairing, "
                   "talent-title thresholds)",
    "policy": "the policy levers an experiment sets: trust mechanism, budgets, fund, pairing, platform practice",
    "shock": "the optional temporary shock to the network",
}


def param(default: Any, unit: str, lo: float | None, hi: float | None, source: str, doc: str,
          *, choices: tuple[str, ...] | None = None, plausible: tuple[float, float, str] | None = None,
          group: str | None = None) -> Any:
    """Declare one parameter with its unit, allowed range, source, one-line meaning and mechanism group.

    A free parameter (source :data:`CALIBRATION`) also declares ``plausible=(lo, hi, reason)``: the
    narrower range a calibration searches, and why it is plausible for a Chinese rural province.
    ``group`` names its mechanism, one of :data:`GROUPS` (every parameter has one; a test checks it).
    """
    extra: dict[str, Any] = {"unit": unit, "source": source, "group": group}
    if choices is not None:
        extra["choices"] = list(choices)
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra=extra)


#: the words a regional parameter's meaning may use for its region: ``{region}`` (west), ``{regional}`` (western)
#: and ``{Regional}`` (Western)
_REGION_WORDS = {region: {"region": region, "regional": adjective, "Regional": adjective.capitalize()}
                 for region, adjective in zip(REGIONS, ("western", "central", "eastern"), strict=True)}


def regional(namespace: dict[str, Any], name: str, defaults: tuple[float, float, float], unit: str, lo: float,
             hi: float, source: str | tuple[str, str, str], doc: str, *,
             plausible: tuple[tuple[float, float, str], ...] | None = None, group: str | None = None) -> None:
    """Declare one regional parameter: the fields ``NAME_west``, ``NAME_centre`` and ``NAME_east``.

    Called in the body of a parameters class with ``locals()`` (a class body's namespace), it adds
    one float field per region with the unit and range, the region's default, source (one for all
    or one per region), plausible range (per region), mechanism group and the meaning ``doc`` with
    the region's words filled in; each field records ``regional=NAME``, from which sliders, SALib
    groups and the ODD table gather the three.
    """
    sources = (source,) * len(REGIONS) if isinstance(source, str) else source
    for k, region in enumerate(REGIONS):
        field = param(defaults[k], unit, lo, hi, sources[k], doc.format(**_REGION_WORDS[region]),
                      plausible=plausible[k] if plausible else None, group=group)
        field.json_schema_extra |= {"regional": name, "region": region, "regional_doc": doc}
        namespace["__annotations__"][f"{name}_{region}"] = float
        namespace[f"{name}_{region}"] = field


TRUST_MECHANISMS = ("acquaintance", "reputation", "dual", "blockchain")
DEVELOPMENT_MODELS = ("baseline", "platform", "government_brand", "livestream")
SHOCKS = ("none", "commission_hike", "logistics_exit")
#: the government's instruments, each with a yearly budget parameter ``budget_<instrument>`` (:mod:`agents.government`)
INSTRUMENTS = ("cold_chain", "logistics", "broadband", "training", "talent", "returnee", "brand")
