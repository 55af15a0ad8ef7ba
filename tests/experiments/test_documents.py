"""The model description and the TRACE record say what the code and the committed records say."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import tomllib
from pathlib import Path

import pytest

from abm import fixed_values
from abm.core.params import declarations
from experiments import documents
from experiments.cli.app import command_names
from experiments.documents import (
    ODD,
    README,
    TRACE,
    broken_links,
    document_problems,
    figure_value,
    refresh_figures,
    stale_figures,
    unknown_commands,
    untagged_numbers,
    validation_rows,
)
from experiments.trace import BASELINE, corroboration_table

#: the elements of ODD's second update (Grimm et al. 2020) and the design concepts ODD+D adds (Mueller et al. 2013)
ODD_ELEMENTS = ("Purpose and patterns", "Entities, state variables and scales", "Process overview and scheduling",
                "Design concepts", "Basic principles", "Emergence", "Adaptation", "Objectives", "Learning",
                "Prediction", "Sensing", "Interaction", "Stochasticity", "Collectives", "Observation",
                "Initialization", "Input data", "Submodels")
ODD_D_ELEMENTS = ("Theoretical background", "Empirical background", "Heterogeneity", "Individual decision-making",
                  "Implementation details")
#: the questions ODD+D asks of every decision, each a heading under the decision
DECISION_QUESTIONS = ("Theory", "Bounded rationality", "Heterogeneity", "Uncertainty", "Learning",
                      "Empirical grounding")
DECISIONS = ("Channel choice", "Interessement, enrolment and mobilisation", "Defection", "Cooperative membership",
             "Misrepresentation and traceability", "Cooperative investment", "Government and east-west fund")


def headings(text: str) -> list[tuple[int, str]]:
    """(level, title without its number) of every heading of a Markdown text."""
    found = re.findall(r"(?m)^(#+) (?:[\d.]+ )?(.+)$", text)
    return [(len(level), title.strip()) for level, title in found]


def test_the_odd_trace_and_readme_agree_with_the_code_and_the_records() -> None:
    """Every tagged number current, none untagged, every table and reference generated, no broken link."""
    assert document_problems(command_names()) == []


def test_every_odd_element_and_every_odd_d_question_of_every_decision_has_its_own_heading() -> None:
    found = headings(ODD.read_text(encoding="utf-8"))
    titles = [title for _, title in found]
    for element in ODD_ELEMENTS + ODD_D_ELEMENTS:
        assert element in titles, element
    for decision in DECISIONS:
        start = next(i for i, (_, title) in enumerate(found) if title.startswith(decision))
        level = found[start][0]
        under = []
        for lvl, title in found[start + 1:]:
            if lvl <= level:
                break
            under.append(title)
        assert list(DECISION_QUESTIONS) == under, decision


def test_emergence_says_that_demand_growth_is_a_parameter() -> None:
    text = ODD.read_text(encoding="utf-8")
    emergence = text.split("### 4.2 Emergence", 1)[1].split("### 4.3", 1)[0]
    assert "`urban_budget_growth`" in emergence and "no growth rate is a parameter" not in text


def test_a_changed_constant_makes_the_figure_that_quotes_it_stale(monkeypatch) -> None:
    """CLEARING_STEPS is quoted in the ODD's market section: changing it in the code makes the document wrong."""
    text = ODD.read_text(encoding="utf-8")
    assert not stale_figures(text)
    monkeypatch.setattr("abm.market.clearing.CLEARING_STEPS", 5)
    fixed_values.scalar_values.cache_clear()
    fixed_values.values_by_key.cache_clear()
    try:
        stale = stale_figures(text)
        assert stale and all("4 is stale" in s for s in stale)
        assert any("c.CLEARING_STEPS" in s for s in stale)
        assert "5<!--=c.CLEARING_STEPS-->" in refresh_figures(text)
    finally:
        monkeypatch.undo()
        fixed_values.scalar_values.cache_clear()
        fixed_values.values_by_key.cache_clear()


def test_figures_are_compared_at_the_precision_written() -> None:
    # a declared, uncalibrated figure (a calibrated one moves with every calibration)
    assert figure_value("p.persons_per_household") == pytest.approx(3.27)
    assert not stale_figures("3.27<!--=p.persons_per_household--> and 327%<!--=p.persons_per_household-->")
    assert not stale_figures("3.3<!--=p.persons_per_household-->")  # 3.27 at one decimal
    assert stale_figures("3.28<!--=p.persons_per_household-->") and stale_figures("326%<!--=p.persons_per_household-->")
    assert not stale_figures("20,133<!--=f.income_per_person_2022.target--> yuan")
    assert "no such parameter" in stale_figures("3<!--=p.no_such_parameter-->")[0]
    assert "no such fixed value" in stale_figures("3<!--=c.NO_SUCH-->")[0]


def test_an_untagged_number_in_prose_or_in_a_code_span_is_reported() -> None:
    text = ("Loss is 25% here, 0.28<!--=p.nest_dissimilarity--> there; section 7.3 and model year 5, Li et\n"
            "al. (2021), g5_west, min(1, x), Double 11.\n`offer = 0.2 x stock` and `1 - exp(-h)`\n"
            "<!-- fixed-values:x:begin -->\n| 3.5 |\n<!-- fixed-values:x:end -->\n")
    problems = untagged_numbers(text)
    assert len(problems) == 2
    assert "'25%'" in problems[1] and "line 1" in problems[1]
    assert "code span `offer = 0.2 x stock`" in problems[0] and "line 3" in problems[0]


def test_links_paths_and_commands_are_checked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("", encoding="utf-8")
    text = "[ok](page.md) [gone](missing.md) `abm/model.py` `abm/metrics.py` `ruralsim docs` `ruralsim frobnicate`"
    assert broken_links(text, page) == ["link to missing.md: no such file", "`abm/metrics.py`: no such file in "
                                                                          "the repository"]
    assert unknown_commands(text, command_names()) == ["ruralsim frobnicate"]


def test_a_stale_copy_of_the_odd_is_found_and_refreshing_fixes_it(tmp_path: Path) -> None:
    odd = tmp_path / "ODD.md"
    text = ODD.read_text(encoding="utf-8")
    odd.write_text(text.replace("0.3<!--=c.trust.reputation.newcomer_prior_rating-->",
                                "0.1<!--=c.trust.reputation.newcomer_prior_rating-->"), encoding="utf-8")
    problems = document_problems(command_names(), odd=odd, trace=TRACE, readme=README)
    assert any("0.1 is stale" in p for p in problems)
    trace, readme = tmp_path / "TRACE.md", tmp_path / "README.md"
    readme.write_text(README.read_text(encoding="utf-8"), encoding="utf-8")
    changed = documents.refresh_documents(odd=odd, trace=trace, readme=readme)
    assert changed == [odd, trace] and odd.read_text(encoding="utf-8") == text


def test_the_fixed_value_registry_reads_inline_numbers_from_their_statements() -> None:
    assert fixed_values.inline("agents.farmers", "self.reputation = (1.0 - 0.5 * 0.8", 2)[0] == 0.8
    assert fixed_values.inline("agents.farmers", "self.link_since = np.where", 0)[0] == -12  # the sign is kept
    assert fixed_values.inline("abm.build", "p.coop_processing if u[2, c] <", 0)[0] == 0.3  # u[2, c] is no figure
    with pytest.raises(LookupError, match="0 statements"):
        fixed_values.inline("agents.farmers", "no such statement", 0)
    with pytest.raises(LookupError, match="numbers, not 9"):
        fixed_values.inline("agents.farmers", "self.reputation = (1.0 - 0.5 * 0.8", 8)


#: module constants of the model's modules that are not values of the model (sizes, names, codes, indices, the
#: default seed and the longest run a panel's months are chosen up to)
NOT_MODEL_VALUES = {"MAX_FILE_BYTES", "MAX_DEPTH", "SPARE_BYTES", "PAIRWISE_BLOCK", "BYTES_PER_VALUE", "FILE_OVERHEAD",
                    "GRAPHML_BYTES", "FILE_MODE", "NETWORK_PER_VILLAGE", "NO_LINK", "GROUP_COOP", "WEST",
                    "EASTERN_MARKETPLACE", "EASTERN_LIVESTREAM", "CENTRAL_MARKETPLACE", "NO_REASON", "NO_SALES",
                    "OFFLINE", "COOP", "SHOP", "LIVE", "NOT_REACHED", "PROBLEMATISED", "INTERESTED", "ENROLLED",
                    "MOBILISED", "_ONE_RUN_PER_REGION", "_OTHER", "DEFAULT_SEED", "MAX_MONTHS"}
#: module constants shown in a table of section 9 rather than the scalar table (module -> names)
IN_TABLES = {"abm.core.crops": {"FRESH", "BASE_PRICE", "YIELD_KG", "PERISHABILITY", "HOME_SHARE", "STORABLE",
                                "PROCESSABLE", "REGION_CROP_MIX"},
             "agents.consumers": {"BUDGET_SHARE", "PRICE_SENSITIVITY", "TASTE", "SHOPPING_CALENDAR"},
             "agents.government": {"TITLES"}}
MECHANISM_MODULES = ("abm.core.crops", "abm.channels.prices", "abm.channels.choice", "abm.market.clearing",
                     "abm.market.demand", "abm.market.kernels",
                     "abm.trust.mechanisms", "abm.model", "abm.promises.judge", "abm.translation.transitions",
                     "abm.eastwest.fund", "abm.income.labour", "abm.measure.measures", "abm.measure.inequality",
                     "abm.core.calendar", "agents.farmers", "agents.households", "agents.consumers",
                     "agents.cooperative", "agents.government", "agents.logistics", "agents.platform")


def defined_constants(module_name: str) -> dict[str, object]:
    """The upper-case names a module assigns at its top level (not those it imports), with their values."""
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    names = {target.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
             for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
             for target in ast.walk(target) if isinstance(target, ast.Name) and target.id.isupper()}
    return {name: getattr(module, name) for name in names}


def test_every_numeric_constant_of_the_mechanisms_is_listed_as_a_fixed_value() -> None:
    listed = {v.key for v in fixed_values.scalar_values()}
    for name in MECHANISM_MODULES:
        for constant, value in defined_constants(name).items():
            if constant in NOT_MODEL_VALUES or constant in IN_TABLES.get(name, set()):
                continue
            numeric = isinstance(value, int | float) and not isinstance(value, bool) or hasattr(value, "dtype")
            if numeric:
                assert constant in listed, f"{name}.{constant}: a number of the model missing from abm/fixed_values.py"


def test_trace_reports_each_independent_fact_as_the_committed_validation_table_has_it() -> None:
    rows = validation_rows(BASELINE)
    table = "\n".join(corroboration_table())
    trace = TRACE.read_text(encoding="utf-8")
    assert table in trace and table in README.read_text(encoding="utf-8")
    for fact in ("own_online_sellers", "adoption_effect_income", "adoption_effect_wages"):
        line = next(row for row in table.splitlines() if row.startswith(f"| `{fact}`"))
        assert f"| {rows[fact]['status']} |" in line and f"{rows[fact]['mean']:.3g}" in line


def test_the_screening_varies_each_assumption_over_half_to_one_and_a_half_its_default() -> None:
    """Every range of experiments/suites/screening.toml is [0.5, 1.5] x the current default, cut to the declared one.

    Its header says so; a default that moves (a re-calibration, a new source) cannot leave its range.
    """
    declared = {d["name"]: d for d in declarations()}
    screening = README.parent / "experiments" / "suites" / "screening.toml"
    design = tomllib.loads(screening.read_text(encoding="utf-8"))["design"]
    assert set(design["ranges"]) == set(design["parameters"])
    for name, (lo, hi) in design["ranges"].items():
        d = declared[name]
        assert d["source"] != "seeds/calibration.toml", name  # assumptions only: the free parameters stay fixed
        assert lo == pytest.approx(max(d["min"], 0.5 * d["default"])), name
        assert hi == pytest.approx(min(d["max"], 1.5 * d["default"])), name
