"""The uncertain conditions of a policy-design problem: a Latin hypercube over declared ranges, posterior members, or both.

Every candidate of ``ruralsim optimise`` is evaluated under each condition (and each paired seed);
condition k is the same parameter values for every candidate, so candidates are compared like
with like. Posterior members are drawn from ``seeds/posterior.parquet`` by weight, exactly as
``--posterior N`` draws them for ``validate``, ``experiment`` and ``suite``
(:func:`experiments.posterior.posterior_members`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from abm.io.inputs import format_table_errors
from abm.io.scenario import ScenarioError
from experiments.design import ranges_for, scale, unit_lhs
from experiments.policy.problem import Problem, UncertainSpec, lever_columns
from experiments.reports import fmt

#: columns of a condition that label it rather than set a parameter
CONDITION_LABELS = ("member", "posterior_row")


def condition_table(problem: Problem, posterior_file: str | Path | None = None) -> pd.DataFrame:
    """The uncertain conditions, one row each (one empty row if none).

    Declared ranges give a Latin hypercube; ``posterior = N`` gives N members of the calibration
    posterior (``member``, ``posterior_row`` and its values of every parameter the problem does not
    set itself: in ``parameters``, a lever, the budget or a range, which win over the member's).
    """
    spec = problem.uncertain
    if spec is None:
        return pd.DataFrame(index=pd.RangeIndex(1))
    table = pd.DataFrame(index=pd.RangeIndex(spec.conditions))
    if spec.ranges:
        table = scale(unit_lhs(len(spec.ranges), spec.conditions, spec.seed), ranges_for(list(spec.ranges),
                                                                                         dict(spec.ranges)))
    if spec.posterior is None:
        return table
    # scikit-learn (via the posterior's history matching): imported only when asked for
    from experiments.posterior import posterior_members

    members = posterior_members(spec.posterior, posterior_file).rename(columns={"row": "posterior_row"})
    own = {*table.columns, *problem.parameters, *lever_columns(problem)}
    return members[[c for c in members.columns if c not in own]].join(table)


def uncertain_factors(conditions: pd.DataFrame) -> list[str]:
    """The parameters that differ between conditions (the uncertain factors scenario discovery may name)."""
    return [c for c in conditions.columns if c not in CONDITION_LABELS and conditions[c].nunique() > 1]


def with_posterior(problem: Problem, members: int) -> Problem:
    """The problem with its conditions drawn from ``members`` posterior members (``--posterior N``), ranges kept.

    Raises:
        ScenarioError: If N is out of range.
    """
    spec = problem.uncertain.model_dump(exclude={"conditions"}) if problem.uncertain else {}
    try:
        uncertain = UncertainSpec(**spec | {"posterior": members})
    except ValidationError as err:
        raise ScenarioError(format_table_errors(err, "--posterior", "problem", lambda _: UncertainSpec.model_fields)
                            .replace("posterior =", "--posterior")) from None
    return problem.model_copy(update={"uncertain": uncertain})


def condition_words(uncertain: UncertainSpec | None) -> str:
    """How the uncertain conditions were drawn, in words."""
    if uncertain is None:
        return "one condition (no uncertain factors declared)"
    ranges = ", ".join(f"{k} in [{fmt(lo)}, {fmt(hi)}]" for k, (lo, hi) in uncertain.ranges.items())
    if uncertain.posterior is None:
        return f"{uncertain.conditions} uncertain conditions (Latin hypercube over {ranges})"
    over = f", each with a Latin-hypercube value of {ranges} (replacing the member's, if it has one)" if ranges else ""
    return (f"{uncertain.posterior} uncertain conditions: members of the calibration posterior "
            f"(seeds/posterior.parquet, drawn by weight){over}")
