"""Cooperatives: pool members' produce, standardise, brand and process it, sell it online for a fee."""

from __future__ import annotations

from mesa.discrete_space import FixedAgent

from abm.ledger import MoneyLedger
from agents.farmers import ENROLLED, INTERESTED, MOBILISED

BRAND_COST = 200_000.0  # yuan to register and build a cooperative brand (000, 003)
PROCESSING_COST = 300_000.0  # yuan for a small deep-processing line (assumption)
RESERVE = 3.0  # multiples of an investment a cooperative holds before it invests (assumption)


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

    def invest(self, ledger: MoneyLedger, capacity_step: float) -> None:
        """Spend fee income on a brand first, then on processing capacity.

        A cooperative keeps a reserve of ``RESERVE`` times the investment before it invests.
        """
        if not self.branded and self.cash >= RESERVE * BRAND_COST:
            ledger.add("cooperatives", "brand_services", BRAND_COST, "coop_brand")
            self.cash -= BRAND_COST
            self.branded = True
        elif self.branded and self.processing < 0.5 and self.cash >= RESERVE * PROCESSING_COST:
            ledger.add("cooperatives", "equipment", PROCESSING_COST, "coop_processing")
            self.cash -= PROCESSING_COST
            self.processing = min(0.5, self.processing + capacity_step)

    def update_stage(self, active_members: int) -> None:
        """Enrolled while it sells for members online; mobilised when it speaks for many under a brand."""
        if active_members == 0:
            self.stage = INTERESTED
        elif self.branded and active_members >= 20:
            self.stage = MOBILISED
        else:
            self.stage = ENROLLED
