"""Survey rates with intervals: Wilson against textbook values, the weighted (Kish) interval,
rates per unit from stored responses, and the warning for too few answers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from shequ.framework.loader import load_plan
from shequ.store.db import Store
from shequ.voice.imports.responses import import_responses
from shequ.voice.surveys import rates
from tests._files import write


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, Table II, method 3 (Wilson score, no correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe_1998(k: int, n: int, low: float, high: float) -> None:
    got = rates.wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_for_27_of_30_is_as_wide_as_the_warning_says() -> None:
    # p = 0.9, n = 30, z² = 3.8415: centre = (0.9 + 3.8415/60) / (1 + 3.8415/30) = 0.85452;
    # half = 1.95996/1.12805 * sqrt(0.09/30 + 3.8415/3600) = 1.73749 * 0.063769 = 0.110797
    assert rates.wilson_interval(27, 30) == pytest.approx((0.7437, 0.9653), abs=2e-4)


def test_weighted_rate_uses_kish_effective_n() -> None:
    # y = 1,1,0,1 with weights 1,1,2,2: p = (1+1+2)/6 = 2/3; n_eff = 6² / (1+1+4+4) = 3.6.
    # Wilson at n = 3.6: z²/n = 1.06708; centre = (0.66667 + 0.53354)/2.06708 = 0.58063;
    # half = 0.94818 * sqrt(0.061728 + 0.074103) = 0.34945 -> (0.2312, 0.9301)
    p, low, high, n_eff = rates.weighted_rate([1, 1, 0, 1], [1, 1, 2, 2])
    assert p == pytest.approx(2 / 3)
    assert n_eff == pytest.approx(3.6)
    assert (low, high) == pytest.approx((0.2312, 0.9301), abs=1e-4)


def test_equal_weights_give_the_unweighted_interval() -> None:
    _, low, high, n_eff = rates.weighted_rate([1] * 27 + [0] * 3, [2.5] * 30)
    assert n_eff == pytest.approx(30)
    assert (low, high) == pytest.approx(rates.wilson_interval(27, 30))


def _responses(rows: list[tuple[str, str, str, str, str]]) -> str:
    header = (
        "编号,社区编码,填写日期,权重,age_group,overall_satisfaction,"
        "public_service_satisfaction,culture_satisfaction,safety_feeling,happiness,gain"
    )
    lines = [header] + [f"{r},{u},2025-06-01,{w},35_59,4,4,{c},{s},4,4" for r, u, w, c, s in rows]
    return "\n".join(lines)


def test_rates_per_unit_roll_up_as_ratio_of_sums_and_flag_small_units(
    city: Store, tmp_path: Path
) -> None:
    # A: culture 5,4,3,比较满意(=4) -> 3 of 4 satisfied; B: 很不满意(=1), 5 -> 1 of 2.
    # S1 = 4 of 6 = 66.7 % (not the mean of 75 % and 50 %). Every unit has < 30 answers.
    rows = [
        ("r1", "A", "", "5", "5"),
        ("r2", "A", "", "4", "4"),
        ("r3", "A", "", "3", "5"),
        ("r4", "A", "", "比较满意", "很安全"),
        ("r5", "B", "", "很不满意", "3"),
        ("r6", "B", "", "5", "5"),
    ]
    report = import_responses(city, write(tmp_path / "r.csv", _responses(rows)))
    assert report.exit_code == 0, report.problems
    with city.begin() as conn:
        out = rates.survey_rates(conn, "2025", "culture_satisfaction", load_plan()).set_index(
            "unit"
        )
    assert (out.loc["A", "answered"], out.loc["A", "satisfied"]) == (4, 3)
    assert out.loc["S1", "rate"] == pytest.approx(400 / 6)
    assert out.loc["S1", "low"] == pytest.approx(100 * rates.wilson_interval(4, 6)[0])
    assert not out.loc["S1", "weighted"]
    assert "少于30份" in out.loc["A", "warning"] and "< 30" in out.loc["A", "warning"]


def test_weighted_rates_from_stored_responses(city: Store, tmp_path: Path) -> None:
    # A: satisfied with weights 1 and 1, not satisfied with weight 2: p = 2/4 = 50 %;
    # n_eff = 4² / (1 + 1 + 4) = 2.667
    rows = [("w1", "A", "1", "5", "5"), ("w2", "A", "1", "4", "5"), ("w3", "A", "2", "2", "5")]
    import_responses(city, write(tmp_path / "w.csv", _responses(rows)))
    with city.begin() as conn:
        out = rates.survey_rates(
            conn, "2025", "culture_satisfaction", load_plan(), level="community"
        ).set_index("unit")
    assert out.loc["A", "rate"] == pytest.approx(50.0)
    assert out.loc["A", "n_eff"] == pytest.approx(16 / 6)
    assert bool(out.loc["A", "weighted"])
    low, high = rates.wilson_interval(0.5 * 16 / 6, 16 / 6)
    assert (out.loc["A", "low"], out.loc["A", "high"]) == pytest.approx((100 * low, 100 * high))
    assert not math.isnan(out.loc["A", "high"])


def test_bad_response_rows_are_quarantined_with_question_and_reason(
    city: Store, tmp_path: Path
) -> None:
    # row 2 fine; row 3: culture answer 7 is no choice; row 4: unknown unit Z and weight -1;
    # row 5: required safety_feeling missing
    rows = [
        ("ok", "A", "", "5", "5"),
        ("bad1", "A", "", "7", "5"),
        ("bad2", "Z", "-1", "5", "5"),
        ("bad3", "A", "", "5", ""),
    ]
    report = import_responses(city, write(tmp_path / "b.csv", _responses(rows)))
    found = {(p.row, p.column) for p in report.problems}
    assert found == {
        (3, "culture_satisfaction"),
        (4, "org_unit"),
        (4, "weight"),
        (5, "safety_feeling"),
    }
    assert report.exit_code == 1 and report.inserted == 1
    assert report.quarantine_path is not None and report.quarantine_path.exists()
    again = import_responses(city, write(tmp_path / "b.csv", _responses(rows[:1])))
    assert (again.inserted, again.unchanged) == (0, 1)


def test_survey_comments_are_stored_masked_from_the_form_and_the_import(
    city: Store, tmp_path: Path
) -> None:
    # issue 13 #7: survey comments (text answers) were stored in clear, also in quarantine
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from shequ.store.tables.voice import SurveyResponse
    from shequ.voice.surveys.responses import submit_response
    from shequ.voice.surveys.xlsform import default_instrument

    answers = {
        "age_group": "35_59",
        "overall_satisfaction": "4",
        "public_service_satisfaction": "4",
        "culture_satisfaction": "4",
        "safety_feeling": "4",
        "happiness": "4",
        "gain": "4",
    }
    with Session(city.engine) as s, s.begin():
        submit_response(
            s,
            default_instrument(),
            {**answers, "comments": "希望回访，电话１３８１２３４５６７８"},
            org_unit="A",
            period="2025",
        )
    header = _responses([]).splitlines()[0] + ",comments"
    lines = [
        header,
        "c1,A,2025-06-01,,35_59,4,4,4,4,4,4,身份证110105491231002 电话+86 139 1111 2222",
        "c2,Z,2025-06-01,,35_59,4,4,4,4,4,4,我的电话13700001111",
    ]
    report = import_responses(city, write(tmp_path / "c.csv", "\n".join(lines)))
    assert (report.inserted, report.quarantined_rows) == (1, 1)
    with city.begin() as conn:
        stored = " ".join(conn.execute(select(SurveyResponse.answers)).scalars())
    assert "138****5678" in stored and "13812345678" not in stored
    assert "110105******002" in stored and "+86 139****2222" in stored
    quarantine = report.quarantine_path.read_text(encoding="utf-8-sig")
    assert "13700001111" not in quarantine and "137****1111" in quarantine
