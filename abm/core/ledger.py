"""Double-entry money ledger and goods ledger, closed and checked every month."""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

import numpy as np
import pandas as pd

ACCOUNTS = (
    "consumers", "traders", "farmers", "cooperatives", "platforms", "logistics", "inputs",
    "labour_market", "local_business", "property_income", "social_transfers", "government", "treasury", "fund",
    "traceability", "brand_services",
    "equipment", "telecom", "training_providers", "eastern_partners", "suppliers",
)


class LedgerError(AssertionError):
    """A ledger failed to balance."""


class MoneyLedger:
    """Every yuan moves from one named account to another; flows are summed per month and kind."""

    def __init__(self) -> None:
        """Start with empty books."""
        self.rows: list[tuple[int, str, str, str, float]] = []
        self._month: dict[tuple[str, str, str], float] = defaultdict(float)
        self.balance: dict[str, float] = dict.fromkeys(ACCOUNTS, 0.0)

    def add(self, src: str, dst: str, amount: float, kind: str) -> None:
        """Record a transfer of ``amount`` yuan from ``src`` to ``dst``."""
        if src not in self.balance or dst not in self.balance:
            raise KeyError(f"unknown ledger account in {src} -> {dst}")
        amount = float(amount)
        if amount == 0.0:
            return
        if amount < 0 or not np.isfinite(amount):
            raise LedgerError(f"transfer {src} -> {dst} ({kind}) must be finite and non-negative, got {amount}")
        self._month[(src, dst, kind)] += amount
        self.balance[src] -= amount
        self.balance[dst] += amount

    def month_total(self, kind: str) -> float:
        """Everything booked this month under ``kind``, whoever paid whom."""
        return sum(a for (_, _, k), a in self._month.items() if k == kind)

    def net_flow(self, account: str) -> float:
        """Inflow minus outflow of ``account`` this month."""
        return sum(a if d == account else -a for (s, d, _), a in self._month.items() if account in (s, d) and s != d)

    def close_month(self, month: int) -> None:
        """Write this month's flows to the journal."""
        self.rows.extend((month, s, d, k, a) for (s, d, k), a in sorted(self._month.items()))
        self._month.clear()

    def frame(self) -> pd.DataFrame:
        """The journal: one row per month, source, destination and kind."""
        return pd.DataFrame(self.rows, columns=["month", "source", "destination", "kind", "amount"])


def check_close(name: str, expected: float, actual: float, scale: float) -> None:
    """Raise :class:`LedgerError` unless two totals agree to rounding (relative 1e-9 of ``scale``)."""
    if abs(expected - actual) > 1e-9 * max(abs(scale), 1.0) + 1e-6:
        raise LedgerError(f"{name}: ledger says {expected:.6f}, state says {actual:.6f}")



class MonthPurchases(Protocol):
    """What the books check reads of a month's market flows (:class:`abm.market.clearing.MonthFlows` has it)."""

    logistics_subsidy: float  # subsidy shippers granted this month
    purchases: float          # what online buyers paid (yuan)
    purchased_kg: float       # what online buyers received (kg)


def check_purchases(money: MoneyLedger, goods: GoodsLedger, flows: MonthPurchases) -> None:
    """Online buyers' payments and kg equal the sales booked and kg delivered; the subsidy granted is booked."""
    granted = flows.logistics_subsidy
    check_close("logistics subsidy granted", money.month_total("logistics_subsidy"), granted, granted)
    booked = money.month_total("online_sales")
    check_close("online purchases (yuan)", booked, flows.purchases, booked)
    delivered = float(goods.rows[-1][GoodsLedger.FIELDS.index("delivered_online")].sum())
    check_close("online purchases (kg)", delivered, flows.purchased_kg, delivered)


class GoodsLedger:
    """Kilograms per crop and month: harvested = home + delivered + lost + change in storage."""

    FIELDS = ("harvested", "home", "delivered_online", "delivered_offline", "lost", "stock_change")

    def __init__(self, crops: int) -> None:
        """Start with an empty goods journal for ``crops`` crops."""
        self.crops = crops
        self.rows: list[np.ndarray] = []
        self.months: list[int] = []

    def record(self, month: int, **flows: np.ndarray) -> None:
        """Record one month's per-crop flows and check that they balance."""
        table = np.stack([np.asarray(flows[f], dtype=np.float64) for f in self.FIELDS])
        harvested, home, online, offline, lost, dstock = table
        residual = harvested - (home + online + offline + lost + dstock)
        if np.any(np.abs(residual) > 1e-6 * np.abs(table).sum() + 1e-2):
            raise LedgerError(f"goods ledger month {month}: unbalanced by {residual} kg per crop")
        self.rows.append(table)
        self.months.append(month)

    def frame(self, crop_names: tuple[str, ...]) -> pd.DataFrame:
        """The goods journal: one row per month and crop."""
        if not self.rows:
            return pd.DataFrame(columns=["month", "crop", *self.FIELDS])
        data = np.stack(self.rows)  # month, field, crop
        months = np.repeat(self.months, self.crops)
        crops = np.tile(np.array(crop_names), len(self.months))
        df = pd.DataFrame({"month": months, "crop": crops})
        for i, f in enumerate(self.FIELDS):
            df[f] = data[:, i, :].ravel()
        return df
