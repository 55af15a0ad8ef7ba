"""E-commerce platforms: commission, ranking, reputation, and pricing practices (source 001)."""

from __future__ import annotations

from mesa import Agent

from abm.core.stages import ENROLLED, INTERESTED, MOBILISED

#: platform indices (``platform_of`` of a shop seller, the commission and revenue arrays)
EASTERN_MARKETPLACE, EASTERN_LIVESTREAM, CENTRAL_MARKETPLACE = 0, 1, 2
#: each platform's home region, whether it is a livestream platform, and its share of shop sellers, in index order
PLATFORM_TERMS = {
    "eastern_marketplace": (2, False, 0.7),
    "eastern_livestream": (2, True, 0.0),
    "central_marketplace": (1, False, 0.3),
}


class Platform(Agent):
    """A marketplace or livestream platform, most of them based in the east."""

    def __init__(self, model, name: str, home_region: int, livestream: bool, seller_share: float,
                 commission: float) -> None:
        """Create a platform with its home region, kind and base commission."""
        super().__init__(model)
        self.name = name
        self.home_region = home_region
        self.livestream = livestream
        self.seller_share = seller_share
        self.base_commission = commission
        self.commission = commission
        self.revenue = 0.0
        self.sellers = 0
        self.stage = ENROLLED

    def set_shock(self, active: bool, hike: float) -> None:
        """Raise the commission by ``hike`` (absolute) while a commission shock is active."""
        self.commission = min(0.9, self.base_commission + hike) if active else self.base_commission

    def update_stage(self, sellers: int, threshold: int) -> None:
        """Mobilised when it speaks for many rural sellers, enrolled with some, interested with none."""
        self.sellers = sellers
        self.stage = MOBILISED if sellers >= threshold else (ENROLLED if sellers > 0 else INTERESTED)
