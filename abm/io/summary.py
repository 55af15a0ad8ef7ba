"""A run's headline numbers by region, as a table for the terminal and as a DataFrame."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from abm.io.simulate import RunResult
from agents.households import INCOME_PARTS


def region_summary(result: RunResult) -> pd.DataFrame:
    """Headline numbers by region over the last twelve months of the run."""
    reg = result.regions
    last = reg[reg.month > reg.month.max() - 12]
    final = reg[reg.month == reg.month.max()].set_index("region")
    sums = last.groupby("region", sort=False)[["online_sales", "sales_cooperative", "sales_platform_shop",
                                                "sales_livestream", "sales_offline"]].sum()
    out = pd.DataFrame({
        "income per person (yuan/yr)": final["income_per_person"],
        "income mean (yuan/yr)": final["income_mean"],
        "income median (yuan/yr)": final["income_median"],
        "online adoption": final["adoption"],
        "fresh loss": last.groupby("region", sort=False)["fresh_loss"].mean(),
        "online sales (M yuan/yr)": sums["online_sales"] / 1e6,
        "  cooperative": sums["sales_cooperative"] / 1e6,
        "  platform shop": sums["sales_platform_shop"] / 1e6,
        "  livestream": sums["sales_livestream"] / 1e6,
        "offline bulk (M yuan/yr)": sums["sales_offline"] / 1e6,
        "online shops beyond own produce": final["online_shops"],
        "  their net income (M yuan/yr)": last.groupby("region", sort=False)["shop_net"].sum() / 1e6,
        "saved buying online (yuan/person/yr)": last.groupby("region", sort=False)[
            "consumption_saving_per_person"].mean(),
        "network stability": final["stability"],
    })
    return out.loc[["west", "centre", "east"]]


#: the gap table's row of the farm part of net business (farm sales less production cost)
FARM_ROW = "  of business: farm"


def east_west_gap(result: RunResult) -> pd.DataFrame:
    """The east/west gap in income per person by survey part, in the last complete year of the run.

    Rows: the four parts, the total, and the farm part of net business (a part of "business", not
    added again); columns: east, west, the gap (east - west, yuan/person/year) and each part's share of
    the gap, so a reader sees what drives it.
    """
    reg = result.regions
    final = reg[reg.month == reg.month.max()].set_index("region")
    columns = [f"income_{k}" for k in INCOME_PARTS]
    east = final.loc["east", columns].to_numpy(float)
    west = final.loc["west", columns].to_numpy(float)
    out = pd.DataFrame({"east": east, "west": west}, index=list(INCOME_PARTS))
    out.loc["total"] = out.sum()
    out.loc[FARM_ROW] = final.loc[["east", "west"], "income_farm"].to_numpy(float)
    out["gap"] = out.east - out.west
    out["share of gap"] = out.gap / out.loc["total", "gap"] if out.loc["total", "gap"] != 0 else float("nan")
    return out


def _print_gap(result: RunResult, console: Console) -> None:
    """Print the decomposition of the east/west gap in income per person."""
    gap = east_west_gap(result)
    table = Table(title="East/west gap in income per person by part (yuan/person/yr, last complete year)")
    for col in ("", *gap.columns):
        table.add_column(col, justify="right" if col else "left")
    for part, row in gap.iterrows():
        table.add_row(str(part), *(f"{row[c]:,.0f}" for c in ("east", "west", "gap")), f"{row['share of gap']:.0%}")
    console.print(table)


def _number_format(column: str) -> str:
    """How a row of the regional summary is printed: millions, whole yuan or counts, an index, or a share."""
    if "M yuan" in column or column.startswith("  "):
        return "{:,.1f}"
    if "yuan/" in column or column == "online shops beyond own produce":
        return "{:,.0f}"
    return "{:.2f}" if column == "network stability" else "{:.1%}"


def print_summary(result: RunResult, console: Console | None = None) -> None:
    """Print the regional summary and the province-wide inequality measures."""
    console = console or Console()
    table = Table(title=f"{result.manifest['scenario']}: last 12 of {result.manifest['months']} months, "
                        f"{result.manifest['farmers']:,} households, seed {result.manifest['seed']}")
    df = region_summary(result)
    table.add_column("")
    for region in df.index:
        table.add_column(region, justify="right")
    for col in df.columns:
        table.add_row(col, *(_number_format(col).format(v) for v in df[col]))
    console.print(table)
    _print_gap(result, console)
    s = result.series.iloc[-1]
    console.print(f"Gini {s.gini:.3f}   Theil {s.theil:.3f} (between regions {s.theil_between:.3f}, "
                  f"within {s.theil_within:.3f})   east/west income {s.east_west_income_ratio:.2f}   "
                  f"consumer trust {s.consumer_trust:.2f}   fraud rate {s.fraud_rate:.1%}")
