"""Trust mechanisms: how far buyers believe a seller's quality claim, and how fraud is caught.

Four mechanisms behind one interface (source 000, 002): acquaintance-only, platform reputation,
the dual mechanism (acquaintance trust turned into a credit rating, plus contract enforcement and a
dispute channel), and blockchain traceability (verified quality at a cost per kg).

The sellers' side of fraud, whether to misrepresent given the mechanism's ``detection`` and
``penalty``, is :meth:`agents.farmers.FarmerPopulation.decide_fraud` (called in the learning
phase, ``RuralEconomy._learn``); whether to buy traceability is ``decide_traceability`` there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from abm.core.kernels import np_maximum
from abm.core.params import Parameters

#: channel index inside a seller group (village x online channel): cooperative, shop, livestream
GROUP_COOP = 0
#: least credibility of a cooperative's claim to buyers outside its region (it acts as intermediary)
COOP_OUTSIDE_CREDIBILITY = 0.45
RATING_DETECTION = 0.25  # share of misrepresented deliveries that buyers' ratings expose
#: credibility of an acquaintance-only seller to urban buyers of its own region: kin and neighbour ties reach
#: few of a region's city buyers, most are strangers to the village (0.85 earlier made region-wide kinship)
ACQUAINTANCE_INSIDE = 0.6


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
        return _credibility(rating, traced, origin, channel, self.inside, self.outside, self.uses_ratings)


@njit(cache=True, nogil=True)
def _credibility(rating: np.ndarray, traced: np.ndarray, origin: np.ndarray, channel: np.ndarray, inside: float,
                 outside: float, uses_ratings: bool) -> np.ndarray:
    """:meth:`TrustMechanism.credibility` in one pass, the same operations on each (segment, group) entry.

    ``base = inside`` in the origin region, else ``outside`` (at least ``COOP_OUTSIDE_CREDIBILITY`` for a
    cooperative), ``np.maximum(base, rating)`` with ratings, then ``traced + (1 - traced) * base``
    (:func:`abm.trust.reference.credibility` states it in numpy).
    """
    out = np.empty((3, origin.size))
    for g in range(origin.size):
        coop = channel[g] == GROUP_COOP
        for s in range(3):
            same_region = s == origin[g]
            base = inside if same_region else outside
            base = np_maximum(base, COOP_OUTSIDE_CREDIBILITY) if coop and not same_region else base
            base = np_maximum(base, rating[g]) if uses_ratings else base
            out[s, g] = traced[g] + (1 - traced[g]) * base
    return out


def mechanism(p: Parameters) -> TrustMechanism:
    """Build the trust mechanism the parameters choose."""
    if p.trust_mechanism == "acquaintance":
        return TrustMechanism("acquaintance", ACQUAINTANCE_INSIDE, 0.15, 0.0, 1.0, False, 0.45, p.fraud_penalty, False)
    if p.trust_mechanism == "reputation":
        return TrustMechanism("reputation", 0.5, 0.0, 0.3, 6.0, True, RATING_DETECTION, p.fraud_penalty, False)
    if p.trust_mechanism == "dual":
        # The credit rating starts from community standing, so the cold start is mild; contracts
        # add a penalty of at least one gain, and the dispute channel raises detection.
        return TrustMechanism("dual", 0.85, 0.0, 0.55, 4.0, True, RATING_DETECTION + 0.6 * p.dispute_speed,
                              max(p.fraud_penalty, 1.0), False)
    return TrustMechanism("blockchain", 0.5, 0.0, 0.3, 6.0, True, RATING_DETECTION, p.fraud_penalty, True)
