"""The TRACE document (``docs/TRACE.md``) and the README's evidence block, generated from committed records.

TRACE (Grimm et al. 2014) documents a model's development, testing and analysis under the eight
elements of "evaludation" (Augusiak et al. 2014): problem formulation, model description, data
evaluation, conceptual model evaluation, implementation verification, model output verification,
model analysis and model output corroboration. Every figure here is read from the code, the facts
file, the references or a committed record (the calibration record ``seeds/calibration.toml``, the
validation tables in ``docs/validation``, the suite reports in ``docs/suites``, the screening in
``docs/sensitivity``, the test modules' docstrings), so :func:`trace_document` rewritten by
``ruralsim docs`` is the whole document, and a test fails when the committed file differs from it or
links to something that is not there.
"""

from __future__ import annotations

import ast
import math
import tomllib
from collections import Counter
from pathlib import Path

import pandas as pd

from abm.core.params import declarations
from abm.fixed_values import TABLES, scalar_values
from abm.measure.outcomes import OUTCOMES
from experiments.calibration.facts import load_facts
from experiments.calibration.validate import figure, validation_rows
from experiments.references import load_references

ROOT = Path(__file__).resolve().parents[1]  # the repository
DOCS = ROOT / "docs"
BASELINE = DOCS / "validation" / "baseline.md"
POSTERIOR = DOCS / "validation" / "posterior.md"
RECORD = ROOT / "seeds" / "calibration.toml"
SCREENING = DOCS / "sensitivity" / "screening"
README_BEGIN = "<!-- evidence:begin (generated from docs/validation by `ruralsim docs`; do not edit) -->"
README_END = "<!-- evidence:end -->"

#: the verification tests TRACE names, in the order it names them (each file's docstring says what it checks)
VERIFICATION_TESTS = (
    "tests/abm/test_ledger.py", "tests/abm/test_determinism.py", "tests/experiments/test_runner_engines.py",
    "tests/experiments/test_crn_seeds.py", "tests/abm/test_market_kernels.py", "tests/abm/test_month_kernels.py",
    "tests/abm/test_translation_reference.py", "tests/abm/test_trust_reference.py",
    "tests/abm/test_channel_prices_reference.py", "tests/abm/test_kernels.py", "tests/abm/test_pairwise_sum.py",
    "tests/abm/test_tallies.py", "tests/abm/test_inequality.py", "tests/abm/test_mechanisms.py",
    "tests/abm/test_promises.py", "tests/experiments/test_sensitivity_ishigami.py",
    "tests/experiments/test_calibration.py", "tests/experiments/test_pattern_table.py", "tests/abm/test_docs.py",
)
#: what the model cannot do or is not fit for (qualitative; the figures are in the records linked beside them)
NOT_FIT_FOR = (
    "Forecasting a province's levels: the official statistics it meets are national figures, compared as "
    "orders of magnitude, and most of them are imposed (section 6).",
    "Questions about employment or migration: time for online selling comes out of wage work and sellers hire "
    "village labour by a fixed rule (section 4.13.8 of the ODD), but who works and who migrates are not decided, "
    "and the jobs per shop are set from AliResearch's figure (the context fact `jobs_per_shop`).",
    "The timing of adoption as evidence: the diffusion rates are calibrated to the growth of rural online shops "
    "in 2022-2025 and its slowdown (calibrated facts), so the model's adoption path is fitted, not predicted; "
    "month 0 starts with households already reached (initial_reached) so the first years are not a transient.",
    "The income spread and the east/west gap as results: both are set by the inputs (the wage earners, the "
    "spreads and the regional levels); the market adds to them, but a policy's effect on inequality is "
    "small against them by construction.",
    "Farm-gate prices: the bulk trader's price is constant in nominal terms but for online competition and "
    "cold chain (section 7.2 of the ODD), so farm income grows mainly through online selling.",
    "Fraud and trust levels: the misrepresented share is set by the honesty floor (an imposed fact), so "
    "trust mechanisms are compared by their effects, not by the level of fraud.",
    "Exit rates of sellers and the channel mix: no source figure checks them; they are outputs of assumed "
    "rates (section 4 of the ODD, defection and cooperative membership).",
)


def _link(path: Path, text: str | None = None) -> str:
    """A Markdown link from ``docs/TRACE.md`` to a file of the repository."""
    relative = Path(*([".."] if path.is_relative_to(ROOT) and not path.is_relative_to(DOCS) else [])) / (
        path.relative_to(DOCS) if path.is_relative_to(DOCS) else path.relative_to(ROOT))
    return f"[{text or path.relative_to(ROOT).as_posix()}]({relative.as_posix()})"


def _number(x: float) -> str:
    """Three significant figures, or a dash."""
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    """Lines of a Markdown pipe table."""
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows)]


def _record() -> dict:
    """The calibration record."""
    return tomllib.loads(RECORD.read_text(encoding="utf-8"))


def _facts() -> list:
    """The stylized facts."""
    return load_facts()


# --- the eight elements ------------------------------------------------------------------------------------------

def problem_formulation() -> list[str]:
    """Element 1: what the model is for, and for whom."""
    return ["## 1. Problem formulation", "",
            "The model asks how policy instruments (trust mechanisms, subsidies, an east-west cooperation fund, "
            "development models) change the income, inclusion and inequality of farm households selling produce "
            "through rural e-commerce in China, and how stable the actor-network that e-commerce builds is "
            f"({_link(DOCS / 'ODD.md', 'ODD')}, section 1). Its users are policy researchers and analysts, who "
            "compare instruments against each other on paired seeds, in the browser page, in batch experiments "
            "and in notebooks. What the model is not fit for is listed in section 8.", ""]


def model_description() -> list[str]:
    """Element 2: the ODD, and how it is kept faithful to the code."""
    decl = _one_per_parameter(declarations())
    free = sum(d["plausible"] is not None for d in decl)
    assumed = sum(d["source"] == "assumption" for d in decl)
    return ["## 2. Model description", "",
            f"The model is described in the ODD+D protocol in {_link(DOCS / 'ODD.md')} (Grimm et al. 2020; "
            "Mueller et al. 2013). Its tables are generated from the code: "
            f"{len(decl)} declared parameters (a regional one counted once: {free} free, calibrated; {assumed} "
            f"stated assumptions; the rest from sources), {len(OUTCOMES)} declared outputs, and {len(TABLES)} "
            f"tables plus {len(scalar_values())} scalars of fixed values read from the modules themselves "
            f"({_link(ROOT / 'abm' / 'fixed_values.py')}). Every number in its prose is tagged with the "
            f"parameter, fixed value, fact or record it quotes ({_link(ROOT / 'experiments' / 'documents.py')}).",
            "", "Commands: `ruralsim params`, `ruralsim outcomes`, `ruralsim docs` (regenerates the ODD's "
            "generated parts and this document; `--check` fails when they are stale).", ""]


def _one_per_parameter(decl: list[dict]) -> list[dict]:
    """The declarations with a regional parameter's three fields counted once (its western one)."""
    return [d for d in decl if d["regional"] is None or d["region"] == "west"]


def data_evaluation() -> list[str]:
    """Element 3: the data the model is built on, which of it is input, and its quality."""
    refs = load_references()
    facts = _facts()
    by_kind = Counter(refs[s].kind for f in facts for s in f.source.split("; "))
    inputs = [f for f in facts if f.kind in ("input", "policy")]
    rows = [[f"`{f.id}`", f.level, f.period, _figure(f), _cites(f), ", ".join(f"`{n}`" for n in f.informs)]
            for f in inputs]
    return ["## 3. Data evaluation", "",
            f"The stylized facts ({_link(ROOT / 'seeds' / 'facts.csv')}: {len(facts)} facts) each give a figure "
            "or bound, a unit, a source, a tolerance, what the model owes it (input, output, policy, context), "
            "what it is evidence of, what it informs, its level and its period; the sources are references of "
            f"{_link(ROOT / 'seeds' / 'references.toml')} (listed in the ODD, section 12). The facts cite "
            + ", ".join(f"{kind} {n} times" for kind, n in by_kind.most_common()) + ".", "",
            "Quality, as the sources allow: the source papers are Chinese policy papers whose texts are not in "
            "the repository (their authors, years and subjects are recorded, their titles and venues are not); "
            "the official statistics were read in copies of the releases; national figures are compared with a "
            "province as orders of magnitude (their tolerances say so). No decision rule is estimated on "
            "household data.", "",
            "The data that enter as inputs (the endowments and policy rates a run reads back):", "",
            *_table(["fact", "level", "period", "figure", "source", "sets"], rows), ""]


def _figure(f) -> str:
    """A fact's figure as the validation tables show it."""
    return figure(f)


def conceptual_evaluation() -> list[str]:
    """Element 4: the theories, the assumptions, and what was set so that a number comes out right."""
    theories = [r for r in load_references().values() if r.kind == "theory"]
    set_to_fit = [f for f in _facts() if f.kind == "output" and f.evidence == "imposed"]
    assumed = [d["name"] for d in _one_per_parameter(declarations()) if d["source"] == "assumption"]
    rows = [[f"`{f.id}`", _figure(f), ", ".join(f"`{n}`" for n in f.informs)] for f in set_to_fit]
    return ["## 4. Conceptual model evaluation", "",
            "The theories the design rests on, and what each is used for (ODD, sections 4.1 and 4.13, where "
            "every decision answers the ODD+D questions):", "",
            *(f"- {r.cite}, *{r.title}*: {r.note}" for r in theories), "",
            f"Assumptions: {len(assumed)} declared parameters are stated assumptions (their declarations say "
            "so; the ODD's parameter table lists them), and the fixed values of the ODD's section 9 are "
            "assumptions unless their meaning names a source. Where the evidence is thin is said per decision "
            "in the ODD (section 4.13: the empirical grounding of channel choice, defection, cooperative "
            "membership and the rates of detection rests on assumptions).", "",
            "Outputs that were **set so that a number comes out right** (imposed output facts: meeting them "
            "checks the set-up, not the mechanisms):", "", *_table(["fact", "figure", "set by"], rows), ""]


def _docstring(path: Path) -> str:
    """The first line of a module's docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.splitlines()[0] if doc else ""


def implementation_verification() -> list[str]:
    """Element 5: the tests that verify the implementation, each with what it checks (its docstring)."""
    rows = [[_link(ROOT / name, Path(name).name), _docstring(ROOT / name)] for name in VERIFICATION_TESTS]
    return ["## 5. Implementation verification", "",
            "The test suite (`bash scripts/test.sh`, every module under `tests/`) asserts behaviour on small worlds "
            "with fixed seeds. The modules that verify the implementation, with what each checks (its "
            "docstring):", "", *_table(["module", "what it checks"], rows), "",
            "Every month of every run also checks its own books (`abm/core/ledger.py`, `check_books`): farmers' cash "
            "changes by exactly their ledger net flow, the cooperatives', the fund's and the government's "
            "balances equal their state, and per crop the goods balance; an unbalanced month raises an error. "
            "The compiled loops have plain-numpy references they are tested against bit for bit, and a change "
            f"meant to leave results alone is checked with {_link(ROOT / 'benchmarks' / 'check_identical.py')} "
            "(`--save` before, `--compare` after: the model's outputs, ledgers and every household column, "
            "exactly).", ""]


def model_output_verification() -> list[str]:
    """Element 6: the calibration and the facts it was fitted to, and the imposed facts."""
    rec = _record()["record"]
    last = rec["waves"][f"wave{rec['wave_count']}"]["emulators"]
    q2 = [e["q2"] for e in last.values()]
    rows = [[f"`{fact}`", _number(e["q2"]), _number(e["within_3sd"]), ", ".join(f"`{p}`" for p in
                                                                               e["shortest_length_scales"])]
            for fact, e in last.items()]
    posterior = [[f"`{name}`", _number(s["q05"]), _number(s["q50"]), _number(s["q95"]),
                  f"{s['share_of_range']:.0%}", s["verdict"]] for name, s in rec["posterior"].items()]
    facts = {f.id: f for f in _facts()}
    baseline = {i: r for i, r in validation_rows(BASELINE).items() if i in facts}  # a dropped fact is not reported
    met = {e: _met(baseline, facts, e) for e in ("calibrated", "imposed")}
    calibrated = [[f"`{i}`", _figure(facts[i]), _number(r["mean"]), f"[{_number(r['ci_low'])}, "
                   f"{_number(r['ci_high'])}]", r["status"]] for i, r in baseline.items()
                  if facts[i].evidence == "calibrated"]
    return ["## 6. Model output verification", "",
            f"**Calibration** ({_link(RECORD)}, written by `{rec['command']}` on {rec['date']}): "
            f"{rec['method']}. {rec['wave_count']} waves of {rec['points_per_wave']} points, {rec['runs']} runs "
            f"in {rec['seconds'] / 60:.0f} minutes, {rec['farmers']:,} households, {rec['months']} months, "
            f"{len(rec['seeds'])} seeds per point. The last wave's emulators predict the facts with "
            f"cross-validated Q2 of {min(q2):.2f}-{max(q2):.2f}; {rec['check_within_3sd']:.0%} of the checked "
            f"members' simulated facts fall within 3 sd of their emulation; the posterior sample keeps "
            f"{rec['posterior_rows']:,} distinct rows of {rec['posterior_proposals']:,} particles, an effective "
            f"size of {rec['effective_sample_size']:,.0f}. Why this "
            f"method: {rec['why']}", "",
            *_table(["calibrated fact", "Q2 (last wave)", "within 3 sd", "parameters it pins most"], rows), "",
            "What the facts pin (90% posterior interval as a share of the plausible range):", "",
            *_table(["parameter", "5%", "median", "95%", "share of range", "verdict"], posterior), "",
            f"**The baseline against the facts it was fitted to, and the imposed ones** ({_link(BASELINE)}, "
            f"`ruralsim validate --strict`): calibrated {met['calibrated']}, imposed {met['imposed']}. Meeting "
            "them checks the fit and the set-up; it is not evidence for the mechanisms (section 8 is).", "",
            *_table(["calibrated fact", "figure", "baseline mean", "95% CI", "status"], calibrated), ""]


def _met(rows: dict, facts: dict, evidence: str) -> str:
    """``k of n met`` for the compared facts of one evidence group of a validation table."""
    compared = [r for i, r in rows.items() if i in facts and facts[i].evidence == evidence
                and r["status"] in ("ok", "MISS")]
    return f"{sum(r['status'] == 'ok' for r in compared)} of {len(compared)} met"


def _screening() -> pd.DataFrame:
    """The committed screening's indices: one row per parameter and outcome (empty when none is committed)."""
    tables = [pd.read_csv(p).assign(outcome=p.stem.removeprefix("sensitivity_"))
              for p in sorted(SCREENING.glob("sensitivity_*.csv"))]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def model_analysis() -> list[str]:
    """Element 7: sensitivity analysis and the experiments, from their committed reports."""
    lines = ["## 7. Model analysis", ""]
    indices = _screening()
    if len(indices):
        top = [[_link(SCREENING / f"sensitivity_{outcome}.png", outcome),
                *(f"`{r.parameter}` ({_number(r.mu_star)})" for r in
                  group.sort_values("mu_star", ascending=False).head(3).itertuples())]
               for outcome, group in indices.groupby("outcome", sort=True)]
        lines += [f"**Global sensitivity** ({_link(ROOT / 'experiments' / 'suites' / 'screening.toml')}; "
                  "`ruralsim sensitivity experiments/suites/screening.toml --outcome NAME`, indices in "
                  f"{_link(SCREENING, 'docs/sensitivity/screening')}): a Morris screening of "
                  f"{indices.parameter.nunique()} assumed parameters of the decisions and the market, each over "
                  "half to one and a half times its default, at the calibrated defaults. The three parameters with "
                  "the largest mean absolute elementary effect (mu*, in the outcome's unit) on each outcome at "
                  "year 10, whose figure links the plot:", "",
                  *_table(["outcome", "first", "second", "third"], top), ""]
    else:
        lines += ["**Global sensitivity**: no screening is committed.", ""]
    reports = sorted(DOCS.glob("suites/*/report.md"))
    lines += ["**Experiments** (`ruralsim suite trust|subsidies|eastwest|programmes`, with `--posterior 5 --replicates 2` "
              "for the posterior reports): the committed reports, each with its arms, replicates, intervals and "
              "verdicts:", "",
              *(f"- {_link(r, r.parent.name)}: {_title(r)}" for r in reports), "",
              "Also: the free parameters' pinning (section 6); the calibration facts against the world's size "
              f"({_link(ROOT / 'benchmarks' / 'calibration_world_size.md')}); the translation detail of the "
              f"baseline, year by year ({_link(ROOT / 'benchmarks' / 'baseline_detail.md')}); the policy-design "
              "reports of `ruralsim optimise` "
              + ", ".join(_link(r, r.parent.name) for r in sorted((ROOT / "experiments" / "problems" / "reports")
                                                                 .glob("*/report.md"))) + ".", ""]
    return lines


def _title(path: Path) -> str:
    """A report's first heading."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    return first.lstrip("# ").strip()


def corroboration_table(posterior: bool = True) -> list[str]:
    """The independent facts against the baseline (and, with ``posterior``, over the calibration posterior)."""
    facts = {f.id: f for f in _facts()}
    base = validation_rows(BASELINE)
    post = validation_rows(POSTERIOR) if posterior and POSTERIOR.is_file() else {}
    rows = []
    for fact_id, f in facts.items():
        if f.evidence != "independent":
            continue
        r = base.get(fact_id)
        simulated = (f"{_number(r['mean'])} [{_number(r['ci_low'])}, {_number(r['ci_high'])}]", r["status"]) if r \
            else ("-", "not in the committed record yet (re-run `ruralsim validate`)")
        row = [f"`{fact_id}`", f.level, f.period, f"{_figure(f)} (tol {_number(f.tolerance)})", *simulated]
        if post:
            p = post.get(fact_id, {})
            row += [p.get("members met", "-"), p.get("status", "-")]
        rows.append(row)
    header = ["independent fact", "level", "period", "figure", "baseline mean [95% CI]", "status"]
    header += ["posterior members met", "posterior status"] if post else []
    return _table(header, rows)


def _cites(fact) -> str:
    """How the text cites a fact's sources (``Li (2025); NBS (2017)``)."""
    refs = load_references()
    return "; ".join(refs[key].cite for key in fact.source.split("; "))


def output_corroboration() -> list[str]:
    """Element 8: the independent facts, the context the model cannot compare, and what it is not fit for."""
    facts = _facts()
    context = [f for f in facts if f.evidence == "context"]
    baseline = validation_rows(BASELINE)
    by_id = {f.id: f for f in facts}
    return ["## 8. Model output corroboration", "",
            f"The independent facts are the evidence: never used to set anything ({_link(BASELINE)}, "
            f"{_link(POSTERIOR)}; {_met(baseline, by_id, 'independent')}):", "",
            *corroboration_table(), "",
            "Context facts, which the model cannot be compared with:", "",
            *(f"- `{f.id}` ({f.level}; {_cites(f)}): {f.statement}." for f in context), "",
            "What the model cannot reproduce and is not fit for:", "",
            *(f"- {item}" for item in NOT_FIT_FOR), ""]


def trace_document() -> str:
    """The whole TRACE document."""
    head = ["# TRACE document: ruralsim", "",
            "This TRACE document (Grimm et al. 2014) records how the model was built, tested and analysed, under "
            "the eight elements of evaludation (Augusiak et al. 2014). It is generated by `ruralsim docs` from "
            "the code and the committed records (`experiments/trace.py`); a test fails when it is stale or a "
            "link in it is broken. The references are those of the ODD (section 12).", "",
            "Contents: 1 problem formulation, 2 model description, 3 data evaluation, 4 conceptual model "
            "evaluation, 5 implementation verification, 6 model output verification, 7 model analysis, "
            "8 model output corroboration.", ""]
    parts = [head, problem_formulation(), model_description(), data_evaluation(), conceptual_evaluation(),
             implementation_verification(), model_output_verification(), model_analysis(), output_corroboration()]
    return "\n".join(line for part in parts for line in part).rstrip() + "\n"


def evidence_block() -> str:
    """The README's evidence paragraph: the independent facts only, from the committed validation tables."""
    facts = _facts()
    counts = Counter(f.evidence for f in facts)
    baseline = validation_rows(BASELINE)
    by_id = {f.id: f for f in facts}
    return "\n".join([
        f"Of the {len(facts)} facts, {counts['imposed']} are imposed (inputs read back, or outputs the inputs "
        f"were set to produce: losses, income levels, parts, growth and spread, the November peak, the "
        f"misrepresented share), {counts['calibrated']} were calibration targets and {counts['context']} are "
        f"context; meeting those checks the set-up and the fit. **The evidence is the "
        f"{counts['independent']} independent facts**, never used to set anything "
        f"({_met(baseline, by_id, 'independent')} at the default; `docs/validation/baseline.md`, "
        "`docs/validation/posterior.md`; docs/TRACE.md, section 8):", "", *corroboration_table()])
