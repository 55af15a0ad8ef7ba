"""The month's outcomes describe the month's deliveries: flags and link ages as they were when the kg were sold."""

from __future__ import annotations

import numpy as np
import pytest

from testworlds import stepped_with_flows


def test_fraud_rate_and_traced_share_weigh_the_kg_delivered_by_the_flags_in_force_at_delivery():
    """Both shares are the kg delivered online this month by sellers misrepresenting (verified) when they sold."""
    _, seen = stepped_with_flows(14, trust_mechanism="blockchain")
    checked = 0
    for flows, at_clearing in seen:
        delivered = flows.seller_delivered
        if delivered.sum() <= 0:
            continue
        for outcome, flag in (("fraud_rate", "misrepresent"), ("traced_share", "traced")):
            expected = (delivered * at_clearing[flag][flows.sellers]).sum() / delivered.sum()
            assert at_clearing["metrics"][outcome] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 10
    assert max(s[1]["metrics"]["traced_share"] for s in seen) > 0.05
    assert max(s[1]["metrics"]["fraud_rate"] for s in seen) > 0.005
