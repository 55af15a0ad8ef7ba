"""The translation's per-household equations in plain numpy: what each kernel of :mod:`abm.translation.transitions` computes.

Read these to see the equations; the kernels compute the same results household by household in
one compiled pass (``tests/abm/test_translation_reference.py`` checks them bit for bit on random
inputs). The arguments are those of the kernels, in their order.
"""

from __future__ import annotations

import numpy as np

from abm.core.stages import ENROLLED, INTERESTED, MOBILISED, NO_LINK, NOT_REACHED, PROBLEMATISED
from abm.translation.transitions import MOBILISATION_SALES, MOBILISATION_SKILL


def at_risk_and_drawn(stage, trained, skill, sales_count, shortfall, passage_points, households, draws,
                      first_contact, incentives, interessement, can_sell_online, can_livestream,
                      mobilisation_probability, patience, lapse_probability) -> tuple[np.ndarray, ...]:
    """Who moves this month, by last month's stage: six index arrays.

    Reached (not reached, draw 0 under the village's first-contact probability for its passage
    points), interested (problematised, draw 1 under ``1 - exp(-interessement * (1 + trained +
    village incentives))``), able to enrol (interested where the village sells online), mobilised
    (enrolled, 5G, skill and sales enough, no broken promise, draw 3 under the probability),
    defecting (committed with ``patience`` broken promises), losing interest (interested where the
    village cannot sell online, draw 1 under ``lapse_probability``).
    """
    v = np.arange(stage.size) // households
    interest = 1 - np.exp(-interessement * (1 + (trained.astype(np.float64) + incentives[v])))
    interested_now = stage == INTERESTED
    committed = stage >= ENROLLED
    defecting = committed & (shortfall >= patience)
    moves = (
        (stage == NOT_REACHED) & (draws[0] < first_contact[v, passage_points]),
        (stage == PROBLEMATISED) & (draws[1] < interest),
        interested_now & can_sell_online[v],
        committed & ~defecting & (stage == ENROLLED) & can_livestream[v] & (skill >= MOBILISATION_SKILL)
        & (sales_count >= MOBILISATION_SALES) & (shortfall == 0) & (draws[3] < mobilisation_probability),
        defecting,
        interested_now & ~can_sell_online[v] & (draws[1] < lapse_probability),
    )
    return tuple(np.flatnonzero(m) for m in moves)


def region_tallies(stage, trained, member, link_since, village_region, village_points, has_coop, month) -> np.ndarray:
    """Array (8, 3) of counts by region: the five stages, trained, old links, fragile (see ``Tallies``).

    An old link is an enrolment at least twelve months old; a fragile one has fewer than two
    passage points (the village's, plus one for a member where the county has a cooperative).
    """
    households = stage.size // village_region.size
    region = np.repeat(village_region, households)
    points = np.repeat(village_points, households) + (member & np.repeat(has_coop, households))
    enrolled = stage >= ENROLLED
    counted = [stage == s for s in (NOT_REACHED, PROBLEMATISED, INTERESTED, ENROLLED, MOBILISED)] + [
        trained, enrolled & (link_since > NO_LINK) & (link_since <= month - 12),
        enrolled & (points < 2)]
    return np.stack([np.bincount(region, weights=c, minlength=3) for c in counted])
