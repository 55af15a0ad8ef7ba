"""Trust mechanisms: how far buyers believe a seller's quality claim, and how fraud is caught.

Four mechanisms behind one interface (source 000, 002): acquaintance-only, platform reputation,
the dual mechanism (acquaintance trust turned into a credit rating, plus contract enforcement and a
dispute channel), and blockchain traceability (verified quality at a cost per kg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.params import Parameters

#: channel index inside a seller group (village x online channel): cooperative, shop, livestream
GROUP_COOP = 0
RATING_DETECTION = 0.25  # share of misrepresented deliveries that buyers' ratings expose


@dataclass
class TrustMechanism:
    """One trust mechanism: credibility of groups to segments, fraud detection and penalty.

    Attributes:
        name: the mechanism's name in the parameters.
        inside: credibility inside the seller's own region (acquaintance ties).
        outside: credibility outside it, for a seller with no rating.
        prior: a newcomer's rating before sales (cold start), and ``prior_weight`` in months of sales.
        uses_ratings: whether ratings (reputation) feed credibility.
        detection: chance that a misrepresentation is caught.
        penalty: contract penalty on caught misrepresentation, in multiples of the gain.
        traceable: whether sellers can buy verified traceability.
    """

    name: str
    inside: float
    outside: float
    prior: float
    prior_weight: float
    uses_ratings: bool
    detection: float
    penalty: float
    traceable: bool

    def rating(self, reputation: np.ndarray, sales_months: np.ndarray) -> np.ndarray:
        """Each seller's effective rating: its record shrunk towards the newcomer prior."""
        w = sales_months / (sales_months + self.prior_weight)
        return w * reputation + (1 - w) * self.prior

    def credibility(self, rating: np.ndarray, traced: np.ndarray, origin: np.ndarray,
                    channel: np.ndarray) -> np.ndarray:
        """Credibility of each seller group's claim to each urban segment: array (segment, group).

        Acquaintance trust is high inside the origin region and low outside, where a cooperative
        acting as intermediary lifts it; ratings replace it where the mechanism has them; verified
        (traced) kg are fully credible.
        """
        same_region = np.arange(3)[:, None] == origin[None, :]
        base = np.where(same_region, self.inside, self.outside)
        base = np.where((channel == GROUP_COOP)[None, :] & ~same_region, np.maximum(base, 0.45), base)
        if self.uses_ratings:
            base = np.maximum(base, rating[None, :])
        return traced[None, :] + (1 - traced[None, :]) * base


def mechanism(p: Parameters) -> TrustMechanism:
    """Build the trust mechanism the parameters choose."""
    if p.trust_mechanism == "acquaintance":
        return TrustMechanism("acquaintance", 0.85, 0.15, 0.0, 1.0, False, 0.45, p.fraud_penalty, False)
    if p.trust_mechanism == "reputation":
        return TrustMechanism("reputation", 0.5, 0.0, 0.3, 6.0, True, RATING_DETECTION, p.fraud_penalty, False)
    if p.trust_mechanism == "dual":
        # The credit rating starts from community standing, so the cold start is mild; contracts
        # add a penalty of at least one gain, and the dispute channel raises detection.
        return TrustMechanism("dual", 0.85, 0.0, 0.55, 4.0, True, RATING_DETECTION + 0.6 * p.dispute_speed,
                              max(p.fraud_penalty, 1.0), False)
    return TrustMechanism("blockchain", 0.5, 0.0, 0.3, 6.0, True, RATING_DETECTION, p.fraud_penalty, True)
