"""Development models are strategies: each changes only its own recruiters, brand, new farmers and pace."""

from __future__ import annotations

import numpy as np

from abm.core.stages import MOBILISED
from abm.development.strategies import DEVELOPMENT_MODELS
from agents.farmers import FarmerPopulation


def test_each_model_sets_only_its_own_devices():
    """Only the platform model recruits, only the government brands, only the livestream model seeds and speeds."""
    station = np.array([True, False, True, False])
    broadband = np.array([True, True, False, False])
    nf_share = np.array([0.0, 0.1, 0.0, 0.0])
    paired = np.array([False, False, False, True])
    incentives = {}
    for name, d in DEVELOPMENT_MODELS.items():
        assert d.recruiters(broadband).any() == (name == "platform")
        assert d.brand_villages(station).tolist() == (station.tolist() if name == "government_brand" else [False] * 4)
        assert (d.mobilisation_factor > 1) == (name == "livestream")
        incentives[name] = d.village_incentives(station, broadband, nf_share, d.brand_villages(station), paired)
    assert incentives["baseline"].tolist() == [0.5, 0.0, 0.5, 0.5]
    assert incentives["platform"].tolist() == [1.5, 1.0, 0.5, 0.5]
    assert incentives["livestream"].tolist() == [0.5, 1.0, 0.5, 0.5]
    assert incentives["government_brand"].tolist() == [1.5, 0.0, 1.5, 0.5]


def test_only_the_livestream_model_seeds_new_farmers_and_draws_for_it():
    """Seeding mobilises new farmers in 5G villages only, and other models leave the generator untouched."""
    region = np.repeat([0, 1, 2], [7, 7, 6]).astype(np.int8)
    g5 = np.arange(20) % 2 == 0
    f = FarmerPopulation(region, np.zeros(20, np.int64), 20, np.full(3, 0.5), 0.1, np.zeros(3), np.zeros(20),
                         np.random.default_rng(1))
    rng = np.random.default_rng(2)
    DEVELOPMENT_MODELS["platform"].seed_new_farmers(f, g5, rng)
    assert not f.new_farmer.any() and rng.random() == np.random.default_rng(2).random()
    livestream = DEVELOPMENT_MODELS["livestream"]
    livestream.seed_new_farmers(f, g5, np.random.default_rng(3))
    seeded = np.flatnonzero(f.new_farmer)
    assert seeded.size > 0
    assert g5[seeded // 20].all() and (f.stage[seeded] == MOBILISED).all() and (f.skill[seeded] >= 0.7).all()
