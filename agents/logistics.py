"""Logistics providers: which counties they serve, price by distance and weight, cold chain, loss."""

from __future__ import annotations

import numpy as np
from mesa import Agent


class LogisticsProvider(Agent):
    """A parcel and cold-chain carrier serving a set of county hubs."""

    def __init__(self, model, name: str, counties: np.ndarray, base: float, per_km: float,
                 surcharge: float) -> None:
        """Create a provider serving the counties flagged True in ``counties``."""
        super().__init__(model)
        self.name = name
        self.serves = counties.astype(bool)
        self.home = self.serves.copy()
        self.base = base
        self.per_km = per_km
        self.surcharge = surcharge
        self.revenue = 0.0
        self.stage = 3

    def cost_per_kg(self, road_km: np.ndarray, cold_chain: np.ndarray, fresh: np.ndarray) -> np.ndarray:
        """Price of shipping one kg from each village: a base, a per-km rate, and cold chain for fresh produce."""
        return self.base + self.per_km * road_km + self.surcharge * cold_chain * fresh

    def withdraw(self, counties: np.ndarray) -> None:
        """Leave some counties (a shock); the provider is defecting from those links."""
        self.serves = self.home & ~counties
        self.stage = 3 if self.serves.any() else 1

    def restore(self) -> None:
        """Serve all home counties again."""
        self.serves = self.home.copy()
        self.stage = 3


def transit_loss(perishability: np.ndarray, cold_chain: np.ndarray, road_km: np.ndarray,
                 loss_no_cc: float, loss_cc: float, ref_km: float, elasticity: float) -> np.ndarray:
    """Share of shipped kg lost in transit.

    ``loss = perishability * (loss_no_cc * (1 - cc) + loss_cc * cc) * (km / ref_km) ** elasticity``,
    capped at 0.9: it grows with perishability and distance and falls with cold-chain coverage.
    """
    base = loss_no_cc * (1.0 - cold_chain) + loss_cc * cold_chain
    return np.minimum(0.9, perishability * base * (np.maximum(road_km, 1.0) / ref_km) ** elasticity)


def parcel_discount(station: np.ndarray, online_share: np.ndarray, station_discount: float,
                    cluster_discount: float) -> np.ndarray:
    """What a parcel from each village costs relative to the carrier's price (1: no discount).

    A service station gathers the village's parcels (``station_discount`` off), and carriers pick up
    more cheaply where many households sell online (``cluster_discount`` times the village's online
    share off): the two discounts multiply.
    """
    return (1.0 - station_discount * station) * (1.0 - cluster_discount * online_share)
