"""Farmer households as a structure of arrays in grid order, and their vectorised decisions.

Farmer ``i`` lives in village ``i // households``; every attribute is one numpy column. Decisions
are synchronous: all farmers decide on last month's information, so whole-array updates are exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.core.kernels import np_maximum, running_sum, running_sums_over_runs
from abm.core.stages import COOP, ENROLLED, LIVE, NO_LINK, NOT_REACHED, OFFLINE, SHOP

_ONE_RUN_PER_REGION = np.arange(4)  # region sums over one run (slice) per region


class FarmerPopulation:
    """All farmer households of the province, one numpy column per attribute."""

    def __init__(self, village_region: np.ndarray, village_crop: np.ndarray, households: int,
                 junior_share: np.ndarray, trained_share: float, initial_online: np.ndarray,
                 member_share: np.ndarray, rng: np.random.Generator, *, honesty_floor: float) -> None:
        """Draw the initial households of every village (the drawn columns, in a fixed order from ``rng``).

        Args:
            village_region: region index of each village.
            village_crop: crop index of each village.
            households: households per village.
            junior_share: share with junior schooling or less, by region.
            trained_share: share systematically trained at the start.
            initial_online: share already selling online, by region.
            member_share: probability of cooperative membership, per village (0 without a cooperative).
            rng: the model's generator.
            honesty_floor: lowest honesty threshold; thresholds are uniform on [floor, floor + 1]
                (the declared parameter ``honesty_floor``).
        """
        self.households = households
        n = village_region.size * households
        self.n = n
        region = np.repeat(village_region, households)
        self.region = region
        self.crop = np.repeat(village_crop, households)
        u = rng.random((7, n), dtype=np.float32)
        # Schooling: 0 junior or less, 1 senior high, 2 college (college a fifth of the rest).
        junior = junior_share[region]
        self.schooling = np.where(u[0] < junior, 0, np.where(u[0] < junior + (1 - junior) * 0.8, 1, 2)).astype(np.int8)
        self.trained = u[1] < trained_share
        self.skill = (0.15 + 0.2 * self.schooling + 0.25 * self.trained + 0.1 * u[2]).astype(np.float32)
        self.quality = rng.beta(4.0, 3.0, n).astype(np.float32)
        self.productivity = rng.lognormal(0.0, 0.35, n).astype(np.float32)
        self.honesty = (honesty_floor + u[3]).astype(np.float32)
        self.member = u[4] < np.repeat(member_share, households)
        self._start_draws = u[5:7]  # who sells online at the start, and since when (see seat_online)
        self.seat_online(initial_online, np.ones(n, bool))
        self._start_empty(n)
        # Months of sales on record: households online since their link; members through their cooperative's
        # record of a year. A newcomer's rating starts at 0.5; each month of honest sales moves it 20% towards 1.
        self.sales_count = np.where(self.stage >= ENROLLED, -self.link_since,
                                    np.where(self.member, 12, 0)).astype(np.float32)
        self.reputation = (1.0 - 0.5 * 0.8 ** self.sales_count).astype(np.float32)
        # Regions are bands of grid columns, so in grid order each region is one contiguous slice of
        # farmers: region sums become slice sums (None when the regions are not sorted).
        self._region_bounds = _bounds(region, 3)

    def _start_empty(self, n: int) -> None:
        """The columns every household starts without: no shortfall, defection, stock, cash or income yet."""
        self.shortfall = np.zeros(n, np.int8)  # harvest cycles in a row whose gain fell short of the promise
        # The current harvest cycle's realised gain over the bulk price and the gain promised on the same
        # kg (yuan), judged at each enrolment anniversary (abm/promises/judge.py).
        self.cycle_gain = np.zeros(n, np.float64)
        self.cycle_promised = np.zeros(n, np.float64)
        self.defected_at = np.full(n, NO_LINK, np.int32)  # month of the last defection
        self.new_farmer = np.zeros(n, bool)
        self.returnee = np.zeros(n, bool)  # a returnee supported by the government (a new farmer)
        self.returned = np.zeros(n, bool)  # a member came back from migrant work to run an online shop
        self.traced = np.zeros(n, bool)
        self.misrepresent = np.zeros(n, bool)
        self.stock = np.zeros(n, np.float32)
        self.cash = np.zeros(n, np.float64)
        self.income_month = np.zeros(n, np.float64)
        self.income_ytd = np.zeros(n, np.float64)
        self.income_year = np.zeros(n, np.float64)
        self.online_kg_ytd = np.zeros(n, np.float32)
        self.online_revenue_ytd = np.zeros(n, np.float64)
        self.online_revenue_year = np.zeros(n, np.float64)
        # An online shop beyond the household's own produce (abm/enterprise/business.py): the month it opened
        # (NO_LINK: none), what it must earn in a year to stay open, and its net income this year and last.
        self.shop_since = np.full(n, NO_LINK, np.int32)
        self.shop_reservation = np.zeros(n, np.float64)
        self.shop_net_ytd = np.zeros(n, np.float64)
        self.shop_net_year = np.zeros(n, np.float64)

    def seat_online(self, initial_online: np.ndarray, pays: np.ndarray) -> None:
        """Choose the households selling on a shop of their own at the start: ``initial_online`` of each region.

        Each region's share is taken from the households for whom selling online pays (``pays``) in
        the order of a uniform draw, and from the others only when too few pay; their links date
        from one to five years before the start. Households already online have sold for years: their
        aspiration is formed from what they realise (NaN until their first judged month), not from a
        newcomer's list-price promise.
        """
        order_draw, since_draw = self._start_draws
        key = order_draw + (~pays).astype(np.float32)
        online = np.zeros(self.n, bool)
        for r in range(3):
            mine = np.flatnonzero(self.region == r)
            take = int(round(float(initial_online[r]) * mine.size))
            online[mine[np.argsort(key[mine], kind="stable")[:take]]] = True
        self.stage = np.where(online, ENROLLED, NOT_REACHED).astype(np.int8)
        self.channel = np.where(online, SHOP, np.where(self.member, COOP, OFFLINE)).astype(np.int8)
        self.link_since = np.where(online, -12 - (48 * since_draw).astype(np.int32), NO_LINK).astype(np.int32)
        self.promised = np.where(online, np.nan, 0.0).astype(np.float32)

    @property
    def online(self) -> np.ndarray:
        """Households that sell online this month (shop, livestream or cooperative)."""
        return self.channel != OFFLINE

    @property
    def enrolled(self) -> np.ndarray:
        """Households enrolled or mobilised in the e-commerce network."""
        return self.stage >= ENROLLED

    def village_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum a farmer column over each village (grid order makes it a reshape)."""
        if values.dtype.kind in "bui":
            # Whole numbers add up exactly in any order: an integer row sum is the same number, and
            # avoids converting every value to float64 first.
            acc = np.int32 if values.dtype.itemsize == 1 else np.int64
            return values.reshape(-1, self.households).sum(axis=1, dtype=acc).astype(np.float64)
        return values.reshape(-1, self.households).sum(axis=1, dtype=np.float64)

    def village_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of a farmer column in each village."""
        return self.village_sum(values) / self.households

    def region_households(self) -> np.ndarray:
        """Number of households in each region, as float64."""
        b = self._region_bounds
        if b is None:
            return np.bincount(self.region, minlength=3).astype(np.float64)
        return np.diff(b).astype(np.float64)

    def region_count(self, mask: np.ndarray) -> np.ndarray:
        """Number of True values in each region, as float64 (equal to ``bincount(region, weights=mask)``)."""
        b = self._region_bounds
        if b is None:
            return np.bincount(self.region, weights=mask, minlength=3)
        return np.array([np.count_nonzero(mask[b[r]:b[r + 1]]) for r in range(3)], dtype=np.float64)

    def region_count_at(self, indices: np.ndarray) -> np.ndarray:
        """Number of the given (sorted, distinct) households in each region, as float64."""
        b = self._region_bounds
        if b is None:
            return np.bincount(self.region[indices], minlength=3).astype(np.float64)
        return np.diff(np.searchsorted(indices, b)).astype(np.float64)

    def region_sum_at(self, indices: np.ndarray, values: np.ndarray | tuple[np.ndarray, ...]) -> np.ndarray:
        """Sum in each region of ``values`` held by the households ``indices`` (sorted, distinct).

        Bit-identical to ``region_sum`` of the column holding these values and zeros elsewhere:
        ``bincount`` adds in household order and adding a zero never changes its running sum; with
        regions in grid order each region's households are one run of ``indices``, summed with a
        running sum (the same additions from 0.0, a final ``+ 0.0`` as bincount never ends on -0.0).
        A tuple of float64 columns gives an array (column, region), all summed in one pass.
        """
        columns = values if isinstance(values, tuple) else (values,)
        b = self._region_bounds
        if b is None:
            out = np.array([np.bincount(self.region[indices], weights=v, minlength=3) for v in columns])
        else:
            cut = np.searchsorted(indices, b)
            out = running_sums_over_runs(columns, cut[:-1], cut[1:], _ONE_RUN_PER_REGION) + 0.0
        return out if isinstance(values, tuple) else out[0]

    def region_sum(self, values: np.ndarray | tuple[np.ndarray, ...], where: np.ndarray | None = None) -> np.ndarray:
        """Sum of a farmer column in each region, bit-identical to ``bincount(region, weights=values)``.

        ``bincount`` adds each region's values one after another to 0.0, in farmer order, in float64.
        A cumulative sum over the region's slice is the same sequence of additions, and since adding
        a zero never changes such a running sum, a sparse column only gathers its non-zero values.
        With ``where``, values where it is False count as zero, as ``np.where(where, values, 0.0)``.
        A tuple of float64 columns (without ``where``) gives an array (column, region), summed in one pass.
        """
        b = self._region_bounds
        if isinstance(values, tuple):
            if where is not None:
                raise ValueError("where applies to one column")
            if b is None:
                return np.array([np.bincount(self.region, weights=v, minlength=3) for v in values])
            return running_sums_over_runs(values, b[:-1], b[1:], _ONE_RUN_PER_REGION) + 0.0
        if b is None:
            return np.bincount(self.region, weights=values if where is None else np.where(where, values, 0.0),
                               minlength=3)
        out = np.zeros(3)
        keep = values != 0  # NaN is kept, as bincount would add it
        if where is not None:
            keep &= where
        if 4 * np.count_nonzero(keep) < keep.size:
            nz = np.flatnonzero(keep)
            cut = np.searchsorted(nz, b)
            v = values[nz]
            for r in range(3):
                if cut[r + 1] > cut[r]:
                    out[r] = running_sum(v[cut[r]:cut[r + 1]])
        else:
            for r in range(3):
                if b[r + 1] > b[r]:
                    part = values[b[r]:b[r + 1]]
                    if where is not None:
                        part = np.where(where[b[r]:b[r + 1]], part, 0.0)
                    out[r] = running_sum(part)
        return out + 0.0  # a running sum from 0.0 never ends on -0.0

    def region_sum_in_villages(self, values: np.ndarray | tuple[np.ndarray, ...], villages: np.ndarray) -> np.ndarray:
        """``region_sum(values * in_villages)`` for finite values: the households of the given villages only.

        ``villages`` are sorted village indices. The other households would add exact zeros, so each
        region's sum runs over its villages' blocks of households: the same additions in the same
        order. A tuple of float64 columns gives an array (column, region), summed in one pass.
        """
        columns = values if isinstance(values, tuple) else (values,)
        hh = self.households
        starts = villages * hh
        b = self._region_bounds
        if b is None:
            region = np.repeat(self.region[starts], hh)
            out = np.array([np.bincount(region, weights=v.reshape(-1, hh)[villages].ravel(), minlength=3)
                            for v in columns])
        else:
            out = running_sums_over_runs(columns, starts, starts + hh, np.searchsorted(starts, b)) + 0.0
        return out if isinstance(values, tuple) else out[0]

    def decide_fraud(self, gain_share: np.ndarray, detection: float, penalty: float) -> None:
        """Misrepresent quality where the expected net gain beats the household's honesty.

        ``detection`` and ``penalty`` are the trust mechanism's (:mod:`abm.trust.mechanisms`, which decides how
        fraud is caught; this is the sellers' side of it). The expected net gain per yuan of premium
        is ``1 - detection * (1 + penalty)``; a household lies when that exceeds its honesty threshold
        (uniform from the parameter ``honesty_floor``), and only where a premium of at least 1% of the price
        is to be had.
        """
        expected = np.float32(1.0 - detection * (1.0 + penalty))  # compared with the float32 honesty in float32
        self.misrepresent = _misrepresenting(gain_share, expected, self.honesty, self.channel, self.traced)

    def decide_traceability(self, gain_per_kg: np.ndarray, cost_per_kg: float, fixed_cost: float,
                            monthly_kg: np.ndarray) -> None:
        """Online sellers verify their quality where the premium it earns beats its cost per kg.

        The fixed monthly cost spread over a small seller's few kilograms is what small sellers feel.
        """
        self.traced = _verifying(gain_per_kg, cost_per_kg, fixed_cost, monthly_kg, self.channel)

    def close_year(self) -> None:
        """Move this year's income to last year's and start a new year."""
        self.income_year[:] = self.income_ytd
        self.income_ytd[:] = 0.0
        self.online_revenue_year[:] = self.online_revenue_ytd
        self.online_revenue_ytd[:] = 0.0
        self.online_kg_ytd[:] = 0.0
        self.shop_net_year[:] = self.shop_net_ytd
        self.shop_net_ytd[:] = 0.0


@njit(cache=True, nogil=True)
def _misrepresenting(gain_share: np.ndarray, expected_gain: np.float32, honesty: np.ndarray, channel: np.ndarray,
                     traced: np.ndarray) -> np.ndarray:
    """Online, untraced households with a premium share above 1% whose expected gain beats their honesty."""
    lies = np.empty(channel.size, np.bool_)
    for i in range(channel.size):
        lies[i] = (gain_share[i] > 0.01) & (expected_gain > honesty[i]) & (channel[i] != OFFLINE) & ~traced[i]
    return lies


@njit(cache=True, nogil=True)
def _verifying(gain_per_kg: np.ndarray, cost_per_kg: float, fixed_cost: float, monthly_kg: np.ndarray,
               channel: np.ndarray) -> np.ndarray:
    """Online households whose verification gain per kg beats ``cost_per_kg + fixed_cost / max(kg, 1)``."""
    traced = np.empty(channel.size, np.bool_)
    for i in range(channel.size):
        traced[i] = (channel[i] != OFFLINE) & (gain_per_kg[i] > cost_per_kg + fixed_cost / max(monthly_kg[i], 1.0))
    return traced


def _bounds(group: np.ndarray, groups: int) -> np.ndarray | None:
    """Start of each group's slice and the end of the last (``groups + 1`` values), or None if unsorted."""
    if group.size and np.any(group[1:] < group[:-1]):
        return None
    return np.searchsorted(group, np.arange(groups + 1), side="left").astype(np.intp)
