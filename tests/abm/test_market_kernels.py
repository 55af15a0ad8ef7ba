"""Each compiled market kernel computes its plain-numpy equation in abm/market/reference.py, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.core.stages import CHANNELS
from abm.market import kernels as kernel
from abm.market import reference

HOUSEHOLDS = 7  # per village
SEEDS = [0, 1, 2]


def _world(seed: int) -> dict:
    """Random households of 40 villages with the columns and group terms the market reads."""
    rng = np.random.default_rng(seed)
    villages = 40
    n = villages * HOUSEHOLDS
    groups = 3 * villages
    channel = rng.integers(0, len(CHANNELS), n).astype(np.int8)
    offer = np.where(rng.random(n) < 0.2, 0.0, rng.gamma(2.0, 50.0, n)).astype(np.float32)
    sellers = np.flatnonzero((channel != 0) & (offer > 0))
    return {
        "rng": rng, "villages": villages, "n": n, "groups": groups, "channel": channel, "offer": offer,
        "sellers": sellers, "group_of": (sellers // HOUSEHOLDS) * 3 + channel[sellers].astype(np.int64) - 1,
        "kg": offer[sellers], "quality": rng.random(n).astype(np.float32), "misrepresent": rng.random(n) < 0.3,
        "traced": rng.random(n) < 0.2, "rating": rng.random(sellers.size).astype(np.float32),
        "region": np.repeat(np.arange(3), [14, 13, 13]).astype(np.int8),
        "loss": rng.random(groups) * 0.3, "price": rng.uniform(2, 20, groups), "fill": rng.random(groups),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_group_sums_is_its_equation(seed):
    w = _world(seed)
    args = (w["groups"], w["sellers"], w["group_of"], w["kg"], w["quality"], w["misrepresent"], w["traced"],
            w["rating"])
    assert same_bits(kernel._group_sums(*args), reference.group_sums(*args))


@pytest.mark.parametrize("seed", SEEDS)
def test_rated_fill_is_its_equation(seed):
    w = _world(seed)
    supply = np.bincount(w["group_of"], weights=w["kg"], minlength=w["groups"])
    args = (w["sellers"], w["group_of"], w["kg"], w["traced"], w["rating"], supply, w["fill"])
    assert same_bits(kernel._rated_fill(*args), reference.rated_fill(*args))


@pytest.mark.parametrize("seed", SEEDS)
def test_online_sellers_is_its_equation(seed):
    w = _world(seed)
    got = kernel.online_sellers(w["channel"], w["offer"])
    assert same_bits(tuple(got), tuple(reference.online_sellers(w["channel"], w["offer"])))
    assert got.sellers.tolist() == w["sellers"].tolist()


def _seller_args(w: dict) -> tuple:
    rng = w["rng"]
    coop_of_village = np.maximum(rng.integers(-1, 6, w["villages"]), 0)
    return (w["sellers"], w["group_of"], w["kg"], w["fill"][w["group_of"]], w["channel"], w["traced"],
            w["misrepresent"], w["region"], rng.choice(np.array([0, 2], np.int8), w["n"]), coop_of_village, 6,
            np.array([0.05, 0.08, 0.03]), 0.02, 0.3, 200.0, rng.random(w["n"], dtype=np.float32), np.float32(0.4),
            2.0,
            w["loss"], w["price"], rng.random(w["groups"]), rng.random(w["groups"]) * 0.1, rng.random(w["groups"]),
            rng.random(w["groups"]) < 0.3, rng.random(w["groups"]) * 0.2)


@pytest.mark.parametrize("seed", SEEDS)
def test_seller_flows_is_its_equation(seed):
    """Twenty named results, each the numpy statement's bits."""
    args = _seller_args(_world(seed))
    got, want = kernel.seller_flows(*args), reference.seller_flows(*args)
    for name in kernel.SellerFlows._fields:
        assert same_bits(getattr(got, name), getattr(want, name)), name
    assert got.caught.any()  # the random world exercises both branches


@pytest.mark.parametrize("seed", SEEDS)
def test_household_flows_is_its_equation(seed):
    w = _world(seed)
    rng = w["rng"]
    shipped = w["kg"] * w["fill"][w["group_of"]]
    args = (w["offer"], w["sellers"], shipped, shipped * 0.1, HOUSEHOLDS, rng.random(w["villages"]) * 0.2,
            rng.uniform(1, 5, w["villages"]), w["channel"], w["quality"], w["region"], rng.random(3),
            rng.random(w["groups"]), w["price"], rng.random(w["groups"]), 0.3)
    got, want = kernel.household_flows(*args), reference.household_flows(*args)
    for name in kernel.HouseholdFlows._fields:
        assert same_bits(getattr(got, name), getattr(want, name)), name


@pytest.mark.parametrize("halfway", [False, True])
def test_realised_net_is_its_equation(halfway):
    w = _world(4)
    rng = w["rng"]
    start = rng.random(w["groups"])
    args = (rng.random(w["groups"]) < 0.7, w["fill"], w["loss"], w["price"], rng.random(w["groups"]),
            np.array([0.07, 0.05, 0.08]), rng.uniform(1, 5, w["villages"]))
    got, want = start.copy(), start.copy()
    kernel._realised_net(got, *args, halfway=halfway)
    reference.realised_net(want, *args, halfway=halfway)
    assert same_bits(got, want) and not same_bits(got, start)


def test_by_origin_is_its_equation():
    rng = np.random.default_rng(5)
    bought = rng.random((3, 200)) * 100
    origin = rng.integers(0, 3, 200)
    fraud = rng.random(200)
    assert same_bits(kernel._by_origin(bought, origin, fraud), reference.by_origin(bought, origin, fraud))


@pytest.mark.parametrize("seed", SEEDS)
def test_rated_fill_ships_the_groups_share_passing_a_capped_sellers_excess_to_the_others(seed):
    """Each group ships its fill of its supply, no seller more than it offered, a better score no smaller share."""
    w = _world(seed)
    supply = np.bincount(w["group_of"], weights=w["kg"], minlength=w["groups"])
    group_fill = np.where(w["fill"] > 0.5, 1.0, w["fill"] + 0.4)  # tight groups: high-rated sellers cap at 1
    fill = kernel._rated_fill(w["sellers"], w["group_of"], w["kg"], w["traced"], w["rating"], supply, group_fill)
    shipped = np.bincount(w["group_of"], weights=w["kg"] * fill, minlength=w["groups"])
    np.testing.assert_allclose(shipped, group_fill * supply, rtol=1e-9, atol=1e-9)
    assert fill.max() <= 1.0 and (fill == 1.0).sum() > 10
    score = np.where(w["traced"][w["sellers"]], np.float32(1.0), w["rating"])
    for g in np.unique(w["group_of"]):
        k = np.flatnonzero(w["group_of"] == g)
        order = np.argsort(score[k], kind="stable")
        assert (np.diff(fill[k][order]) >= -1e-12).all()
