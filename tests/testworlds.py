"""Parameter sets and helpers shared by tests (importable because tests/conftest.py puts tests/ on the path)."""

import numpy as np

#: A world where e-commerce spreads fast and demand is loose (the first calibration's values and a large urban
#: budget), so tests of translation and trust see many enrolments and defections whatever the current
#: calibration is (a plain logit demand: every seller adds to the province's share against the outside option).
DIFFUSING = {
    "coop_branded": 0.12849, "coop_processing": 0.23048, "offline_price_ratio": 0.488, "online_markup": 2.0057,
    "brand_multiplier": 4.7668, "quality_premium": 0.5164, "urban_budget": 3000.0, "outside_utility": 0.28207,
    "initial_online_west": 0.039963, "initial_online_centre": 0.054855, "initial_online_east": 0.15454,
    "innovation_rate": 0.012399, "passage_point_rate": 0.031518, "imitation_rate": 0.091208,
    "nest_dissimilarity": 1.0,
}


def same_bits(a, b) -> bool:
    """Equal arrays, scalars or tuples of them, bit for bit (dtype, shape and bytes; NaN equals NaN)."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b, strict=True))
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def summed_ratio(model, months: int, numerator: str, denominator: str) -> float:
    """Step ``model`` for ``months`` and return the ratio of two of its monthly metrics summed over them."""
    top = bottom = 0.0
    for _ in range(months):
        model.step()
        top += model.metrics[numerator]
        bottom += model.metrics[denominator]
    return top / bottom
