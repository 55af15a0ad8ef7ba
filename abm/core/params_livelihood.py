"""The livelihood paths' parameters: online businesses beyond the farm, return migration, cheaper goods online.

Part of :class:`abm.core.params.Parameters` (declared as :mod:`abm.core.declare` describes); the mechanisms
are :mod:`abm.enterprise` (businesses and returns) and :mod:`abm.enterprise.consumption` (what households save
buying online).
"""

from __future__ import annotations

from pydantic import BaseModel

from abm.core.declare import ASSUMPTION, CALIBRATION, calibrated, param

_GROUP = "livelihoods"


class LivelihoodParameters(BaseModel):
    """Online businesses beyond one's own produce, members who come back to run them, and online shopping."""

    business_turnover: float = param(10_000.0, "yuan/month", 0.0, 200_000.0,
                                     "MOFCOM 2020: 1.79 trillion yuan rural online retail / 15.2 M rural online shops",
                                     "Monthly turnover of a rural online shop selling beyond its own produce "
                                     "(processed food, local specialities, handicrafts, goods bought in) run by a "
                                     "household of average skill once it has learnt the trade (about 118,000 yuan a "
                                     "year per rural online shop in 2020; plausibly 5,000-20,000).", group=_GROUP)
    business_margin: float = param(0.35, "share of turnover", 0.0, 0.9, ASSUMPTION,
                                   "Gross margin of such a shop: turnover less the goods it sells, before shipping, "
                                   "hired help and its start-up cost (plausibly 0.2-0.5: from resale of goods bought "
                                   "in to light processing of local produce).", group=_GROUP)
    business_shipping_share: float = param(0.08, "share of turnover", 0.0, 0.5, ASSUMPTION,
                                           "Shipping as a share of a shop's turnover from a village at the reference "
                                           "distance without a station or a cluster; it scales with the village's "
                                           "parcel cost (plausibly 0.04-0.15: express parcels of 5-10 yuan on orders "
                                           "of 60-120 yuan).", group=_GROUP)
    business_startup_cost: float = param(20_000.0, "yuan", 0.0, 500_000.0, ASSUMPTION,
                                         "Start-up cost of a shop (equipment, stock, a first season of promotion), "
                                         "repaid in equal months over the payback years (plausibly 5,000-50,000).",
                                         group=_GROUP)
    business_payback_years: float = param(3.0, "years", 0.5, 10.0, ASSUMPTION,
                                          "Years over which a shop repays its start-up cost, and over which a "
                                          "household weighs it when deciding to start (plausibly 2-5).", group=_GROUP)
    business_learning_months: float = param(12.0, "months", 0.1, 120.0, ASSUMPTION,
                                            "Months for a new shop to close 63% of the gap from half its turnover to "
                                            "its full turnover (learning by doing; plausibly 6-24).", group=_GROUP)
    business_skill: float = param(0.45, "skill", 0.0, 1.0, ASSUMPTION,
                                  "Least e-commerce skill of a household that can start a shop (senior schooling "
                                  "and training, or a returnee's experience: plausibly 0.4-0.7).", group=_GROUP)
    initial_shop_share: float = param(calibrated("initial_shop_share"), "share of households", 0.0, 0.1, CALIBRATION,
                                      "Share of households already running an online shop beyond their own produce "
                                      "when the model starts, chosen among those able to run one, the more a shop "
                                      "would gain them over their wage the likelier (as the yearly entry weighs "
                                      "them). Calibrated to the shops' level in 2021-2023 (fact "
                                      "shops_beyond_own_produce).",
                                      plausible=(0.0, 0.05, "from none to the survey's 5.8% of families selling "
                                                            "other goods than farm produce online"), group=_GROUP)
    initial_shop_years: float = param(3.0, "years", 0.1, 20.0, ASSUMPTION,
                                      "Years before the start over which the initial shops opened, each at a month "
                                      "drawn evenly (their age sets their learning and what is left to repay; "
                                      "plausibly 2-5, the years of fast growth in rural shops before 2020).",
                                      group=_GROUP)
    business_entry_rate: float = param(0.1, "per year", 0.0, 1.0, ASSUMPTION,
                                       "Yearly chance that an able household for whom a shop pays as much again as "
                                       "the wage it gives up starts one (scaled down in proportion to the gain; "
                                       "plausibly 0.01-0.1).", group=_GROUP)
    business_imitation: float = param(5.0, "x per share of shops", 0.0, 50.0, ASSUMPTION,
                                      "How much more often households start a shop where their neighbours run shops: "
                                      "the entry chance is multiplied by 1 + this x the village's share of "
                                      "households with a shop (the Taobao-village effect of seeing what pays; "
                                      "plausibly 0-10).", group=_GROUP)
    business_failure_rate: float = param(0.15, "per year", 0.0, 1.0, ASSUMPTION,
                                         "Yearly chance that a shop closes whatever it earns (plausibly 0.1-0.3: about "
                                         "a third of small firms close within two years).", group=_GROUP)
    migrant_share: float = param(0.59, "share of wage earners", 0.0, 1.0,
                                 "NBS Migrant Worker Monitoring Survey 2023 (176.58 of 297.53 million)",
                                 "Share of rural wage earners working outside their township: a member who moves "
                                 "into a shop is a returning migrant with this chance.", group=_GROUP)
    shop_time_share: float = param(calibrated("shop_time_share"), "share of a wage earner's time", 0.1, 1.0,
                                   CALIBRATION,
                                   "Share of one wage earner's working time a shop beyond own produce takes: the "
                                   "household gives up that share of the earner's wage and keeps the rest as "
                                   "part-time wage work (a returning migrant gives up the whole migrant wage). 1: "
                                   "the member leaves wage work for the shop. No source measures it; calibrated to "
                                   "the shops' level and growth (facts shops_beyond_own_produce and its growth).",
                                   plausible=(0.1, 1.0, "from a shop run in spare hours beside a job to one that "
                                                        "takes a member's whole working time"), group=_GROUP)
    home_value: float = param(0.3, "share of migrant wage", 0.0, 0.9, ASSUMPTION,
                              "What living at home is worth to a migrant, as a share of the wage away: a migrant "
                              "comes back to run a shop once it pays more than (1 - this) x the wage (family, "
                              "costs of living away; plausibly 0-0.5).", group=_GROUP)
    cluster_shipping_discount: float = param(0.3, "share of parcel cost", 0.0, 0.9, ASSUMPTION,
                                             "Share of the parcel cost carriers take off in a village where every "
                                             "household sells online, in proportion to the village's online share "
                                             "(density of pick-ups in e-commerce villages; plausibly 0-0.5).",
                                             group=_GROUP)
    supplier_cluster_saving: float = param(0.0, "share of goods cost", 0.0, 0.5, ASSUMPTION,
                                           "Share of a shop's cost of goods saved where its village is a cluster of "
                                           "shops (suppliers of packaging, raw materials and wholesale goods set up "
                                           "in Taobao villages and sell to every shop there); it grows in proportion "
                                           "to the village's share of shop households up to the Taobao-village "
                                           "threshold. No source measures it: 0 at the defaults so the calibrated "
                                           "baseline stands without it; plausibly 0-0.2.", group=_GROUP)
    taobao_village_shop_share: float = param(0.1, "share of households", 0.01, 1.0,
                                             "AliResearch_2020_secondary (a Taobao village has active online shops in "
                                             "at least 10% of its households or 100 shops, and 10 M yuan of online "
                                             "sales a year)",
                                             "Share of a village's households running shops at which it counts as a "
                                             "cluster and its shops get the whole supplier saving.", group=_GROUP)
    consumption_propensity: float = param(0.84, "share of income", 0.0, 1.5,
                                          "NBS 2023: rural consumption 18,175 / disposable income 21,691 yuan",
                                          "Consumption spending of a rural household as a share of its income of the "
                                          "last year.", group=_GROUP)
    online_purchase_share: float = param(0.15, "share of consumption", 0.0, 1.0, ASSUMPTION,
                                         "Share of its consumption a household buys online where parcels reach its "
                                         "village through a station (NBS: online retail of physical goods was 27.6% "
                                         "of retail sales in 2023, less in the countryside; plausibly 0.05-0.3).",
                                         group=_GROUP)
    purchases_without_station: float = param(0.5, "x purchase share", 0.0, 1.0, ASSUMPTION,
                                             "Online purchases of a household whose village has no service station, "
                                             "relative to one that has (parcels wait at the township: Couture et al. "
                                             "2021 find the gains come from overcoming logistical barriers; "
                                             "plausibly 0.2-0.9).", group=_GROUP)
    online_price_saving: float = param(0.1, "share of price", 0.0, 0.5, ASSUMPTION,
                                       "What a household saves on a yuan of goods bought online rather than in the "
                                       "township's shops, trips included (Couture et al. 2021, AER: Insights: the gains "
                                       "of rural e-commerce are a lower cost of living for its users; plausibly "
                                       "0.02-0.2).", group=_GROUP)
