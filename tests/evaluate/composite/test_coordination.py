"""Coupling coordination degree: worked examples and class boundaries."""

import math

import numpy as np
import pytest

from shequ.evaluate.composite import coordination as co


def test_two_subsystems_by_hand():
    # U = (0.6, 0.8): C = 2 · sqrt(0.6 · 0.8) / (0.6 + 0.8) = 2 · 0.692820 / 1.4 = 0.989743
    # T = (0.6 + 0.8) / 2 = 0.7; D = sqrt(0.989743 · 0.7) = sqrt(0.692820) = 0.832358
    r = co.coupling_coordination(np.array([[0.6, 0.8]]))
    assert r.c == pytest.approx([2 * math.sqrt(0.48) / 1.4])
    assert r.t == pytest.approx([0.7])
    assert r.d == pytest.approx([math.sqrt(2 * math.sqrt(0.48) / 1.4 * 0.7)])
    assert r.d == pytest.approx([0.832358], abs=1e-6)
    assert list(r.classes) == ["good_coordination"]  # 0.8 ≤ D < 0.9: 良好协调


def test_five_subsystems_by_hand():
    # U = (0.2, 0.4, 0.6, 0.8, 1.0): Π U = 0.0384, (Π U)^(1/5) = 0.521034, Σ U = 3.0
    # C = 5 · 0.521034 / 3 = 0.868390; T = 3 / 5 = 0.6
    # D = sqrt(0.868390 · 0.6) = sqrt(0.521034) = 0.721827 (with equal α, C·T = (Π U)^(1/n))
    r = co.coupling_coordination(np.array([[0.2, 0.4, 0.6, 0.8, 1.0]]))
    g = 0.0384**0.2
    assert r.c == pytest.approx([5 * g / 3])
    assert r.t == pytest.approx([0.6])
    assert r.d == pytest.approx([math.sqrt(g)])
    assert r.d == pytest.approx([0.721827], abs=1e-6)
    assert list(r.classes) == ["intermediate_coordination"]  # 中级协调


def test_weights_change_t_only():
    # α = (0.75, 0.25): T = 0.75 · 0.6 + 0.25 · 0.8 = 0.65; C unchanged
    r = co.coupling_coordination(np.array([[0.6, 0.8]]), weights=np.array([3.0, 1.0]))
    assert r.t == pytest.approx([0.65])
    assert r.c == pytest.approx([2 * math.sqrt(0.48) / 1.4])
    assert r.d == pytest.approx([math.sqrt(2 * math.sqrt(0.48) / 1.4 * 0.65)])


def test_equal_levels_zero_levels_and_nan_rows():
    u = np.array([[0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [0.9, 0.0, 0.9], [0.5, np.nan, 0.5]])
    r = co.coupling_coordination(u)
    # equal levels: C = 1, T = D² … D = sqrt(0.5) = 0.7071
    assert r.c[:3] == pytest.approx([1.0, 0.0, 0.0])  # Σ U = 0 → C = 0; a zero → Π = 0
    assert r.d[:3] == pytest.approx([math.sqrt(0.5), 0.0, 0.0])
    assert np.isnan([r.c[3], r.t[3], r.d[3]]).all()
    assert list(r.classes) == [
        "intermediate_coordination",
        "extreme_imbalance",
        "extreme_imbalance",
        None,
    ]


@pytest.mark.parametrize(
    ("d", "code"),
    [
        (0.0, "extreme_imbalance"),
        (0.0999, "extreme_imbalance"),
        (0.1, "serious_imbalance"),
        (0.4999, "verge_of_imbalance"),
        (0.5, "barely_coordinated"),
        (0.6, "primary_coordination"),
        (0.8999, "good_coordination"),
        (0.9, "high_quality"),
        (1.0, "high_quality"),
        (float("nan"), None),
    ],
)
def test_class_boundaries(d, code):
    assert co.coordination_class(d) == code


def test_class_names():
    assert co.class_names(co.coordination_class(0.5)) == ("勉强协调", "barely coordinated")
    assert co.class_names(co.coordination_class(0.4999)) == (
        "濒临失调",
        "on the verge of imbalance",
    )
    codes = [c.code for c in co.COORDINATION_CLASSES]
    assert len(codes) == 10 and codes[0] == "extreme_imbalance" and codes[-1] == "high_quality"
    assert [c.lower for c in co.COORDINATION_CLASSES] == pytest.approx(np.arange(10) / 10)
    code, lower, zh, en = co.COORDINATION_CLASSES[5]  # plain 4-tuples for callers
    assert (code, lower, zh, en) == ("barely_coordinated", 0.5, "勉强协调", "barely coordinated")


def test_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"divide 0–100 scores by 100"):
        co.coupling_coordination(np.array([[60.0, 80.0]]))
    with pytest.raises(ValueError, match="must lie in"):
        co.coordination_class(1.5)
