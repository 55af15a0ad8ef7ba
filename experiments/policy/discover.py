"""Scenario discovery: under which levers and conditions does a user-defined condition hold (PRIM and CART)?

``ruralsim discover RESULTS --where "income_mean_west_pct_change < 5"`` reads an experiment folder
(one row per run at its final month: the varied parameters, the outcomes, and each regional
outcome as ``OUTCOME_REGION``) or an optimisation folder (one row per evaluation: levers, uncertain
factors, measured objectives), marks the rows where the condition holds, and finds:

- PRIM boxes (the EMA Workbench's ``analysis.prim``): the peeling trajectory (coverage against
  density), and the chosen box: the densest with coverage at least ``min_coverage``;
- a CART tree (scikit-learn), whose leaves are boxes too, printed as rules;
- feature scores: extra-trees importances (the EMA Workbench's feature scoring) and the tree's.

Everything goes to ``RESULTS/discovery/``: ``report.md``, ``trajectory.csv``, ``box.csv``,
``scores.csv``, ``tradeoff.png`` and ``tree.png``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.io.scenario import ScenarioError
from experiments.analysis import outcome_names
from experiments.figures import new_figure
from experiments.reports import fmt, markdown_table

ID_COLUMNS = {"run_id", "point", "arm", "replicate", "seed", "month", "year", "month_of_year", "region", "generation",
              "candidate", "condition"}


@dataclass(frozen=True)
class Discovery:
    """What discovery found for one condition."""

    condition: str
    cases: int
    rows: int
    trajectory: pd.DataFrame
    box: pd.DataFrame
    chosen: int
    rules: str
    scores: pd.DataFrame


def results_table(folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """The rows to search and their feature columns, from an optimisation or an experiment folder.

    Raises:
        ScenarioError: If the folder holds neither, or declares nothing that varies.
    """
    table, features = _table_and_features(folder)
    if not features:
        raise ScenarioError(f"{folder}: no features to search: its manifest.json declares no varied parameters, "
                            "levers or conditions; allowed: the folder of an optimisation, or of an experiment "
                            "with arms or a design")
    return table, features


def _table_and_features(folder: Path) -> tuple[pd.DataFrame, list[str]]:
    """The rows and the feature columns the folder's manifest declares (perhaps none)."""
    manifest = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").is_file() else {}
    if (folder / "evaluations.parquet").is_file():
        table = pd.read_parquet(folder / "evaluations.parquet")
        return table, [c for c in manifest.get("features", []) if c in table.columns]
    if (folder / "results.parquet").is_file():
        results = pd.read_parquet(folder / "results.parquet")
        final = results[results.month == results.month.max()].reset_index(drop=True)
        regions = pd.read_parquet(folder / "regions.parquet")
        regions = regions[regions.month == regions.month.max()]
        outcomes = outcome_names(regions)
        wide = regions.pivot_table(index="run_id", columns="region", values=outcomes)
        wide.columns = [f"{o}_{r}" for o, r in wide.columns]
        table = final.merge(wide.reset_index(), on="run_id", how="left")
        varied = [c for c in (manifest.get("points") or [{}])[0] if c not in ("point", "arm")]
        return table, [c if c in table.columns else f"{c}_param" for c in varied]
    raise ScenarioError(f"{folder}: neither an optimisation (evaluations.parquet) nor an experiment "
                        "(results.parquet) folder; allowed: an output folder of `ruralsim optimise` or `ruralsim experiment`")


def mark(table: pd.DataFrame, condition: str) -> np.ndarray:
    """The rows where a condition such as ``"theil_change > 0"`` holds (pandas expression syntax).

    Raises:
        ScenarioError: If the condition does not parse or names an unknown column.
    """
    try:
        result = table.eval(condition)
    except Exception as err:  # pandas raises many types for a bad expression
        columns = ", ".join(c for c in table.columns if c not in ID_COLUMNS)
        raise ScenarioError(f"--where {condition!r}: {err}; allowed: a comparison of these columns: {columns}") from None
    if not isinstance(result, pd.Series) or result.dtype != bool:
        raise ScenarioError(f"--where {condition!r}: not a true/false condition; allowed: e.g. 'theil_change > 0'")
    return result.to_numpy()


def features_frame(table: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The feature columns as PRIM reads them: numbers as floats, anything else categorical."""
    out = {}
    for c in features:
        column = table[c]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        out[c] = column.astype(float) if numeric else column.astype(str).astype("category")
    return pd.DataFrame(out)


def prim_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float, min_coverage: float) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """PRIM's peeling trajectory, the chosen box's limits and its index (densest with enough coverage)."""
    # start-up time: EMA Workbench, scikit-learn and matplotlib load only for a discovery
    from ema_workbench.analysis import prim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, mass_min=mass_min).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    enough = trajectory[trajectory.coverage >= min_coverage]
    chosen = int(enough.density.idxmax()) if not enough.empty else 0
    limits = box.box_lims[chosen]
    initial = box.box_lims[0]
    rows = []
    for c in x.columns:
        lo, hi = limits[c].iloc[0], limits[c].iloc[1]
        restricted = (set(lo) != set(initial[c].iloc[0])) if isinstance(lo, set) else \
            (lo > initial[c].iloc[0] or hi < initial[c].iloc[1])
        rows.append({"feature": c, "low": _show(lo), "high": _show(hi), "restricted": bool(restricted)})
    return trajectory, pd.DataFrame(rows), chosen


def _show(value) -> str:
    """A box limit for a table: a number, or the set of categories."""
    return ", ".join(sorted(map(str, value))) if isinstance(value, set) else fmt(float(value))


def cart_and_scores(x: pd.DataFrame, y: np.ndarray, max_depth: int, seed: int) -> tuple[str, pd.DataFrame, object]:
    """A CART tree's rules, and extra-trees and tree importances per feature (categories one-hot, summed back)."""
    # start-up time: EMA Workbench, scikit-learn and matplotlib load only for a discovery
    from ema_workbench.analysis.feature_scoring import get_ex_feature_scores
    from sklearn.tree import DecisionTreeClassifier, export_text

    dummies = pd.get_dummies(x, prefix_sep="=", dtype=float)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(2, len(y) // 50), random_state=seed)
    tree.fit(dummies, y)
    rules = export_text(tree, feature_names=list(dummies.columns), show_weights=True)
    # EMA Workbench's default, a third of the columns, rounds to none for one or two columns: at least one
    scores, *_ = get_ex_feature_scores(dummies, y.astype(int), max_features=max(1, round(dummies.shape[1] / 3)),
                                       random_state=seed)
    owner = {d: next(c for c in x.columns if d == c or d.startswith(f"{c}=")) for d in dummies.columns}
    extra = scores.iloc[:, 0].groupby(owner).sum()
    cart = pd.Series(tree.feature_importances_, index=dummies.columns).groupby(owner).sum()
    table = pd.DataFrame({"extra_trees": extra, "cart": cart}).reindex(x.columns).fillna(0.0)
    return rules, table.sort_values("extra_trees", ascending=False).reset_index(names="feature"), tree


def discover(table: pd.DataFrame, features: list[str], condition: str, mass_min: float = 0.05,
             min_coverage: float = 0.8, max_depth: int = 3, seed: int = 0) -> tuple[Discovery, object]:
    """Run PRIM and CART for one condition over the feature columns of a results table.

    Raises:
        ScenarioError: If no feature varies, or the condition holds in no row or in every row.
    """
    if not features:
        raise ScenarioError("no features to search: the folder declares no varied parameters, levers or conditions")
    y = mark(table, condition)
    if y.all() or not y.any():
        raise ScenarioError(f"--where {condition!r} holds in {int(y.sum())} of {len(y)} rows; allowed: a condition "
                            "that holds in some rows and not in others")
    x = features_frame(table, features)
    trajectory, box, chosen = prim_boxes(x, y, mass_min, min_coverage)
    rules, scores, tree = cart_and_scores(x, y, max_depth, seed)
    scores = scores.merge(box[["feature", "restricted"]], on="feature").rename(columns={"restricted": "in_prim_box"})
    return Discovery(condition, int(y.sum()), len(y), trajectory, box, chosen, rules, scores), tree


def write_discovery(found: Discovery, tree: object, features: list[str], out: Path) -> Path:
    """Write the trajectory, box, scores, figures and ``report.md`` of a discovery to ``out``."""
    # start-up time: EMA Workbench, scikit-learn and matplotlib load only for a discovery
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sklearn.tree import plot_tree

    out.mkdir(parents=True, exist_ok=True)
    found.trajectory.to_csv(out / "trajectory.csv", index=False)
    found.box.to_csv(out / "box.csv", index=False)
    found.scores.to_csv(out / "scores.csv", index=False)
    fig = new_figure(width=5.2, height=4, dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    t = found.trajectory
    points = ax.scatter(t.coverage, t.density, c=t.res_dim, cmap="viridis", s=18)
    ax.scatter([t.coverage[found.chosen]], [t.density[found.chosen]], s=120, facecolors="none", edgecolors="red")
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage", fontsize=9)
    ax.set_ylabel("density", fontsize=9)
    ax.set_title("PRIM peeling trajectory (red: chosen box)", fontsize=10, loc="left")
    fig.savefig(out / "tradeoff.png")
    fig = new_figure(width=12, height=6, dpi=80)
    FigureCanvasAgg(fig)  # plot_tree measures text with the canvas's renderer
    plot_tree(tree, ax=fig.add_subplot(1, 1, 1), feature_names=list(tree.feature_names_in_), filled=True,
              class_names=["no", "yes"], fontsize=7, impurity=False)
    fig.savefig(out / "tree.png")
    chosen = t.iloc[found.chosen]
    lines = [f"# Scenario discovery: `{found.condition}`", "",
             f"The condition holds in {found.cases} of {found.rows} rows ({found.cases / found.rows:.1%}). Features: "
             f"{', '.join(features)}.", "", "## PRIM (EMA Workbench)", "",
             f"Chosen box {found.chosen}: coverage {fmt(chosen.coverage)}, density {fmt(chosen.density)}, mass "
             f"{fmt(chosen.mass)}, {int(chosen.res_dim)} restricted dimensions (the densest box with coverage >= "
             "the minimum).", "", markdown_table(found.box), "", "![coverage and density](tradeoff.png)", "",
             "## CART (scikit-learn)", "", "```", found.rules.rstrip(), "```", "", "![tree](tree.png)", "",
             "## Feature scores", "", "Extra-trees importances (EMA Workbench feature scoring) and the CART "
             "tree's importances; one-hot categories summed back to their feature.", "",
             markdown_table(found.scores.assign(extra_trees=found.scores.extra_trees.map(fmt),
                                                cart=found.scores.cart.map(fmt))), ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return out / "report.md"
