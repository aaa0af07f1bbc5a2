"""Diagnosis: gaps by score gain, better peers of similar size and density, actions."""

import pandas as pd
import pytest

from shequ.errors import EvaluationError
from shequ.evaluate.composite.run import composite
from shequ.evaluate.diagnosis import diagnose
from tests.evaluate.composite.test_run import UNITS, plan, results

# sizes and areas: B is A's twin; D as populous as A on a tenth of the land; C five times A
PROFILE = pd.DataFrame(
    {
        "org_unit": list("ABCD"),
        "period": "2025",
        "size": [1000, 1100, 5000, 1000],
        "area": [1e6, 1.1e6, 1e6, 1e5],
    }
)


def test_the_biggest_gap_comes_first_with_better_peers_and_an_action():
    p = plan()
    comp = composite(results(), p, units=UNITS)
    found = diagnose("A", results(), comp, p, profile=PROFILE, n_peers=2)
    # A scores 100 on living area (no gap) and 0 on participation: gain = weight 0.5 × 100 = 50
    assert [g.indicator for g in found.gaps] == ["participation_rate"]
    gap = found.gaps[0]
    assert gap.gain == pytest.approx(50.0) and gap.value == 60.0 and gap.target == 80.0
    # distances in standardised (log size, log density): B 0.139, D 2.284, C 2.843;
    # D's participation is imputed (no measured value), so the peers are B (90) and C (70)
    assert [(peer.org_unit, peer.value) for peer in gap.peers] == [("B", 90.0), ("C", 70.0)]
    assert "议事" in gap.action and gap.action_en
    assert found.coordination["class_zh"] == "轻度失调"


def test_an_unknown_unit_is_refused():
    p = plan()
    with pytest.raises(EvaluationError, match="not in the evaluation"):
        diagnose("Z", results(), composite(results(), p, units=UNITS), p, profile=PROFILE)
