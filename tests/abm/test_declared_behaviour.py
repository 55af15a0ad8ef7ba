"""The behavioural numbers issue 31 declared as parameters change what the model does when set.

Each test runs one small world twice with the same seed (paired: the same draws in both arms), the
declared default against another value inside the declared range, and checks the mechanism the
parameter belongs to responds: trust (the honesty floor), markets (the loyal buyers' share under price
discrimination) and institutions (a cooperative's cash reserve before it invests).
"""

from __future__ import annotations

import pandas as pd

from abm.core.params import Parameters, declarations
from abm.model import RuralEconomy

FARMERS = 2000
MONTHS = 36
SEED = 3


def _series(**overrides) -> pd.DataFrame:
    """The monthly measures of a small world run for three years with the given parameters (fixed seed)."""
    model = RuralEconomy(parameters=Parameters(farmers=FARMERS, **overrides), seed=SEED)
    for _ in range(MONTHS):
        model.step()
    return model.datacollector.get_model_vars_dataframe()


def _last_year(frame: pd.DataFrame, name: str) -> float:
    return float(frame[name].iloc[-12:].mean())


def test_a_lower_honesty_floor_brings_fraud_under_acquaintance_trust() -> None:
    """At the default floor no seller lies where detection is 0.45; at 0.4 some expect a gain and over-claim."""
    honest = _series(trust_mechanism="acquaintance")
    tempted = _series(trust_mechanism="acquaintance", honesty_floor=0.4)
    assert _last_year(honest, "fraud_rate") == 0.0
    assert _last_year(tempted, "fraud_rate") > 0.05


def test_more_loyal_buyers_under_price_discrimination_cost_more_consumer_trust() -> None:
    """The markup loyal buyers notice lowers their trust: the larger the loyal share, the lower consumers' trust."""
    few = _series(price_discrimination=0.3, loyal_share=0.2)
    many = _series(price_discrimination=0.3, loyal_share=0.8)
    assert _last_year(many, "consumer_trust") < _last_year(few, "consumer_trust") - 0.05


def test_a_smaller_reserve_lets_cooperatives_brand_from_their_fees() -> None:
    """With a cheap brand, cooperatives keeping three times its cost brand a year or more later than at once.

    Branded produce then appears in the market only where they brand at once (within three years).
    """
    prudent = _series(coop_brand_cost=50_000.0, coop_branded=0.0)  # none branded at the start
    bold = _series(coop_brand_cost=50_000.0, coop_reserve=1.0, coop_branded=0.0)
    assert _first_month(bold, "branded_cooperatives") + 12 <= _first_month(prudent, "branded_cooperatives")
    assert _last_year(prudent, "branded_share") == 0.0 and _last_year(bold, "branded_share") > 0.0


def _first_month(frame: pd.DataFrame, name: str) -> int:
    """The first row where a measure is positive (the number of rows when it never is)."""
    positive = frame[name].to_numpy() > 0
    return int(positive.argmax()) if positive.any() else len(positive)


def test_the_former_constants_are_declared_assumptions_with_their_old_values() -> None:
    """`ruralsim params` lists them as assumptions, at the values the modules held, inside their declared ranges."""
    old = {"honesty_floor": 0.7, "rating_detection": 0.25, "acquaintance_inside": 0.6, "coop_outside_credibility": 0.45,
           "brand_credibility": 0.7, "fraud_inflation": 0.3, "loyal_share": 0.5, "discrimination_notice": 0.6,
           "coop_shipping_share": 0.8, "stock_sale_share": 0.2, "leader_effort_share": 0.3,
           "aspiration_adaptation": 0.05, "trace_fixed_cost": 200.0, "mobilisation_skill": 0.6,
           "mobilisation_sales": 6, "coop_reserve": 3.0, "processing_line_cost": 300_000.0,
           "coop_brand_cost": 200_000.0, "wage_spread": 0.6, "business_spread": 0.9, "property_spread": 1.0,
           "transfer_spread": 0.7}
    found = {d["name"]: d for d in declarations() if d["name"] in old}
    assert set(found) == set(old)
    for name, value in old.items():
        d = found[name]
        assert d["default"] == value and d["source"] == "assumption", name
        assert d["min"] < value < d["max"] and d["group"] and len(d["description"]) > 60, name
    # the brand's worth to buyers, once a module constant (0.5), is now fitted to the Luochuan price fact
    taste = next(d for d in declarations() if d["name"] == "brand_taste_weight")
    assert taste["source"] == "seeds/calibration.toml" and taste["min"] <= taste["default"] <= taste["max"]
