"""The obligatory passage points within each household's reach: station, cooperative, new farmer, recruiter.

The translation's hazards (:mod:`abm.translation.transitions`) rise with them; counted per village,
then per household (a member also reaches its county's cooperative) by a compiled kernel
(:func:`abm.income.kernels._household_passage_points`, with its equation in :mod:`abm.income.reference`).
"""

from __future__ import annotations

import numpy as np

from abm.income.kernels import _household_passage_points
from abm.state import Province


def village_passage_points(pv: Province, new_farmers_by_village: np.ndarray | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Each village's passage points (int8), and whether its county has a cooperative (a member's one more).

    ``new_farmers_by_village`` is the number of new farmers in each village, where the caller has it.
    """
    f, v = pv.farmers, pv.villages
    if new_farmers_by_village is None:
        new_farmers_by_village = f.village_sum(f.new_farmer)
    recruiter = pv.development.recruiters(v.broadband)
    return v.station.astype(np.int8) + (new_farmers_by_village > 0) + recruiter, v.has_coop()


def household_passage_points(pv: Province, new_farmers_by_village: np.ndarray | None = None) -> np.ndarray:
    """Obligatory passage points within each farmer's reach: station, cooperative, new farmer, recruiter (int8)."""
    return _household_passage_points(*village_passage_points(pv, new_farmers_by_village), pv.farmers.member)
