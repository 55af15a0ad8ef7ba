"""The livestream audience: urban viewers' attention that hosts and their partners compete for.

A livestream platform allocates a limited stream of traffic: in a month its viewers spend at most
``audience_share`` of the urban online budget on what hosts sell (their own produce, their
followers' and the cooperatives they stream for). Where buyers would spend more than that on
streamed groups, every streamed group's spending is scaled down by the same factor and the rest
goes to the outside option (viewers' attention is used up), so one more host in a saturated
audience takes sales from the others instead of adding its own. The scale of last month (the
audience's slack) also rations the platform's traffic for new hosts: mobilisation's hazard is
multiplied by it (docs/ODD.md, "Livestream audience").
"""

from __future__ import annotations

import numpy as np


def cooperative_partners(new_farmers_by_village: np.ndarray, village_county: np.ndarray,
                         coop_of_county: np.ndarray) -> np.ndarray:
    """Villages whose county has a cooperative and a livestream host (new farmer) it can stream with."""
    hosts = np.bincount(village_county, weights=new_farmers_by_village, minlength=coop_of_county.size)
    return (coop_of_county[village_county] >= 0) & (hosts[village_county] > 0)


def streamed_groups(channel: np.ndarray, village: np.ndarray, partner_village: np.ndarray) -> np.ndarray:
    """Seller groups sold on a livestream: the livestream channel, and cooperatives with a host partner.

    ``channel`` is each group's online channel (0 cooperative, 1 shop, 2 livestream), ``village``
    its village and ``partner_village`` whether the village's cooperative has a livestream host
    in its county.
    """
    return (channel == 2) | ((channel == 0) & partner_village[village])


def ration_audience(spend: np.ndarray, streamed: np.ndarray, audience: float) -> tuple[np.ndarray, float]:
    """Spending (segment, group) with the streamed groups' total held to ``audience`` yuan, and the scale used.

    The scale is ``min(1, audience / streamed spending)`` (1 with no streamed spending); spending on
    the other groups is unchanged.
    """
    live = float(spend[:, streamed].sum())
    scale = min(1.0, audience / live) if live > 0 else 1.0
    if scale < 1.0:
        spend = spend.copy()
        spend[:, streamed] *= scale
    return spend, scale
