"""The model under Mesa's own ``mesa.batch_run``, for users who already know it.

:class:`abm.model.RuralEconomy` takes parameter overrides as keyword arguments and a ``seed`` (or ``rng``), which
is the signature ``batch_run`` expects, so no adapter is needed. The experiment runner
(:mod:`experiments.runner`) adds what ``batch_run`` lacks: validated experiment files, common random
numbers, resumable runs, Dask clusters and confidence intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import mesa
import pandas as pd

from abm.model import RuralEconomy


def mesa_batch_run(parameters: Mapping[str, Any | Iterable[Any]], seeds: list[int], months: int,
                   processes: int = 1, every_month: bool = False) -> pd.DataFrame:
    """Run a factorial sweep of the model with ``mesa.batch_run``.

    Args:
        parameters: Parameter overrides; a list of values makes that parameter a factor, e.g.
            ``{"farmers": 500, "commission": [0.03, 0.12]}``.
        seeds: One seed per replicate (each combination runs once per seed).
        months: Months to simulate.
        processes: Worker processes (``batch_run``'s ``number_processes``).
        every_month: Keep every month's model-level outcomes, not only the last month's.

    Returns:
        ``batch_run``'s records as a data frame: ``RunId``, ``iteration``, ``Step``, the parameters,
        ``seed`` and the model-level outcomes.
    """
    records = mesa.batch_run(RuralEconomy, parameters=dict(parameters), number_processes=processes,
                             data_collection_period=1 if every_month else -1, max_steps=months,
                             display_progress=False, rng=seeds)
    return pd.DataFrame(records)
