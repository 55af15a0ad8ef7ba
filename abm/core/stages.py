"""Translation stages and sales channels as named codes: what a household's ``stage`` and ``channel`` hold.

The stages are actor-network theory's moments of translation (Callon), plus "not reached"; the
codes are small integers because the population stores them as int8 columns and the compiled
passes compare them. Both the agents and the model's phases import them from here.
"""

from __future__ import annotations

#: sales channels
OFFLINE, COOP, SHOP, LIVE = 0, 1, 2, 3
CHANNELS = ("offline", "cooperative", "platform_shop", "livestream")
#: translation stages (actor-network theory's moments), plus "not reached"
NOT_REACHED, PROBLEMATISED, INTERESTED, ENROLLED, MOBILISED = 0, 1, 2, 3, 4
STAGES = ("not_reached", "problematised", "interested", "enrolled", "mobilised")
NO_LINK = -1_000_000  # link_since of a household with no live link to the network
#: the moves between stages the funnel counts each month (:mod:`abm.translation.transitions`)
TRANSITIONS = ("problematised", "interested", "enrolled", "mobilised", "defected", "lapsed", "reenrolled")
#: why members leave a cooperative at its December settlement (:mod:`agents.cooperative`)
EXIT_REASONS = ("price", "fee", "unsold")
