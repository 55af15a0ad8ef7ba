"""The actors' parameters: farmer decisions and diffusion, the trust mechanism and platform practice.

Part of :class:`abm.core.params.Parameters` (declared as :mod:`abm.core.declare` describes).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from abm.core.declare import ASSUMPTION, CALIBRATION, REGIONS, TRUST_MECHANISMS, calibrated, param, regional


class BehaviourParameters(BaseModel):
    """The actors: how farmers choose and come to sell online, and how buyers' trust and fraud work."""

    # --- farmer decisions and diffusion (translation hazards) --------------------------------
    choice_sensitivity: float = param(3.0, "per log yuan", 0.0, 20.0, ASSUMPTION,
                                      "Logit sensitivity of the channel choice to expected net price.",
                                      group="farmer_decisions")
    channel_inertia: float = param(0.5, "log-odds", 0.0, 5.0, ASSUMPTION,
                                   "Bonus for staying with last month's channel.", group="farmer_decisions")
    stock_sale_share: float = param(0.2, "share of stock a month", 0.1, 0.4, ASSUMPTION,
                                    "Share of a storable crop's stock a household offers each month, times the "
                                    "shopping calendar (more before Double 11 and the Spring Festival). Plausibly "
                                    "0.1-0.4: a store that lasts from about two to about ten months.",
                                    group="farmer_decisions")
    leader_effort_share: float = param(0.3, "share of effort", 0.1, 0.7, ASSUMPTION,
                                       "Share of the online effort cost a follower pays when it sells through a new "
                                       "farmer's livestream (the host does the streaming). Plausibly 0.1-0.7: from "
                                       "handing produce over to packing and answering buyers oneself.",
                                       group="farmer_decisions")
    regional(locals(), "initial_online", tuple(calibrated(f"initial_online_{r}") for r in REGIONS),
             "share of farmers", 0.0, 1.0, CALIBRATION, "{Regional} farmers already selling online at the start.",
             plausible=((0.01, 0.08, "a few per cent of western households online at the start"),
                        (0.02, 0.12, "central start between the west's and the east's"),
                        (0.04, 0.25, "eastern households online at the start, up to a quarter")), group="diffusion")
    initial_reached: float = param(0.6, "share of households", 0.0, 1.0, ASSUMPTION,
                                   "Share of the households not online at the start who have already been reached by "
                                   "e-commerce (problematised: they know of selling online, not yet interested), so "
                                   "the translation funnel does not start empty in 2021. Plausibly 0.3-0.9: the "
                                   "national e-commerce-into-villages programme ran from 2014 and most villages had "
                                   "a service point or online neighbours by 2020.", group="diffusion")
    innovation_rate: float = param(calibrated("innovation_rate"), "per month", 0.0, 0.5, CALIBRATION,
                                   "Bass innovation: monthly chance of problematisation with no passage point.",
                                   plausible=(0.0002, 0.02, "Bass innovation of 0.2-24% a year"), group="diffusion")
    passage_point_rate: float = param(calibrated("passage_point_rate"), "per month", 0.0, 0.5, CALIBRATION,
                                      "Problematisation hazard added by a service station or cooperative.",
                                      plausible=(0.0005, 0.08, "a passage point adds from almost nothing to about the "
                                                               "imitation pull of a fully enrolled neighbourhood"),
                                      group="diffusion")
    imitation_rate: float = param(calibrated("imitation_rate"), "per month", 0.0, 2.0, CALIBRATION,
                                  "Bass imitation: hazard per unit share of enrolled neighbours.",
                                  plausible=(0.005, 0.5, "Bass imitation at full exposure of 0.005-0.5 a month (slow "
                                                         "diffusion of a maturing market included)"), group="diffusion")
    interessement_rate: float = param(0.08, "per month", 0.0, 1.0, ASSUMPTION,
                                      "Hazard that a problematised farmer takes up an offered incentive.",
                                      group="diffusion")
    enrolment_rate: float = param(0.10, "per month", 0.0, 1.0, ASSUMPTION,
                                  "Hazard of enrolment when the expected online gain, net of effort, is positive.",
                                  group="diffusion")
    online_effort_cost: float = param(150.0, "yuan/month", 0.0, 5000.0, ASSUMPTION,
                                      "Monthly cost of running an online shop at zero skill (halved at full skill).",
                                      group="farmer_decisions")
    mobilisation_rate: float = param(0.02, "per month", 0.0, 1.0, ASSUMPTION,
                                     "Hazard that a skilled, successful enrolled farmer becomes a new farmer (mobilised).",
                                     group="diffusion")
    mobilisation_skill: float = param(0.6, "skill", 0.4, 0.8, ASSUMPTION,
                                      "Least skill (0-1) of an enrolled household that can be mobilised as a new "
                                      "farmer. Plausibly 0.4-0.8: from an untrained senior-high seller (about 0.35 at "
                                      "the start, plus learning) to a trained, experienced one.", group="diffusion")
    mobilisation_sales: int = param(6, "months", 2, 12, ASSUMPTION,
                                    "Least months of online sales on record of an enrolled household that can be "
                                    "mobilised. Plausibly 2-12: a season to a full year of selling before leading "
                                    "neighbours.", group="diffusion")
    defection_patience: int = param(2, "harvest cycles", 1, 5, ASSUMPTION,
                                    "Yearly reviews in a row whose gain falls short of the promise before an actor defects.",
                                    group="farmer_decisions")
    promise_tolerance: float = param(0.5, "share of promise", 0.0, 1.0, ASSUMPTION,
                                     "Share of a harvest cycle's promised gain below which the promise counts as broken.",
                                     group="farmer_decisions")
    promise_materiality: float = param(500.0, "yuan per harvest cycle", 0.0, 20_000.0, ASSUMPTION,
                                       "Least shortfall of a harvest cycle's realised gain below its promised gain "
                                       "(yuan a household) that counts as a broken promise: a promise of a few yuan "
                                       "is no promise. Plausibly 100-2,000: from a day's local wage to about 3% of a "
                                       "rural household's yearly income.", group="farmer_decisions")
    aspiration_adaptation: float = param(0.05, "share a month", 0.01, 0.2, ASSUMPTION,
                                         "Share of the way a household's promised gain per kg moves to its realised "
                                         "gain each month it sells online (aspirations adapt to experience). "
                                         "Plausibly 0.01-0.2: from keeping the first promise for years to "
                                         "forgetting it within a harvest cycle.", group="farmer_decisions")
    interest_lapse_rate: float = param(0.1, "per month", 0.0, 1.0, ASSUMPTION,
                                       "Hazard that an interested household that does not enrol loses interest.",
                                       group="farmer_decisions")
    skill_learning: float = param(0.01, "per month", 0.0, 0.2, ASSUMPTION,
                                  "Share of the gap to full skill closed each month of delivering online: skill += "
                                  "rate x (1 - skill).",
                                  group="farmer_decisions")
    new_farmer_pull: float = param(3.0, "x imitation", 0.0, 20.0, ASSUMPTION,
                                   "How much a new farmer's success counts among neighbours, relative to a farmer's.",
                                   group="diffusion")

    # --- trust mechanism and platform practice (experiment 1) --------------------------------
    trust_mechanism: Literal["acquaintance", "reputation", "dual", "blockchain"] = param(
        "reputation", "choice", None, None, ASSUMPTION, "How buyers come to trust sellers' quality claims.",
        choices=TRUST_MECHANISMS, group="policy")
    fraud_penalty: float = param(0.0, "x gain", 0.0, 10.0, ASSUMPTION,
                                 "Contract penalty on detected misrepresentation, in multiples of the gain.",
                                 group="trust")
    honesty_floor: float = param(0.7, "threshold", 0.4, 1.0, ASSUMPTION,
                                 "Lowest honesty threshold of a household: thresholds are uniform on [floor, floor + "
                                 "1], and a seller misrepresents its quality where the expected gain per yuan of "
                                 "premium, 1 - detection x (1 + penalty), exceeds its threshold. At 0.7 about 5% of "
                                 "sellers with a premium over-claim under platform reputation (the 2.3-3.2% of online "
                                 "food failing SAMR spot checks and as much again they do not test) and none where "
                                 "detection is 0.3 or more. Plausibly 0.4-1: from a third lying under reputation to "
                                 "nobody lying under any mechanism.", group="trust")
    rating_detection: float = param(0.25, "probability", 0.05, 0.6, ASSUMPTION,
                                    "Share of misrepresented deliveries that buyers' ratings expose (reputation, "
                                    "blockchain; the dual mechanism adds 0.6 x dispute_speed). Plausibly 0.05-0.6: "
                                    "few buyers rate, and fewer can tell an over-claimed grade or origin.",
                                    group="trust")
    acquaintance_inside: float = param(0.6, "0-1", 0.3, 0.9, ASSUMPTION,
                                       "Credibility of an acquaintance-only seller's quality claim to urban buyers of "
                                       "its own region: kin and neighbour ties reach few of a region's city buyers, "
                                       "most are strangers to the village. Plausibly 0.3-0.9 (0.9: region-wide "
                                       "kinship).", group="trust")
    coop_outside_credibility: float = param(0.45, "0-1", 0.15, 0.85, ASSUMPTION,
                                            "Least credibility of a cooperative's quality claim to buyers outside its "
                                            "region, under every mechanism: the cooperative vouches for its members' "
                                            "produce as an intermediary. Plausibly 0.15-0.85: from no better than an "
                                            "unknown acquaintance-only seller to the dual mechanism's credit rating.",
                                            group="trust")
    brand_credibility: float = param(0.7, "0-1", 0.4, 1.0, ASSUMPTION,
                                     "Least credibility of a branded group's quality claim: a registered brand's "
                                     "standard vouches for it. Plausibly 0.4-1: from a brand buyers barely know to "
                                     "a certified regional public brand.", group="trust")
    fraud_inflation: float = param(0.3, "quality 0-1", 0.1, 0.5, ASSUMPTION,
                                   "How much a misrepresenting seller overstates its quality (claim = min(1, quality + "
                                   "this)); it sets the premium a lie earns. Plausibly 0.1-0.5: from half a grade to "
                                   "two grades on a five-grade scale.", group="trust")
    discrimination_notice: float = param(0.6, "share of markup", 0.2, 1.0, ASSUMPTION,
                                         "Share of the discriminatory markup loyal buyers notice (it lowers their "
                                         "trust like a disappointment). Plausibly 0.2-1: price comparison reveals "
                                         "some markups, few buyers compare every order.", group="trust")
    dispute_speed: float = param(0.3, "share resolved/month", 0.0, 1.0, ASSUMPTION,
                                 "Share of disputes resolved (and fraud detected) within a month.", group="trust")
    trace_cost: float = param(0.3, "yuan/kg", 0.0, 5.0, ASSUMPTION,
                              "Cost per kg of blockchain traceability for a seller who adopts it.", group="trust")
    trace_fixed_cost: float = param(200.0, "yuan/month", 0.0, 1000.0, ASSUMPTION,
                                    "Fixed monthly cost of a traceability account and devices, paid in every month a "
                                    "verified seller sells whatever its volume, and weighed (spread over its monthly "
                                    "kg) when it decides to trace. Plausibly 0-1,000: a subscription and a scanner.",
                                    group="trust")
    price_discrimination: float = param(0.0, "share of price", 0.0, 0.5, "001",
                                        "Mark-up platforms charge loyal buyers (big-data price discrimination).",
                                        group="policy")
    discrimination_regulation: float = param(0.0, "0-1", 0.0, 1.0, "001",
                                             "Strength of regulation against price discrimination.", group="policy")
