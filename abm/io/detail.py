"""The translation detail of a run (``ruralsim run --detail``): what a reader checks about the network.

Three tables from a run's series and regional table: the decade year by year (online households and
their growth, defections against the enrolled stock, re-enrolments, lapsed interest, the channel mix,
hosts, followers and cooperative members with the reasons they left), the calendar profile of
defections, and each region's funnel, stage flows, stability, channel mix, hosts and followers in
years 1, 5 and 10 (those the run has).
"""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from abm.core.stages import EXIT_REASONS, STAGES
from abm.io.simulate import RunResult

ONLINE_CHANNELS = ("sales_cooperative", "sales_platform_shop", "sales_livestream")
REPORTED_YEARS = (1, 5, 10)


def _by_year(table: pd.DataFrame, keys: list[str]) -> pd.core.groupby.DataFrameGroupBy:
    """Months 1.. grouped by run year (and ``keys``)."""
    t = table[table.month > 0].assign(year=lambda d: (d.month - 1) // 12 + 1)
    return t.groupby(["year", *keys], sort=False)


def yearly(result: RunResult) -> pd.DataFrame:
    """The province year by year: stocks at the year's last month, flows summed over the year."""
    g = _by_year(result.series, [])
    last = g.last()
    flows = g[["flow_defected", "flow_reenrolled", "flow_lapsed", "flow_enrolled", *ONLINE_CHANNELS,
               *(f"coop_left_{r}" for r in EXIT_REASONS), "coop_joined"]].sum()
    enrolled = last.enrolled + last.mobilised
    online = last.adoption * result.manifest["farmers"]
    out = pd.DataFrame({
        "online households": online, "growth": online.pct_change(), "enrolled": enrolled,
        "enrolments": flows.flow_enrolled, "defections": flows.flow_defected,
        "defections / enrolled": flows.flow_defected / enrolled.where(enrolled > 0),
        "re-enrolments": flows.flow_reenrolled, "lapsed interest": flows.flow_lapsed,
        "interested share": last.interested / result.manifest["farmers"],
    })
    mix = flows[list(ONLINE_CHANNELS)]
    out = out.join(mix.div(mix.sum(axis=1).where(mix.sum(axis=1) > 0), axis=0).rename(columns=_share_name))
    out["hosts"], out["followers"], out["coop members"] = last.new_farmers, last.followers, last.coop_members
    for r in EXIT_REASONS:
        out[f"left coop: {r}"] = flows[f"coop_left_{r}"]
    out["joined coop"] = flows.coop_joined
    out.index = out.index.get_level_values(0) if isinstance(out.index, pd.MultiIndex) else out.index
    return out


def defection_profile(result: RunResult) -> pd.Series:
    """Share of the run's defections in each calendar month (1 January .. 12 December)."""
    s = result.series[result.series.month > 0]
    by_month = s.groupby((s.month - 1) % 12 + 1).flow_defected.sum()
    return by_month / by_month.sum() if by_month.sum() > 0 else by_month


def regional(result: RunResult, years: tuple[int, ...] = REPORTED_YEARS) -> pd.DataFrame:
    """Each region in the given run years: funnel shares at the year's end, the year's stage flows and channel mix."""
    g = _by_year(result.regions, ["region"])
    last = g.last()
    flows = g[[f"flow_{t}" for t in ("problematised", "interested", "lapsed", "enrolled", "defected")]
              + list(ONLINE_CHANNELS)].sum()
    households = last[list(STAGES)].sum(axis=1)
    out = last[list(STAGES)].div(households, axis=0)
    out = out.join(flows.drop(columns=list(ONLINE_CHANNELS)))
    mix = flows[list(ONLINE_CHANNELS)]
    out = out.join(mix.div(mix.sum(axis=1).where(mix.sum(axis=1) > 0), axis=0).rename(columns=_share_name))
    out = out.join(last[["stability", "new_farmers", "followers"]])
    have = [y for y in years if y in out.index.get_level_values("year")]
    return out.loc[have]


def _share_name(column: str) -> str:
    """Column name of a channel's share of online sales."""
    return column.removeprefix("sales_").replace("_", " ") + " share"


def print_detail(result: RunResult, console: Console | None = None) -> None:
    """Print the three detail tables."""
    console = console or Console()
    for title, frame in (("The decade, year by year", yearly(result).T),
                         ("Defections by calendar month (share of the run's)",
                          defection_profile(result).to_frame("share").T),
                         ("Regions in years 1, 5 and 10", regional(result).T)):
        table = Table(title=title)
        table.add_column("", no_wrap=True)
        for col in frame.columns:
            table.add_column(" ".join(str(c) for c in col) if isinstance(col, tuple) else str(col), justify="right")
        for name, row in frame.iterrows():
            table.add_row(str(name), *(_fmt(v, _kind(str(name), row)) for v in row))
        console.print(table)


def _kind(name: str, row: pd.Series) -> str:
    """How a row reads: an index (stability), a share, or a count."""
    if name == "stability":
        return "index"
    values = row.dropna()
    shares = values.abs().le(1.5).all() and not values.eq(values.round()).all()
    return "share" if shares else "count"


def _fmt(value: float, kind: str) -> str:
    """An index with two decimals, a share as a percent, a count without decimals, NaN as a dash."""
    if pd.isna(value):
        return "-"
    return {"index": f"{value:.2f}", "share": f"{value:.1%}", "count": f"{value:,.0f}"}[kind]
