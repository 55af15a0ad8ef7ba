"""The tables of fixed values by entity: crops, consumer segments, trust mechanisms, development models, ...

Each table is read from the code that uses it (a module constant, or a mechanism object built as the
model builds it), so the ODD's tables (:func:`abm.fixed_values.fixed_value_tables`) follow the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from abm.core import crops
from abm.core.params import REGIONS, TRUST_MECHANISMS, Parameters
from abm.development.strategies import DEVELOPMENT_MODELS, DevelopmentModel
from abm.eastwest.fund import FUND_RULES, FUND_USES
from abm.trust.mechanisms import mechanism
from agents import consumers
from agents.government import TITLES
from agents.platform import PLATFORM_TERMS


def crop_table() -> tuple[list[str], list[list[Any]]]:
    """The crop table (abm/core/crops.py): one row per crop."""
    calendar = crops.harvest_calendar()
    header = ["crop", "fresh", "storable", "processable", "base price (yuan/kg)", "yield (kg/household/year)",
              "perishability (x fruit)", "home share", "harvest months", "villages west / centre / east"]
    rows = []
    for c, name in enumerate(crops.CROPS):
        months = ", ".join(str(m + 1) for m in np.flatnonzero(calendar[c]))
        rows.append([name, bool(crops.FRESH[c]), bool(crops.STORABLE[c]), bool(crops.PROCESSABLE[c]),
                     crops.BASE_PRICE[c], crops.YIELD_KG[c], crops.PERISHABILITY[c], crops.HOME_SHARE[c], months,
                     crops.REGION_CROP_MIX[:, c]])
    return header, rows


def segment_table() -> tuple[list[str], list[list[Any]]]:
    """The urban consumer segments (agents/consumers.py)."""
    header = ["segment", "share of the online budget", "price-sensitivity multiplier", "taste for brand"]
    rows = [[name, consumers.BUDGET_SHARE[s], consumers.PRICE_SENSITIVITY[s], consumers.TASTE[s]]
            for s, name in enumerate(consumers.SEGMENTS)]
    return header, rows


def calendar_table() -> tuple[list[str], list[list[Any]]]:
    """The shopping calendar (agents/consumers.py): each month's online budget relative to the mean month."""
    header = ["month of the year", *(str(m) for m in range(1, 13))]
    return header, [["factor", *(round(float(v), 4) for v in consumers.SHOPPING_CALENDAR)]]


def _mechanism(name: str, **overrides: Any) -> Any:
    """The trust mechanism ``name`` built as the model builds it (default parameters, ``overrides`` applied)."""
    return mechanism(Parameters(trust_mechanism=name, **overrides))


def trust_table() -> tuple[list[str], list[list[Any]]]:
    """The four trust mechanisms (abm/trust/mechanisms.py), as built: credibility, cold start, detection, penalty.

    Detection and the penalty floor are read by building each mechanism at two settings of
    ``dispute_speed`` and at ``fraud_penalty = 0``: detection = base + slope x dispute_speed, penalty =
    max(fraud_penalty, floor). Entries that are declared parameters show their defaults: acquaintance's
    credibility inside the region (``acquaintance_inside``) and the ratings' detection (``rating_detection``).
    """
    header = ["mechanism", "credibility inside the region", "outside (no rating)", "newcomer prior rating",
              "prior weight (months of sales)", "ratings count", "detection (at dispute_speed 0)",
              "detection per dispute_speed", "penalty floor (x gain)", "traceability offered"]
    rows = []
    for name in TRUST_MECHANISMS:
        m, at_zero, at_one = _mechanism(name), _mechanism(name, dispute_speed=0.0), _mechanism(name, dispute_speed=1.0)
        floor = _mechanism(name, fraud_penalty=0.0).penalty
        rows.append([name, m.inside, m.outside, m.prior, m.prior_weight, m.uses_ratings, at_zero.detection,
                     round(at_one.detection - at_zero.detection, 12), floor, m.traceable])
    return header, rows


#: the interessement devices a village may offer: name -> (argument of village_incentives, when it is offered)
_DEVICES = {"station": (0, "the village has a service station"),
            "platform_recruiter": (1, "platform-driven model: the village has broadband"),
            "new_farmer": (2, "livestream model: a new farmer lives in the village"),
            "public_brand": (3, "government-brand model: the village sells under the public brand"),
            "pairing": (4, "the village's county is paired with an eastern partner")}


def incentive_weights() -> dict[str, float]:
    """Weight of each village interessement device (abm/development/strategies.py), probing one device at a time."""
    every = DevelopmentModel("probe", platform_recruits=True, public_brand=True, new_farmers_lead=True)
    weights = {}
    for name, (position, _) in _DEVICES.items():
        args = [np.zeros(1) for _ in range(5)]
        args[position] = np.ones(1)
        weights[name] = float(every.village_incentives(*args)[0])
    return weights


def incentive_table() -> tuple[list[str], list[list[Any]]]:
    """The interessement devices, their weights in the hazard and when each is offered.

    The household's own training is added in the transition (abm/translation/transitions.py), with weight 1.
    """
    rows = [["training", 1.0, "the household is trained (its own device: the 0/1 flag enters the sum as it is)"]]
    rows += [[name, weight, _DEVICES[name][1]] for name, weight in incentive_weights().items()]
    return ["device", "weight", "offered where"], rows


def development_table() -> tuple[list[str], list[list[Any]]]:
    """The development models (abm/development/strategies.py): recruiters, brand, new farmers, pace of mobilisation."""
    header = ["model", "platform recruits", "public brand", "new farmers lead", "mobilisation x",
              "new farmers seeded (share of 5G-village households)"]
    rows = [[d.name, d.platform_recruits, d.public_brand, d.new_farmers_lead, d.mobilisation_factor, d.seed_share]
            for d in DEVELOPMENT_MODELS.values()]
    return header, rows


def platform_table() -> tuple[list[str], list[list[Any]]]:
    """The platforms (agents/platform.py): home region, kind and share of the shop sellers."""
    header = ["platform", "home region", "livestream", "share of shop sellers"]
    rows = [[name, REGIONS[region], live, share] for name, (region, live, share) in PLATFORM_TERMS.items()]
    return header, rows


def title_table() -> tuple[list[str], list[list[Any]]]:
    """The talent titles (agents/government.py, source 000): thresholds and allowances."""
    header = ["title", "yearly online sales at least (yuan)", "households lifted at least",
              "allowance (yuan/month)"]
    rows = [[name, *TITLES[k]] for k, name in enumerate(("senior", "middle", "junior"))]
    return header, rows


def fund_table() -> tuple[list[str], list[list[Any]]]:
    """The east-west fund's allocation rules (abm/eastwest/fund.py): share of the balance to each use."""
    header = ["fund_rule", *FUND_USES]
    return header, [[rule, *(shares[u] for u in FUND_USES)] for rule, shares in FUND_RULES.items()]


#: every table of fixed values: name -> (builder, where it is read from)
TABLES: dict[str, tuple[Callable[[], tuple[list[str], list[list[Any]]]], str]] = {
    "crops": (crop_table, "abm.core.crops"),
    "segments": (segment_table, "agents.consumers"),
    "calendar": (calendar_table, "agents.consumers"),
    "trust": (trust_table, "abm.trust.mechanisms"),
    "incentives": (incentive_table, "abm.development.strategies"),
    "development": (development_table, "abm.development.strategies"),
    "platforms": (platform_table, "agents.platform"),
    "titles": (title_table, "agents.government"),
    "fund": (fund_table, "abm.eastwest.fund"),
}
