"""The policy parameters: development model and shocks, government instruments, east-west cooperation.

Part of :class:`abm.core.params.Parameters` (declared as :mod:`abm.core.declare` describes).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from abm.core.declare import ASSUMPTION, DEVELOPMENT_MODELS, SHOCKS, param


class PolicyParameters(BaseModel):
    """The policies: development model, shocks, government instruments and east-west cooperation."""

    # --- development model and shocks (translation) ------------------------------------------
    development_model: Literal["baseline", "platform", "government_brand", "livestream"] = param(
        "baseline", "choice", None, None, "004", "Which actor is the obligatory passage point.",
        choices=DEVELOPMENT_MODELS, group="policy")
    shock: Literal["none", "commission_hike", "logistics_exit"] = param(
        "none", "choice", None, None, ASSUMPTION, "A temporary shock to the network.", choices=SHOCKS, group="shock")
    shock_start: int = param(36, "month", 0, 1200, ASSUMPTION, "First month of the shock.", group="shock")
    shock_months: int = param(12, "months", 0, 1200, ASSUMPTION, "Duration of the shock.", group="shock")
    commission_hike: float = param(0.25, "share of revenue", 0.0, 0.8, ASSUMPTION,
                                   "Rise of every platform's commission during a commission_hike shock.", group="shock")

    # --- government instruments (experiment 2) -----------------------------------------------
    budget_cold_chain: float = param(0.0, "yuan/year", 0.0, 1e10, ASSUMPTION,
                                     "Cold-chain capex subsidy budget.", group="policy")
    cold_chain_subsidy_rate: float = param(0.4, "share of capex", 0.0, 1.0, "003 (at least 40%)",
                                           "Share of cold-chain investment the subsidy pays.", group="instruments")
    cold_chain_capex: float = param(400_000.0, "yuan/village", 0.0, 1e8, ASSUMPTION,
                                    "Investment to bring one village's cold-chain coverage to full.",
                                    group="instruments")
    budget_logistics: float = param(0.0, "yuan/year", 0.0, 1e10, ASSUMPTION,
                                    "Logistics operation subsidy budget (per kg shipped, remote first).",
                                    group="policy")
    logistics_subsidy_per_kg: float = param(0.3, "yuan/kg", 0.0, 5.0, ASSUMPTION,
                                            "Subsidy per kg shipped from eligible villages.", group="instruments")
    budget_broadband: float = param(0.0, "yuan/year", 0.0, 1e10, ASSUMPTION,
                                    "Broadband and 5G roll-out budget.", group="policy")
    g5_cost_per_village: float = param(300_000.0, "yuan/village", 0.0, 1e8, ASSUMPTION,
                                       "Cost of bringing 5G to one village.", group="instruments")
    budget_training: float = param(0.0, "yuan/year", 0.0, 1e10, ASSUMPTION,
                                   "Training budget (500-hour certification).", group="policy")
    training_cost: float = param(3000.0, "yuan/trainee", 0.0, 100_000.0, ASSUMPTION,
                                 "Cost of certifying one trainee.", group="instruments")
    training_skill_gain: float = param(0.25, "skill", 0.0, 1.0, ASSUMPTION,
                                       "Skill a certified trainee gains.", group="instruments")
    budget_talent: float = param(0.0, "yuan/year", 0.0, 1e10, "000",
                                 "Talent-title allowance budget.", group="policy")
    households_per_real_county: int = param(
        100_000, "households", 1_000, 10_000_000,
        "assumption: about 150 million rural households (NBS; 491 million residents / 3.27) over 1,500-1,900 "
        "county-level units with a rural population",
        "Households of a real county: source 000's talent-title sales thresholds are scaled by a model county's "
        "households (county_size^2 x households_per_village) over it.", group="instruments")
    budget_returnee: float = param(0.0, "yuan/year", 0.0, 1e10, "000",
                                   "Returnee start-up support budget (interest subsidy).", group="policy")
    returnee_support: float = param(50_000.0, "yuan/returnee", 0.0, 500_000.0, "000 (up to 500k loans)",
                                    "Interest subsidy and tax relief value per supported returnee.",
                                    group="instruments")
    budget_brand: float = param(0.0, "yuan/year", 0.0, 1e10, ASSUMPTION, "Brand-award budget.", group="policy")
    brand_award: float = param(200_000.0, "yuan/award", 0.0, 1e7, "003 (up to 200k)",
                               "One brand award, which registers a cooperative or regional brand.", group="instruments")
    unspent_rule: Literal["return", "carry"] = param(
        "return", "choice", None, None, ASSUMPTION,
        "Unspent budget at year end: returned to the treasury or carried into next year.",
        choices=("return", "carry"), group="policy")

    # --- east-west cooperation (experiment 3) ------------------------------------------------
    fund_rate: float = param(0.0, "share of sales", 0.0, 0.2, "003 (1% proposed)",
                             "Share of western sales through eastern platforms returned to the origin fund.",
                             group="policy")
    fund_rule: Literal["mixed", "brand", "processing", "cold_chain", "training"] = param(
        "mixed", "choice", None, None, ASSUMPTION,
        "How the fund is spent in the west: mixed (40% brands, 20% each processing, cold chain, training) or all on one use.",
        choices=("mixed", "brand", "processing", "cold_chain", "training"), group="policy")
    pairing: bool = param(False, "on/off", None, None, "000",
                          "Eastern counties paired with western ones (training, market access).", group="policy")
    pairing_boost: float = param(0.0, "utils", 0.0, 3.0, ASSUMPTION,
                                 "Extra ranking boost paired western sellers get on eastern platforms (0: pairing acts "
                                 "through its training and purchases alone; 0.3 before issue 30 carried 85% of its "
                                 "western gain).", group="instruments")
    pairing_purchases: float = param(1_000_000.0, "yuan/year per pair", 0.0, 1e9, ASSUMPTION,
                                     "Consumption assistance: what the eastern partner's canteens, unions and firms buy "
                                     "online from a paired western county's sellers each year, at market prices (a "
                                     "model county has 1,250 households: budgets scale by households from a county "
                                     "programme; plausibly 0.2-5 M).", group="instruments")
    pairing_cost: float = param(2_000_000.0, "yuan/year per pair", 0.0, 1e9, ASSUMPTION,
                                "What pairing costs the eastern partner county each year.", group="instruments")
