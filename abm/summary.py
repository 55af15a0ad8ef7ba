"""A run's headline numbers by region, as a table for the terminal and as a DataFrame."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from abm.simulate import RunResult


def region_summary(result: RunResult) -> pd.DataFrame:
    """Headline numbers by region over the last twelve months of the run."""
    reg = result.regions
    last = reg[reg.month > reg.month.max() - 12]
    final = reg[reg.month == reg.month.max()].set_index("region")
    sums = last.groupby("region", sort=False)[["online_sales", "sales_cooperative", "sales_platform_shop",
                                                "sales_livestream", "sales_offline"]].sum()
    out = pd.DataFrame({
        "income mean (yuan/yr)": final["income_mean"],
        "income median (yuan/yr)": final["income_median"],
        "online adoption": final["adoption"],
        "fresh loss": last.groupby("region", sort=False)["fresh_loss"].mean(),
        "online sales (M yuan/yr)": sums["online_sales"] / 1e6,
        "  cooperative": sums["sales_cooperative"] / 1e6,
        "  platform shop": sums["sales_platform_shop"] / 1e6,
        "  livestream": sums["sales_livestream"] / 1e6,
        "offline bulk (M yuan/yr)": sums["sales_offline"] / 1e6,
        "network stability": final["stability"],
    })
    return out.loc[["west", "centre", "east"]]


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
        fmt = "{:,.0f}" if "yuan/yr)" in col and "M " not in col else ("{:,.1f}" if "M yuan" in col or col.startswith("  ") else "{:.1%}")
        if col == "network stability":
            fmt = "{:.2f}"
        table.add_row(col, *(fmt.format(v) for v in df[col]))
    console.print(table)
    s = result.series.iloc[-1]
    console.print(f"Gini {s.gini:.3f}   Theil {s.theil:.3f} (between regions {s.theil_between:.3f}, "
                  f"within {s.theil_within:.3f})   east/west income {s.east_west_income_ratio:.2f}   "
                  f"consumer trust {s.consumer_trust:.2f}   fraud rate {s.fraud_rate:.1%}")
