"""Development models: which actor drives the translation of a village into online selling (source 000).

Four strategies behind one interface, as :mod:`abm.trust.mechanisms` does for trust mechanisms: ``baseline``
(stations, cooperatives and neighbours only); ``platform`` (a platform recruits in broadband
villages: a passage point and an interessement device there); ``government_brand`` (villages with
a service station sell under a regional public brand, which interests their farmers); and
``livestream`` (new farmers, 1% of households in 5G villages at the start, lead: a new farmer in
the village interests others, and mobilisation runs three times as fast).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.core.params import Parameters
from abm.core.stages import MOBILISED
from agents.farmers import FarmerPopulation


@dataclass(frozen=True)
class DevelopmentModel:
    """One development model: its recruiters, brand, new farmers and pace of mobilisation.

    Attributes:
        name: the model's name in the parameters (``development_model``).
        platform_recruits: a platform recruits in broadband villages.
        public_brand: villages with a service station sell under the government's public brand.
        new_farmers_lead: new farmers are seeded at the start and interest their village.
        mobilisation_factor: multiplies the mobilisation rate.
        seed_share: share of the households of 5G villages who start as new farmers.
    """

    name: str
    platform_recruits: bool = False
    public_brand: bool = False
    new_farmers_lead: bool = False
    mobilisation_factor: float = 1.0
    seed_share: float = 0.0

    def recruiters(self, broadband: np.ndarray) -> np.ndarray:
        """Each village's platform recruiter (a passage point): its broadband where the platform recruits."""
        return broadband if self.platform_recruits else np.zeros_like(broadband)

    def brand_villages(self, station: np.ndarray) -> np.ndarray:
        """Villages selling under the public brand."""
        return station.copy() if self.public_brand else np.zeros(station.size, bool)

    def village_incentives(self, station: np.ndarray, broadband: np.ndarray, new_farmer_share: np.ndarray,
                           brand: np.ndarray, paired: np.ndarray) -> np.ndarray:
        """Interessement devices of each village: station, recruiter, new farmer, public brand, eastern partner.

        The terms are multiples of 0.5, so their sum is exact in any order.
        """
        return (station * 0.5
                + (broadband * 1.0 if self.platform_recruits else 0.0)
                + ((new_farmer_share > 0) * 1.0 if self.new_farmers_lead else 0.0)
                + (brand * 1.0 if self.public_brand else 0.0)
                + paired * 0.5)

    def seed_new_farmers(self, f: FarmerPopulation, g5: np.ndarray, rng: np.random.Generator) -> None:
        """Make a ``seed_share`` of the households of 5G villages mobilised new farmers (draws only when it seeds)."""
        if not self.new_farmers_lead:
            return
        seed = np.repeat(g5, f.households) & (rng.random(f.n) < self.seed_share)
        f.new_farmer[seed] = True
        f.stage[seed] = MOBILISED
        f.link_since[seed] = 0
        f.skill[seed] = np.maximum(f.skill[seed], 0.7)


DEVELOPMENT_MODELS = {
    "baseline": DevelopmentModel("baseline"),
    "platform": DevelopmentModel("platform", platform_recruits=True),
    "government_brand": DevelopmentModel("government_brand", public_brand=True),
    "livestream": DevelopmentModel("livestream", new_farmers_lead=True, mobilisation_factor=3.0, seed_share=0.01),
}


def development_model(p: Parameters) -> DevelopmentModel:
    """The development model the parameters choose."""
    return DEVELOPMENT_MODELS[p.development_model]
