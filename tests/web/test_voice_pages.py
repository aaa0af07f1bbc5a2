"""Residents' forms and the suggestions desk, over the voice package's service functions."""

from __future__ import annotations

import datetime as dt
import re

from tests.web import _webcity as city
from tests.web.conftest import csrf_of

SATISFIED = {
    "age_group": "35_59",
    "overall_satisfaction": "4",
    "public_service_satisfaction": "4",
    "culture_satisfaction": "5",
    "safety_feeling": "5",
    "happiness": "4",
    "gain": "4",
}


def _anonymous(client_for):
    client = client_for(None)
    client.csrf = csrf_of(client.get("/survey").text)
    return client


def test_a_resident_submits_the_survey_and_staff_see_it_in_scope(client_for):
    period = str(dt.date.today().year)  # a web response counts in the year it is given
    url = f"/api/surveys/responses?period={period}"
    staff = client_for("staff_jia")
    before = len(staff.get(url).json())
    resident = _anonymous(client_for)
    done = resident.post(
        "/survey", data={**SATISFIED, "org_unit": city.JIA, "csrf_token": resident.csrf}
    )
    assert done.status_code == 200 and 'id="survey-thanks"' in done.text
    rows = staff.get(url).json()
    assert len(rows) == before + 1
    assert rows[-1]["org_unit"] == city.JIA and rows[-1]["answers"]["culture_satisfaction"] == "5"


def test_a_survey_missing_a_required_answer_is_refused_with_the_question(client_for):
    resident = _anonymous(client_for)
    form = {**SATISFIED, "org_unit": city.JIA, "csrf_token": resident.csrf}
    del form["happiness"]
    refused = resident.post("/survey", data=form)
    assert refused.status_code == 422
    assert 'data-question="happiness"' in refused.text
    assert re.search(r'class="bad" data-question="happiness"', refused.text)
    assert "必答题未作答" in refused.text


def test_a_reason_for_satisfied_culture_is_not_relevant(client_for):
    # culture_reason is asked only when culture_satisfaction <= 2; here it is 5
    resident = _anonymous(client_for)
    form = {
        **SATISFIED,
        "culture_reason": "活动太少",
        "org_unit": city.JIA,
        "csrf_token": resident.csrf,
    }
    refused = resident.post("/survey", data=form)
    assert refused.status_code == 422 and "跳题" in refused.text


def test_a_suggestion_reaches_the_desk_of_its_community_only(client_for):
    resident = _anonymous(client_for)
    text = "3号楼门口路灯坏了，晚上很黑，联系电话13812345678"
    done = resident.post(
        "/suggest",
        data={"text": text, "org_unit": city.JIA, "location": "3号楼", "csrf_token": resident.csrf},
    )
    assert done.status_code == 200 and 'id="suggest-thanks"' in done.text
    staff = client_for("staff_jia")
    queue = staff.get("/api/suggestions").json()
    mine = [s for s in queue if "路灯" in s["text"]]
    assert len(mine) == 1
    # the phone number is masked before it is stored
    assert "13812345678" not in mine[0]["text"] and "138****5678" in mine[0]["text"]
    desk = staff.get("/desk")
    assert "路灯" in desk.text
    step = staff.post(
        f"/desk/{mine[0]['id']}",
        data={"action": "reply", "text": "已报修", "csrf_token": staff.csrf},
        follow_redirects=False,
    )
    assert step.status_code == 303
    assert (
        next(s for s in staff.get("/api/suggestions").json() if s["id"] == mine[0]["id"])["status"]
        == "responded"
    )


def test_the_desk_refuses_a_suggestion_of_another_street(client_for):
    resident = _anonymous(client_for)
    resident.post(
        "/suggest",
        data={"text": "丙社区的健身器材坏了", "org_unit": city.BING, "csrf_token": resident.csrf},
    )
    admin = client_for("admin")
    other = next(s for s in admin.get("/api/suggestions").json() if s["org_unit"] == city.BING)
    staff = client_for("staff_jia")
    assert all(s["org_unit"] != city.BING for s in staff.get("/api/suggestions").json())
    refused = staff.post(
        f"/desk/{other['id']}", data={"action": "reply", "text": "x", "csrf_token": staff.csrf}
    )
    assert refused.status_code == 404
