"""Cooperatives: pool members' produce, standardise, brand and process it, sell it online for a fee.

A cooperative persists as a channel with members: it sells the pooled produce on the marketplace
and, where a livestream host works in its county, through that partner's stream. Once a year (its
December settlement) members weigh what it paid against the bulk trader and leave for a reason
the model names: ``price`` (even before its fee it paid less than the trader), ``fee`` (its fee
turned a better price into a worse one) or ``unsold`` (it sold less than ``min_fill`` of what
members pooled online and the rest went to the bulk trader after all); where none holds,
neighbours join (docs/ODD.md, "Cooperatives").
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm.core.ledger import MoneyLedger
from abm.core.stages import ENROLLED, EXIT_REASONS, INTERESTED, MOBILISED

POOLED_ROUNDING = 1e-9  # relative: a pooled price this close to the trader's pays what the trader pays
NO_REASON, NO_SALES = -1, -2


class Cooperative(FixedAgent):
    """A county cooperative: its brand, processing capacity, cash and translation stage."""

    def __init__(self, model, cell, village: int, county: int, branded: bool, processing: float,
                 fee: float) -> None:
        """Place a cooperative at its county's hub village."""
        super().__init__(model)
        self.cell = cell
        self.village = village
        self.county = county
        self.branded = branded
        self.processing = processing
        self.fee = fee
        self.cash = 0.0
        self.members = 0
        self.member_sales = 0.0
        self.stage = ENROLLED if branded else INTERESTED

    def invest(self, ledger: MoneyLedger, capacity_step: float, brand_cost: float, line_cost: float,
               reserve: float) -> None:
        """Spend fee income on a brand first (``brand_cost``), then on processing lines (``line_cost`` each).

        A cooperative keeps a reserve of ``reserve`` times the investment before it invests
        (the parameters ``coop_brand_cost``, ``processing_line_cost`` and ``coop_reserve``).
        """
        if not self.branded and self.cash >= reserve * brand_cost:
            ledger.add("cooperatives", "brand_services", brand_cost, "coop_brand")
            self.cash -= brand_cost
            self.branded = True
        elif self.branded and self.processing < 0.5 and self.cash >= reserve * line_cost:
            ledger.add("cooperatives", "equipment", line_cost, "coop_processing")
            self.cash -= line_cost
            self.processing = min(0.5, self.processing + capacity_step)

    def update_stage(self, active_members: int) -> None:
        """Enrolled while it sells for members online; mobilised when it speaks for many under a brand."""
        if active_members == 0:
            self.stage = INTERESTED
        elif self.branded and active_members >= 20:
            self.stage = MOBILISED
        else:
            self.stage = ENROLLED


class PooledYear:
    """Each cooperative's year of pooled sales (arrays over cooperatives): what members' reviews weigh.

    Kg the cooperative could not sell online fall back to the bulk trader in the same month and
    count at its price (:mod:`abm.market.clearing`).
    """

    def __init__(self, cooperatives: int) -> None:
        """Open an empty year for ``cooperatives`` cooperatives."""
        self.size = cooperatives
        self.offered = np.zeros(cooperatives)       # kg members offered through the cooperative
        self.unsold = np.zeros(cooperatives)        # kg it could not sell online (sold to the trader instead)
        self.paid = np.zeros(cooperatives)          # what members got for the rest, net of fee, commission, shipping
        self.fee = np.zeros(cooperatives)           # the cooperative's fee on it
        self.trader_value = np.zeros(cooperatives)  # what the bulk trader would have paid for the same kg

    def add(self, coop: np.ndarray, offered: np.ndarray, shipped: np.ndarray, net: np.ndarray, fee: np.ndarray,
            trader_price: np.ndarray) -> None:
        """Add one month of the cooperative sellers' flows (``coop``: each seller's cooperative index)."""
        unsold = offered - shipped
        for total, values in ((self.offered, offered), (self.unsold, unsold),
                              (self.paid, net + unsold * trader_price), (self.fee, fee),
                              (self.trader_value, offered * trader_price)):
            total += np.bincount(coop, weights=values, minlength=self.size)

    def reasons(self, min_fill: float) -> np.ndarray:
        """Each cooperative's reason for members to leave (index into EXIT_REASONS, NO_REASON or NO_SALES).

        ``price``: even with its fee it paid less than the trader would have; ``fee``: only its fee
        made it pay less; ``unsold``: more than ``1 - min_fill`` of the pooled kg did not sell online.
        """
        reason = np.full(self.size, NO_REASON)
        # At the floor the pooled price equals the trader's up to rounding: a member does not leave for a rounding error.
        trader = self.trader_value * (1 - POOLED_ROUNDING)
        reason[self.paid + self.fee < trader] = EXIT_REASONS.index("price")
        fee_only = (self.paid < trader) & (self.paid + self.fee >= trader)
        reason[fee_only] = EXIT_REASONS.index("fee")
        reason[(reason == NO_REASON) & (self.unsold > (1 - min_fill) * self.offered)] = EXIT_REASONS.index("unsold")
        reason[self.offered <= 0] = NO_SALES
        return reason


def review_membership(member: np.ndarray, coop_of_household: np.ndarray, reason: np.ndarray, exit_rate: float,
                      join_rate: float, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Members who leave and households who join this year (index arrays), from their cooperative's reason.

    A member of a cooperative with a reason leaves with probability ``exit_rate``; a household of a
    county whose cooperative sold and gave no reason joins with probability ``join_rate``; a
    cooperative that sold nothing keeps its members and draws none. ``coop_of_household`` is -1
    where the county has no cooperative.
    """
    theirs = np.append(reason, NO_SALES)[coop_of_household]  # index -1: no cooperative, nothing sold
    leave = np.flatnonzero(member & (theirs >= 0) & (draws < exit_rate))
    join = np.flatnonzero(~member & (theirs == NO_REASON) & (draws < join_rate))
    return leave, join
