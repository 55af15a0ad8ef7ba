"""The world's parameters: scale, geography, endowments at the start, cooperatives and household income.

Part of :class:`abm.core.params.Parameters` (declared as :mod:`abm.core.declare` describes).
"""

from __future__ import annotations

from pydantic import BaseModel

from abm.core.declare import ASSUMPTION, CALIBRATION, calibrated, param, regional


class WorldParameters(BaseModel):
    """The world: scale, geography, endowments at the start, cooperatives and households' other income."""

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
