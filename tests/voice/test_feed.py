"""What residents said becomes data values of the plan (with provenance) and so indicators:
the three suggestion rates in the governance dimension, satisfaction, participation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.store.db import Store
from shequ.store.tables.core import DataValue, ImportBatch
from shequ.voice.feed import feed_values
from shequ.voice.imports.attendance import import_attendance
from shequ.voice.imports.responses import import_responses
from shequ.voice.imports.services import import_services
from shequ.voice.imports.suggestions import import_suggestions
from tests._files import write

SUGGESTIONS = """
编号,内容,渠道,社区编码,受理时间,答复时间,办结时间,关闭时间,满意度评价
a1,路灯不亮,热线,A,2025-03-03 09:00,2025-03-04 09:00,2025-03-05 09:00,2025-03-06 09:00,5
a2,电梯坏了,热线,A,2025-03-03 09:00,2025-03-10 09:00,,,
b1,垃圾没人收,表单,B,2025-03-03 09:00,,,,
"""
RESPONSES = """
编号,社区编码,填写日期,age_group,overall_satisfaction,public_service_satisfaction,culture_satisfaction,safety_feeling,happiness,gain
r1,A,2025-06-01,35_59,4,4,5,5,4,4
r2,A,2025-06-01,35_59,4,4,2,3,4,4
"""
SIGNIN = """
活动编号,活动类型,社区编码,活动日期,身份证号/手机号
m1,居民会议,A,2025-03-01,13812345678
m2,听证会,A,2025-04-01,13812345678
m2,听证会,A,2025-04-01,13912345678
"""
SERVICES = """
编号,社区编码,服务主体,主体类型,服务类型,服务日期,服务时长,服务人次
v1,A,夕阳红,志愿者,养老,2025-02-01,3.5,2
v2,A,邻里帮,社会组织,家政,2025-02-02,2,1
v3,A,夕阳红,志愿者,养老,2025-03-01,1.5,4
"""


def test_feed_writes_values_once_and_the_indicators_evaluate(
    city: Store, key: bytes, tmp_path: Path
) -> None:
    for run, name, content in (
        (import_suggestions, "s.csv", SUGGESTIONS),
        (import_responses, "r.csv", RESPONSES),
        (import_attendance, "a.csv", SIGNIN),
        (import_services, "v.csv", SERVICES),
    ):
        assert run(city, write(tmp_path / name, content)).exit_code == 0
    plan = load_plan()
    first = feed_values(city, "2025", plan)
    with city.begin() as conn:
        rows = conn.execute(
            select(
                DataValue.data_element, DataValue.org_unit, DataValue.value, ImportBatch.kind
            ).join(ImportBatch, ImportBatch.id == DataValue.import_id)
        ).all()
    got = {(e, u): v for e, u, v, _ in rows}
    assert {kind for *_, kind in rows} == {"voice"}
    # A: received 2; a1 answered next working day (in time), a2 on the 5th working day (late);
    # resolved 1; rated 1, satisfied 1. B: received 1, nothing else (zeros, not missing).
    assert got[("suggestions_received", "A")] == 2
    assert got[("suggestions_responded_in_time", "A")] == 1
    assert got[("suggestions_satisfied", "A")] == 1
    assert got[("suggestions_received", "B")] == 1 and got[("suggestions_resolved", "B")] == 0
    # culture 5 and 2 -> 1 of 2 satisfied; safety 5 and 3 -> 1 of 2 feel safe
    assert (got[("culture_satisfied", "A")], got[("culture_answered", "A")]) == (1, 2)
    assert (got[("feel_safe", "A")], got[("safety_answered", "A")]) == (1, 2)
    # two distinct adults over two activities; hours 3.5 + 2 + 1.5 = 7; elderly care 2 + 4 = 6
    assert got[("participants", "A")] == 2
    assert got[("volunteer_service_hours", "A")] == pytest.approx(7.0)
    assert got[("people_served_elderly_care", "A")] == 6
    assert got[("people_served_home_help", "A")] == 1
    assert ("culture_answered", "B") not in got  # no survey in B: no data, not zero
    assert first.inserted == len(rows)
    again = feed_values(city, "2025", plan)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(rows))

    results = evaluate(city, plan, periods=["2025"], persist=False).results
    s1 = results[(results["org_unit"] == "S1")].set_index("indicator")["value"]
    # S1 = A + B: received 3, in time 1 -> 33.3 %; resolved 1/3; satisfied 1 of 1 rated
    assert s1["suggestion_response_rate"] == pytest.approx(100 / 3)
    assert s1["suggestion_resolution_rate"] == pytest.approx(100 / 3)
    assert s1["suggestion_satisfaction_rate"] == pytest.approx(100.0)
    assert s1["suggestions_received"] == 3


def test_weighted_survey_answers_feed_the_weighted_share(city: Store, tmp_path: Path) -> None:
    # A: culture 5, 4, 2, 1 with weights 1, 1, 1, 3: weighted share (1+1)/6 = 1/3, so the
    # satisfied count fed is 4 × 1/3 = 1.33 -> 1 (unweighted it would be 2 of 4)
    head = RESPONSES.strip().splitlines()[0].replace("填写日期,", "填写日期,权重,")
    rows = [
        f"w{i},A,2025-06-01,{w},35_59,4,4,{c},5,4,4"
        for i, (w, c) in enumerate([(1, 5), (1, 4), (1, 2), (3, 1)])
    ]
    assert (
        import_responses(city, write(tmp_path / "w.csv", "\n".join([head, *rows]))).exit_code == 0
    )
    feed_values(city, "2025", load_plan())
    with city.begin() as conn:
        got = dict(
            conn.execute(
                select(DataValue.data_element, DataValue.value).where(DataValue.org_unit == "A")
            ).all()
        )
    assert (got["culture_satisfied"], got["culture_answered"]) == (1, 4)
    assert (got["feel_safe"], got["safety_answered"]) == (4, 4)


def test_feeding_an_approved_community_is_refused_whole(city: Store, tmp_path: Path) -> None:
    """Street S1 approved 2025, so A's and B's voice values may not change: nothing is
    written, and the message names the first locked unit (A) and the approver (S1)."""
    from shequ.errors import VoiceError
    from shequ.store import approvals

    assert import_suggestions(city, write(tmp_path / "s.csv", SUGGESTIONS)).exit_code == 0
    with city.begin() as conn:
        approvals.approve(conn, "S1", "2025", actor="t")
    with pytest.raises(VoiceError, match="period 2025 of org unit A is approved and locked by S1"):
        feed_values(city, "2025", load_plan())
    with city.begin() as conn:
        assert conn.execute(select(DataValue.id)).first() is None
