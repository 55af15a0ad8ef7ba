"""A month's household income by component, kept on the model so outputs can add it up per household.

The model's monthly income is ``offline_sales + online_net + off-farm income + online_shop - production_cost +
allowances``,
the off-farm income being the survey's wages, non-farm business, property and transfers
(:class:`agents.households.OffFarmIncome`)
(``abm.model._month_income``). :data:`INCOME_COMPONENTS` names each term once; the household panel
writes one column per entry, so a component added here appears in every panel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from abm.enterprise.business import ShopMonth
    from abm.income.labour import LabourFlows
    from abm.market.clearing import MonthFlows
    from agents.households import OffFarmIncome


@dataclass(frozen=True)
class MonthIncome:
    """This month's per-household income terms: the market's flows and the three terms settled beside them."""

    flows: MonthFlows
    off_farm: OffFarmIncome      # wages, non-farm business, property and transfers, yuan this month
    production_cost: np.ndarray  # cost of what was harvested, yuan this month
    allowances: np.ndarray       # government allowances paid, yuan this month
    labour: LabourFlows          # wages forgone and paid for online businesses, and earned from them
    shops: ShopMonth             # the households' online shops beyond their own produce
    consumption_saving: np.ndarray  # saved by buying online this month (welfare, not income), yuan

    def wage_change(self) -> np.ndarray:
        """Per household: wages earned in other households' online businesses less wages forgone to run one's own."""
        return self.labour.received - self.at_sellers(self.labour.forgone)

    def at_sellers(self, seller_values: np.ndarray) -> np.ndarray:
        """A per-seller array spread over every household (zeros for households that sold nothing online)."""
        out = np.zeros(self.off_farm.wages.size)
        out[self.flows.sellers] = seller_values
        return out

    def sales_kg(self) -> np.ndarray:
        """Kilograms each household sold this month, to bulk traders and online buyers."""
        kg = self.flows.delivered_offline.astype(np.float64)
        kg[self.flows.sellers] += self.flows.seller_delivered
        return kg


def households_that_sold(n: int, month_income: MonthIncome | None) -> np.ndarray:
    """Households that sold online this month: delivered kg to online buyers (bool; none in month 0)."""
    sold = np.zeros(n, bool)
    if month_income is not None:
        fl = month_income.flows
        sold[fl.sellers[fl.sold]] = True
    return sold


@dataclass(frozen=True)
class Component:
    """One term of household income: its column name, meaning and sign in the sum, and how to read it."""

    name: str
    meaning: str
    sign: int
    read: Callable[[MonthIncome], np.ndarray]


#: the terms of household income, in the order the model adds them (sign -1: subtracted)
INCOME_COMPONENTS: list[Component] = [
    Component("offline_sales", "Revenue from bulk sales to traders.", +1, lambda m: m.flows.offline_revenue),
    Component("online_net", "Online revenue less commission, cooperative fee, shipping, tracing and penalties.",
              +1, lambda m: m.at_sellers(m.flows.seller_net)),
    Component("wages", "Wages (local and migrant work, e-commerce work for neighbours, less time moved to one's own "
              "online business).", +1, lambda m: m.off_farm.wages + m.wage_change()),
    Component("nonfarm_business", "Net income of non-farm household business (livestock, side lines, shops).", +1,
              lambda m: m.off_farm.business),
    Component("property", "Net property income (land rents, dividends).", +1, lambda m: m.off_farm.property),
    Component("transfers", "Net transfers (pensions, subsidies, remittances).", +1, lambda m: m.off_farm.transfers),
    Component("online_shop", "Net income of an online shop beyond one's own produce (turnover less goods, parcels, "
              "hired help and start-up repayment).", +1, lambda m: m.shops.at_households(m.shops.net, m.off_farm.wages.size)),
    Component("hired_help", "Wages paid for packing, service and delivery of one's online sales (subtracted).", -1,
              lambda m: m.at_sellers(m.labour.hired)),
    Component("production_cost", "Cost of producing the harvest (subtracted from income).", -1,
              lambda m: m.production_cost),
    Component("allowances", "Government allowances paid to holders of talent titles.", +1, lambda m: m.allowances),
]

#: other per-household monthly flows the panel adds up over the year: name -> (unit, meaning, reader)
MONTH_FLOWS: dict[str, tuple[str, str, Callable[[MonthIncome], np.ndarray]]] = {
    "online_revenue": ("yuan", "Online sales revenue before commission, fees and shipping.",
                       lambda m: m.at_sellers(m.flows.seller_revenue)),
    "sales_kg": ("kg", "Produce sold, to bulk traders and online buyers.", MonthIncome.sales_kg),
    "shop_turnover": ("yuan", "Sales of the household's online shop beyond its own produce.",
                      lambda m: m.shops.at_households(m.shops.turnover, m.off_farm.wages.size)),
    "consumption_saving": ("yuan", "Saved by buying goods online rather than in the township (a welfare gain, not "
                           "income).", lambda m: m.consumption_saving),
}
