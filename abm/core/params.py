"""Every model parameter, declared once: name, unit, range, default and source.

Scenario files, the CLI's ``--set``, the Solara sliders, the sensitivity-analysis problem and
the parameter table in ``docs/ODD.md`` are all derived from :class:`Parameters`. A regional
parameter is one declaration (:func:`regional`) of one flat field per region (``g5_west``,
``g5_centre``, ``g5_east``), so every consumer can treat it as one parameter or as three.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from abm.core.values import plain_value

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

    Called in the body of :class:`Parameters` with ``locals()`` (a class body's namespace), it adds
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


class Parameters(BaseModel):
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

    # --- scale and geography ---------------------------------------------------------------
    farmers: int = param(30_000, "households", 100, 5_000_000, ASSUMPTION,
                         "Target number of farmer households (rounded to whole villages).", group="scale")
    households_per_village: int = param(50, "households", 5, 500, ASSUMPTION,
                                        "Households in one village (one grid cell).", group="scale")
    county_size: int = param(5, "villages", 2, 20, ASSUMPTION,
                             "A county is a square block of county_size x county_size villages.", group="scale")
    km_per_cell: float = param(8.0, "km", 1.0, 50.0, ASSUMPTION,
                               "Road distance between neighbouring villages.", group="geography")
    regional(locals(), "remoteness_km", (60.0, 25.0, 5.0), "km", 0.0, 300.0, ASSUMPTION,
             "Extra road distance from a county hub in the {region} to the trunk network.", group="geography")

    # --- infrastructure endowments (inputs set from the stylized facts) ----------------------
    regional(locals(), "cold_chain", (0.12, 0.26, 0.45), "share of route", 0.0, 1.0,
             ("003 (west gap > 60%)", "003 (national < 30%)", "003 (national < 30%)"),
             "Initial cold-chain coverage of {regional} villages.", group="endowments")
    regional(locals(), "g5", (0.12, 0.38, 0.70), "share of villages", 0.0, 1.0, "003 (60% without 5G)",
             "Share of {regional} villages with 5G.", group="endowments")
    regional(locals(), "broadband", (0.75, 0.90, 0.98), "share of villages", 0.0, 1.0, ASSUMPTION,
             "Share of {regional} villages with usable broadband.", group="endowments")
    regional(locals(), "station", (0.35, 0.55, 0.75), "share of villages", 0.0, 1.0, ASSUMPTION,
             "Share of {regional} villages with an e-commerce service station.", group="endowments")
    regional(locals(), "junior_school", (0.86, 0.82, 0.60), "share of farmers", 0.0, 1.0,
             ("003 (> 80% centre/west)", "003 (> 80% centre/west)", ASSUMPTION),
             "{Regional} practitioners with junior-school schooling or less.", group="endowments")
    trained_share: float = param(0.15, "share of farmers", 0.0, 1.0, "003 (15% trained)",
                                 "Share of farmers systematically trained at the start.", group="endowments")
    regional(locals(), "coop_counties", (0.6, 0.7, 0.8), "share of counties", 0.0, 1.0, ASSUMPTION,
             "Share of {regional} counties with a cooperative.", group="cooperatives")
    coop_membership: float = param(0.15, "share of households", 0.0, 1.0, ASSUMPTION,
                                   "Share of households in a cooperative's county that are members.",
                                   group="cooperatives")
    coop_branded: float = param(calibrated("coop_branded"), "share of cooperatives", 0.0, 1.0, CALIBRATION,
                                "Share of cooperatives that start with a registered brand.",
                                plausible=(0.0, 0.3, "003: under 10% of produce is branded, so at most a third of "
                                                     "cooperatives start with a brand"), group="cooperatives")
    coop_processing: float = param(calibrated("coop_processing"), "share of pooled kg", 0.0, 1.0, CALIBRATION,
                                   "Processing capacity of a cooperative that processes, as a share of pooled kg.",
                                   plausible=(0.05, 0.4, "a processing line takes a minority of pooled kg; "
                                                         "cooperatives invest up to 0.5"), group="cooperatives")
    income_tail_quantile: float = param(0.999, "quantile", 0.9, 1.0, ASSUMPTION,
                                        "Quantile at which every household's lognormal spread of wages, non-farm "
                                        "business, property and transfers is capped (winsorised; 1: no cap), so no "
                                        "household draws a business many standard deviations out: at 0.999 the top "
                                        "household of 30,000 earns about 6-8 times the median per person.",
                                        group="household_income")
    persons_per_household: float = param(3.27, "persons", 1.0, 10.0, "NBS 2016 agricultural census",
                                         "Persons per rural family household (income per person divides by it).",
                                         group="household_income")
    regional(locals(), "wage_income", (1472.0, 1989.0, 3270.0), "yuan/month", 0.0, 20_000.0, ASSUMPTION,
             "Wages (local and migrant work) of a household in the {region} in 2021, before its own factor.",
             group="household_income")
    regional(locals(), "nonfarm_business", (1150.0, 1100.0, 1150.0), "yuan/month", 0.0, 20_000.0, ASSUMPTION,
             "Mean net income of non-farm household business (shops, transport) in the {region}, 2021.",
             group="household_income")
    regional(locals(), "property_income", (82.0, 109.0, 218.0), "yuan/month", 0.0, 20_000.0, ASSUMPTION,
             "Net property income (land rents, dividends) of a household in the {region}, 2021.",
             group="household_income")
    regional(locals(), "transfer_income", (1038.0, 1024.0, 1105.0), "yuan/month", 0.0, 20_000.0, ASSUMPTION,
             "Net transfers (pensions, subsidies, remittances) to a household in the {region}, 2021.",
             group="household_income")
    wage_growth: float = param(0.07, "per year", -0.2, 0.5, "NBS (rural wage income 2021-2024)",
                               "Nominal growth of wages a year.", group="household_income")
    nonfarm_business_growth: float = param(0.06, "per year", -0.2, 0.5, ASSUMPTION,
                                           "Nominal growth of non-farm household business income a year.",
                                           group="household_income")
    property_growth: float = param(0.05, "per year", -0.2, 0.5, ASSUMPTION,
                                   "Nominal growth of net property income a year.", group="household_income")
    transfer_growth: float = param(0.075, "per year", -0.2, 0.5, "NBS (rural net transfers 2021-2024)",
                                   "Nominal growth of net transfers a year.", group="household_income")
    wage_spread: float = param(0.6, "log-sd", 0.3, 0.9, ASSUMPTION,
                               "Spread between households of each wage earner's wage (lognormal, mean 1; one draw per "
                               "household, times its earners). With the other three spreads it sets the income "
                               "quintile ratio (4.5-10: Fujian 2019-2021, national 2023); plausibly 0.3-0.9, the "
                               "log-sd of rural wages in household surveys.", group="household_income")
    business_spread: float = param(0.9, "log-sd", 0.5, 1.3, ASSUMPTION,
                                   "Spread of non-farm household business income between households (lognormal, mean "
                                   "1). Plausibly 0.5-1.3: small shops and transport earn far more unequally than "
                                   "wages.", group="household_income")
    property_spread: float = param(1.0, "log-sd", 0.6, 1.5, ASSUMPTION,
                                   "Spread of net property income between households (lognormal, mean 1): land rents "
                                   "and dividends are concentrated. Plausibly 0.6-1.5.", group="household_income")
    transfer_spread: float = param(0.7, "log-sd", 0.4, 1.0, ASSUMPTION,
                                   "Spread of net transfers between households (lognormal, mean 1): pensions, "
                                   "subsidies and remittances. Plausibly 0.4-1.0.", group="household_income")

    # --- prices, channels, logistics ---------------------------------------------------------
    offline_price_ratio: float = param(calibrated("offline_price_ratio"), "share of base price", 0.1, 1.0, CALIBRATION,
                                       "Price a bulk trader pays, as a share of the crop's base (wholesale) price, "
                                       "for produce arriving with the nation's transit loss, before haulage and "
                                       "online competition (abm.state.TraderTerms).",
                                       plausible=(0.4, 0.8, "bulk traders pay 40-80% of the farm-gate wholesale price"),
                                       group="prices")
    online_markup: float = param(calibrated("online_markup"), "x base price", 1.0, 4.0, CALIBRATION,
                                 "Retail online price of unbranded produce relative to the base price.",
                                 plausible=(1.2, 2.5, "online retail of unbranded produce at 1.2-2.5 times the "
                                                      "farm-gate price"), group="prices")
    brand_multiplier: float = param(calibrated("brand_multiplier"), "x price", 1.0, 5.0, CALIBRATION,
                                    "Price multiplier a registered brand commands online.",
                                    plausible=(1.2, 5.0, "003: branded produce sells at about three times unbranded "
                                                         "(Luochuan apples); list prices up to 5x before the market's "
                                                         "price index"), group="prices")
    quality_premium: float = param(calibrated("quality_premium"), "x price", 0.0, 2.0, CALIBRATION,
                                   "Extra price for top claimed quality, paid in proportion to buyers' trust.",
                                   plausible=(0.0, 1.0, "top trusted quality sells at up to twice the price"),
                                   group="prices")
    trader_competition: float = param(0.3, "x price per online share", 0.0, 1.0, ASSUMPTION,
                                      "How far online selling in a village narrows the bulk trader's margin: the "
                                      "trader's price rises by this share times the village's share of households "
                                      "online (traders bid for produce). Plausibly 0-0.45: at most the trader's "
                                      "whole margin over the wholesale price (1 / offline_price_ratio - 1).",
                                      group="prices")
    bulk_freight_per_km: float = param(0.001, "yuan/kg/km", 0.0, 0.05, ASSUMPTION,
                                       "A bulk trader's haulage per kg and km from the village to the trunk road, "
                                       "taken off its price (small trucks on rural roads, about 1 yuan a tonne-km; "
                                       "plausibly 0.0003-0.003).", group="logistics")
    ecommerce_labour_share: float = param(0.08, "share of online revenue", 0.0, 0.5, ASSUMPTION,
                                          "Share of online revenue an online seller pays for hired packing, customer "
                                          "service and delivery, to households of its village that do not sell online "
                                          "(AliResearch 2020: 2.8 jobs per active shop in Taobao villages; plausibly "
                                          "0.03-0.15).", group="farmer_decisions")
    local_day_wage: float = param(120.0, "yuan/day", 10.0, 1000.0, ASSUMPTION,
                                  "Day wage of local e-commerce work (packing, service, delivery), which turns hired "
                                  "wages into days and jobs (plausibly 80-200: below a migrant worker's 200-220 a day).",
                                  group="household_income")
    processing_multiplier: float = param(2.0, "x price", 1.0, 5.0, ASSUMPTION,
                                         "Value of deep-processed produce per kg of raw input, relative to raw.",
                                         group="prices")
    farm_price_growth: float = param(
        0.0, "per year", -0.1, 0.1, "NBS",
        "Nominal growth of farm-gate prices a year: the bulk trader's base price, the online reference price and "
        "the cash production cost all follow the index (1 + growth)^(years since January 2021), so the farm "
        "terms of trade hold and the farm margin grows with the index. NBS's producer price index of farm "
        "products (livestock included) moved by a few per cent either way a year in 2021-2024 (pork cycles), "
        "so 0 (flat nominal prices) is within its path; plausibly -3% to +5%.", group="prices")
    production_cost_share: float = param(0.2, "share of base price", 0.0, 1.0, ASSUMPTION,
                                         "Cash production cost per kg (seed, fertiliser, pesticide, machine hire), "
                                         "as a share of the base price.", group="prices")
    coop_fee: float = param(0.06, "share of revenue", 0.0, 0.5, ASSUMPTION,
                            "Cooperative's fee on members' pooled sales.", group="cooperatives")
    coop_brand_cost: float = param(200_000.0, "yuan", 50_000.0, 500_000.0, ASSUMPTION,
                                   "What a cooperative pays to register and build a brand from its fee income (of the "
                                   "order of the brand awards of 003, up to 200,000 yuan). Plausibly 50,000-500,000: "
                                   "a trademark, standards and packaging to a provincial brand campaign.",
                                   group="cooperatives")
    processing_line_cost: float = param(300_000.0, "yuan", 100_000.0, 1_000_000.0, ASSUMPTION,
                                        "What one small deep-processing line costs, whether a cooperative buys it "
                                        "from its fee income or the east-west fund pays for it. Plausibly "
                                        "100,000-1,000,000: a drying or juicing line to a small packing plant.",
                                        group="cooperatives")
    coop_reserve: float = param(3.0, "x investment", 1.0, 5.0, ASSUMPTION,
                                "A cooperative invests in a brand, then processing, only with this multiple of the "
                                "investment's cost in cash (a prudent reserve). Plausibly 1-5: from spending all it "
                                "has to keeping years of reserves.", group="cooperatives")
    commission: float = param(0.06, "share of revenue", 0.0, 0.5, ASSUMPTION,
                              "Platform commission on shop and livestream sales.", group="platforms")
    loyal_share: float = param(0.5, "share of buyers", 0.2, 0.8, ASSUMPTION,
                               "Share of the eastern platforms' online buyers who are loyal, the targets of their "
                               "price discrimination (001): the markup is charged on this share of their shop and "
                               "livestream sales. Plausibly 0.2-0.8: repeat buyers' share of a platform's food "
                               "orders.", group="platforms")
    livestream_reach: float = param(1.6, "x demand weight", 1.0, 5.0, ASSUMPTION,
                                    "How much more demand a livestream seller's offer attracts than a shop.",
                                    group="platforms")
    livestream_audience: float = param(0.25, "share of online budget", 0.0, 1.0, ASSUMPTION,
                                       "Most of the urban online budget livestream viewers spend on streamed produce.",
                                       group="platforms")
    coop_exit_rate: float = param(0.3, "per year", 0.0, 1.0, ASSUMPTION,
                                  "Chance a member leaves a cooperative that paid less than the trader or sold too "
                                  "little online (December).",
                                  group="cooperatives")
    coop_join_rate: float = param(0.03, "per year", 0.0, 1.0, ASSUMPTION,
                                  "Chance a non-member joins a county cooperative that gave its members no reason to "
                                  "leave (December).",
                                  group="cooperatives")
    coop_min_fill: float = param(0.1, "share of pooled kg", 0.0, 1.0, ASSUMPTION,
                                 "Share of the pooled kg a cooperative must sell in a year, or members leave for unsold produce.",
                                 group="cooperatives")
    logistics_base: float = param(0.8, "yuan/kg", 0.0, 10.0, ASSUMPTION,
                                  "Fixed logistics cost per kg shipped from the county hub.", group="logistics")
    logistics_per_km: float = param(0.004, "yuan/kg/km", 0.0, 0.1, ASSUMPTION,
                                    "Logistics cost per kg and km (village to hub plus hub remoteness).",
                                    group="logistics")
    cold_chain_surcharge: float = param(0.5, "yuan/kg", 0.0, 10.0, ASSUMPTION,
                                        "Extra cost per kg carried in the cold chain.", group="logistics")
    station_shipping_discount: float = param(0.15, "share of parcel cost", 0.0, 0.9, ASSUMPTION,
                                             "Share of the parcel cost saved where the village has a service station "
                                             "that gathers parcels for the county carrier (county-township-village "
                                             "logistics; plausibly 0-0.3).", group="logistics")
    coop_shipping_share: float = param(0.8, "x parcel price", 0.5, 1.0, ASSUMPTION,
                                       "What a cooperative's pooled parcels cost as a share of the single-parcel "
                                       "price (its bargaining power with carriers). Plausibly 0.5-1: from a bulk "
                                       "contract at half the parcel price to no discount.", group="logistics")
    fresh_loss_no_cold_chain: float = param(0.25, "share of kg", 0.0, 0.8, "003",
                                            "Transit loss of fresh produce at the reference distance without cold chain.",
                                            group="logistics")
    fresh_loss_cold_chain: float = param(0.08, "share of kg", 0.0, 0.8, "003; 000 (< 10%)",
                                         "Transit loss of fresh produce over a shared, monitored cold chain.",
                                         group="logistics")
    loss_reference_km: float = param(80.0, "km", 1.0, 1000.0, ASSUMPTION,
                                     "Distance at which the reference loss rates apply.", group="logistics")
    loss_distance_elasticity: float = param(0.3, "elasticity", 0.0, 2.0, ASSUMPTION,
                                            "Elasticity of transit loss with respect to distance.", group="logistics")

    # --- consumers and demand ----------------------------------------------------------------
    urban_budget: float = param(calibrated("urban_budget"), "yuan/month per household", 0.0, 10_000.0, CALIBRATION,
                                "Urban online budget for the province's kinds of produce in January 2021, per "
                                "household of the province (the outside option's share included).",
                                plausible=(50.0, 1000.0, "urban online budget for the province's kinds of produce of "
                                                         "50-1,000 yuan a month per rural household, before the "
                                                         "outside option's share"), group="demand")
    urban_budget_growth: float = param(0.06, "per year", -0.5, 1.0, ASSUMPTION,
                                       "Growth of the urban online budget a year (urban incomes, online food shopping).",
                                       group="demand")
    delivery_weight: float = param(2.0, "utils per share lost", 0.0, 20.0, ASSUMPTION,
                                   "Consumers' disutility of a route's transit loss (spoiled, slow deliveries).",
                                   group="demand")
    brand_taste_weight: float = param(0.5, "utils per taste", 0.0, 1.5, ASSUMPTION,
                                      "Utility of a brand to an urban segment: this weight x the segment's taste for "
                                      "brands (west 0.6, centre 1, east 1.4: the shape is kept). Plausibly 0-1.5: from "
                                      "buyers who value a brand only through its credibility to eastern buyers who "
                                      "value it as much as full trust in the origin (trust_weight).", group="demand")
    outside_utility: float = param(calibrated("outside_utility"), "utils", -5.0, 5.0, CALIBRATION,
                                   "Utility of buying elsewhere (supermarket): the outside option.",
                                   plausible=(-1.0, 3.0, "supermarkets from slightly worse than to far better than "
                                                         "rural online produce"), group="demand")
    nest_dissimilarity: float = param(calibrated("nest_dissimilarity"), "0-1", 0.05, 1.0, CALIBRATION,
                                      "Nested-logit dissimilarity of groups selling one crop: 1 = each is its own product, "
                                      "towards 0 = perfect substitutes sharing one pool of demand (price wars, 001, 002).",
                                      plausible=(0.1, 1.0, "from near-perfect substitutes within a crop (price wars, "
                                                           "001, 002) to every village's produce a product of its own"),
                                      group="demand")
    residual_demand_elasticity: float = param(
        5.0, "elasticity (kg)", 1.1, 50.0, ASSUMPTION,
        "Price elasticity of the province's residual demand for a group's produce (% of kg bought per 1% of price); "
        "sets consumers' price coefficient in the nested logit. Plausibly 2-12: national own-price elasticities of "
        "fruit and vegetables of about 0.5-1 over a province's share of a few per cent would give 15-50; origin "
        "and quality differences between provinces' produce damp it to a few.", group="demand")
    rest_of_nation_supply: float = param(
        2.0, "x the province's farms", 0.0, 50.0, ASSUMPTION,
        "The rest of the nation's online sellers of each crop, in multiples of the province's households growing it; "
        "they grow with the national budget (urban_budget_growth). Plausibly 0.5-6: 17.3 M rural online shops for "
        "about 150 M rural households (MOFCOM, NBS 2022), perhaps half selling farm produce, so a province with 1-6% "
        "of the nation's farms of a crop faces 1-6 times its own households in shops elsewhere.", group="demand")
    national_trust: float = param(
        0.95, "0-1", 0.0, 1.0, ASSUMPTION,
        "Consumers' trust in the rest of the nation's online produce (the utility of the province's competitors "
        "in each crop's market). Plausibly 0.6-0.97: regulators' spot checks pass 97% of online food (SAMR "
        "2019-2020); buyers trust unknown origins less.", group="trust")
    trust_weight: float = param(2.0, "utils", 0.0, 10.0, ASSUMPTION,
                                "Consumers' utility from full trust in a seller's origin and claims.", group="trust")
    initial_trust: float = param(0.95, "0-1", 0.0, 1.0, ASSUMPTION,
                                 "Consumers' trust in the province's online produce at the start: near where their "
                                 "learning settles (0.96-0.97; regulators pass 97% of online food), so the start is "
                                 "not a transient.", group="trust")
    trust_learning: float = param(0.15, "per month", 0.0, 1.0, ASSUMPTION,
                                  "Weight of last month's experience in consumers' trust.", group="trust")
    price_adjustment: float = param(1.0, "share of log gap", 0.05, 1.0, ASSUMPTION,
                                    "Share of the (log) gap between last month's posted price and the clearing price "
                                    "closed each month (1: online prices clear the market every month; "
                                    "platform prices move within weeks, plausibly 0.3-1).", group="demand")

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
