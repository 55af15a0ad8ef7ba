"""The actor-network export: who each farmer is linked to."""

from __future__ import annotations

import numpy as np
from testworlds import DIFFUSING

from abm.model import RuralEconomy
from abm.core.params import Parameters
from abm.core.stages import LIVE, SHOP


def test_farmers_link_to_the_platform_they_sell_on():
    """A livestreamer links to the livestream platform, a shop seller to its own marketplace, nobody to two."""
    m = RuralEconomy(Parameters(farmers=1500, households_per_village=25, development_model="livestream", **DIFFUSING),
                     seed=2)
    for _ in range(24):
        m.step()
    g = m.network()
    f, inst = m.farmers, m.province.institutions
    linked = {}
    for u, v, d in g.edges(data=True):
        if d["type"] == "farmer-platform":
            farmer, platform = (u, v) if u.startswith("farmer:") else (v, u)
            assert int(farmer.split(":")[1]) not in linked
            linked[int(farmer.split(":")[1])] = platform.split(":")[1]
    live = [i for i in linked if f.channel[i] == LIVE]
    assert len(live) > 10 and {linked[i] for i in live} == {"eastern_livestream"}
    shops = np.array([i for i in linked if f.channel[i] == SHOP])
    assert shops.size > 10
    assert [linked[i] for i in shops] == [inst.platforms[k].name for k in m.province.terms.platform_of[shops]]
    assert set(linked) == set(np.flatnonzero((f.stage >= 3) & ((f.channel == LIVE) | (f.channel == SHOP))))
