"""The compiled channel-choice loops compute their plain-numpy equations in abm/channels/reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from testworlds import same_bits

from abm.channels import choice as kernel
from abm.channels import reference
from abm.core.stages import ENROLLED, NOT_REACHED
from agents.farmers import FarmerPopulation

HOUSEHOLDS = 8
VILLAGES = 40
N = HOUSEHOLDS * VILLAGES
SEEDS = [0, 1, 2]


def _households(seed: int) -> tuple:
    """Random household columns and village masks in the open-channel kernel's argument order."""
    rng = np.random.default_rng(seed)
    stage = np.where(rng.random(N) < 0.4, ENROLLED, NOT_REACHED).astype(np.int8)
    return (stage, rng.random(N) < 0.3, rng.random(N) < 0.1, rng.random(VILLAGES) < 0.6,
            rng.random(VILLAGES) < 0.4, rng.random(VILLAGES) < 0.9, rng.random(VILLAGES) < 0.3)


def _choice(seed: int) -> tuple:
    """Random open channels (always at least one), produce, current channels, net prices and draws."""
    rng = np.random.default_rng(seed)
    open_bits = rng.integers(1, 16, N).astype(np.uint8)
    offer = np.where(rng.random(N) < 0.3, 0.0, rng.random(N)).astype(np.float32)
    offer[3] = np.nan  # no produce recorded: idle
    net = rng.lognormal(0.0, 1.0, (N, 4))
    net[rng.random((N, 4)) < 0.05] = 0.0  # a channel netting nothing counts at the floor
    draws = rng.random(N, dtype=np.float32)
    draws[:3] = 0.0
    return open_bits, offer, rng.integers(0, 4, N).astype(np.int8), net, draws


@pytest.mark.parametrize("seed", SEEDS)
def test_open_channel_bits_are_their_equation(seed):
    columns = _households(seed)
    got = kernel._open_channel_bits(*columns)
    assert same_bits(got, reference.open_channel_bits(*columns))
    assert len(np.unique(got)) > 4  # households with different sets of channels open


@pytest.mark.parametrize("seed", SEEDS)
def test_idle_channels_and_choosers_are_their_equation(seed):
    open_bits, offer, current, _, _ = _choice(seed)
    got = kernel._idle_channels_and_choosers(open_bits, offer, current)
    assert same_bits(got, reference.idle_channels_and_choosers(open_bits, offer, current))
    assert 0 < got[1].size < N and (got[0] > 0).any()  # some choose, some idle keep an online channel


@pytest.mark.parametrize("seed", SEEDS)
def test_logit_pick_is_its_equation(seed):
    open_bits, _, current, net, draws = _choice(seed)
    got = kernel._logit_pick(net, open_bits, current, draws, 3.0, 0.5)
    assert same_bits(got, reference.logit_pick(net, open_bits, current, draws, 3.0, 0.5))
    assert len(np.unique(got)) == 4
    drawn = draws > 0  # a zero draw picks the first channel, open or not
    assert all((((open_bits[drawn & (got == k)] >> k) & 1) == 1).all() for k in range(4))  # every pick is open


@pytest.mark.parametrize("seed", SEEDS)
def test_choose_channels_is_the_composed_equations(seed):
    """The chosen channels: the idle households' kept channels, the choosers' logit picks."""
    open_bits, offer, current, net, draws = _choice(seed)
    got = kernel.choose_channels(current, open_bits, offer, lambda rows: net[rows], 3.0, 0.5, draws)
    expected, rows = reference.idle_channels_and_choosers(open_bits, offer, current)
    expected[rows] = reference.logit_pick(net[rows], open_bits[rows], current[rows], draws[rows], 3.0, 0.5)
    assert same_bits(got, expected)


def test_open_channels_read_the_farmers_columns():
    """open_channels passes the population's stage, membership and new farmers, and the served villages' masks."""
    rng = np.random.default_rng(4)
    region = np.zeros(VILLAGES, np.int8)
    f = FarmerPopulation(region, region, HOUSEHOLDS, np.full(3, 0.7), 0.2, np.full(3, 0.3),
                         np.full(VILLAGES, 0.3), rng, honesty_floor=0.7)
    stage, member, new_farmer, broadband, g5, served, leader = _households(5)
    f.stage, f.member, f.new_farmer = stage, member, new_farmer
    expected = reference.open_channel_bits(stage, member, new_farmer, served & broadband, served & g5, served, leader)
    assert same_bits(kernel.open_channels(f, broadband, g5, served, leader), expected)
