"""The household survey's estimate of what adopting e-commerce does to income, run on the model's own households.

Li et al. (2021, Food Policy 101: 102024) compare households that took up e-commerce with matched
households that did not, before and after (PSM-DiD). Each year end the model does the same on its
panel: adopters are households that sold online this year and not the year before; controls sold
online in neither; each adopter is matched to the control of its region and crop whose income last
year was nearest; the effect on each part of income is the mean over adopters of (adopter's change
from last year) - (its match's change), per person. Zeros until two years are closed or where no
adopter has a match.
"""

from __future__ import annotations

import numpy as np

from agents.households import INCOME_PARTS

#: the effects reported: on income and on each of the survey's parts, yuan per person a year
EFFECTS = ("income", *INCOME_PARTS)


def matched_differences(last_parts: np.ndarray, parts: np.ndarray, adopters: np.ndarray, controls: np.ndarray,
                        cell: np.ndarray, persons: float) -> dict[str, float]:
    """Mean difference-in-differences of adopters against their nearest controls, by part (yuan/person/year).

    ``last_parts`` and ``parts`` are (part, household) incomes of last year and this year; ``cell``
    the matching cell of each household (region x crop); a match is the control in the adopter's
    cell whose last-year income is nearest.
    """
    effect = dict.fromkeys(EFFECTS, 0.0)
    last_income = last_parts.sum(axis=0)
    change = np.vstack([parts.sum(axis=0) - last_income, parts - last_parts])
    treated, matched = [], []
    for c in np.unique(cell[adopters]):
        pool = np.flatnonzero(controls & (cell == c))
        if pool.size == 0:
            continue
        pool = pool[np.argsort(last_income[pool], kind="stable")]
        mine = np.flatnonzero(adopters & (cell == c))
        at = np.clip(np.searchsorted(last_income[pool], last_income[mine]), 1, max(pool.size - 1, 1))
        left, right = pool[at - 1], pool[np.minimum(at, pool.size - 1)]
        nearer_left = np.abs(last_income[left] - last_income[mine]) <= np.abs(last_income[right] - last_income[mine])
        treated.append(mine)
        matched.append(np.where(nearer_left, left, right))
    if not treated:
        return effect
    t, m = np.concatenate(treated), np.concatenate(matched)
    did = (change[:, t] - change[:, m]).mean(axis=1) / persons
    return dict(zip(EFFECTS, did.tolist(), strict=True))
