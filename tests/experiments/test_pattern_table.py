"""The pattern table: every fact says what it is evidence of, at which level and over which period."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.core.params import declarations
from abm.io.scenario import ScenarioError
from abm.simulate import RunResult
from experiments.calibration import facts as facts_module
from experiments.calibration.facts import EVIDENCE, LEVELS, MEASURES, load_facts
from experiments.calibration.validate import EVIDENCE_TITLES, fact_table, markdown
from experiments.references import load_references, parameter_source_keys, reference_list

RECORD = Path(__file__).resolve().parents[2] / "seeds" / "calibration.toml"


def test_every_fact_says_what_it_is_evidence_of_where_it_lives_and_when() -> None:
    facts = load_facts()
    for f in facts:
        assert f.evidence in EVIDENCE and f.level in LEVELS and f.period, f.id
        if f.kind in ("input", "policy"):
            assert f.evidence == "imposed" and f.informs, f.id
        if f.evidence in ("independent", "context"):
            assert f.informs == (), f.id
    groups = {e: [f.id for f in facts if f.evidence == e] for e in EVIDENCE}
    # the facts the issue names as set by the inputs are marked so, not sold as evidence
    assert {"fresh_loss_no_cold_chain", "fresh_loss_cold_chain", "income_per_person_2023", "income_quintile_ratio",
            "misrepresented_share", "november_peak", "east_west_income_ratio"} <= set(groups["imposed"])
    assert {"own_online_sellers", "adoption_effect_income", "adoption_effect_wages"} <= set(groups["independent"])
    # the shop counts' growth pins the speed of diffusion, which no other fact reads: a calibration target
    assert {"online_shops_growth", "online_shops_slowdown"} <= set(groups["calibrated"])


def test_calibrated_facts_are_the_records_targets_and_inform_what_its_emulators_rank_first() -> None:
    record = tomllib.loads(RECORD.read_text(encoding="utf-8"))["record"]
    last = record["waves"][f"wave{record['wave_count']}"]["emulators"]
    calibrated = {f.id: f for f in load_facts() if f.evidence == "calibrated"}
    assert set(calibrated) == set(record["facts"])
    for fact_id, f in calibrated.items():
        assert list(f.informs) == last[fact_id]["shortest_length_scales"], fact_id
        assert set(f.informs) <= set(record["parameters"])


def test_imposed_facts_name_declared_parameters_or_fixed_values_they_are_set_by() -> None:
    from abm.fixed_values import values_by_key

    decl = declarations()
    names = {d["name"] for d in decl} | {d["regional"] for d in decl if d["regional"]} | set(values_by_key())
    for f in load_facts():
        assert set(f.informs) <= names, f.id
    quintile = next(f for f in load_facts() if f.id == "income_quintile_ratio")
    assert "WAGE_EARNER_SHARES" in quintile.informs  # a fixed value of agents/households.py, not a parameter


@pytest.mark.parametrize("changes, message", [
    ({"evidence": "guess"}, "evidence = 'guess' for a input fact; allowed: imposed"),
    ({"evidence": "independent"}, "allowed: imposed"),
    ({"informs": ""}, "an imposed fact names what it informs"),
    ({"informs": "no_such_parameter"}, "informs names no_such_parameter"),
    ({"level": "planet"}, "level = 'planet'"),
    ({"level": "nation"}, "nation for a context fact"),
    ({"period": " "}, "period is empty"),
])
def test_a_malformed_pattern_row_names_the_column_and_what_is_allowed(tmp_path: Path, changes: dict,
                                                                       message: str) -> None:
    rows = pd.read_csv(facts_module.facts_path(), dtype=str, keep_default_na=False)
    for column, value in changes.items():
        rows.loc[0, column] = value  # row 0: cold_chain_coverage, an input
    path = tmp_path / "facts.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_facts(path)


def test_an_independent_fact_cannot_name_what_it_set_and_a_calibrated_one_only_free_parameters(
        tmp_path: Path) -> None:
    rows = pd.read_csv(facts_module.facts_path(), dtype=str, keep_default_na=False)
    independent = rows.index[rows.id == "own_online_sellers"][0]
    rows.loc[independent, "informs"] = "urban_budget"
    path = tmp_path / "facts.csv"
    rows.to_csv(path, index=False)
    with pytest.raises(ScenarioError, match="an independent fact sets nothing"):
        load_facts(path)
    rows.loc[independent, ["evidence", "informs"]] = ["calibrated", "wage_growth"]  # declared, but not free
    rows.to_csv(path, index=False)
    with pytest.raises(ScenarioError, match="informs names wage_growth; allowed: free parameters"):
        load_facts(path)


def shops_run(shares: list[float]) -> RunResult:
    """A run whose own-online-seller share is flat within each year at the given yearly values."""
    months = np.arange(12 * len(shares) + 1)
    year = np.maximum((months - 1) // 12, 0)
    series = pd.DataFrame({"month": months, "own_online_sellers": np.array(shares)[year]})
    return RunResult(series, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {"parameters": {}})


def test_shop_growth_and_its_slowdown_are_measured_over_their_calendar_years() -> None:
    # years 1-3 grow 10% a year, years 3-5 grow 5% a year, year 6 jumps (outside both windows)
    shares = [0.1, 0.11, 0.121, 0.121 * 1.05, 0.121 * 1.05 ** 2, 0.5]
    run = shops_run(shares)
    growth = MEASURES["own_sellers_growth_2022_2025"](run)  # years 2-5: a fit through 10%, 5%, 5%
    slope = np.polyfit([2, 3, 4, 5], np.log(shares[1:5]), 1)[0]
    assert growth == pytest.approx(math.expm1(slope))
    assert MEASURES["own_sellers_growth_change"](run) == pytest.approx(0.05 - 0.10)
    accelerating = shops_run([0.1, 0.101, 0.102, 0.11, 0.121, 0.13])
    assert MEASURES["own_sellers_growth_change"](accelerating) > 0


def test_validation_reports_independent_calibrated_imposed_and_context_facts_apart() -> None:
    facts = [f for f in load_facts() if f.id in ("own_online_sellers", "branded_share", "november_peak",
                                                "jobs_per_shop")]
    values = pd.DataFrame({"own_online_sellers": [0.11, 0.12], "branded_share": [0.2, 0.3],
                           "november_peak": [1.3, 1.4]})
    text = markdown(fact_table(facts, values), "title")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings[:4] == [EVIDENCE_TITLES[e] for e in EVIDENCE]
    independent = text.split(EVIDENCE_TITLES["independent"])[1].split("## ")[0]
    assert "own_online_sellers" in independent and "branded_share" not in independent
    assert "Met, by group: independent: 1 of 1 met; calibrated: 0 of 1 met; imposed: 1 of 1 met." in text


def test_every_fact_and_parameter_source_is_a_reference_with_author_year_title_and_venue() -> None:
    refs = load_references()
    for f in load_facts():
        for key in f.source.split("; "):
            r = refs[key]
            assert r.authors and r.title and r.venue and r.cite, key
    cited = {key for d in declarations() for key in parameter_source_keys(d["source"])}
    assert {"003_d59e74559908fb7a.txt", "000_9a8f51988e555b84.txt", "NBS_yearly_releases"} <= cited
    with pytest.raises(ScenarioError, match="cites no reference"):
        parameter_source_keys("999 (a paper nobody has)")
    assert "**Mueller et al. (2013)**" in reference_list() and "doi:10.18564/jasss.4259" in reference_list()
