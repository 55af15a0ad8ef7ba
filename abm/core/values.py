"""The ecosystem's values at the boundary: numpy scalars and whole floats taken as what they stand for.

Values handed over in code go through :func:`plain_value` first (the parameter, scenario and
experiment declarations call it before validating): numpy's scalars, which the EMA Workbench,
SALib, pandas rows, ``np.arange`` and ``mesa.batch_run`` all produce, become the Python value they
stand for, and a whole float (``40.0``) becomes an int where a whole number is declared. What a
value *means* is never guessed: text, true/false as a number, a fraction for a whole number, NaN
and infinity are still refused, by name. :func:`abm.core.checks.seed_value` is the same boundary
for seeds.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator


def plain_value(value: Any, whole: bool = False) -> Any:
    """The Python value a numpy scalar stands for; with ``whole``, a float with no fraction as an int.

    ``np.int64(125)`` is 125, ``np.float64(0.1)`` is 0.1, ``np.True_`` is True, ``np.str_("dual")``
    is ``"dual"``; for a whole-number field ``40.0`` and ``np.float64(40.0)`` are 40. Anything else is
    returned unchanged for the validator to judge (text, a bool where a number is declared).

    Raises:
        ValueError: For NaN or infinity, and for a fraction where ``whole`` (validators report it as
            the field's error).
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number (nan and inf are refused)")
        if whole:
            if not value.is_integer():
                raise ValueError("not a whole number")
            return int(value)
    return value


def whole_value(value: Any) -> Any:
    """:func:`plain_value` for a field declared as a whole number."""
    return plain_value(value, whole=True)


#: a whole-number field that takes numpy integers and whole floats (``Whole = Field(..., strict=True)``)
Whole = Annotated[int, BeforeValidator(whole_value)]
