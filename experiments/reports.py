"""Run a packaged experiment suite and write its report: tables with 95% CIs, paired differences, figures.

``ruralsim suite trust|subsidies|eastwest|programmes`` runs the suite through the batch runner (resumable,
local or Dask) and writes ``report.md`` with its figures next to the results.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from abm.core.params import declarations
from agents.households import INCOME_PARTS
from abm.io.scenario import ScenarioError, read_table
from abm.measure.outcomes import outcome
from experiments.analysis import describe, load_results, paired_differences, reference_arm, summarise
from experiments.experiment import parse_experiment, plan_experiment
from experiments.figures import bands, new_figure
from experiments.runner import run_experiment

SUITES = ("trust", "subsidies", "eastwest", "programmes")
REFERENCE_FARMERS = 30_000
BUDGET_UNITS = ("yuan/year", "yuan/year per pair")
#: what a hypothesis predicts of an outcome (see :func:`predicted_sign`)
Effect = Literal["raises", "lowers", "improves", "worsens"]
#: fewest replicates behind a hypothesis verdict: below it a 95% t interval has at most 3 degrees of
#: freedom (its half-width is 3.2 or more standard errors) and one odd seed can decide the verdict
MIN_VERDICT_REPLICATES = 5
#: fewest months of a suite: its reports compare the second year with the first
SUITE_MIN_MONTHS = 13


def suite_plan(name: str, replicates: int | None = None, farmers: int | None = None, months: int | None = None,
               root_seed: int | None = None):
    """Plan a packaged suite, optionally smaller (fewer replicates, households or months) or on other seeds.

    With ``farmers`` every yuan-per-year parameter (budgets, pairing cost) is scaled in proportion,
    so the budget per household stays what the suite declares.
    """
    if name not in SUITES:
        raise ScenarioError(f"suite {name!r}: unknown; allowed: {', '.join(SUITES)}")
    if months is not None and months < SUITE_MIN_MONTHS:
        raise ScenarioError(f"--months = {months}: a suite report needs more than a year; "
                            f"allowed: {SUITE_MIN_MONTHS} to 1200")
    path = resources.files("experiments") / "suites" / f"{name}.toml"
    data: dict[str, Any] = read_table(Path(str(path)))
    if replicates is not None:
        data["replicates"] = replicates
    if months is not None:
        data["months"] = months
    if root_seed is not None:
        data["root_seed"] = root_seed
    if farmers is not None:
        scale = farmers / data.get("parameters", {}).get("farmers", REFERENCE_FARMERS)
        data.setdefault("parameters", {})["farmers"] = farmers
        budgets = {d["name"] for d in declarations() if d["unit"] in BUDGET_UNITS}
        for arm in data.get("arms", {}).values():
            for key in set(arm) & budgets:
                arm[key] = arm[key] * scale
        for key in set(data["parameters"]) & budgets:
            data["parameters"][key] *= scale
        data["parameters"].setdefault("pairing_cost", _default("pairing_cost") * scale)
    return plan_experiment(parse_experiment(data, f"{name}.toml"), f"{name}.toml", source=None)


def _default(name: str) -> Any:
    return next(d["default"] for d in declarations() if d["name"] == name)


def run_suite(name: str, out: Path, engine: str = "local", workers: int | None = None,
              replicates: int | None = None, farmers: int | None = None, months: int | None = None,
              root_seed: int | None = None, address: str | None = None, posterior: int | None = None,
              wait: bool = False) -> Path:
    """Run a suite (skipping runs already on disk) and write its report; returns the report's path.

    With ``posterior`` every arm runs over that many calibration-posterior members; with ``wait`` a folder
    another process holds is waited for (see :func:`experiments.runner.run_experiment`).
    """
    plan = suite_plan(name, replicates, farmers, months, root_seed)
    if posterior is not None:
        # scikit-learn (via the posterior's history matching): imported only when asked for
        from experiments.posterior import with_posterior

        plan = with_posterior(plan, posterior)
    run_experiment(plan, out, engine, workers, address, wait=wait)
    return write_report(name, out)


# --- formatting ---------------------------------------------------------------------------------


def fmt(value: float) -> str:
    """A number to four significant digits (NaN as a dash)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4g}"


def ci_cell(mean: float, lo: float, hi: float) -> str:
    """``mean [low, high]``."""
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a GitHub Markdown table (index dropped)."""
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    rule = "|" + "---|" * len(df.columns)
    rows = ["| " + " | ".join(map(str, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def run_keys(df: pd.DataFrame) -> list[str]:
    """The columns that name one run: arm, posterior member (where there is one), replicate and seed."""
    return ["arm", *(["member"] if "member" in df.columns else []), "replicate", "seed"]


def window(df: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Each run's mean over its last ``months`` months (flows are noisy month to month)."""
    last = df[df.month > df.month.max() - months]
    keys = run_keys(df)
    return last.groupby(keys, sort=False).mean(numeric_only=True).reset_index().assign(month=df.month.max())


def outcome_table(final: pd.DataFrame, outcomes: list[str], reference: str) -> pd.DataFrame:
    """Per arm: each outcome's mean [95% CI], and the paired difference to the reference [95% CI]."""
    summ = summarise(final, outcomes).set_index(["arm", "outcome"])
    diff = paired_differences(final, reference, outcomes).set_index(["arm", "outcome"])
    rows = []
    for arm in dict.fromkeys(final.arm):
        row = {"arm": arm}
        for o in outcomes:
            s = summ.loc[(arm, o)]
            row[o] = ci_cell(s["mean"], s.ci_low, s.ci_high)
            if arm != reference:
                d = diff.loc[(arm, o)]
                row[o] += f"<br>Δ {ci_cell(d['mean'], d.ci_low, d.ci_high)}"
        rows.append(row)
    return pd.DataFrame(rows)


def yearly(df: pd.DataFrame) -> pd.DataFrame:
    """Each run's yearly means, dated at the year's last month (harvest seasons make months noisy)."""
    run = df[df.month > 0].assign(month=lambda d: ((d.month - 1) // 12 + 1) * 12)
    return run.groupby([*run_keys(df), "month"], sort=False).mean(numeric_only=True).reset_index()


def figure_grid(df: pd.DataFrame, outcomes: list[str], reference: str, path: Path, arms: list[str] | None = None) -> Path:
    """Yearly means of several outcomes with a 95% band per arm, saved as a PNG."""
    rows = math.ceil(len(outcomes) / 2)
    fig = new_figure(width=13, height=3.3 * rows, dpi=80)
    summ = summarise(yearly(df), outcomes)
    for k, o in enumerate(outcomes):
        ax = fig.add_subplot(rows, 2, k + 1)
        bands(ax, summ, outcome=o, arms=arms, reference=reference)
    fig.savefig(path)
    return path


# --- the three suites -----------------------------------------------------------------------------


#: the block of a suite's report that ``ruralsim docs`` fills from its drivers analysis (experiments/rests_on.py)
RESTS_ON_BEGIN, RESTS_ON_END = "<!-- rests-on:begin (from docs/drivers by `ruralsim docs`) -->", "<!-- rests-on:end -->"


def write_report(name: str, folder: Path) -> Path:
    """Write ``report.md`` (and its PNG figures) for a suite's results folder."""
    folder = Path(folder)
    df = load_results(folder)
    writer = {"trust": _trust, "subsidies": _subsidies, "eastwest": _eastwest, "programmes": _programmes}[name]
    text = (writer(df, folder) + income_effects(folder, reference_arm(folder)) + "\n## What each conclusion rests "
            f"on\n\n{RESTS_ON_BEGIN}\n(`ruralsim docs` fills this from `docs/drivers/{name}`)\n{RESTS_ON_END}\n")
    path = folder / "report.md"
    path.write_text(text, encoding="utf-8")
    return path


#: the years at which a report gives each arm's income effect
EFFECT_YEARS = (3, 5, 10)


#: the welfare outcome the income effects report beside income (not a part of it)
SAVING = "consumption_saving_per_person"


def income_effects(folder: Path, reference: str) -> str:
    """The report section: each arm's paired income effect by region at years 3, 5 and 10, and its make-up.

    A run shorter than three years is read at its last year's close.

    Income per person and its parts (wages, net business, property, transfers) at the year's close,
    arm minus reference paired by seed (and posterior member), with 95% intervals; the share of the
    reference's income per person in brackets. Runs without the regional income columns get no section.
    """
    regions = load_results(folder, regions=True)
    parts = [f"income_{k}" for k in INCOME_PARTS]
    needed = ["income_per_person", *parts]
    if regions.empty or not set(needed) <= set(regions.columns):
        return ""
    welfare = [c for c in (SAVING,) if c in regions.columns]
    last = int(regions.month.max()) // 12
    years = [y for y in EFFECT_YEARS if y <= last] or [last]
    at = regions[regions.month.isin([12 * y for y in years])]
    diff = paired_differences(at, reference, needed + welfare, by=("month", "region")).set_index(
        ["arm", "month", "region", "outcome"])
    base = at[at.arm == reference].groupby(["month", "region"]).income_per_person.mean()
    rows = []
    for (arm, month, region), d in diff.groupby(level=["arm", "month", "region"], sort=False):
        total = d.loc[(arm, month, region, "income_per_person")]
        row = {"arm": arm, "year": month // 12, "region": region,
               "income per person": f"{ci_cell(total['mean'], total.ci_low, total.ci_high)} "
                                    f"({total['mean'] / base[(month, region)]:+.2%})"}
        row |= {part.removeprefix("income_"): fmt(d.loc[(arm, month, region, part)]["mean"]) for part in parts}
        if welfare:
            saving = d.loc[(arm, month, region, SAVING)]
            row["consumption saving (not in income)"] = ci_cell(saving["mean"], saving.ci_low, saving.ci_high)
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(["arm", "year", "region"], kind="stable")
    return "\n".join(["## Income effects by region and income part", "",
                      f"Income per person at each year's close (yuan/person/year), arm minus {reference} paired by "
                      "seed, with its 95% interval and its share of the reference's income; then the mean change "
                      "of each part (wages, net business, net property, net transfers), which add up to it; last, "
                      "where the suite collects it, the change in what households save buying goods online "
                      "(yuan/person/year at December's rate): a welfare gain beside income, not in it.", "",
                      markdown_table(table), ""])


def _programmes(df: pd.DataFrame, folder: Path) -> str:
    """The county programmes' report: outcomes at the end against the status quo."""
    ref = "status_quo"
    final = window(df)
    outcomes = ["adoption", "online_sales", "offline_sales", "ecommerce_wages", "east_west_income_ratio",
                "spent_to_date_total", *(c for c in ("online_shops", SAVING) if c in df.columns)]
    lines = _header("County programmes: service stations, a county e-commerce programme, a cold-chain programme", df,
                    "Outcomes are means over the last 12 months of each run.")
    lines += ["## Outcomes by arm", "", markdown_table(outcome_table(final, outcomes, ref)), ""]
    figure_grid(df, ["adoption", "online_sales", "offline_sales", "ecommerce_wages"], ref, folder / "programmes.png")
    lines += ["![programmes over time](programmes.png)", ""]
    return "\n".join(lines)


def _header(title: str, df: pd.DataFrame, note: str) -> list[str]:
    n = df.groupby("arm").replicate.nunique().min()
    if "member" in df.columns:
        members = df.member.nunique()
        design = (f"{df.arm.nunique()} arms x {members} calibration-posterior members x {n} replicates (member m and "
                  "replicate k of every arm share parameters and seed)")
        intervals = ("Means with 95% intervals of seed and parameter uncertainty together (experiments/posterior.py); "
                     "where a verdict rests on a difference, its seed-only interval and the share of members that "
                     "agree on its sign follow it")
    else:
        design = (f"{df.arm.nunique()} arms x {n} replicates (common random numbers: replicate k of every arm uses "
                  "the same seed)")
        intervals = "Means with 95% t confidence intervals"
    return [f"# {title}", "", f"{design}, {int(df.month.max())} months. {intervals}; Δ is the "
            f"paired difference to the reference arm. {note}", ""]


def predicted_sign(name: str, effect: Effect) -> int:
    """Sign of the difference a hypothesis predicts for an outcome.

    ``raises``/``lowers`` say it outright; ``improves``/``worsens`` read it from the outcome's
    declared direction (:mod:`abm.measure.outcomes`), so "lowers fraud" is "improves fraud_rate".

    Raises:
        ValueError: For ``improves``/``worsens`` of an outcome declared neutral.
    """
    if effect in ("raises", "lowers"):
        return +1 if effect == "raises" else -1
    direction = outcome(name).direction
    if direction == 0:
        raise ValueError(f"{name!r} is declared neutral (neither higher nor lower is better): say raises or lowers")
    return direction if effect == "improves" else -direction


def _verdict(d: pd.Series, outcome_name: str, effect: Effect) -> str:
    """Whether a paired difference of ``n`` runs supports the predicted effect, and its sign across members."""
    direction = predicted_sign(outcome_name, effect)
    if d.ci_low > 0 or d.ci_high < 0:
        text = "supported" if np.sign(d["mean"]) == direction else "contradicted (the opposite direction)"
    else:
        text = "not supported (interval includes 0)"
    if "sign_share" in d.index and not pd.isna(d.sign_share):
        text += (f"; seed-only {ci_cell(d['mean'], d.seed_ci_low, d.seed_ci_high)}; sign "
                 + ("changes across the posterior" if d.sign_changes else "the same for every member")
                 + f" ({d.sign_share:.0%} of members agree)")
    return _judged(text, int(d["n"]))


def _judged(verdict: str, n: int) -> str:
    """A verdict with its replicate count, or "not enough replicates" below :data:`MIN_VERDICT_REPLICATES`."""
    if n < MIN_VERDICT_REPLICATES:
        return f"not enough replicates (n = {n}; a verdict needs at least {MIN_VERDICT_REPLICATES})"
    return f"{verdict} (n = {n})"


def _traceability_rows(final: pd.DataFrame, diff: pd.DataFrame) -> list[str]:
    """The trust report's rows on traceability (002): against ratings alone, the lowest fraud, the cost felt."""
    lines = []
    on_ratings = paired_differences(final, "reputation", ["fraud_rate"]).set_index(["arm", "outcome"])
    for arm in ("blockchain", "blockchain_low_cost"):
        d = on_ratings.loc[(arm, "fraud_rate")]
        lines.append(f"| traceability lowers fraud against ratings alone (002) | {arm} minus reputation: Δ fraud_rate = "
                     f"{ci_cell(d['mean'], d.ci_low, d.ci_high)} | {_verdict(d, 'fraud_rate', 'improves')} |")
    fraud = {a: diff.loc[(a, "fraud_rate")]["mean"] for a in ("reputation", "dual", "blockchain", "blockchain_low_cost")}
    lowest = min(fraud, key=fraud.get)
    most = "supported" if lowest == "blockchain" else f"not supported: {lowest} lowers it most"
    lines.append("| traceability lowers fraud most (002) | mean Δ fraud: "
                 + ", ".join(f"{a} {fmt(v)}" for a, v in fraud.items())
                 + f" | {_judged(most, int(diff.loc[('blockchain', 'fraud_rate')]['n']))} |")
    tr = summarise(final, ["traced_share"]).set_index("arm")
    dear, cheap = tr.loc["blockchain"], tr.loc["blockchain_low_cost"]
    lines.append(f"| traceability has a cost small sellers feel (002) | traced share of online kg: "
                 f"{ci_cell(dear['mean'], dear.ci_low, dear.ci_high)} at the default cost per kg, "
                 f"{ci_cell(cheap['mean'], cheap.ci_low, cheap.ci_high)} at a sixth of it; the fixed monthly cost "
                 f"still keeps sellers with few kg out (tests/abm/test_trust.py) | "
                 f"{_judged('supported' if dear['mean'] < 0.5 else 'not supported', int(dear['n']))} |")
    return lines


def _trust(df: pd.DataFrame, folder: Path) -> str:
    """The trust suite's report: one table row per hypothesis of the source papers."""
    ref = "acquaintance"
    final = window(df)
    outcomes = ["online_kg", "market_reach", "fraud_rate", "consumer_trust", "quality_premium", "income_mean",
                "newcomer_sales_ratio", "traced_share", "platform_revenue"]
    diff = paired_differences(final, ref, outcomes).set_index(["arm", "outcome"])
    early = window(df[df.month <= 24])
    early_diff = paired_differences(early, "acquaintance", ["newcomer_sales_ratio"]).set_index(["arm", "outcome"])
    lines = _header("Trust mechanisms (experiment 1)", df, "Outcomes are means over the last 12 months of each run; "
                    "blockchain_low_cost verifies at 0.05 yuan/kg instead of the default trace_cost.")
    lines += ["## Hypotheses of the source papers", "",
              "| hypothesis | evidence (paired Δ against acquaintance-only, 95% CI) | verdict |", "|---|---|---|"]

    def row(text: str, arm: str, name: str, effect: Effect, table=diff) -> None:
        d = table.loc[(arm, name)]
        lines.append(f"| {text} | {arm}: Δ {name} = {ci_cell(d['mean'], d.ci_low, d.ci_high)} | "
                     f"{_verdict(d, name, effect)} |")

    row("the dual mechanism extends market reach (000)", "dual", "market_reach", "improves")
    row("the dual mechanism lowers fraud (000)", "dual", "fraud_rate", "improves")
    row("traceability lowers fraud (002)", "blockchain", "fraud_rate", "improves")
    row("traceability lowers fraud where verification is cheap (002)", "blockchain_low_cost", "fraud_rate", "improves")
    lines += _traceability_rows(final, diff)
    row("reputation systems shut newcomers out at first (001/002)", "reputation", "newcomer_sales_ratio", "worsens",
        early_diff)
    row("price discrimination raises platform revenue (001)", "acquaintance_discrimination", "platform_revenue",
        "raises")
    row("price discrimination erodes consumer trust (001)", "acquaintance_discrimination", "consumer_trust",
        "worsens")
    lines += ["", "Why, by mechanism: acquaintance trust is high inside the seller's region and low outside, so "
              "reach stays local unless a cooperative intermediates; reputation lets claims travel but starts "
              "newcomers from a low rating (they sell less of what they offer) and catches only a quarter of "
              "misrepresentation; the dual mechanism carries community standing into a credit rating that "
              "travels, and its contract penalty and dispute channel make misrepresentation unprofitable; "
              "traceability verifies quality only for the sellers whose premium covers its cost per kg and "
              "fixed fee, so fraud falls only as far as verification spreads. See docs/ODD.md 7.6.", "",
              "## Outcomes by arm", "", markdown_table(outcome_table(final, outcomes, ref)), ""]
    figure_grid(df, ["online_kg", "market_reach", "fraud_rate", "consumer_trust", "income_mean",
                     "newcomer_sales_ratio"], ref, folder / "trust.png",
                arms=["acquaintance", "reputation", "dual", "blockchain", "blockchain_low_cost",
                      "reputation_discrimination"])
    lines += ["![trust mechanisms over time](trust.png)", ""]
    return "\n".join(lines)


def gain_per_yuan(df: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Cumulative household income gain over the reference per yuan spent, by arm, replicate and month.

    ``gain(t) = sum_{m<=t} (income_total_arm - income_total_ref) / spent_to_date_total_arm(t)``, paired by seed.
    """
    runs = run_keys(df)[1:]
    runs.remove("replicate")
    wide = df.pivot_table(index=[*runs, "month"], columns="arm", values="income_total").sort_index()
    cum = wide.groupby(level=runs).cumsum()
    gain = cum.drop(columns=reference).sub(cum[reference], axis=0)
    spend = df.pivot_table(index=[*runs, "month"], columns="arm", values="spent_to_date_total").sort_index()
    ratio = gain / spend.drop(columns=reference).where(lambda s: s > 0)
    return ratio.stack().rename("value").reset_index()


def _subsidies(df: pd.DataFrame, folder: Path) -> str:
    ref = "no_subsidy"
    lines = _header("Subsidy instruments (experiment 2)", df,
                    "Income gain per yuan = cumulative household income above the no-subsidy run of the same seed, "
                    "divided by cumulative government spending.")
    g = gain_per_yuan(df, ref)
    horizon = {"year 2": 24, f"year {int(df.month.max()) // 12}": int(df.month.max())}
    table = []
    for label, month in horizon.items():
        at = describe(g[g.month == month], ["arm"]).set_index("arm")
        for arm, s in at.iterrows():
            table.append({"arm": arm, "horizon": label, "gain per yuan": ci_cell(s["mean"], s.ci_low, s.ci_high),
                          "mean": s["mean"]})
    t = pd.DataFrame(table)
    long_label = list(horizon)[-1]
    ranking = t[t.horizon == long_label].sort_values("mean", ascending=False)
    spent = df[df.month == df.month.max()].groupby("arm").spent_to_date_total.mean()
    idle = [a for a in spent.index if a != ref and spent[a] == 0]
    note = (f" Nothing was spent by: {', '.join(idle)} (no recipient met the instrument's conditions, e.g. "
            "no household reached a talent title's sales threshold), so no gain per yuan exists." if idle else "")
    lines += ["## Cost-effectiveness ranking", "", f"Ranked by income gain per yuan at {long_label}.{note}", "",
              markdown_table(t.pivot(index="arm", columns="horizon", values="gain per yuan")
                             .loc[ranking.arm].reset_index()), ""]
    fig = new_figure(width=11, height=4, dpi=80)
    ax = fig.add_subplot(1, 2, 1)
    at = describe(g[g.month == horizon[long_label]], ["arm"]).set_index("arm").loc[ranking.arm]
    ax.barh(at.index[::-1], at["mean"][::-1], xerr=[(at["mean"] - at.ci_low)[::-1], (at.ci_high - at["mean"])[::-1]],
            color="#0072B2", alpha=0.8)
    ax.set_xlabel("income gain per yuan spent (yuan/yuan), 95% CI", fontsize=9)
    ax.set_title(f"cost-effectiveness at {long_label}", fontsize=10, loc="left")
    ax2 = fig.add_subplot(1, 2, 2)
    prof = describe(g.assign(year=(g.month - 1) // 12 + 1)[lambda x: x.month % 12 == 0], ["arm", "month"])
    bands(ax2, prof.assign(outcome="gain per yuan"), title="gain per yuan over time")
    ax2.set_ylabel("yuan/yuan", fontsize=9)
    fig.savefig(folder / "subsidies_ranking.png")
    final = window(df)
    outcomes = ["adoption", "fresh_loss", "cold_chain", "trained_share", "gini", "theil"]
    lines += ["![ranking and time profile](subsidies_ranking.png)", "", "## Outcomes at the end (last 12 months)", "",
              markdown_table(outcome_table(final, outcomes, ref)), "", "## Outcomes at year 2", "",
              markdown_table(outcome_table(window(df[df.month <= 24]), outcomes, ref)), ""]
    regions = load_results(folder, regions=True)
    reg = regions[regions.month == regions.month.max()]
    rt = summarise(reg, ["income_mean", "adoption"], by=("arm", "region")).pivot_table(
        index="arm", columns=["outcome", "region"], values="mean")
    rt.columns = [f"{o} {r}" for o, r in rt.columns]
    lines += ["## By region (final month, mean)", "", markdown_table(rt.round(3).reset_index()), ""]
    figure_grid(df, ["adoption", "fresh_loss", "trained_share", "gini"], ref, folder / "subsidies_outcomes.png")
    lines += ["![outcomes over time](subsidies_outcomes.png)", ""]
    return "\n".join(lines)


def _eastwest(df: pd.DataFrame, folder: Path) -> str:
    ref = "fund_0_no_pairing"
    final = window(df)
    outcomes = ["east_west_income_ratio", "west_online_share", "bulk_raw_share_west", "processed_share", "gini",
                "theil", "theil_between", "theil_within"]
    lines = _header("East-west cooperation fund and pairing (experiment 3)", df,
                    "Outcomes are means over the last 12 months; Theil parts add up to the total exactly.")
    lines += ["## Outcomes by arm", "", markdown_table(outcome_table(final, outcomes, ref)), ""]
    money = summarise(df[df.month == df.month.max()], ["fund_spent_to_date", "pairing_spent_to_date"])
    lines += ["## Money moved (to the end of the run, mean)", "",
              markdown_table(money.pivot(index="arm", columns="outcome", values="mean").round(0).reset_index()), ""]
    arms = ["fund_0_no_pairing", "fund_1_no_pairing", "fund_5_no_pairing", "fund_0_pairing", "fund_5_pairing"]
    figure_grid(df, ["east_west_income_ratio", "west_online_share", "bulk_raw_share_west", "processed_share"], ref,
                folder / "eastwest.png", arms=arms)
    fig = new_figure(width=13, height=3.6, dpi=80)
    summ = summarise(yearly(df), ["theil_between", "theil_within"]).query("arm in @arms")
    for k, part in enumerate(["theil_between", "theil_within"]):
        bands(fig.add_subplot(1, 2, k + 1), summ, outcome=part, arms=arms, reference=ref,
              title=f"Theil index, {part.split('_')[1]}-region part")
    fig.savefig(folder / "eastwest_theil.png")
    lines += ["![gap and western sales](eastwest.png)", "", "![Theil decomposition over time](eastwest_theil.png)", ""]
    return "\n".join(lines)
