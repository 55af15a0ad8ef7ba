"""The markets' parameters: prices, channels and logistics, consumers and demand.

Part of :class:`abm.core.params.Parameters` (declared as :mod:`abm.core.declare` describes).
"""

from __future__ import annotations

from pydantic import BaseModel

from abm.core.declare import ASSUMPTION, CALIBRATION, calibrated, param


class MarketParameters(BaseModel):
    """The markets: what traders, platforms and buyers pay, logistics, and the urban demand."""

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
        "products (livestock included) moves by a few per cent either way a year with the pork cycle (-2.3% in "
        "2023; -1.2% year on year in January-September 2024, +2.4% in its third quarter: fact farm_price_index), "
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
    urban_budget_growth: float = param(0.099, "per year", -0.5, 1.0, "MOFCOM (online farm-produce retail, 2025)",
                                       "Growth of the national online budget for farm produce a year: online retail "
                                       "of farm produce grew 9.9% in 2025 (783.3 billion yuan; MOFCOM, 004). The "
                                       "province's own online sales growth is then a check that it keeps pace "
                                       "with the nation (fact farm_produce_growth), not evidence of the level.",
                                       group="demand")
    delivery_weight: float = param(2.0, "utils per share lost", 0.0, 20.0, ASSUMPTION,
                                   "Consumers' disutility of a route's transit loss (spoiled, slow deliveries).",
                                   group="demand")
    brand_taste_weight: float = param(calibrated("brand_taste_weight"), "utils per taste", 0.0, 1.5, CALIBRATION,
                                      "Utility of a brand to an urban segment: this weight x the segment's taste for "
                                      "brands (west 0.6, centre 1, east 1.4: the shape is kept).",
                                      plausible=(0.0, 1.5, "from buyers who value a brand only through its credibility "
                                                           "to eastern buyers who value it as much as full trust in "
                                                           "the origin (trust_weight)"), group="demand")
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
        "they grow at national_sellers_growth. Plausibly 0.5-6: 17.3 M rural online shops for "
        "about 150 M rural households (MOFCOM, NBS 2022), perhaps half selling farm produce, so a province with 1-6% "
        "of the nation's farms of a crop faces 1-6 times its own households in shops elsewhere.", group="demand")
    national_trust: float = param(
        calibrated("national_trust"), "0-1", 0.0, 1.0, CALIBRATION,
        "Consumers' trust in the rest of the nation's online produce and its claims (the utility of the province's "
        "competitors in each crop's market, against trust in the province's origin times its sellers' credibility).",
        plausible=(0.6, 0.97, "regulators' spot checks pass 97% of online food (SAMR 2019-2020); buyers trust "
                              "claims of unknown origins and sellers less"), group="trust")
    national_sellers_growth: float = param(
        0.06, "per year", -0.5, 1.0, ASSUMPTION,
        "Growth of the rest of the nation's online sellers of the province's crops a year (the nation's competing "
        "shops and streams). Plausibly 0.03-0.10: rural online shops of all goods grew 6.7% a year in 2020-2022 and "
        "4.9% in 2022-2025 (MOFCOM, NDRC; the province's own count is compared with them, so this is set at a "
        "round 6%, not fitted); with the budget growing faster each seller's demand grows.", group="demand")
    national_branded_share: float = param(
        0.1, "share of sellers", 0.0, 1.0, ASSUMPTION,
        "Share of the rest of the nation's online sellers of each crop who sell under a regional brand (at the brand "
        "multiplier, valued at the segments' taste for brands): the province's brands compete with theirs. "
        "Plausibly 0.03-0.3: under 10% of produce is sold under a brand (003), more of the produce sold online.",
        group="demand")
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
